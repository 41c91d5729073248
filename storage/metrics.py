"""Operational figures read from the database at scrape time, so every instance reports the same."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import case, func, literal, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from core.ports import AUDIT_TOTALS, DeliveryErrorKind, Snapshot
from core.ports.failures import INTAKE_FAILURES_FORGOTTEN
from storage.db import READ_ONLY
from storage.repositories import OFFER_COUNTS_FOR_AGENT
from storage.tables import failed_intake, lead_events, leads, offers, outbox, rotations

_UNSENT = (outbox.c.sent_at.is_(None)) & (outbox.c.failed_at.is_(None))


class MetricsStore:
    """The office's figures (core.ports.OfficeFigures): each call one short read-only
    transaction."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    @asynccontextmanager
    async def _reader(self) -> AsyncIterator[AsyncConnection]:
        async with self._engine.connect() as conn:
            await conn.execution_options(**{READ_ONLY: True})
            yield conn

    async def ping(self) -> None:
        """Run a trivial query; raises if the database does not answer."""
        async with self._reader() as conn:
            await conn.execute(select(literal(1)))

    async def snapshot(self) -> Snapshot:
        """Every figure in five aggregate queries inside one transaction."""
        by_source: dict[str, int] = {}
        by_status: dict[str, int] = {}
        async with self._reader() as conn:
            for source, status, count in await conn.execute(
                    select(leads.c.source, leads.c.status, func.count())
                    .group_by(leads.c.source, leads.c.status)):
                by_source[source] = by_source.get(source, 0) + count
                by_status[status] = by_status.get(status, 0) + count
            offers_by_status: dict[str, int] = {}
            answerable: dict[str, int] = {}
            for status, theirs, count in await conn.execute(
                    select(offers.c.status, OFFER_COUNTS_FOR_AGENT.label("theirs"), func.count())
                    .group_by(offers.c.status, "theirs")):
                offers_by_status[status] = offers_by_status.get(status, 0) + count
                if theirs:
                    answerable[status] = answerable.get(status, 0) + count
            escalations = (await conn.execute(
                select(func.count()).select_from(lead_events)
                .where(lead_events.c.kind == "escalated"))).scalar_one()
            box = (await conn.execute(select(
                func.count(case((_UNSENT, 1))),
                func.min(case((_UNSENT, outbox.c.created_at))),
                func.count(outbox.c.sent_at),
                func.count(outbox.c.failed_at),
            ))).one()
            errors: dict[str, int] = {}
            for kind, count in await conn.execute(
                    select(outbox.c.error_kind, func.count())
                    .where(outbox.c.last_error.is_not(None))
                    .group_by(outbox.c.error_kind)):
                # An error whose kind nobody told (the migration to 0009 told every older one).
                kind = kind or DeliveryErrorKind.OTHER.value
                errors[kind] = errors.get(kind, 0) + count
            totals = (await conn.execute(select(rotations.c.state).where(
                rotations.c.key == AUDIT_TOTALS))).scalar_one_or_none() or {}
            failures = {str(reason): int(count) for reason, count in await conn.execute(
                select(failed_intake.c.reason, func.count()).group_by(failed_intake.c.reason))}
            forgotten = (await conn.execute(select(rotations.c.state).where(
                rotations.c.key == INTAKE_FAILURES_FORGOTTEN))).scalar_one_or_none() or {}
            for reason, count in forgotten.items():
                failures[reason] = failures.get(reason, 0) + int(count)
        return Snapshot(
            leads_by_source=by_source, leads_by_status=by_status,
            offers_by_status=offers_by_status, answerable_by_status=answerable,
            escalations=int(escalations),
            outbox_backlog=int(box[0]), outbox_oldest_unsent=box[1],
            outbox_sent=int(box[2]), outbox_failed=int(box[3]), delivery_errors=errors,
            audit={key: int(totals.get(key, 0)) for key in ("runs", "rerouted", "resent")},
            intake_failures=failures,
        )
