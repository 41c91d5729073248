"""Webhook delivery of the Bot API sandbox, driven through the real python-telegram-bot client."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from telegram import Bot
from telegram.error import BadRequest, Conflict

from sandbox import BotApiSandbox, WebhookDelivery
from tests.harness import until

TOKEN = "123456789:" + "W" * 35
SECRET = "s3cr3t_-Token"
RETRY_DELAYS = (0.05, 0.1, 0.2)


@dataclass(frozen=True)
class Hit:
    """One POST the receiver got: the update, the secret header, and what it answered."""

    update: dict[str, Any]
    secret: str | None
    status: int
    at: float

    @property
    def update_id(self) -> int:
        return int(self.update["update_id"])

    @property
    def text(self) -> str | None:
        message = self.update.get("message")
        return None if message is None else message.get("text")


class Receiver:
    """A bot's webhook endpoint: records every POST and answers from a script, then 200."""

    def __init__(self) -> None:
        self.hits: list[Hit] = []
        self.script: list[int] = []  # statuses answered to the next POSTs, in order
        self.delay = 0.0  # seconds to wait before answering the next POST (once)
        self.changed = asyncio.Condition()
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/hook", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/hook"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        assert request.content_type == "application/json"
        update = json.loads(await request.text())
        if self.delay:
            delay, self.delay = self.delay, 0.0
            await asyncio.sleep(delay)
        status = self.script.pop(0) if self.script else 200
        hit = Hit(update, request.headers.get("X-Telegram-Bot-Api-Secret-Token"), status,
                  time.monotonic())
        async with self.changed:
            self.hits.append(hit)
            self.changed.notify_all()
        return web.Response(status=status)

    async def wait_for_hits(self, count: int, timeout: float = 5.0) -> list[Hit]:  # noqa: ASYNC109
        async with self.changed:
            try:
                async with asyncio.timeout(timeout):
                    await self.changed.wait_for(lambda: len(self.hits) >= count)
            except TimeoutError:
                raise AssertionError(f"expected {count} webhook POSTs, got {self.hits!r}") from None
        return list(self.hits)

    def accepted(self) -> list[Hit]:
        return [hit for hit in self.hits if 200 <= hit.status <= 299]


@pytest.fixture
async def sandbox() -> AsyncIterator[BotApiSandbox]:
    async with BotApiSandbox(token=TOKEN, webhook_retry_delays=RETRY_DELAYS) as sb:
        yield sb
    assert sb.errors == []


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    hook = Receiver()
    await hook.start()
    yield hook
    await hook.stop()


async def raw_call(
    sandbox: BotApiSandbox, method: str, **params: Any
) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as session:
        url = f"{sandbox.url}/bot{TOKEN}/{method}"
        async with session.post(url, json=params) as response:
            return response.status, await response.json()


async def deliveries(sandbox: BotApiSandbox, count: int) -> list[WebhookDelivery]:
    """Wait until the sandbox recorded count delivery attempts (it records after the answer)."""
    await sandbox.wait_for_delivery(lambda _: len(sandbox.webhook_deliveries) >= count)
    return list(sandbox.webhook_deliveries)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- delivery ------------------------------------------------------------------------------


async def test_updates_arrive_at_the_webhook_in_order_with_the_secret_header(
    sandbox: BotApiSandbox, bot: Bot, receiver: Receiver
) -> None:
    assert await bot.set_webhook(receiver.url, secret_token=SECRET)
    ann = sandbox.user(1001, "Ann")
    sent = [await ann.send(text) for text in ("one", "two", "three")]

    hits = await receiver.wait_for_hits(3)

    assert [hit.text for hit in hits] == ["one", "two", "three"]
    assert [hit.update_id for hit in hits] == sorted(hit.update_id for hit in hits)
    assert len({hit.update_id for hit in hits}) == 3
    assert [hit.update["message"]["message_id"] for hit in hits] == [
        message["message_id"] for message in sent
    ]
    assert {hit.secret for hit in hits} == {SECRET}
    assert [(d.update_id, d.status, d.error) for d in await deliveries(sandbox, 3)] == [
        (hit.update_id, 200, None) for hit in hits
    ]
    assert (await bot.get_webhook_info()).pending_update_count == 0


async def test_without_a_secret_token_no_secret_header_is_sent(
    sandbox: BotApiSandbox, bot: Bot, receiver: Receiver
) -> None:
    await bot.set_webhook(receiver.url)
    await sandbox.user(1001, "Ann").send("hello")

    (hit,) = await receiver.wait_for_hits(1)

    assert hit.secret is None
    assert hit.text == "hello"


async def test_a_failed_delivery_is_retried_with_back_off_and_later_updates_wait_behind_it(
    sandbox: BotApiSandbox, bot: Bot, receiver: Receiver
) -> None:
    receiver.script = [500, 502, 200]
    await bot.set_webhook(receiver.url)
    ann = sandbox.user(1001, "Ann")
    await ann.send("first")
    await ann.send("second")

    hits = await receiver.wait_for_hits(4)

    assert [(hit.text, hit.status) for hit in hits] == [
        ("first", 500), ("first", 502), ("first", 200), ("second", 200)
    ]
    assert hits[0].update_id == hits[1].update_id == hits[2].update_id < hits[3].update_id
    # The back-off schedule given to the constructor spaces the attempts of one update.
    assert hits[1].at - hits[0].at >= RETRY_DELAYS[0] * 0.9
    assert hits[2].at - hits[1].at >= RETRY_DELAYS[1] * 0.9
    attempts = [(d.status, d.attempt) for d in await deliveries(sandbox, 4)]
    assert attempts == [(500, 1), (502, 2), (200, 3), (200, 1)]
    assert sandbox.webhook_deliveries[0].error == (
        "Wrong response from the webhook: 500 Internal Server Error"
    )
    assert sandbox.pending_updates == []


async def test_a_redirect_is_a_failed_delivery_not_followed(
    sandbox: BotApiSandbox, bot: Bot, receiver: Receiver
) -> None:
    receiver.script = [302]
    await bot.set_webhook(receiver.url)
    await sandbox.user(1001, "Ann").send("hello")

    hits = await receiver.wait_for_hits(2)

    assert [hit.status for hit in hits] == [302, 200]
    assert sandbox.webhook_deliveries[0].error == "Wrong response from the webhook: 302 Found"


async def test_an_unreachable_webhook_records_the_connection_error_and_keeps_the_update(
    sandbox: BotApiSandbox, bot: Bot
) -> None:
    await bot.set_webhook(f"http://127.0.0.1:{closed_port()}/hook")
    await sandbox.user(1001, "Ann").send("hello")

    failed = await sandbox.wait_for_delivery(lambda d: d.attempt == 2)

    assert failed.status is None
    assert failed.error == "Connection refused"
    info = await bot.get_webhook_info()
    assert info.pending_update_count == 1
    assert info.last_error_message == "Connection refused"


async def test_a_webhook_that_answers_too_slowly_is_retried(
    receiver: Receiver,
) -> None:
    receiver.delay = 1.0
    async with BotApiSandbox(
        token=TOKEN, webhook_retry_delays=RETRY_DELAYS, webhook_timeout=0.2
    ) as sandbox:
        client = Bot(TOKEN, base_url=f"{sandbox.url}/bot")
        async with client:
            await client.set_webhook(receiver.url)
            await sandbox.user(1001, "Ann").send("hello")
            delivered = await sandbox.wait_for_delivery(lambda d: d.ok)
    assert sandbox.errors == []
    assert [(d.error, d.attempt) for d in sandbox.webhook_deliveries] == [
        ("Read timeout expired", 1), (None, 2)
    ]
    assert delivered.update_id == sandbox.webhook_deliveries[0].update_id


async def test_a_retry_after_header_from_the_webhook_postpones_the_retry(
    sandbox: BotApiSandbox, bot: Bot
) -> None:
    hits: list[float] = []

    async def busy_then_ok(request: web.Request) -> web.Response:
        hits.append(time.monotonic())
        if len(hits) == 1:
            return web.Response(status=429, headers={"Retry-After": "1"})
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", busy_then_ok)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        await bot.set_webhook(f"http://127.0.0.1:{runner.addresses[0][1]}/hook")
        await sandbox.user(1001, "Ann").send("hello")
        await sandbox.wait_for_delivery(lambda d: d.ok)
    finally:
        await runner.cleanup()
    assert hits[1] - hits[0] >= 0.9


# --- settings and info --------------------------------------------------------------------


async def test_get_webhook_info_reports_pending_count_and_the_last_error(
    sandbox: BotApiSandbox, bot: Bot, receiver: Receiver
) -> None:
    receiver.script = [500] * 1000
    await bot.set_webhook(receiver.url, max_connections=5, allowed_updates=["message"])
    ann = sandbox.user(1001, "Ann")
    await ann.send("one")
    await ann.send("two")
    await sandbox.wait_for_delivery(lambda d: d.attempt == 2)

    info = await bot.get_webhook_info()

    assert info.url == receiver.url
    assert info.has_custom_certificate is False
    assert info.pending_update_count == 2
    assert info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"
    assert info.last_error_date is not None
    assert abs(info.last_error_date.timestamp() - time.time()) < 5
    assert info.max_connections == 5
    assert tuple(info.allowed_updates or ()) == ("message",)
    # Only the head of the queue is ever tried while it keeps failing.
    assert {d.update_id for d in sandbox.webhook_deliveries} == {
        sandbox.pending_updates[0]["update_id"]
    }


async def test_get_webhook_info_without_a_webhook_has_an_empty_url_and_no_error(
    sandbox: BotApiSandbox, bot: Bot
) -> None:
    await sandbox.user(1001, "Ann").send("hello")

    status, body = await raw_call(sandbox, "getWebhookInfo")

    assert status == 200
    assert body["result"] == {"url": "", "has_custom_certificate": False,
                              "pending_update_count": 1}


async def test_set_webhook_reads_json_form_and_multipart_bodies(
    sandbox: BotApiSandbox, receiver: Receiver
) -> None:
    status, body = await raw_call(
        sandbox, "setWebhook", url=receiver.url, max_connections=7,
        allowed_updates=["message", "callback_query"], secret_token=SECRET,
    )
    assert (status, body) == (200, {"ok": True, "result": True})
    assert sandbox.webhook["max_connections"] == 7
    assert sandbox.webhook["secret_token"] == SECRET

    async with aiohttp.ClientSession() as session:
        form = {"url": receiver.url, "max_connections": "3",
                "allowed_updates": json.dumps(["message"])}
        async with session.post(f"{sandbox.url}/bot{TOKEN}/setWebhook", data=form) as response:
            assert response.status == 200
        _, info = await raw_call(sandbox, "getWebhookInfo")
        assert info["result"]["max_connections"] == 3
        assert info["result"]["allowed_updates"] == ["message"]

        multipart = aiohttp.FormData()
        multipart.add_field("url", receiver.url)
        multipart.add_field("secret_token", "other")
        multipart.add_field("certificate", b"-----BEGIN CERTIFICATE-----", filename="cert.pem")
        async with session.post(
            f"{sandbox.url}/bot{TOKEN}/setWebhook", data=multipart
        ) as response:
            assert response.status == 200
    _, info = await raw_call(sandbox, "getWebhookInfo")
    assert info["result"]["has_custom_certificate"] is True
    assert info["result"]["max_connections"] == 40  # Telegram's default
    await sandbox.user(1001, "Ann").send("hello")
    (hit,) = await receiver.wait_for_hits(1)
    assert hit.secret == "other"


async def test_set_webhook_refuses_plain_http_bad_ports_and_bad_secret_tokens(bot: Bot) -> None:
    # PTB rewrites "Bad Request: bad webhook: ..." to "Bad webhook: an https url ...".
    with pytest.raises(BadRequest, match=r"(?i)an https url must be provided for webhook"):
        await bot.set_webhook("http://example.com/hook")
    with pytest.raises(BadRequest, match=r"(?i)only on ports 80, 88, 443 or 8443"):
        await bot.set_webhook("https://example.com:8080/hook")
    with pytest.raises(BadRequest, match=r"(?i)secret token contains unallowed characters"):
        await bot.set_webhook("https://example.com/hook", secret_token="not allowed!")
    with pytest.raises(BadRequest, match=r"(?i)secret token is too long"):
        await bot.set_webhook("https://example.com/hook", secret_token="a" * 257)
    assert (await bot.get_webhook_info()).url == ""


async def test_allowed_updates_of_the_webhook_filter_what_is_delivered(
    sandbox: BotApiSandbox, bot: Bot, receiver: Receiver
) -> None:
    await bot.set_webhook(receiver.url, allowed_updates=["message"])
    ann = sandbox.user(1001, "Ann")
    with pytest.raises(TimeoutError):
        await ann.press_data(1, "ignored", timeout=0.2)
    await ann.send("after")

    hits = await receiver.wait_for_hits(1)

    # Updates are delivered in order: the press, had it been let through, came first.
    assert [hit.text for hit in receiver.hits] == ["after"]
    assert "callback_query" not in hits[0].update


# --- polling and webhook modes ------------------------------------------------------------


async def test_get_updates_is_refused_with_409_while_a_webhook_is_set(
    sandbox: BotApiSandbox, bot: Bot, receiver: Receiver
) -> None:
    await bot.set_webhook(receiver.url)

    with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
        await bot.get_updates()
    status, body = await raw_call(sandbox, "getUpdates")

    assert status == 409
    assert body == {
        "ok": False,
        "error_code": 409,
        "description": "Conflict: can't use getUpdates method while webhook is active; "
        "use deleteWebhook to delete the webhook first",
    }


async def test_set_webhook_ends_a_running_long_poll_with_409(
    sandbox: BotApiSandbox, bot: Bot, receiver: Receiver
) -> None:
    poll = asyncio.create_task(raw_call(sandbox, "getUpdates", timeout=5))
    await until(lambda: sandbox.long_polls == 1)
    started = time.monotonic()

    await bot.set_webhook(receiver.url)
    status, body = await asyncio.wait_for(poll, 2)

    assert time.monotonic() - started < 3  # the poll would otherwise wait 5 s
    assert status == 409
    assert body["description"] == "Conflict: terminated by setWebhook request"


async def test_updates_pending_before_set_webhook_are_delivered_to_it(
    sandbox: BotApiSandbox, bot: Bot, receiver: Receiver
) -> None:
    ann = sandbox.user(1001, "Ann")
    await ann.send("while polling")

    await bot.set_webhook(receiver.url)
    await ann.send("with the webhook")
    hits = await receiver.wait_for_hits(2)

    assert [hit.text for hit in hits] == ["while polling", "with the webhook"]


async def test_set_webhook_with_drop_pending_updates_delivers_only_new_ones(
    sandbox: BotApiSandbox, bot: Bot, receiver: Receiver
) -> None:
    ann = sandbox.user(1001, "Ann")
    await ann.send("dropped")

    await bot.set_webhook(receiver.url, drop_pending_updates=True)
    await ann.send("kept")
    await receiver.wait_for_hits(1)

    # Updates are delivered in order: the dropped one, had it been kept, came first.
    assert [hit.text for hit in receiver.hits] == ["kept"]


async def test_delete_webhook_returns_to_polling_and_keeps_undelivered_updates(
    sandbox: BotApiSandbox, bot: Bot, receiver: Receiver
) -> None:
    receiver.script = [503] * 1000
    await bot.set_webhook(receiver.url)
    ann = sandbox.user(1001, "Ann")
    await ann.send("one")
    await ann.send("two")
    await sandbox.wait_for_delivery()

    assert await bot.delete_webhook()
    tried = len(receiver.hits)
    updates = await bot.get_updates(timeout=0)

    assert [u.message.text for u in updates if u.message] == ["one", "two"]
    info = await bot.get_webhook_info()
    assert info.url == ""
    assert info.last_error_message is None
    assert not sandbox.delivering, "deleteWebhook answers once delivery has stopped"
    assert len(receiver.hits) == tried, "no deliveries after deleteWebhook"


async def test_delete_webhook_with_drop_pending_updates_forgets_them(
    sandbox: BotApiSandbox, bot: Bot, receiver: Receiver
) -> None:
    receiver.script = [500] * 1000
    await bot.set_webhook(receiver.url)
    await sandbox.user(1001, "Ann").send("lost")
    await sandbox.wait_for_delivery()

    await bot.delete_webhook(drop_pending_updates=True)

    assert await bot.get_updates(timeout=0) == ()
    assert (await bot.get_webhook_info()).pending_update_count == 0


async def test_set_webhook_with_an_empty_url_removes_the_webhook(
    sandbox: BotApiSandbox, bot: Bot, receiver: Receiver
) -> None:
    await bot.set_webhook(receiver.url)
    await bot.set_webhook("")
    await sandbox.user(1001, "Ann").send("polled")

    updates = await bot.get_updates(timeout=0)

    assert [u.message.text for u in updates if u.message] == ["polled"]
    assert receiver.hits == []


# --- redelivery -----------------------------------------------------------------------------


async def test_redeliver_sends_the_same_update_again(
    sandbox: BotApiSandbox, bot: Bot, receiver: Receiver
) -> None:
    await bot.set_webhook(receiver.url, secret_token=SECRET)
    ann = sandbox.user(1001, "Ann")
    await ann.send("once")
    (first,) = await receiver.wait_for_hits(1)

    again = await sandbox.redeliver(first.update_id)
    hits = await receiver.wait_for_hits(2)

    assert again == first.update
    assert hits[1].update == first.update
    assert hits[1].secret == SECRET
    assert [d.update_id for d in await deliveries(sandbox, 2)] == [first.update_id] * 2


async def test_a_redelivered_update_comes_before_later_queued_updates(
    sandbox: BotApiSandbox, bot: Bot, receiver: Receiver
) -> None:
    await bot.set_webhook(receiver.url)
    ann = sandbox.user(1001, "Ann")
    await ann.send("first")
    (first,) = await receiver.wait_for_hits(1)
    receiver.script = [500]  # the next update is held back by a failure...
    await ann.send("second")
    await sandbox.wait_for_delivery(lambda d: not d.ok)

    await sandbox.redeliver(first.update_id)  # ...so the duplicate queues ahead of it
    hits = await receiver.wait_for_hits(4)

    assert [(hit.text, hit.status) for hit in hits] == [
        ("first", 200), ("second", 500), ("first", 200), ("second", 200)
    ]


async def test_redeliver_needs_a_webhook_and_a_known_update(
    sandbox: BotApiSandbox, bot: Bot, receiver: Receiver
) -> None:
    with pytest.raises(RuntimeError, match="needs a webhook"):
        await sandbox.redeliver(1)
    await bot.set_webhook(receiver.url)
    with pytest.raises(ValueError, match="never queued"):
        await sandbox.redeliver(1)


async def test_deliveries_are_recorded_for_tests(
    sandbox: BotApiSandbox, bot: Bot, receiver: Receiver
) -> None:
    receiver.script = [500]
    await bot.set_webhook(receiver.url)
    message = await sandbox.user(1001, "Ann").send("hello")

    delivered = await sandbox.wait_for_delivery(lambda d: d.ok)

    assert delivered == WebhookDelivery(
        update_id=receiver.hits[-1].update_id, url=receiver.url, status=200, error=None, attempt=2,
        at=delivered.at,
    )
    assert receiver.hits[-1].update["message"]["message_id"] == message["message_id"]
    assert sandbox.webhook_deliveries[0].ok is False
    assert sandbox.webhook_deliveries[0].at < delivered.at
