"""The outbox queue the dispatcher works off (core.ports.OutboxQueue), on SQLAlchemy."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    CompoundSelect,
    Row,
    Select,
    and_,
    func,
    or_,
    select,
    text,
    union,
    update,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from core.ports import DeliveryErrorKind, QueuedMessage
from storage.db import READ_ONLY, begin_write
from storage.tables import outbox, sent_messages

_CLAIM_LOCK = 0x6C72_6F62  # "lrob": the advisory lock PostgreSQL claimers queue on
_RELEASED: dict[str, Any] = {"claimed_by": None, "claimed_until": None}


def _due(now: datetime, *, owner: str | None, skip_chats: Collection[int]) -> Select[Any]:
    """Unsent rows due now, oldest first, leaving out whole chats that must wait: one with a
    row in back-off, or one another instance holds (when *owner* is given) — to send its
    rows, or for a pace window after it sent one."""
    unsent = and_(outbox.c.sent_at.is_(None), outbox.c.failed_at.is_(None))
    # Two looks, each on its own index: rows in back-off, rows another instance holds.
    waiting: Select[Any] | CompoundSelect[Any] = select(outbox.c.chat_id).where(
        unsent, outbox.c.next_attempt_at > now)
    if owner is not None:
        waiting = union(waiting, select(outbox.c.chat_id).where(
            outbox.c.claimed_until > now, outbox.c.claimed_by != owner))
    query = select(outbox).where(unsent, outbox.c.chat_id.not_in(waiting)).order_by(outbox.c.id)
    if skip_chats:
        query = query.where(outbox.c.chat_id.not_in(sorted(skip_chats)))
    return query


def _error(error: str, kind: DeliveryErrorKind) -> dict[str, Any]:
    """The columns that keep a row's last delivery error: its text, and its kind for /metrics."""
    return {"last_error": error[:200], "error_kind": kind.value}


def _queued(r: Row[Any]) -> QueuedMessage:
    return QueuedMessage(r.id, r.chat_id, r.template, r.params, r.ref, r.edit_ref, r.attempts,
                         r.created_at)


class OutboxStore:
    """The outbox queue: reads and settles rows, each call its own short transaction."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def due(self, now: datetime, *, limit: int = 100,
                  skip_chats: Collection[int] = ()) -> list[QueuedMessage]:
        """Unsent rows whose next attempt is due, oldest first, for a look without claiming.

        A chat with a row told to wait (429, back-off) is left out whole, so its later
        messages do not overtake the one waiting.
        """
        async with self._engine.connect() as conn:
            await conn.execution_options(**{READ_ONLY: True})
            rows = await conn.execute(_due(now, owner=None, skip_chats=skip_chats).limit(limit))
            return [_queued(r) for r in rows]

    async def claim(self, now: datetime, *, owner: str, lease: timedelta, limit: int = 500,
                    per_chat: int = 10, skip_chats: Collection[int] = ()) -> list[QueuedMessage]:
        """Claim due rows for *owner* until now + *lease*, oldest first.

        Several instances share one outbox: a chat with rows another instance holds is left
        to it, so one chat's messages never go out from two places or out of order. Claims
        are taken one instance at a time; a crashed instance's claims lapse with the lease.
        """
        async with self._engine.connect() as conn:
            # Most wake-ups find every chat with mail already being worked on (here or by
            # another instance): look without taking the write lock the sweep and intake need.
            await conn.execution_options(**{READ_ONLY: True})
            if (await conn.execute(
                    _due(now, owner=owner, skip_chats=skip_chats).limit(1))).first() is None:
                return []
        async with begin_write(self._engine) as conn:
            if conn.dialect.name == "postgresql":  # SQLite's BEGIN IMMEDIATE already queues
                await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                                   {"key": _CLAIM_LOCK})
            rows = [_queued(r) for r in await conn.execute(
                _due(now, owner=owner, skip_chats=skip_chats).limit(limit))]
            taken: list[QueuedMessage] = []
            per: dict[int, int] = {}
            for row in rows:
                if per.get(row.chat_id, 0) < per_chat:
                    per[row.chat_id] = per.get(row.chat_id, 0) + 1
                    taken.append(row)
            if taken:
                await conn.execute(update(outbox).where(outbox.c.id.in_([r.id for r in taken]))
                                   .values(claimed_by=owner, claimed_until=now + lease))
        return taken

    async def resend_stale(self, now: datetime, *, older_than: timedelta) -> int:
        """Make rows unsent for longer than *older_than* due now, claims dropped; how many.

        For the auditor: a long back-off or a claim nobody works off should not keep a
        message from an agent; the dispatcher picks these up on its next round.
        """
        async with begin_write(self._engine) as conn:
            result = await conn.execute(update(outbox).where(
                outbox.c.sent_at.is_(None), outbox.c.failed_at.is_(None),
                outbox.c.created_at < now - older_than,
                or_(outbox.c.next_attempt_at > now, outbox.c.claimed_until > now),
            ).values(next_attempt_at=None, **_RELEASED))
            return int(result.rowcount or 0)

    async def release(self, *, owner: str) -> int:
        """Give back *owner*'s claims on rows it did not send, so another instance, or the
        next start, sends them at once rather than when the lease runs out; how many."""
        async with begin_write(self._engine) as conn:
            result = await conn.execute(update(outbox).where(
                outbox.c.claimed_by == owner, outbox.c.sent_at.is_(None),
                outbox.c.failed_at.is_(None)).values(**_RELEASED))
            return int(result.rowcount or 0)

    async def renew(self, ids: Collection[int], *, owner: str, until: datetime) -> None:
        """Extend *owner*'s claim on rows it is still working through."""
        if not ids:
            return
        async with begin_write(self._engine) as conn:
            await conn.execute(update(outbox).where(
                outbox.c.id.in_(sorted(ids)), outbox.c.claimed_by == owner,
                outbox.c.sent_at.is_(None)).values(claimed_until=until))

    async def message_id(self, ref: str) -> tuple[int, int] | None:
        """The (chat_id, message_id) a ref was sent as, if it was."""
        async with self._engine.connect() as conn:
            await conn.execution_options(**{READ_ONLY: True})
            row = (await conn.execute(
                select(sent_messages).where(sent_messages.c.ref == ref))).first()
        return (row.chat_id, row.message_id) if row else None

    async def mark_retry(self, row: QueuedMessage, *, error: str, kind: DeliveryErrorKind,
                         at: datetime) -> None:
        """Leave a row for another attempt at *at*, keeping the error and its *kind*."""
        async with begin_write(self._engine) as conn:
            await conn.execute(update(outbox).where(outbox.c.id == row.id).values(
                attempts=row.attempts + 1, next_attempt_at=at, **_error(error, kind),
                **_RELEASED))

    async def mark_failed(self, row: QueuedMessage, *, error: str, kind: DeliveryErrorKind,
                          at: datetime) -> None:
        """Give up on a row that can never be delivered, keeping the error and its *kind*."""
        async with begin_write(self._engine) as conn:
            await conn.execute(update(outbox).where(outbox.c.id == row.id).values(
                attempts=row.attempts + 1, failed_at=at, **_error(error, kind), **_RELEASED))

    async def backlog(self) -> int:
        """How many rows wait to be sent."""
        async with self._engine.connect() as conn:
            await conn.execution_options(**{READ_ONLY: True})
            return int((await conn.execute(select(func.count()).select_from(outbox).where(
                outbox.c.sent_at.is_(None), outbox.c.failed_at.is_(None)))).scalar_one())
