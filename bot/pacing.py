"""Telegram's sending limits, kept on our side so a burst goes out at the limit, not as 429s.

Every request the bot makes passes through `PacingLimiter`: command replies from the
handlers and the outbox dispatcher's sends share one budget, as they share one bot at Telegram.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

JSONDict = dict[str, Any]  # as python-telegram-bot's requests answer

# What Telegram counts as a message to a chat; answers to buttons and polling are free.
_PACED_PREFIXES = ("send", "edit", "copyMessage", "forwardMessage", "stopPoll")
_UNPACED = frozenset({"sendChatAction"})


@dataclass(frozen=True)
class Limits:
    """How fast we send: a little under Telegram's published limits, to leave room for jitter.

    Telegram allows about 30 messages per second per bot, about one per second in a private
    chat and 20 per minute in a group; a 429 costs more time than the margin does. A chat's
    limits are kept as sliding windows (never more than N messages in any W seconds), each
    window *margin* seconds longer than Telegram's: a message can reach Telegram later than
    it left the pacer, and the one after it sooner.
    """

    per_second: float = 29.0
    private_interval: float = 1.0  # seconds between messages to one private chat
    group_count: int = 20  # messages to one group ...
    group_window: float = 60.0  # ... in any this many seconds
    margin: float = 0.1


class SlidingWindow:
    """At most *count* messages in any *length* seconds, served first come, first served."""

    def __init__(self, count: int, length: float, *,
                 timer: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.count, self.length = count, length
        self._timer, self._sleep = timer, sleep
        self._sent: deque[float] = deque()
        self._turn = asyncio.Lock()
        self.used = timer()

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Wait until one more message fits; the message counts from when the block ends.

        Counting at the end, not at the start, keeps the window true when the caller waits
        for another budget inside the block (the bot's, after the chat's).
        """
        async with self._turn:
            while (wait := self._wait(self._timer())) > 0:
                await self._sleep(wait)
            try:
                yield
            finally:  # a send that failed may still have reached Telegram
                self.used = self._timer()
                self._sent.append(self.used)

    @property
    def busy(self) -> bool:
        """Whether a message is waiting for, or holding, this window's turn."""
        return self._turn.locked()

    def _wait(self, now: float) -> float:
        while self._sent and self._sent[0] <= now - self.length:
            self._sent.popleft()
        return 0.0 if len(self._sent) < self.count else self._sent[0] + self.length - now


class Pacer:
    """Waits before each message until both the bot's and the chat's budget allow it."""

    def __init__(self, limits: Limits | None = None, *, forget_after: float = 120.0,
                 timer: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.limits = limits or Limits()
        self._overall = AsyncLimiter(self.limits.per_second, 1.0)
        self._chats: dict[int | str, SlidingWindow] = {}
        self._forget_after = forget_after
        self._timer, self._sleep = timer, sleep

    @asynccontextmanager
    async def sending(self, chat_id: int | str) -> AsyncIterator[None]:
        """Wait until a message to *chat_id* may go out; it counts from when the block ends.

        The send belongs inside the block: Telegram counts a message when it arrives, which
        can be any time until the answer comes back (a process stalled under load sends
        late). Counting from the answer keeps two arrivals a whole window apart.
        """
        # The chat's turn first: a slot of the bot's budget is not held while a busy chat waits.
        async with self._chat(chat_id).slot():
            await self._overall.acquire()
            yield

    def window(self, chat_id: int | str) -> float:
        """Seconds a message to *chat_id* counts against the chat's budget, margin included."""
        return self._chat(chat_id).length

    def _chat(self, chat_id: int | str) -> SlidingWindow:
        window = self._chats.get(chat_id)
        if window is not None:
            return window
        if len(self._chats) > 4096:  # people come and go; drop windows long since passed
            now = self._timer()
            self._chats = {c: w for c, w in self._chats.items()
                           if w.busy or now - w.used < self._forget_after}
        limits = self.limits
        private = isinstance(chat_id, int) and chat_id > 0  # groups: negative or @name
        count, length = ((1, limits.private_interval) if private
                         else (limits.group_count, limits.group_window))
        window = self._chats[chat_id] = SlidingWindow(
            count, length + limits.margin, timer=self._timer, sleep=self._sleep)
        return window


class PacingLimiter(BaseRateLimiter[dict[str, Any]]):
    """python-telegram-bot's hook for our pacing: each message waits for its chat's turn.

    Unlike the library's AIORateLimiter, a 429 for one chat does not stop every other chat.
    A caller that settles 429s itself (the outbox dispatcher) passes `{"retry": False}` as
    `rate_limit_args`; other callers (command replies) get one retry after the wait.
    """

    def __init__(self, pacer: Pacer | None = None) -> None:
        self.pacer = pacer or Pacer()

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict[str, Any] | None,
    ) -> bool | JSONDict | list[JSONDict]:
        """Wait for the chat's and the bot's budget, then make the request."""
        chat_id = data.get("chat_id")
        paced = (chat_id is not None and endpoint not in _UNPACED
                 and endpoint.startswith(_PACED_PREFIXES))
        pacing: AbstractAsyncContextManager[None] = (
            self.pacer.sending(chat_id if isinstance(chat_id, int) else str(chat_id))
            if paced else contextlib.nullcontext())
        async with pacing:
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                if rate_limit_args is not None and rate_limit_args.get("retry") is False:
                    raise
                wait = exc.retry_after
                seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
                log.warning("telegram asked for %.0fs before %s; waiting once", seconds,
                            endpoint, extra={"endpoint": endpoint, "chat_id": chat_id,
                                             "retry_in": seconds, "error_kind": "retry_after"})
                await asyncio.sleep(seconds)
                return await callback(*args, **kwargs)
