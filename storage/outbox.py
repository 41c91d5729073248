"""What the dispatcher needs from the outbox: due rows, and marking them sent or failed."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import READ_ONLY
from storage.tables import outbox, sent_messages


@dataclass(frozen=True)
class QueuedMessage:
    """One outbox row waiting to be sent."""

    id: int
    chat_id: int
    template: str
    params: dict[str, Any]
    ref: str | None
    edit_ref: str | None
    attempts: int
    created_at: datetime


class OutboxStore:
    """Reads and settles outbox rows; each call is its own short transaction."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def due(self, now: datetime, *, limit: int = 100,
                  skip_chats: Collection[int] = ()) -> list[QueuedMessage]:
        """Unsent rows whose next attempt is due, oldest first.

        A chat with a row told to wait (429, back-off) is left out whole, so its later
        messages do not overtake the one waiting.
        """
        unsent = and_(outbox.c.sent_at.is_(None), outbox.c.failed_at.is_(None))
        waiting = select(outbox.c.chat_id).where(unsent, outbox.c.next_attempt_at > now)
        query = (
            select(outbox)
            .where(unsent, outbox.c.chat_id.not_in(waiting))
            .order_by(outbox.c.id)
            .limit(limit)
        )
        if skip_chats:
            query = query.where(outbox.c.chat_id.not_in(sorted(skip_chats)))
        async with self._engine.connect() as conn:
            await conn.execution_options(**{READ_ONLY: True})
            rows = await conn.execute(query)
            return [
                QueuedMessage(r.id, r.chat_id, r.template, r.params, r.ref, r.edit_ref,
                              r.attempts, r.created_at)
                for r in rows
            ]

    async def message_id(self, ref: str) -> tuple[int, int] | None:
        """The (chat_id, message_id) a ref was sent as, if it was."""
        async with self._engine.connect() as conn:
            await conn.execution_options(**{READ_ONLY: True})
            row = (await conn.execute(
                select(sent_messages).where(sent_messages.c.ref == ref))).first()
        return (row.chat_id, row.message_id) if row else None

    async def mark_sent(
        self, row: QueuedMessage, *, at: datetime, message_id: int | None = None
    ) -> None:
        """Settle a row as delivered and remember the message it became."""
        async with self._engine.begin() as conn:
            await conn.execute(update(outbox).where(outbox.c.id == row.id).values(
                sent_at=at, attempts=row.attempts + 1))
            if row.ref is not None and message_id is not None:
                await conn.execute(insert(sent_messages).values(
                    ref=row.ref, chat_id=row.chat_id, message_id=message_id))

    async def mark_retry(self, row: QueuedMessage, *, error: str, at: datetime) -> None:
        """Leave a row for another attempt at *at*."""
        async with self._engine.begin() as conn:
            await conn.execute(update(outbox).where(outbox.c.id == row.id).values(
                attempts=row.attempts + 1, next_attempt_at=at, last_error=error[:200]))

    async def mark_failed(self, row: QueuedMessage, *, error: str, at: datetime) -> None:
        """Give up on a row that can never be delivered."""
        async with self._engine.begin() as conn:
            await conn.execute(update(outbox).where(outbox.c.id == row.id).values(
                attempts=row.attempts + 1, failed_at=at, last_error=error[:200]))

    async def backlog(self) -> int:
        """How many rows wait to be sent."""
        async with self._engine.connect() as conn:
            await conn.execution_options(**{READ_ONLY: True})
            return int((await conn.execute(select(func.count()).select_from(outbox).where(
                outbox.c.sent_at.is_(None), outbox.c.failed_at.is_(None)))).scalar_one())
