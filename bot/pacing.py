"""Telegram's sending limits, kept on our side so a burst goes out at the limit, not as 429s.

Every request the bot makes passes through `PacingLimiter`: command replies from the
handlers and the outbox dispatcher's sends share one budget, as they share one bot at Telegram.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import math
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

JSONDict = dict[str, Any]  # as python-telegram-bot's requests answer

# What Telegram counts as a message to a chat; answers to buttons and polling are free.
_PACED_PREFIXES = ("send", "edit", "copyMessage", "forwardMessage", "stopPoll")
_UNPACED = frozenset({"sendChatAction"})

# `rate_limit_args` of an edit that answers a person's own press: it goes before the mail.
ANSWERS_A_PRESS: dict[str, Any] = {"answers_a_press": True}


@dataclass(frozen=True)
class Limits:
    """How fast we send: Telegram's published limits, read strictly, with a margin.

    Telegram allows about 30 messages per second per bot, about one per second in a private
    chat (short bursts over it are tolerated) and 20 per minute in a group. Each is kept as
    a sliding window: never more than N messages in any W seconds, a message counting from
    when its send ends (it reaches Telegram at some moment before that), each window
    *margin* seconds (the bot's *bot_margin*) longer than Telegram's.
    """

    per_second: float = 30.0
    private_interval: float = 1.0  # seconds between two messages of mail to one private chat
    private_burst: int = 3  # messages, answers to presses included, in any 3 intervals
    group_count: int = 20  # messages to one group ...
    group_window: float = 60.0  # ... in any this many seconds
    margin: float = 0.1
    bot_margin: float = 0.02


class SlidingWindow:
    """At most *count* messages in any *length* seconds, served in turn: answers to a press
    first, then first come, first served.

    A message takes its place when it is let out and keeps it until *length* seconds after
    its send ends, failed or not: Telegram counts it when it arrives, at some moment in
    between, so two arrivals are never closer than the window allows.
    """

    def __init__(self, count: int, length: float, *,
                 timer: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.count, self.length = count, length
        self._timer, self._sleep = timer, sleep
        self._ended: deque[float] = deque()
        self._open = 0  # messages let out whose send has not ended
        self._line: list[tuple[bool, int]] = []  # a heap of (not urgent, arrival) tickets
        self._arrivals = itertools.count()
        self._changed = asyncio.Event()
        self._paused_until = 0.0
        self.used = timer()

    @asynccontextmanager
    async def slot(self, *, urgent: bool = False) -> AsyncIterator[None]:
        """Wait for this message's turn and room for it, then hold its place for the block."""
        ticket = (not urgent, next(self._arrivals))
        heapq.heappush(self._line, ticket)
        try:
            while (wait := self._wait(self._timer()) if self._line[0] == ticket else None) != 0:
                await self._until_changed(wait)
        except BaseException:
            self._line.remove(ticket)
            heapq.heapify(self._line)
            self._changed.set()
            raise
        heapq.heappop(self._line)
        self._open += 1
        self._changed.set()  # the next in line may fit as well
        try:
            yield
        finally:
            self._open -= 1
            self.used = self._timer()
            self._ended.append(self.used)
            self._changed.set()

    def pause(self, seconds: float) -> None:
        """Let nothing out for *seconds* from now (a 429 asked us to wait)."""
        self._paused_until = max(self._paused_until, self._timer() + seconds)

    @property
    def busy(self) -> bool:
        """Whether a message is waiting for, or holding, a place in this window."""
        return bool(self._line) or self._open > 0

    def _wait(self, now: float) -> float | None:
        """Seconds until the next message fits (0: now; None: once a send in progress ends)."""
        while self._ended and self._ended[0] <= now - self.length:
            self._ended.popleft()
        if now < self._paused_until:
            return self._paused_until - now
        if self._open + len(self._ended) < self.count:
            return 0
        return self._ended[0] + self.length - now if self._ended else None

    async def _until_changed(self, wait: float | None) -> None:
        """Wait *wait* seconds (None: no limit), or less if the window or the line changes."""
        self._changed.clear()
        if wait is None:
            await self._changed.wait()
            return
        sleeping = asyncio.ensure_future(self._sleep(wait))
        changed = asyncio.ensure_future(self._changed.wait())
        try:
            await asyncio.wait((sleeping, changed), return_when=asyncio.FIRST_COMPLETED)
        finally:
            sleeping.cancel()
            changed.cancel()


@dataclass
class _Chat:
    """A chat's windows: mail keeps to *spacing*; everything sent there keeps to *burst*."""

    burst: SlidingWindow
    spacing: SlidingWindow | None = None  # private chats only

    @property
    def busy(self) -> bool:
        return self.burst.busy or (self.spacing is not None and self.spacing.busy)

    @property
    def used(self) -> float:
        return self.burst.used  # every message to the chat passes its burst window


class Pacer:
    """Waits before each message until both the bot's and the chat's windows have room."""

    def __init__(self, limits: Limits | None = None, *, forget_after: float = 120.0,
                 timer: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.limits = limits = limits or Limits()
        count = max(1, math.floor(limits.per_second))
        self.bot = SlidingWindow(count, count / limits.per_second + limits.bot_margin,
                                 timer=timer, sleep=sleep)
        self._chats: dict[int | str, _Chat] = {}
        self._forget_after = forget_after
        self._timer, self._sleep = timer, sleep

    @asynccontextmanager
    async def sending(self, chat_id: int | str, *, answers_a_press: bool = False,
                      ) -> AsyncIterator[None]:
        """Wait until a message to *chat_id* may go out; it counts from when the block ends.

        The send belongs inside the block: Telegram counts a message when it arrives, which
        can be any time until the answer comes back (a process stalled under load sends
        late). An answer to a person's press skips the chat's one-per-interval spacing and
        goes before the mail waiting for the chat and the bot; it still counts in both.
        """
        chat = self._chat(chat_id)
        async with contextlib.AsyncExitStack() as stack:
            # The chat's turn first: a place in the bot's window is not held while a busy
            # chat waits.
            if chat.spacing is not None and not answers_a_press:
                await stack.enter_async_context(chat.spacing.slot())
            await stack.enter_async_context(chat.burst.slot(urgent=answers_a_press))
            await stack.enter_async_context(self.bot.slot(urgent=answers_a_press))
            yield

    def pause(self, seconds: float) -> None:
        """Hold every chat for *seconds*: a 429 does not say which limit it was for."""
        self.bot.pause(seconds)

    def window(self, chat_id: int | str) -> float:
        """Seconds a message of mail to *chat_id* keeps the next one waiting, margin included."""
        chat = self._chat(chat_id)
        return (chat.spacing or chat.burst).length

    def _chat(self, chat_id: int | str) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is not None:
            return chat
        if len(self._chats) > 4096:  # people come and go; drop windows long since passed
            now = self._timer()
            self._chats = {c: w for c, w in self._chats.items()
                           if w.busy or now - w.used < self._forget_after}
        limits, timer, sleep = self.limits, self._timer, self._sleep
        private = isinstance(chat_id, int) and chat_id > 0  # groups: negative or @name
        if private:
            chat = _Chat(
                burst=SlidingWindow(limits.private_burst,
                                    limits.private_burst * limits.private_interval
                                    + limits.margin, timer=timer, sleep=sleep),
                spacing=SlidingWindow(1, limits.private_interval + limits.margin,
                                      timer=timer, sleep=sleep))
        else:
            chat = _Chat(burst=SlidingWindow(limits.group_count,
                                             limits.group_window + limits.margin,
                                             timer=timer, sleep=sleep))
        self._chats[chat_id] = chat
        return chat


class PacingLimiter(BaseRateLimiter[dict[str, Any]]):
    """python-telegram-bot's hook for our pacing: each message waits for its chat's turn.

    A 429 does not say which limit it was for, so, as the library's AIORateLimiter does, it
    holds the whole bot for its `retry_after`. A caller that settles 429s itself (the outbox
    dispatcher) passes `{"retry": False}` as `rate_limit_args`; other callers (command
    replies) get one retry once the wait is over. An edit that answers a person's own press
    passes `ANSWERS_A_PRESS`.
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
        """Wait for the chat's and the bot's windows, then make the request."""
        options = rate_limit_args or {}
        chat_id = data.get("chat_id")
        answers = options.get("answers_a_press") is True
        try:
            return await self._paced(callback, args, kwargs, endpoint, chat_id, answers)
        except RetryAfter as exc:
            if options.get("retry") is False:
                raise
            seconds = _seconds(exc)
            log.warning("telegram asked for %.0fs before %s; waiting once", seconds,
                        endpoint, extra={"endpoint": endpoint, "chat_id": chat_id,
                                         "retry_in": seconds, "error_kind": "retry_after"})
            await asyncio.sleep(seconds)
        return await self._paced(callback, args, kwargs, endpoint, chat_id, answers)

    async def _paced(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any, kwargs: dict[str, Any], endpoint: str, chat_id: Any, answers: bool,
    ) -> bool | JSONDict | list[JSONDict]:
        """Make the request in its turn; a 429 holds the whole bot for its wait."""
        paced = (chat_id is not None and endpoint not in _UNPACED
                 and endpoint.startswith(_PACED_PREFIXES))
        pacing: AbstractAsyncContextManager[None] = (
            self.pacer.sending(chat_id if isinstance(chat_id, int) else str(chat_id),
                               answers_a_press=answers)
            if paced else contextlib.nullcontext())
        async with pacing:
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                self.pacer.pause(_seconds(exc))
                raise


def _seconds(exc: RetryAfter) -> float:
    """The wait a 429 asked for, whichever type PTB reports it in."""
    wait = exc.retry_after
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
