"""SQLAlchemy implementations of the repository Protocols in core/ports.py."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from core.model import (
    LeadEvent,
    OutgoingMessage,
)
from storage.repositories.agents import SqlAgents
from storage.repositories.contacts import SqlContacts
from storage.repositories.leads import SqlLeads
from storage.repositories.offers import SqlOffers
from storage.repositories.reporting import OFFER_COUNTS_FOR_AGENT
from storage.tables import lead_events, outbox, rotations

__all__ = [
    "OFFER_COUNTS_FOR_AGENT",
    "SqlAgents",
    "SqlContacts",
    "SqlEvents",
    "SqlLeads",
    "SqlOffers",
    "SqlOutbox",
    "SqlRotations",
]


class SqlRotations:
    """Round-robin pointers, locked for the length of the transaction."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def lock(self, key: str) -> dict[str, Any]:
        """Lock the row (FOR UPDATE; SQLite already holds the write lock) and read it."""
        query = select(rotations.c.state).where(rotations.c.key == key).with_for_update()
        row = (await self._conn.execute(query)).first()
        if row is None:
            dialect = postgresql if self._conn.dialect.name == "postgresql" else sqlite
            await self._conn.execute(
                dialect.insert(rotations).values(key=key, state={})
                .on_conflict_do_nothing(index_elements=["key"]))
            row = (await self._conn.execute(query)).first()
        assert row is not None
        return dict(row.state or {})

    async def read(self, key: str) -> dict[str, Any]:
        """What the row holds, without locking or creating it."""
        query = select(rotations.c.state).where(rotations.c.key == key)
        state = (await self._conn.execute(query)).scalar()
        return dict(state or {})

    async def save(self, key: str, state: dict[str, Any]) -> None:
        """Replace what the row holds."""
        await self._conn.execute(
            update(rotations).where(rotations.c.key == key).values(state=state))


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
            await self._conn.execute(insert(lead_events), [
                {"lead_id": e.lead_id, "at": e.at, "kind": e.kind, "agent_id": e.agent_id,
                 "data": e.data} for e in events])

    async def for_leads(self, lead_ids: Sequence[int]) -> list[LeadEvent]:
        """The history of any of *lead_ids*, oldest first."""
        rows = await self._conn.execute(select(lead_events).where(
            lead_events.c.lead_id.in_(list(lead_ids))).order_by(lead_events.c.id))
        return [LeadEvent(r.lead_id, r.at, r.kind, r.agent_id, r.data, r.id) for r in rows]


class SqlOutbox:
    """The outbox, written in the same transaction as the change that causes it."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn
        self.chats: set[int] = set()  # who has new mail once this transaction commits

    async def add(self, message: OutgoingMessage) -> None:
        """Queue one message in the current transaction."""
        await self.add_all([message])

    async def add_all(self, messages: Sequence[OutgoingMessage]) -> None:
        """Queue several messages in the current transaction."""
        if messages:
            await self._conn.execute(insert(outbox), [
                {"chat_id": m.chat_id, "template": m.template, "params": m.params,
                 "ref": m.ref, "edit_ref": m.edit_ref, "created_at": m.created_at,
                 "attempts": 0} for m in messages])
            self.chats.update(m.chat_id for m in messages)
