"""Whether the Telegram Bot API answers this bot: the readiness check's look at Telegram."""

from __future__ import annotations

import asyncio

from telegram import Bot


def reason(exc: BaseException, timeout: float) -> str:
    """Why a check failed, in one short line: no traceback, nothing from the request."""
    if isinstance(exc, TimeoutError):
        return f"no answer within {timeout:g} s"
    return f"{type(exc).__name__}: {exc}"[:200]


class BotApiProbe:
    """Asks Telegram for getMe (core.ports.BotApiHealth), remembering a success for a
    while and sharing one call in flight.

    A scrape storm then costs Telegram one request per *cache_seconds* while all is well,
    and one request at a time while it is not.
    """

    def __init__(self, bot: Bot, *, timeout: float = 3.0, cache_seconds: float = 10.0) -> None:
        self._bot = bot
        self._timeout = timeout
        self._cache_seconds = cache_seconds
        self._ok_until = float("-inf")
        self._inflight: asyncio.Task[str | None] | None = None

    async def problem(self) -> str | None:
        """None when the Bot API answers, or answered lately; otherwise why it did not."""
        loop = asyncio.get_running_loop()
        if loop.time() < self._ok_until:
            return None
        task = self._inflight
        if task is None:
            task = self._inflight = loop.create_task(self._ask(), name="readyz-getMe")
            task.add_done_callback(self._settled)
        # Shielded: one impatient client leaving must not cancel the call others wait for.
        return await asyncio.shield(task)

    def _settled(self, task: asyncio.Task[str | None]) -> None:
        if self._inflight is task:
            self._inflight = None

    async def _ask(self) -> str | None:
        t = self._timeout
        try:
            async with asyncio.timeout(t):
                await self._bot.get_me(connect_timeout=t, read_timeout=t, write_timeout=t,
                                       pool_timeout=t)
        except Exception as exc:  # every way of not answering means not ready
            return reason(exc, t)
        self._ok_until = asyncio.get_running_loop().time() + self._cache_seconds
        return None
