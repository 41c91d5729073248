"""SQLAlchemy implementations of the repository Protocols in core/ports.py."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import (
    insert,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from core.model import (
    OutgoingMessage,
)
from storage.repositories.agents import SqlAgents
from storage.repositories.contacts import SqlContacts
from storage.repositories.events import SqlEvents
from storage.repositories.leads import SqlLeads
from storage.repositories.offers import SqlOffers
from storage.repositories.reporting import OFFER_COUNTS_FOR_AGENT
from storage.repositories.rotations import SqlRotations
from storage.tables import outbox

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
