"""getUpdates, setWebhook, deleteWebhook and getWebhookInfo: how the bot gets its updates."""

from __future__ import annotations

import asyncio
import ipaddress
import json
import re
from urllib.parse import urlsplit

from sandbox.values import ApiError, JsonDict, _bad, _int, _required, _Upload
from sandbox.webhook import _WebhookMixin

# Webhook delivery: Telegram's defaults and limits for setWebhook.
_WEBHOOK_MAX_CONNECTIONS = 40
_WEBHOOK_PORTS = frozenset({80, 88, 443, 8443})
_SECRET_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]*$")
_MAX_SECRET_TOKEN = 256


class _UpdatesMixin(_WebhookMixin):
    """Long polling, and setting, removing and describing the webhook."""

    async def _get_updates(self, params: JsonDict) -> list[JsonDict]:
        if self.webhook.get("url"):
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = _int(params.get("offset"), 0)
        limit = min(max(_int(params.get("limit"), 100), 1), 100)
        timeout = max(_int(params.get("timeout"), 0), 0)
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(kind) for kind in allowed]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        async with self._updates_changed:
            # An offset confirms (forgets) every update below it; a negative one keeps the tail.
            if offset > 0:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            elif offset < 0:
                self._updates = self._updates[offset:]
            while True:
                if self.webhook.get("url"):
                    raise ApiError(409, "Conflict: terminated by setWebhook request")
                # Updates of types the bot did not ask for are never delivered, so drop them.
                self._updates = [u for u in self._updates if self._is_allowed(u)]
                if self._updates or self._closing:
                    break
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                self.long_polls += 1
                try:
                    async with asyncio.timeout(remaining):
                        await self._updates_changed.wait()
                except TimeoutError:
                    break
                finally:
                    self.long_polls -= 1
            return [json.loads(json.dumps(u)) for u in self._updates[:limit]]

    async def _set_webhook(self, params: JsonDict) -> bool:
        url = _required(params, "url")
        if not isinstance(url, str):
            raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
        if not url:
            return await self._delete_webhook(params)  # an empty url removes the webhook
        _check_webhook_url(url)
        secret = params.get("secret_token")
        if secret is not None and not isinstance(secret, str):
            secret = str(secret)
        if secret and len(secret) > _MAX_SECRET_TOKEN:
            raise _bad("secret token is too long")
        if secret and not _SECRET_TOKEN_RE.match(secret):
            raise _bad("secret token contains unallowed characters")
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            # One setting for the bot, shared with getUpdates, as in Telegram.
            self._allowed_updates = [str(kind) for kind in allowed]
        max_connections = _int(params.get("max_connections"), _WEBHOOK_MAX_CONNECTIONS)
        webhook: JsonDict = {
            "url": url,
            "max_connections": min(max(max_connections, 1), 100),
            "has_custom_certificate": isinstance(params.get("certificate"), _Upload),
        }
        if secret:
            webhook["secret_token"] = secret
        ip_address = params.get("ip_address")
        if isinstance(ip_address, str) and ip_address:
            webhook["ip_address"] = ip_address
        await self._stop_webhook_delivery()
        if url != self.webhook.get("url"):
            self._webhook_error = None
        self.webhook = webhook
        async with self._updates_changed:
            if params.get("drop_pending_updates"):
                self._updates.clear()
            self._updates_changed.notify_all()  # a running long poll ends with 409
        if self._runner is not None:
            self._start_webhook_delivery()
        return True

    async def _delete_webhook(self, params: JsonDict) -> bool:
        await self._stop_webhook_delivery()
        self.webhook = {}
        self._webhook_error = None
        self._webhook_delivered.clear()
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _get_webhook_info(self, params: JsonDict) -> JsonDict:
        info: JsonDict = {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": bool(self.webhook.get("has_custom_certificate", False)),
            "pending_update_count": len(self._updates),
        }
        if not self.webhook.get("url"):
            return info
        if "ip_address" in self.webhook:
            info["ip_address"] = self.webhook["ip_address"]
        if self._webhook_error is not None:
            info["last_error_date"], info["last_error_message"] = self._webhook_error
        info["max_connections"] = self.webhook["max_connections"]
        if self._allowed_updates:
            info["allowed_updates"] = list(self._allowed_updates)
        return info


def _check_webhook_url(url: str) -> None:
    """Refuse webhook URLs Telegram refuses; plain HTTP is allowed to loopback receivers only."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise _bad("bad webhook: An HTTPS URL must be provided for webhook") from None
    host = parts.hostname or ""
    if not host or parts.scheme not in ("http", "https"):
        raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
    if _is_loopback(host):
        return  # a test's local receiver, like the Bot API server's --local mode
    if parts.scheme != "https":
        raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
    if port is not None and port not in _WEBHOOK_PORTS:
        raise _bad("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
