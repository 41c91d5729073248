"""What the outbox dispatcher and the Telegram webhook need: the queue of messages to send,
and the log of updates already handled."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from core.ports.operations import DeliveryErrorKind


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


class OutboxQueue(Protocol):
    """The outbox as the dispatcher works it off: whole chats claimed, rows settled one by one.

    Each call is its own short transaction. Several instances share one outbox: a chat's
    rows go out from one instance at a time, in order.
    """

    async def due(self, now: datetime, *, limit: int = 100,
                  skip_chats: Collection[int] = ()) -> list[QueuedMessage]:
        """Unsent rows whose next attempt is due, oldest first, for a look without claiming."""
        ...

    async def claim(self, now: datetime, *, owner: str, lease: timedelta, limit: int = 500,
                    per_chat: int = 10, skip_chats: Collection[int] = ()) -> list[QueuedMessage]:
        """Claim due rows for *owner* until now + *lease*, oldest first, whole chats at once."""
        ...

    async def resend_stale(self, now: datetime, *, older_than: timedelta) -> int:
        """Make rows unsent for longer than *older_than* due now, claims dropped; how many."""
        ...

    async def release(self, *, owner: str) -> int:
        """Give back *owner*'s claims on rows it did not send; how many."""
        ...

    async def renew(self, ids: Collection[int], *, owner: str, until: datetime) -> None:
        """Extend *owner*'s claim on rows it is still working through."""
        ...

    async def message_id(self, ref: str) -> tuple[int, int] | None:
        """The (chat_id, message_id) a ref was sent as, if it was."""
        ...

    async def mark_retry(self, row: QueuedMessage, *, error: str, kind: DeliveryErrorKind,
                         at: datetime) -> None:
        """Leave a row for another attempt at *at*, keeping the error and its *kind*."""
        ...

    async def mark_failed(self, row: QueuedMessage, *, error: str, kind: DeliveryErrorKind,
                          at: datetime) -> None:
        """Give up on a row that can never be delivered, keeping the error and its *kind*."""
        ...

    async def backlog(self) -> int:
        """How many rows wait to be sent."""
        ...


class SeenUpdates(Protocol):
    """The Telegram updates already taken, so one Telegram sends twice is handled once."""

    async def claim(self, update_id: int, *, at: datetime) -> bool:
        """Take *update_id* for handling; False if it was taken before."""
        ...

    async def release(self, update_id: int) -> None:
        """Give an update back after its handling failed, so Telegram's retry is handled."""
        ...

    async def forget_before(self, moment: datetime) -> int:
        """Forget updates taken before *moment* (Telegram re-sends for a day at most)."""
        ...
