"""Delivery of updates to the bot's webhook: one at a time, in order, retried with back-off."""

from __future__ import annotations

import asyncio
import bisect
import errno
import json
import logging
import time
from collections.abc import Callable

import aiohttp

from sandbox.update_queue import _UpdateQueueMixin
from sandbox.values import JsonDict, WebhookDelivery

logger = logging.getLogger(__name__)

_MAX_RETRY_AFTER = 3600


class _WebhookMixin(_UpdateQueueMixin):
    """The delivery worker, plus redeliver() and wait_for_delivery() for tests."""

    async def redeliver(self, update_id: int) -> JsonDict:
        """Send an update to the webhook once more, as Telegram does when an answer got lost."""
        if not self.webhook.get("url"):
            raise RuntimeError("redeliver needs a webhook; getUpdates re-sends unconfirmed updates")
        update = self._webhook_delivered.get(update_id)
        if update is None:
            update = next((u for u in self._updates if u["update_id"] == update_id), None)
        if update is None:
            raise ValueError(f"update {update_id} was never queued while the webhook was set")
        copy: JsonDict = json.loads(json.dumps(update))
        async with self._updates_changed:
            # In update_id order: before later updates, after a still-queued original.
            ids = [u["update_id"] for u in self._updates]
            self._updates.insert(bisect.bisect_right(ids, update_id), copy)
            self._updates_changed.notify_all()
        return copy

    async def wait_for_delivery(
        self,
        predicate: Callable[[WebhookDelivery], bool] | None = None,
        *,
        timeout: float = 20.0,  # noqa: ASYNC109 - a per-call deadline is the point of this API
    ) -> WebhookDelivery:
        """Return the first webhook delivery attempt matching predicate, or the next new one."""
        start = len(self.webhook_deliveries) if predicate is None else 0
        found: list[WebhookDelivery] = []

        def check() -> bool:
            for delivery in self.webhook_deliveries[start:]:
                if predicate is None or predicate(delivery):
                    found.append(delivery)
                    return True
            return False

        async with self._deliveries_changed:
            try:
                async with asyncio.timeout(timeout):
                    await self._deliveries_changed.wait_for(check)
            except TimeoutError:
                raise TimeoutError(
                    f"no {'new' if predicate is None else 'matching'} webhook delivery within "
                    f"{timeout}s; deliveries now: {self.webhook_deliveries!r}"
                ) from None
        return found[0]

    def _start_webhook_delivery(self) -> None:
        if self._webhook_task is None or self._webhook_task.done():
            self._webhook_task = asyncio.get_running_loop().create_task(
                self._deliver_to_webhook(), name="sandbox-webhook-delivery"
            )

    async def _stop_webhook_delivery(self) -> None:
        # An update whose POST is cut off stays queued, so it is sent (again) later.
        task, self._webhook_task = self._webhook_task, None
        if task is None or task is asyncio.current_task():
            return
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                raise  # the caller itself is being cancelled, not just the worker

    async def _deliver_to_webhook(self) -> None:
        """POST queued updates to the webhook one at a time, in order, retrying failures."""
        failures = 0
        timeout = aiohttp.ClientTimeout(total=self._webhook_timeout)
        try:
            async with aiohttp.ClientSession(timeout=timeout) as session:
                while True:
                    update = await self._next_webhook_update()
                    delivery, retry_after = await self._post_update(session, update, failures + 1)
                    # State first, then the record: a test that saw the delivery sees its effect.
                    if delivery.ok:
                        self._confirm_webhook_update(update)
                    else:
                        self._webhook_error = (int(time.time()), delivery.error or "")
                    self.webhook_deliveries.append(delivery)
                    async with self._deliveries_changed:
                        self._deliveries_changed.notify_all()
                    if delivery.ok:
                        failures = 0
                        continue
                    failures += 1
                    delays = self._webhook_retry_delays
                    delay = delays[min(failures, len(delays)) - 1]
                    # Later updates wait behind this one: Telegram delivers in order.
                    await asyncio.sleep(retry_after if retry_after > 0 else delay)
        except Exception as exc:
            logger.exception("sandbox webhook delivery failed")
            self.errors.append(exc)

    async def _next_webhook_update(self) -> JsonDict:
        async with self._updates_changed:
            while True:
                # Updates of types the bot did not ask for are never delivered, so drop them.
                while self._updates and not self._is_allowed(self._updates[0]):
                    del self._updates[0]
                if self._updates:
                    return self._updates[0]
                await self._updates_changed.wait()

    def _confirm_webhook_update(self, update: JsonDict) -> None:
        # By identity: a redelivered copy with the same update_id may be queued meanwhile.
        for index, queued in enumerate(self._updates):
            if queued is update:
                del self._updates[index]
                break
        self._webhook_delivered[update["update_id"]] = update

    async def _post_update(
        self, session: aiohttp.ClientSession, update: JsonDict, attempt: int
    ) -> tuple[WebhookDelivery, float]:
        """POST one update and return the attempt plus the receiver's Retry-After (0 if none)."""
        url = str(self.webhook["url"])
        headers = {"Content-Type": "application/json"}
        secret = self.webhook.get("secret_token")
        if secret:
            headers["X-Telegram-Bot-Api-Secret-Token"] = str(secret)
        body = json.dumps(update, ensure_ascii=False).encode("utf-8")
        at = time.monotonic()
        status: int | None = None
        error: str | None = None
        retry_after = 0.0
        try:
            # Telegram follows no redirects: a 3xx is a wrong response like any other non-2xx.
            async with session.post(
                url, data=body, headers=headers, allow_redirects=False
            ) as response:
                status = response.status
                await response.read()
                if not 200 <= status <= 299:
                    error = f"Wrong response from the webhook: {status} {response.reason or ''}"
                    error = error.rstrip()
                    retry_after = _retry_after(response.headers.get("Retry-After"))
        except TimeoutError:
            error = "Read timeout expired"
        except aiohttp.ClientConnectorDNSError:
            error = "Failed to resolve host: Name or service not known"
        except aiohttp.ClientConnectorError as exc:
            refused = exc.os_error.errno == errno.ECONNREFUSED
            error = "Connection refused" if refused else "Can't connect to the webhook"
        except aiohttp.ClientError:
            error = "Webhook connection closed"
        delivery = WebhookDelivery(
            update_id=int(update["update_id"]),
            url=url,
            status=status,
            error=error,
            attempt=attempt,
            at=at,
        )
        return delivery, retry_after


def _retry_after(value: str | None) -> float:
    """Return the seconds of a Retry-After header, as Telegram honours it (0 when absent)."""
    try:
        seconds = int(value) if value is not None else 0
    except ValueError:
        return 0.0
    return float(min(max(seconds, 0), _MAX_RETRY_AFTER))
