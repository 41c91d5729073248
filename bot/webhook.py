"""Telegram updates by webhook: checked, handled once, answered after they are handled.

Several instances behind one load balancer can take updates this way (long polling allows
one poller per bot). Telegram re-sends an update until it gets a 2xx, so the answer comes
only after the handlers ran, and an update_id seen before is answered without handling it.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Callable
from typing import Any

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from core.clock import Clock
from core.ports import SeenUpdates

log = logging.getLogger(__name__)

PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class TelegramWebhook:
    """The aiohttp handler Telegram posts updates to."""

    def __init__(self, application: Application[Any, Any, Any, Any, Any, Any], *,
                 updates: SeenUpdates, secret: str, clock: Clock,
                 ready: Callable[[], bool] = lambda: True) -> None:
        self._application = application
        self._updates = updates
        self._secret = secret.encode()
        self._clock = clock
        self._ready = ready  # whether the bot is set up with Telegram (getMe answered)
        self.handled = 0

    async def handle(self, request: web.Request) -> web.Response:
        """Check the secret, handle the update once, and answer when it has been handled."""
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            # Who called, never what they sent: a near miss of the secret is still a secret.
            log.warning("a Telegram webhook call without the right secret token was refused",
                        extra={"remote": request.remote, "secret_given": bool(given)})
            return web.json_response({"error": "wrong secret token"}, status=401)
        try:
            data = json.loads(await request.read())
            update_id = int(data["update_id"])
        except (ValueError, KeyError, TypeError):
            return web.json_response({"error": "not a Telegram update"}, status=400)
        if not self._ready():
            # Until Telegram answers getMe the bot cannot handle an update; Telegram keeps it
            # and sends it again, and the start-up's retries say why in the log.
            return web.json_response({"error": "not connected to Telegram yet, please retry"},
                                     status=503, headers={"Retry-After": "5"})
        if not await self._updates.claim(update_id, at=self._clock.now()):
            return web.json_response({"ok": True, "duplicate": True})
        try:
            update = Update.de_json(data, self._application.bot)
            await self._application.process_update(update)
        except Exception:
            log.exception("update %s could not be handled; Telegram will send it again",
                          update_id, extra={"update_id": update_id})
            await self._updates.release(update_id)
            return web.json_response({"error": "not handled, please retry"}, status=500)
        self.handled += 1
        return web.json_response({"ok": True})
