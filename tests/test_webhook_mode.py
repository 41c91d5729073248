"""`leadrelay run --webhook`: Telegram posts updates to the intake server; each is checked,
handled once however often it comes, and answered only after it was handled."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from sandbox import BotApiSandbox
from tests.harness import WEBHOOK_SECRET, offer_for, running_office, text_has
from tests.office import AYSE, HOT, MEHMET, SELIN, office, office_data
from tests.test_cli import BOT_TOKEN, clean_env, run_cli, write_office

pytestmark = pytest.mark.slow  # a whole leadrelay runs: see README, Tests

SLOW = {"hot": {"accept_within": "10m"}}


async def test_the_whole_loop_runs_on_webhook_updates(database_url: str) -> None:
    async with running_office(office(sla=SLOW), database_url, webhook=True) as running:
        await running.start_chats(AYSE, MEHMET, SELIN)
        assert running.sandbox.calls("getUpdates") == [], "no polling in webhook mode"
        lead_id = await running.post_lead(HOT)
        offer = await running[AYSE].wait_for(offer_for(lead_id))
        answer = await running[AYSE].press(offer, "✅ Accept")
        assert answer.text
        await running[AYSE].wait_for(text_has(f"#{lead_id}", "is yours"))
        assert all(d.ok for d in running.sandbox.webhook_deliveries)
        assert running.runtime.telegram is not None
        assert running.runtime.telegram.handled == len(
            {d.update_id for d in running.sandbox.webhook_deliveries})


async def test_an_update_telegram_sends_twice_is_handled_once(database_url: str) -> None:
    async with running_office(office(sla=SLOW), database_url, webhook=True) as running:
        await running.start_chats(AYSE, MEHMET, SELIN)
        lead_id = await running.post_lead(HOT)
        offer = await running[AYSE].wait_for(offer_for(lead_id))
        await running[AYSE].press(offer, "✅ Accept")
        press = running.sandbox.webhook_deliveries[-1].update_id
        answered = len(running.sandbox.calls("answerCallbackQuery"))
        handled = running.runtime.telegram.handled if running.runtime.telegram else -1
        await running.sandbox.redeliver(press)
        again = await running.sandbox.wait_for_delivery(
            lambda d: d.update_id == press and d.attempt == 1 and d.ok)
        assert again.status == 200
        assert len(running.sandbox.calls("answerCallbackQuery")) == answered
        assert running.runtime.telegram is not None
        assert running.runtime.telegram.handled == handled


async def test_a_post_without_the_secret_token_is_refused_and_not_handled(
    database_url: str,
) -> None:
    async with running_office(office(sla=SLOW), database_url, webhook=True) as running:
        url = f"http://127.0.0.1:{running.runtime.http_port}/telegram/webhook"
        update = {"update_id": 999, "message": {
            "message_id": 1, "date": 0, "chat": {"id": AYSE, "type": "private"},
            "from": {"id": AYSE, "is_bot": False, "first_name": "A"}, "text": "/start"}}
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong-secret-0123456789"}):
            async with running.session.post(url, json=update, headers=headers) as response:
                assert response.status == 401
        async with running.session.post(url, data=b"{not json", headers={
                "X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}) as response:
            assert response.status == 400
        assert running.runtime.telegram is not None
        assert running.runtime.telegram.handled == 0
        assert running[AYSE].messages == []


def test_run_webhook_without_its_url_names_the_missing_setting(tmp_path: Path) -> None:
    config = write_office(tmp_path / "leadrelay.yaml", office_data())
    env = clean_env(TELEGRAM_BOT_TOKEN=BOT_TOKEN, LEADRELAY_CONFIG=str(config))
    result = run_cli(["run", "--webhook"], tmp_path, env)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "leadrelay: setting TELEGRAM_WEBHOOK_URL is not set (run --webhook needs it)"]
    result = run_cli(["run", "--webhook"], tmp_path, {
        **env, "TELEGRAM_WEBHOOK_URL": "https://leads.example.com",
        "TELEGRAM_WEBHOOK_SECRET": "short"})
    assert result.returncode == 2
    assert result.stderr.startswith("leadrelay: setting TELEGRAM_WEBHOOK_SECRET ")
    assert "short" not in result.stderr, "a secret is named, never printed"


async def test_updates_that_come_before_telegram_answers_are_refused_for_a_retry_not_lost(
    database_url: str, caplog: pytest.LogCaptureFixture,
) -> None:
    sandbox = BotApiSandbox(token=BOT_TOKEN)
    ayse = sandbox.user(AYSE, "Ayşe")
    ayse.started = True  # she pressed Start: the update below is the one that says so
    await sandbox.start()
    port = int(sandbox.url.rsplit(":", 1)[1])
    await sandbox.stop()  # Telegram does not answer while leadrelay starts
    start = {"update_id": 777, "message": {
        "message_id": 1, "date": 0, "chat": {"id": AYSE, "type": "private"},
        "from": {"id": AYSE, "is_bot": False, "first_name": "Ayşe"}, "text": "/start",
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}}
    secret = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
    with caplog.at_level(logging.ERROR):
        async with running_office(office(sla=SLOW), database_url, sandbox=sandbox,
                                  webhook=True) as running:
            url = f"http://127.0.0.1:{running.runtime.http_port}/telegram/webhook"
            async with running.session.post(url, json=start, headers=secret) as response:
                assert response.status == 503
                assert response.headers["Retry-After"] == "5"
            assert running.runtime.telegram is not None
            assert running.runtime.telegram.handled == 0
            try:
                await sandbox.start(port=port)  # Telegram answers again
                await asyncio.wait_for(running.runtime.telegram_link.up.wait(), 30)
                # Telegram sends the update again: it was not taken for seen.
                async with running.session.post(url, json=start, headers=secret) as response:
                    assert response.status == 200, await response.text()
                await ayse.wait_for(text_has("You are connected"))
                assert running.runtime.telegram.handled == 1
            finally:
                await sandbox.stop()
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
