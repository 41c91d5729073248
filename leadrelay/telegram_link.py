"""Bringing the bot up with Telegram: at start, or in the background with back-off while
Telegram does not answer, so that intake runs and leads queue in the outbox meanwhile."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from telegram.error import InvalidToken, NetworkError
from telegram.ext import Application

from leadrelay.startup import StartupError

log = logging.getLogger(__name__)

_UPDATES = ("message", "callback_query")
_BACKOFF = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0)
_SAY_EVERY = 60.0  # seconds between two "still unreachable" lines


class TelegramLink:
    """The Application's life with Telegram: initialize, start, take updates, stop."""

    def __init__(self, application: Application[Any, Any, Any, Any, Any, Any], *,
                 on_up: Callable[[], Awaitable[None]], on_back: Callable[[], Awaitable[None]],
                 webhook: tuple[str, str] | None, token_id: str,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self._application = application
        self._on_up = on_up  # what needs Telegram first: the command menus
        self._on_back = on_back  # after Telegram was away: send what waited, now
        self._webhook = webhook  # (url, secret) in webhook mode
        self._token_id = token_id
        self._sleep = sleep
        self._retrying: asyncio.Task[None] | None = None
        self.up = asyncio.Event()

    async def connect(self) -> None:
        """Bring the bot up now; if Telegram does not answer, keep trying in the background.

        A token Telegram refuses is a StartupError: no retry will fix it.
        """
        try:
            await self._bring_up()
        except NetworkError as exc:  # TimedOut is one: Telegram did not answer
            log.warning("Telegram's Bot API does not answer (%s); taking leads in and queueing "
                        "their messages, trying again in the background", exc,
                        extra={"error_kind": "network"})
            self._retrying = asyncio.create_task(self._retry(), name="telegram-connect")

    async def stop(self) -> None:
        """Stop trying and stop taking updates; the bot can still send what is in flight."""
        if self._retrying is not None:
            self._retrying.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._retrying
        application = self._application
        updater = application.updater
        if updater is not None and updater.running:
            await updater.stop()
        if application.running:
            await application.stop()

    async def shutdown(self) -> None:
        """Let go of Telegram: the bot's connections close. After the last send."""
        with contextlib.suppress(Exception):
            await self._application.shutdown()

    async def _bring_up(self) -> None:
        application = self._application
        try:
            await application.initialize()
        except InvalidToken:
            raise StartupError(
                f"Telegram refused the bot token {self._token_id}:<redacted>; copy the token "
                "of your bot from @BotFather into TELEGRAM_BOT_TOKEN") from None
        try:
            await self._on_up()
        except Exception:
            log.exception("could not register the command menus; continuing")
        if not application.running:  # a retry after polling failed to start
            await application.start()
        if self._webhook is not None:
            url, secret = self._webhook
            # Every instance sets the same URL: harmless, and whichever starts last is right.
            await application.bot.set_webhook(url, secret_token=secret,
                                              allowed_updates=list(_UPDATES), max_connections=40)
        elif application.updater is not None:
            await application.updater.start_polling(poll_interval=0.0,
                                                    allowed_updates=list(_UPDATES))
        self.up.set()

    async def _retry(self) -> None:
        said = time.monotonic()
        for attempt in range(1, 1_000_000):
            await self._sleep(_BACKOFF[min(attempt, len(_BACKOFF)) - 1])
            try:
                await self._bring_up()
            except NetworkError as exc:
                if time.monotonic() - said >= _SAY_EVERY:
                    said = time.monotonic()
                    log.warning("Telegram's Bot API still does not answer (%s); leads are "
                                "taken in and their messages wait", exc,
                                extra={"error_kind": "network", "attempt": attempt})
                continue
            except StartupError as exc:
                log.error("%s", exc)  # the token was revoked while we waited
                return
            log.info("Telegram's Bot API answers again; the waiting messages go out now")
            await self._on_back()
            return
