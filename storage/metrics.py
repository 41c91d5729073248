"""Operational figures read from the database at scrape time, so every instance reports the same."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

from sqlalchemy import ColumnElement, case, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from core.ports import AUDIT_TOTALS, DeliveryErrorKind, Snapshot
from storage.db import READ_ONLY
from storage.repositories import OFFER_COUNTS_FOR_AGENT
from storage.tables import lead_events, leads, offers, outbox, rotations

# What the dispatcher keeps in last_error: "retry_after" for a 429, the Telegram description
# for a 400 or 403 (PTB strips "Bad Request: " but not "Forbidden: "), and str(exc) for
# network errors. Matched in order, case-insensitively; anything else is "other".
DELIVERY_ERROR_KINDS: tuple[tuple[DeliveryErrorKind, tuple[str, ...]], ...] = (
    (DeliveryErrorKind.RETRY_AFTER, ("retry_after", "retry after", "too many requests",
                                     "flood control")),
    (DeliveryErrorKind.FORBIDDEN, ("forbidden", "blocked", "kicked", "deactivated",
                                   "can't initiate", "not a member")),
    (DeliveryErrorKind.BAD_REQUEST, ("bad request", "not found", "can't parse", "too long",
                                     "is empty", "wrong", "invalid")),
    (DeliveryErrorKind.NETWORK, ("timed out", "timeout", "network", "connect", "httpx",
                                 "bad gateway", "server error")),
)

_UNSENT = (outbox.c.sent_at.is_(None)) & (outbox.c.failed_at.is_(None))


def _error_kind() -> ColumnElement[str]:
    """The kind of an outbox row's last_error, as SQL, so grouping happens in the database."""
    text = func.lower(outbox.c.last_error)
    whens: list[tuple[ColumnElement[bool], str]] = []
    for kind, parts in DELIVERY_ERROR_KINDS:
        if kind is DeliveryErrorKind.BAD_REQUEST:
            # The dispatcher gives up on a row only for a 400 or a 403, and a 403 matched
            # already, so a failed row is a bad request whatever Telegram's wording.
            whens.append((outbox.c.failed_at.is_not(None), kind.value))
        whens.append((or_(*(text.contains(part, autoescape=True) for part in parts)),
                      kind.value))
    return case(*whens, else_=literal(DeliveryErrorKind.OTHER.value))


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

    async def oldest_unsent(self) -> datetime | None:
        """When the oldest message still waiting to be sent was queued, if any waits."""
        async with self._reader() as conn:
            oldest: datetime | None = (await conn.execute(
                select(func.min(outbox.c.created_at)).where(_UNSENT))).scalar_one()
        return oldest

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
            # Grouped from a subquery: PostgreSQL would not match a GROUP BY CASE to the select
            # list's CASE, because each carries its own bound LIKE patterns.
            failed = select(_error_kind().label("kind")).where(
                outbox.c.last_error.is_not(None)).subquery()
            errors = {kind: count for kind, count in await conn.execute(
                select(failed.c.kind, func.count()).group_by(failed.c.kind))}
            totals = (await conn.execute(select(rotations.c.state).where(
                rotations.c.key == AUDIT_TOTALS))).scalar_one_or_none() or {}
        return Snapshot(
            leads_by_source=by_source, leads_by_status=by_status,
            offers_by_status=offers_by_status, answerable_by_status=answerable,
            escalations=int(escalations),
            outbox_backlog=int(box[0]), outbox_oldest_unsent=box[1],
            outbox_sent=int(box[2]), outbox_failed=int(box[3]), delivery_errors=errors,
            audit={key: int(totals.get(key, 0)) for key in ("runs", "rerouted", "resent")},
        )
