"""Sends outbox rows to Telegram after commit, and settles each one as sent, retried or failed."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
from datetime import timedelta

from telegram import Bot, InlineKeyboardMarkup, LinkPreviewOptions, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.render import Renderer
from core.clock import Clock
from storage.outbox import OutboxStore, QueuedMessage

log = logging.getLogger(__name__)

# Opt in to python-telegram-bot 22's timedelta `retry_after`; the int form warns as deprecated.
os.environ.setdefault("PTB_TIMEDELTA", "1")

# Edits that fail this way leave the chat exactly as we want it.
_HARMLESS_EDIT_ERRORS = ("message is not modified", "message to edit not found",
                         "message can't be edited")
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


class OutboxDispatcher:
    """Drains the outbox: woken after each commit, and every second as a safety net."""

    def __init__(
        self, *, store: OutboxStore, bot: Bot, renderer: Renderer, clock: Clock,
        idle_seconds: float = 1.0,
    ) -> None:
        self._store = store
        self._bot = bot
        self._renderer = renderer
        self._clock = clock
        self._idle = idle_seconds
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.sent = 0

    def kick(self) -> None:
        """Wake the dispatcher: something was just committed to the outbox."""
        self._wake.set()

    def start(self) -> None:
        """Run the dispatch loop in the background."""
        self._task = asyncio.create_task(self._run(), name="outbox-dispatcher")

    async def stop(self) -> None:
        """Stop after the message in flight; unsent rows stay in the outbox for next time."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                delivered = await self.drain()
            except Exception:
                log.exception("outbox drain failed; retrying shortly")
                delivered = 0
            if delivered == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._idle)

    async def drain(self) -> int:
        """Send every due row once, oldest first; return how many were settled."""
        rows = await self._store.due(self._clock.now())
        held_chats: set[int] = set()
        settled = 0
        for row in rows:
            if row.chat_id in held_chats:
                continue  # keep a chat's messages in order behind one that must wait
            if not await self._deliver(row):
                held_chats.add(row.chat_id)
            else:
                settled += 1
        return settled

    async def _deliver(self, row: QueuedMessage) -> bool:
        """Send or edit one row; False if it has to wait for a retry."""
        now = self._clock.now()
        rendered = self._renderer.outgoing(row.template, row.params)
        try:
            message = await self._send(row, rendered.text, rendered.keyboard)
        except RetryAfter as exc:
            wait = exc.retry_after if isinstance(exc.retry_after, int) else (
                exc.retry_after.total_seconds())
            log.warning("telegram asked us to wait %ss (outbox row %s)", wait, row.id)
            await self._store.mark_retry(row, error="retry_after",
                                         at=now + timedelta(seconds=float(wait)))
            return False
        except BadRequest as exc:
            if row.edit_ref and any(s in exc.message.lower() for s in _HARMLESS_EDIT_ERRORS):
                await self._store.mark_sent(row, at=now)
                return True
            log.error("telegram refused outbox row %s (%s): %s", row.id, row.template,
                      exc.message)
            await self._store.mark_failed(row, error=exc.message, at=now)
            return True
        except Forbidden as exc:
            log.warning("chat %s cannot be reached: %s", row.chat_id, exc.message)
            await self._store.mark_failed(row, error=exc.message, at=now)
            return True
        except (NetworkError, TelegramError) as exc:
            # A timeout may still have delivered it: at most one duplicate, never a loss.
            backoff = min(60.0, 2.0 ** row.attempts) * (0.5 + random.random() / 2)
            log.warning("sending outbox row %s failed (%s); retry in %.1fs", row.id, exc, backoff)
            await self._store.mark_retry(row, error=str(exc),
                                         at=now + timedelta(seconds=backoff))
            return False
        await self._store.mark_sent(row, at=self._clock.now(),
                                    message_id=message.message_id if message else None)
        self.sent += 1
        return True

    async def _send(
        self, row: QueuedMessage, text: str, markup: InlineKeyboardMarkup | None
    ) -> Message | None:
        if row.edit_ref is not None:
            target = await self._store.message_id(row.edit_ref)
            if target is not None:
                result = await self._bot.edit_message_text(
                    text, chat_id=target[0], message_id=target[1], parse_mode=ParseMode.HTML,
                    reply_markup=markup, link_preview_options=_NO_PREVIEW)
                return result if isinstance(result, Message) else None
            # The message to edit never went out; the news still must reach the person.
        return await self._bot.send_message(
            row.chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup,
            link_preview_options=_NO_PREVIEW)
