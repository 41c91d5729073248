"""The lead_fetches table: leads an ad platform announced by id, until their fields come."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from core.model.fetches import FetchState, LeadFetch
from storage.tables import lead_fetches

_T = lead_fetches.c


class SqlLeadFetches:
    """core.ports.fetches.LeadFetchRepository on one connection."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, fetch: LeadFetch) -> bool:
        """Insert unless (platform, external_id) is there: a retry of Meta's inserts nothing,
        and two instances taking the same retry at once cannot both insert."""
        insert = pg_insert if self._conn.dialect.name == "postgresql" else sqlite_insert
        result = await self._conn.execute(insert(lead_fetches).values(
            platform=fetch.platform, external_id=fetch.external_id[:128], source=fetch.source,
            change=fetch.change, received_at=fetch.received_at, attempts=fetch.attempts,
            next_try_at=fetch.next_try_at, give_up_at=fetch.give_up_at,
            state=fetch.state.value, last_error=fetch.last_error[:500],
        ).on_conflict_do_nothing(index_elements=["platform", "external_id"])
            .returning(_T.id))
        new_id = result.scalar_one_or_none()
        if new_id is None:
            return False
        fetch.id = int(new_id)
        return True

    async def get(self, fetch_id: int) -> LeadFetch | None:
        """One by id."""
        row = (await self._conn.execute(select(lead_fetches).where(_T.id == fetch_id))).first()
        return None if row is None else _fetch(row)

    async def due(self, now: datetime, *, limit: int) -> Sequence[LeadFetch]:
        """Those waiting whose next try is due by *now*, soonest first."""
        rows = await self._conn.execute(select(lead_fetches).where(
            _T.state == FetchState.WAITING.value, _T.next_try_at <= now,
        ).order_by(_T.next_try_at, _T.id).limit(limit))
        return [_fetch(row) for row in rows]

    async def next_due(self) -> datetime | None:
        """When the soonest waiting one is next tried."""
        value = (await self._conn.execute(select(func.min(_T.next_try_at)).where(
            _T.state == FetchState.WAITING.value))).scalar_one_or_none()
        return value if isinstance(value, datetime) else None

    async def claim(self, fetch: LeadFetch, *, until: datetime) -> bool:
        """A conditional update on the attempts read: of two sweeps, one takes it."""
        result = await self._conn.execute(update(lead_fetches).where(
            _T.id == fetch.id, _T.state == FetchState.WAITING.value,
            _T.attempts == fetch.attempts,
        ).values(attempts=fetch.attempts + 1, next_try_at=until))
        if not result.rowcount:
            return False
        fetch.attempts += 1
        fetch.next_try_at = until
        return True

    async def settle(self, fetch: LeadFetch, *, state: FetchState,
                     next_try_at: datetime | None, error: str = "",
                     lead_id: int | None = None, failure_id: int | None = None) -> bool:
        """A conditional update on the attempts claimed."""
        result = await self._conn.execute(update(lead_fetches).where(
            _T.id == fetch.id, _T.state == FetchState.WAITING.value,
            _T.attempts == fetch.attempts,
        ).values(state=state.value, next_try_at=next_try_at, last_error=error[:500],
                 lead_id=lead_id, failure_id=failure_id))
        return bool(result.rowcount)


def _fetch(row: Any) -> LeadFetch:
    return LeadFetch(
        platform=row.platform, external_id=row.external_id, source=row.source,
        change=dict(row.change or {}), received_at=row.received_at,
        next_try_at=row.next_try_at, give_up_at=row.give_up_at, attempts=row.attempts,
        state=FetchState(row.state), last_error=row.last_error, lead_id=row.lead_id,
        failure_id=row.failure_id, id=row.id)
