"""The in-transaction outbox writer: rows queued with the change that causes them, and marked
sent with what their delivery changes (the dispatcher's claims are storage.outbox)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import BindParameter, bindparam, insert, select, union, update
from sqlalchemy.ext.asyncio import AsyncConnection

from core.model import OutgoingMessage
from core.ports import QueuedMessage
from storage.repositories._rows import _insert_returning_ids
from storage.tables import outbox, sent_messages


@dataclass(frozen=True)
class Claimant:
    """This instance's dispatcher, taking the mail a transaction writes as it commits.

    On SQLite a writing transaction holds the only write lock, so it can tell for certain
    that nothing else waits for a chat, and claim the new rows for the dispatcher itself:
    the dispatcher then sends them at once, without a claiming transaction of its own.
    """

    owner: Callable[[], str | None]  # the dispatcher's name while it runs, else None
    lease: timedelta
    now: Callable[[], datetime]  # the lease runs from the write, not from the use case's now
    take: Callable[[list[QueuedMessage]], None]  # rows claimed for it, once committed


class SqlOutbox:
    """The outbox, written in the same transaction as the change that causes it."""

    def __init__(self, conn: AsyncConnection, *, claimant: Claimant | None = None) -> None:
        self._conn = conn
        self._claimant = claimant if conn.dialect.name == "sqlite" else None
        self.chats: set[int] = set()  # who has new mail, not claimed, once this one commits
        self.claimed: list[QueuedMessage] = []  # for the claimant, once this one commits

    async def add(self, message: OutgoingMessage) -> None:
        """Queue one message in the current transaction."""
        await self.add_all([message])

    async def add_all(self, messages: Sequence[OutgoingMessage]) -> None:
        """Queue several messages in the current transaction."""
        if not messages:
            return
        rows: list[dict[str, Any]] = [
            {"chat_id": m.chat_id, "template": m.template, "params": m.params, "ref": m.ref,
             "edit_ref": m.edit_ref, "created_at": m.created_at, "attempts": 0}
            for m in messages]
        owner = self._claimant.owner() if self._claimant is not None else None
        if owner is None or self._claimant is None:
            await self._conn.execute(_ADD, rows)
            self.chats.update(m.chat_id for m in messages)
            return
        now = max(m.created_at for m in messages)
        chats = {m.chat_id for m in messages}
        free = chats - await self._waiting(chats, owner=owner, now=now)
        until = self._claimant.now() + self._claimant.lease
        for row in rows:  # one executemany: every row names the same columns
            mine = row["chat_id"] in free
            row.update(claimed_by=owner if mine else None, claimed_until=until if mine else None)
        ids = await _insert_returning_ids(self._conn, outbox, rows)
        self.claimed += [
            QueuedMessage(i, m.chat_id, m.template, m.params, m.ref, m.edit_ref, 0, m.created_at)
            for m, i in zip(messages, ids, strict=True) if m.chat_id in free]
        self.chats.update(chats - free)  # the dispatcher is told of these the usual way

    async def _waiting(self, chats: set[int], *, owner: str, now: datetime) -> set[int]:
        """Those of *chats* with a message before these still unsent, or held elsewhere (in a
        pace window after a send by another instance): new mail there waits its turn."""
        return set((await self._conn.execute(_WAITING, {
            "chats": sorted(chats), "now": now, "owner": owner})).scalars())

    async def mark_sent(self, message: QueuedMessage, *, at: datetime,
                        message_id: int | None, hold: timedelta) -> None:
        """Settle a row as delivered and remember the message it became.

        The chat stays with the sender until *hold* after *at*: another instance's pacer
        has not seen this message, and would send the chat's next one too soon after it.
        """
        await self._conn.execute(_MARK_SENT, {"row_id": message.id, "at": at,
                                              "tries": message.attempts + 1,
                                              "until": at + hold})
        if message.ref is not None and message_id is not None:
            # A ref sent again (a lead escalated to a manager twice, assigned back to an agent
            # it left) names the newest message: that is the one later edits mean.
            named = {"chat_id": message.chat_id, "message_id": message_id}
            result = await self._conn.execute(update(sent_messages).where(
                sent_messages.c.ref == message.ref).values(**named))
            if result.rowcount == 0:
                await self._conn.execute(insert(sent_messages), {"ref": message.ref, **named})


# A lead's way runs these: built once, as building one costs more than running it. Two
# looks for a chat's waiting mail, each on its own index (as storage.outbox's claim does).
_ADD = insert(outbox)
_CHATS: BindParameter[int] = bindparam("chats", expanding=True)
_WAITING = union(
    select(outbox.c.chat_id).where(
        outbox.c.chat_id.in_(_CHATS), outbox.c.sent_at.is_(None), outbox.c.failed_at.is_(None)),
    # Held in a pace window: only rows claimed until later, and few are; "+ 0" keeps SQLite
    # from walking the chat's whole history on the chat index instead.
    select(outbox.c.chat_id).where(
        outbox.c.claimed_until > bindparam("now", type_=outbox.c.claimed_until.type),
        (outbox.c.chat_id + 0).in_(_CHATS), outbox.c.claimed_by.is_not(None),
        outbox.c.claimed_by != bindparam("owner")))
_MARK_SENT = update(outbox).where(outbox.c.id == bindparam("row_id")).values(
    sent_at=bindparam("at", type_=outbox.c.sent_at.type), attempts=bindparam("tries"),
    claimed_until=bindparam("until", type_=outbox.c.claimed_until.type))
