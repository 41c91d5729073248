"""The outbox: what was committed reaches Telegram, through errors, 429s and restarts."""

from __future__ import annotations

import asyncio
import time

import pytest
from sqlalchemy import select

from leadrelay.bootstrap import bootstrap, sql_uow_factory
from leadrelay.clock import SystemClock
from sandbox import BotApiSandbox
from storage.db import create_engine
from storage.migrate import upgrade
from storage.tables import outbox
from tests.harness import BOT_TOKEN, offer_for, running_office, text_has
from tests.office import AYSE, HOT, MEHMET, SELIN, TOKEN, ZEYNEP, office

pytestmark = pytest.mark.slow  # a whole leadrelay runs: see README, Tests

SLOW = {"hot": {"accept_within": "10m"}}


async def test_a_send_that_fails_with_a_server_error_is_retried_until_delivered(
    database_url: str,
) -> None:
    async with running_office(office(sla=SLOW), database_url) as running:
        await running.start_chats(AYSE, MEHMET, SELIN)
        running.sandbox.fail_next("sendMessage", error_code=502, description="Bad Gateway",
                                  times=2)
        lead_id = await running.post_lead(HOT)
        await running[AYSE].wait_for(offer_for(lead_id))
        sends = [c for c in running.sandbox.calls("sendMessage") if c.params.get("chat_id")
                 in (AYSE, str(AYSE)) and f"#{lead_id}" in str(c.params.get("text"))]
        assert [c.status for c in sends] == [502, 502, 200]


async def test_retry_after_from_telegram_is_honoured(database_url: str) -> None:
    async with running_office(office(sla=SLOW), database_url) as running:
        await running.start_chats(AYSE, MEHMET, SELIN)
        running.sandbox.fail_next("sendMessage", error_code=429,
                                  description="Too Many Requests: retry after 1", retry_after=1)
        started = time.monotonic()
        lead_id = await running.post_lead(HOT)
        await running[AYSE].wait_for(offer_for(lead_id))
        assert time.monotonic() - started >= 1.0


async def test_messages_committed_while_the_bot_was_down_are_sent_on_start(
    database_url: str,
) -> None:
    async with BotApiSandbox(token=BOT_TOKEN) as sandbox:
        async with running_office(office(sla=SLOW), database_url, sandbox=sandbox) as first:
            await first.start_chats(AYSE, MEHMET, ZEYNEP, SELIN)
        # The process is gone; a lead is committed with its offer in the outbox (as if the
        # process crashed right after commit, before the dispatcher ran).
        engine = create_engine(database_url)
        await upgrade(engine)
        relay = bootstrap(config=office(sla=SLOW), clock=SystemClock(),
                          uow_factory=sql_uow_factory(engine))
        lead_id = (await relay.receive_lead(source_token=TOKEN, payload=HOT)).lead_id
        await engine.dispose()
        assert not [m for m in sandbox.user(AYSE, "Ayşe").messages if f"#{lead_id}" in m.text]
        async with running_office(office(sla=SLOW), database_url, sandbox=sandbox) as second:
            await second[AYSE].wait_for(offer_for(lead_id))


async def test_an_edit_telegram_calls_not_modified_is_settled_not_retried(
    database_url: str,
) -> None:
    async with running_office(office(sla=SLOW), database_url) as running:
        await running.start_chats(AYSE, MEHMET, SELIN)
        lead_id = await running.post_lead(HOT)
        offer = await running[AYSE].wait_for(offer_for(lead_id))
        running.sandbox.fail_next(
            "editMessageText", error_code=400,
            description="Bad Request: message is not modified: specified new message content "
                        "and reply markup are exactly the same as a current content and reply "
                        "markup of the message")
        edited = asyncio.Event()
        running.sandbox.listeners.append(
            lambda call: edited.set() if call.method == "editMessageText" else None)
        await running[AYSE].press(offer, "✅ Accept")
        await asyncio.wait_for(edited.wait(), 5)  # Ayşe's chat is paced: the edit waits
        lead2 = await running.post_lead({**HOT, "phone": "+905551234567"})
        await running[MEHMET].wait_for(offer_for(lead2))  # the queue moved past the edit
        await running.settled()  # a retry would leave the edit in the outbox, then send it
        edits = running.sandbox.calls("editMessageText")
        assert [c.status for c in edits] == [400]
        await running[AYSE].send("/leads")
        await running[AYSE].wait_for(text_has("Your open leads (1)"))


@pytest.mark.parametrize(("error_code", "description", "kind", "settled"), [
    (429, "Too Many Requests: retry after 1", "retry_after", "sent"),
    (502, "Bad Gateway", "network", "sent"),
    (500, "Internal Server Error", "network", "sent"),
    (409, "Conflict: terminated by other getUpdates request", "other", "sent"),
    (403, "Forbidden: bot was blocked by the user", "forbidden", "failed"),
    (400, "Bad Request: message is too long", "bad_request", "failed"),
], ids=lambda value: str(value) if isinstance(value, int) else None)
async def test_the_dispatcher_stores_and_logs_the_kind_of_each_telegram_error(
    database_url: str, caplog: pytest.LogCaptureFixture,
    error_code: int, description: str, kind: str, settled: str,
) -> None:
    async with running_office(office(sla=SLOW), database_url) as running:
        await running.start_chats(AYSE, MEHMET, SELIN)
        running.sandbox.fail_next("sendMessage", error_code=error_code, description=description,
                                  retry_after=1 if error_code == 429 else None)
        lead_id = await running.post_lead(HOT)
        offer = select(outbox).where(outbox.c.chat_id == AYSE, outbox.c.template == "offer",
                                     outbox.c.params["lead_id"].as_integer() == lead_id)
        async with asyncio.timeout(20):
            while True:  # the outbox is rows in a database: no event to wait on
                async with running.runtime.engine.connect() as conn:
                    row = (await conn.execute(offer)).one()
                if row.sent_at is not None or row.failed_at is not None:
                    break
                await asyncio.sleep(0.05)
    assert (row.error_kind, "sent" if row.sent_at else "failed") == (kind, settled)
    assert row.last_error
    logged = [getattr(r, "error_kind", None) for r in caplog.records if r.name == "bot.dispatcher"]
    assert logged == [kind], "the log line tells the same kind as the row"
