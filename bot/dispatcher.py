"""Sends outbox rows to Telegram after commit, and settles each one as sent, retried or failed."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import secrets
import socket
import time
from collections.abc import Awaitable, Callable, Collection, Iterable, Iterator, Sequence
from datetime import timedelta
from typing import Any

from telegram import InlineKeyboardMarkup, LinkPreviewOptions, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import ExtBot

from bot.render import Renderer
from core.app import App
from core.clock import Clock
from core.lifecycle.deadlines import chat_unreachable, message_delivered, round_unreachable
from core.messages import OfferRef, RoundRef, Template
from core.ports import DeliveryErrorKind, OutboxQueue, QueuedMessage
from core.trace import mark

log = logging.getLogger(__name__)

# Edits that fail this way leave the chat exactly as we want it.
_HARMLESS_EDIT_ERRORS = ("message is not modified", "message to edit not found",
                         "message can't be edited")
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
# A 429 holds the row in the database (the chat waits, the others go on), not in memory.
_SETTLE_429_HERE = {"retry": False}
_CLAIM_PAUSE = 0.05
_PER_CHAT = 10  # rows of one chat a claim takes; a chat with more is claimed again after
_OFFERS = (Template.OFFER, Template.CLAIM_OFFER)
_SENT: dict[str, str] = {Template.OFFER: "offer sent to the agent",
                         Template.CLAIM_OFFER: "offer sent to a claim pool member",
                         Template.ESCALATED: "escalation sent to a manager"}


def _context(row: QueuedMessage) -> dict[str, Any]:
    """The ids an operator looks a row's log lines up by; never its params, which may hold
    a customer's phone number."""
    fields: dict[str, Any] = {"outbox_id": row.id, "chat_id": row.chat_id,
                              "template": row.template}
    lead_id = row.params.get("lead_id")
    if isinstance(lead_id, int):
        fields["lead_id"] = lead_id
    offer = OfferRef.parse(row.ref) or OfferRef.parse(row.edit_ref)
    if offer is not None:
        fields["offer_id"] = offer.offer_id
    return fields


def _leads(rows: Iterable[QueuedMessage]) -> Iterator[int]:
    """The leads whose offers are among *rows*, for the trace (read only when it is on)."""
    return (row.params["lead_id"] for row in rows
            if row.template in _OFFERS and isinstance(row.params.get("lead_id"), int))


def delivery_error_kind(exc: BaseException) -> DeliveryErrorKind:
    """What kind of trouble a failed send met, told once, from the error Telegram raised."""
    if isinstance(exc, RetryAfter):
        return DeliveryErrorKind.RETRY_AFTER
    if isinstance(exc, Forbidden):
        return DeliveryErrorKind.FORBIDDEN
    if isinstance(exc, BadRequest):  # before NetworkError: PTB makes BadRequest one of them
        return DeliveryErrorKind.BAD_REQUEST
    if isinstance(exc, NetworkError):  # TimedOut, and PTB's answer to a 5xx
        return DeliveryErrorKind.NETWORK
    return DeliveryErrorKind.OTHER


class OutboxDispatcher:
    """Drains the outbox at Telegram's pace: one worker per chat keeps that chat's messages in
    order, the bot's PacingLimiter keeps every chat and the bot as a whole under Telegram's
    limits, and a slow chat never holds up the others. Woken after each commit, and every
    second anyway."""

    def __init__(
        self, *, store: OutboxQueue, bot: ExtBot[Any], renderer: Callable[[], Renderer],
        clock: Clock, app: Callable[[], App], idle_seconds: float = 1.0, batch: int = 500,
        lease: timedelta = timedelta(seconds=15), name: str | None = None,
        hold: Callable[[int], timedelta] = lambda _chat: timedelta(0),
        albums: Callable[[QueuedMessage, str], Awaitable[Message | None]] | None = None,
    ) -> None:
        self._store = store
        self._bot = bot
        self._renderer = renderer
        self._clock = clock
        self._app = app  # the app in force: a reload puts a new one in place
        self._idle = idle_seconds
        self._batch = batch
        self._lease = lease
        self._hold = hold  # how long a chat stays here after a send: the pacer's window
        self._albums = albums  # sends Monday's charts (bot/albums.py); None: leaves them out
        # Who holds a claim: unique per process, so a restarted process does not mistake a
        # dead one's half-sent chat for its own (that claim lapses with its lease instead).
        self.name = name or f"{socket.gethostname()[:16]}-{secrets.token_hex(4)}"
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._workers: dict[int, asyncio.Task[None]] = {}
        self._more: set[int] = set()  # busy chats with mail committed since their claim
        self._stopping = False
        self.sent = 0

    def kick(self, chats: Collection[int] | None = None) -> None:
        """Wake the dispatcher: mail was just committed for *chats* (None: for anyone).

        A chat whose worker is still sending will find its new rows when it is done, so
        mail only for busy chats needs no pass over the outbox (in a burst, most commits).
        """
        if chats is None:
            self._wake.set()
            return
        busy = self._workers.keys() & chats
        self._more |= busy
        if len(busy) < len(chats):
            self._wake.set()

    @property
    def running(self) -> bool:
        """Whether the dispatch loop runs (it ends only by stop() or a crash)."""
        return self._task is not None and not self._task.done()

    @property
    def busy(self) -> bool:
        """Whether a message is being sent (or waits for its turn) right now."""
        return bool(self._workers)

    def start(self) -> None:
        """Run the dispatch loop in the background."""
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name="outbox-dispatcher")

    async def stop(self, *, grace: float = 2.0) -> None:
        """Stop claiming; let each chat finish the message in flight (for up to *grace*
        seconds), then give back this instance's claims on the rest, so the next start or
        another instance sends them at once instead of after the lease."""
        # The flag too, not only cancel(): a cancellation that lands as the loop's wait ends
        # can be lost, and the loop would then run on with stop() waiting for it for ever.
        self._stopping = True
        loop_task, self._task = self._task, None
        if loop_task is not None:
            loop_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await loop_task
        workers = list(self._workers.values())
        if workers:
            _, late = await asyncio.wait(workers, timeout=grace)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        self._workers.clear()
        try:
            await self._store.release(owner=self.name)
        except Exception:  # the leases run out on their own
            log.exception("could not give back this instance's outbox claims")

    async def _run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                await self._dispatch()
            except Exception:
                log.exception("outbox dispatch failed; retrying shortly")
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._idle):
                    await self._wake.wait()
            # Every commit kicks us. While chats are still being worked off (a burst), claiming
            # once per short pause takes the same rows with far fewer passes over a long
            # outbox; when nothing is in flight, the new message goes out at once.
            if self._workers:
                await asyncio.sleep(_CLAIM_PAUSE)

    async def _dispatch(self) -> int:
        """Start a worker for every chat with due rows and none running; return how many."""
        busy = set(self._workers)
        rows = await self._store.claim(self._clock.now(), owner=self.name, lease=self._lease,
                                       limit=self._batch, per_chat=_PER_CHAT, skip_chats=busy)
        mark("claimed", _leads(rows))
        return len(self._start(rows))

    def take(self, rows: Sequence[QueuedMessage]) -> None:
        """Send rows claimed for this dispatcher as they were written (`claiming_as`): each
        chat's at once, or after the worker it has now, whose next pass finds them ours."""
        mark("claimed", _leads(rows))
        started = self._start(rows) if self.running and not self._stopping else set()
        # A chat busy sending finds the rest when its worker is done.
        self.kick({row.chat_id for row in rows} - started)

    def claiming_as(self) -> str | None:
        """Whom new mail may be claimed for as it is written: this dispatcher while it runs."""
        return self.name if self.running and not self._stopping else None

    @property
    def lease(self) -> timedelta:
        """How long a claim holds before another dispatcher may take the rows."""
        return self._lease

    def _start(self, rows: Sequence[QueuedMessage]) -> set[int]:
        """A worker for each chat of *rows* that has none; the chats started."""
        queues: dict[int, list[QueuedMessage]] = {}
        for row in rows:
            queues.setdefault(row.chat_id, []).append(row)
        started = set()
        for chat_id, queue in queues.items():
            # One worker per chat, or a chat's messages could go out twice or out of order:
            # rows taken at commit may start a chat while a claiming pass was reading.
            if chat_id not in self._workers:
                self._workers[chat_id] = asyncio.create_task(self._work(chat_id, queue),
                                                             name=f"outbox-chat-{chat_id}")
                started.add(chat_id)
        return started

    async def _work(self, chat_id: int, queue: list[QueuedMessage]) -> None:
        """Send one chat's rows in order; stop at the first that has to wait."""
        renewed = time.monotonic()
        failed = False
        try:
            for index, row in enumerate(queue):
                if self._stopping:
                    break
                if time.monotonic() - renewed > self._lease.total_seconds() / 3:
                    # Pacing can hold a busy chat for a while: keep the claim on what is left.
                    renewed = time.monotonic()
                    await self._store.renew([r.id for r in queue[index:]], owner=self.name,
                                            until=self._clock.now() + self._lease)
                if not await self._deliver(row):
                    break
        except asyncio.CancelledError:
            raise
        except Exception:
            failed = True
            log.exception("outbox worker for a chat failed; its rows are retried",
                          extra={"chat_id": chat_id})
        finally:
            self._workers.pop(chat_id, None)
            # Rows committed for this chat while it was busy, or more than one claim takes:
            # a pass claims them now. Otherwise none wait, and a pass would find nothing.
            if chat_id in self._more or len(queue) >= _PER_CHAT or failed:
                self._more.discard(chat_id)
                self._wake.set()

    async def _deliver(self, row: QueuedMessage) -> bool:
        """Send or edit one row; False if it has to wait for a retry."""
        now = self._clock.now()
        rendered = self._renderer().outgoing(row.template, row.params)
        mark("sending", _leads([row]))
        try:
            message = await self._send(row, rendered.text, rendered.keyboard)
        except RetryAfter as exc:
            kind = delivery_error_kind(exc)
            wait = exc.retry_after if isinstance(exc.retry_after, int) else (
                exc.retry_after.total_seconds())
            log.warning("telegram asked us to wait %ss before this chat's next message", wait,
                        extra={**_context(row), "error_kind": kind.value, "retry_in": wait})
            await self._store.mark_retry(row, error="retry_after", kind=kind,
                                         at=now + timedelta(seconds=float(wait)))
            return False
        except BadRequest as exc:
            if row.edit_ref and any(s in exc.message.lower() for s in _HARMLESS_EDIT_ERRORS):
                await self._app().run(message_delivered, message=row, message_id=None, at=now,
                                      hold=self._hold(row.chat_id))
                return True
            kind = delivery_error_kind(exc)
            log.error("telegram refused a message for good: %s", exc.message,
                      extra={**_context(row), "error_kind": kind.value})
            await self._store.mark_failed(row, error=exc.message, kind=kind, at=now)
            if "chat not found" in exc.message.lower():
                await self._unreachable(row, exc.message)
            return True
        except Forbidden as exc:
            kind = delivery_error_kind(exc)
            log.warning("the chat cannot be reached: %s", exc.message,
                        extra={**_context(row), "error_kind": kind.value})
            await self._store.mark_failed(row, error=exc.message, kind=kind, at=now)
            await self._unreachable(row, exc.message)
            return True
        except TelegramError as exc:  # a network failure, a timeout, a 5xx, or anything else
            # A timeout may still have delivered it: at most one duplicate, never a loss.
            kind = delivery_error_kind(exc)
            backoff = min(60.0, 2.0 ** row.attempts) * (0.5 + random.random() / 2)
            log.warning("sending a message failed (%s); retry in %.1fs", exc, backoff,
                        extra={**_context(row), "error_kind": kind.value,
                               "retry_in": round(backoff, 1)})
            await self._store.mark_retry(row, error=str(exc), kind=kind,
                                         at=now + timedelta(seconds=backoff))
            return False
        delivered = self._clock.now()
        mark("sent", _leads([row]))
        # The clock start and the sent mark commit together: a crash before the commit
        # re-sends the offer once (allowed), and can never leave it sent with its accept
        # clock not started (not allowed).
        await self._app().run(message_delivered, message=row,
                              message_id=message.message_id if message else None,
                              at=delivered, hold=self._hold(row.chat_id))
        mark("marked", _leads([row]))
        self.sent += 1
        log.info(_SENT.get(row.template, "message sent"), extra=_context(row))
        return True

    async def _unreachable(self, row: QueuedMessage, error: str) -> None:
        round_ = RoundRef.parse(row.ref)
        if round_ is not None:
            await self._app().run(round_unreachable, lead_id=round_.lead_id,
                                  sequence=round_.sequence, error=error)
        else:
            offer = OfferRef.parse(row.ref)
            await self._app().run(chat_unreachable, chat_id=row.chat_id,
                                  offer_id=offer.offer_id if offer else None, error=error)

    async def _send(
        self, row: QueuedMessage, text: str, markup: InlineKeyboardMarkup | None
    ) -> Message | None:
        if row.template == Template.DIGEST_CHARTS:  # an album, drawn now: its text, a caption
            return await self._albums(row, text) if self._albums is not None else None
        if row.edit_ref is not None:
            target = await self._store.message_id(row.edit_ref)
            if target is not None:
                result = await self._bot.edit_message_text(
                    text, chat_id=target[0], message_id=target[1], parse_mode=ParseMode.HTML,
                    reply_markup=markup, link_preview_options=_NO_PREVIEW,
                    rate_limit_args=_SETTLE_429_HERE)
                return result if isinstance(result, Message) else None
            # The message to edit never went out; the news still must reach the person.
        return await self._bot.send_message(
            row.chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup,
            link_preview_options=_NO_PREVIEW, rate_limit_args=_SETTLE_429_HERE)
