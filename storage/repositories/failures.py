"""The failed_intake table: payloads that could not become leads, as raw bytes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from core.model.failures import FailedIntake, FailureReason
from storage.tables import failed_intake


class SqlFailedIntake:
    """core.ports.failures.FailedIntakeRepository on one connection."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, failure: FailedIntake) -> int:
        """Store *failure*; its new id."""
        failure.id = int((await self._conn.execute(insert(failed_intake).values(
            source=failure.source, received_at=failure.received_at,
            reason=failure.reason.value, detail=failure.detail[:500],
            authenticated=failure.authenticated,
            content_type=(failure.content_type or None) and failure.content_type[:200],
            headers=dict(failure.headers), body=failure.body,
        ).returning(failed_intake.c.id))).scalar_one())
        return failure.id

    async def get(self, failure_id: int) -> FailedIntake | None:
        """One failure by id."""
        row = (await self._conn.execute(
            select(failed_intake).where(failed_intake.c.id == failure_id))).first()
        return None if row is None else _failure(row)

    async def recent(self, *, source: str | None = None, limit: int = 50,
                     unreplayed: bool = False) -> Sequence[FailedIntake]:
        """The newest failures first, of *source* if given."""
        query = select(failed_intake).order_by(failed_intake.c.received_at.desc(),
                                               failed_intake.c.id.desc()).limit(limit)
        if source is not None:
            query = query.where(failed_intake.c.source == source)
        if unreplayed:
            query = query.where(failed_intake.c.replayed_at.is_(None))
        return [_failure(row) for row in await self._conn.execute(query)]

    async def count_kept(self, *, source: str | None, since: datetime) -> int:
        """How many payloads of *source* (None: those with a wrong or missing token) are kept
        that arrived since *since*."""
        whose = failed_intake.c.authenticated.is_(False) if source is None \
            else failed_intake.c.source == source
        return int((await self._conn.execute(select(func.count()).where(
            whose, failed_intake.c.received_at >= since))).scalar_one())

    async def mark_replayed(self, failure_id: int, *, lead_id: int, at: datetime) -> bool:
        """A conditional update: of two replays of one failure, one marks it."""
        result = await self._conn.execute(update(failed_intake).where(
            failed_intake.c.id == failure_id, failed_intake.c.replayed_at.is_(None),
        ).values(replayed_at=at, lead_id=lead_id))
        return bool(result.rowcount)

    async def forget_unauthenticated(self, *, before: datetime) -> Mapping[str, int]:
        """Delete the old wrong- or missing-token payloads; how many of each reason."""
        rows = await self._conn.execute(delete(failed_intake).where(
            failed_intake.c.authenticated.is_(False), failed_intake.c.received_at < before,
        ).returning(failed_intake.c.reason))
        counts: dict[str, int] = {}
        for reason in rows.scalars():
            counts[reason] = counts.get(reason, 0) + 1
        return counts


def _failure(row: Any) -> FailedIntake:
    return FailedIntake(
        received_at=row.received_at, reason=FailureReason(row.reason), detail=row.detail,
        authenticated=row.authenticated, body=bytes(row.body), source=row.source,
        content_type=row.content_type, headers=dict(row.headers or {}), id=row.id,
        replayed_at=row.replayed_at, lead_id=row.lead_id)
