"""The in-transaction outbox writer (the dispatcher's side of the outbox is storage.outbox)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from core.model import OutgoingMessage
from storage.tables import outbox


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
