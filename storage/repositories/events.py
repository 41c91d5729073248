"""Each lead's history, recorded event by event."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from core.model import LeadEvent
from storage.tables import lead_events


class SqlEvents:
    """A lead's history."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, event: LeadEvent) -> None:
        """Record one event."""
        await self.add_all([event])

    async def add_all(self, events: Sequence[LeadEvent]) -> None:
        """Record several events."""
        if events:
            await self._conn.execute(_ADD, [
                {"lead_id": e.lead_id, "at": e.at, "kind": e.kind, "agent_id": e.agent_id,
                 "data": e.data} for e in events])

    async def recent(self, lead_id: int, *, kinds: Sequence[str], limit: int) -> list[LeadEvent]:
        """The lead's newest *limit* events of these kinds, newest first."""
        rows = await self._conn.execute(
            select(lead_events).where(lead_events.c.lead_id == lead_id,
                                      lead_events.c.kind.in_(list(kinds)))
            .order_by(lead_events.c.id.desc()).limit(limit))
        return [LeadEvent(r.lead_id, r.at, r.kind, r.agent_id, r.data, r.id) for r in rows]

    async def for_leads(self, lead_ids: Sequence[int]) -> list[LeadEvent]:
        """The history of any of *lead_ids*, oldest first."""
        rows = await self._conn.execute(select(lead_events).where(
            lead_events.c.lead_id.in_(list(lead_ids))).order_by(lead_events.c.id))
        return [LeadEvent(r.lead_id, r.at, r.kind, r.agent_id, r.data, r.id) for r in rows]


_ADD = insert(lead_events)  # every change writes history: built once
