"""Logs as an operator reads them: one line per event, with ids, and never a secret or a phone."""

from __future__ import annotations

import io
import json
import logging
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from leadrelay.logs import Redactor, log_handler
from tests.harness import BOT_TOKEN, WEBHOOK_SECRET, offer_for, running_office, text_has
from tests.office import AYSE, HOT, MEHMET, SELIN, TOKEN, ZEYNEP, office

BOT_ID, _, BOT_SECRET = BOT_TOKEN.partition(":")
PHONE_DIGITS = "5321234567"  # HOT's phone without its country code, as any format holds it


class Captured:
    """What a root-logger handler with our formatter wrote, one entry per line."""

    def __init__(self, stream: io.StringIO) -> None:
        self.stream = stream

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def lines(self) -> list[str]:
        return self.text.splitlines()

    def records(self) -> list[dict[str, Any]]:
        """Every line parsed as JSON; fails on the first one that is not a JSON object."""
        parsed = [json.loads(line) for line in self.lines()]
        assert all(isinstance(record, dict) for record in parsed)
        return parsed

    def with_message(self, message: str) -> list[dict[str, Any]]:
        return [record for record in self.records() if record["message"] == message]


def capture(fmt: str, *, libraries_at_info: bool = False) -> Iterator[Captured]:
    """Attach our handler to the root logger, as `configure_logging` does, and detach it after."""
    stream = io.StringIO()
    handler = log_handler("json" if fmt == "json" else "text", stream)
    root = logging.getLogger()
    # httpx and aiohttp.access log request URLs, bot token included; the real configuration
    # quiets them for noise, the tests let them in to prove their lines are masked too.
    chatty = [logging.getLogger(name) for name in ("httpx", "aiohttp.access")]
    saved = [root.level, *(logger.level for logger in chatty)]
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    if libraries_at_info:
        for logger in chatty:
            logger.setLevel(logging.INFO)
    try:
        yield Captured(stream)
    finally:
        root.removeHandler(handler)
        for logger, level in zip([root, *chatty], saved, strict=True):
            logger.setLevel(level)


@pytest.fixture
def json_logs() -> Iterator[Captured]:
    yield from capture("json", libraries_at_info=True)


@pytest.fixture
def text_logs() -> Iterator[Captured]:
    yield from capture("text")


def no_phone(text: str) -> bool:
    """True when no form of HOT's phone number (spaced, dashed or bare) is in *text*."""
    return PHONE_DIGITS not in re.sub(r"[\s().-]", "", text)


# --- the real process, logging JSON ------------------------------------------------------------


@pytest.mark.slow
async def test_a_lead_through_offers_escalation_and_accept_logs_json_with_its_ids_and_no_secrets(
    json_logs: Captured, database_url: str,
) -> None:
    fast = {"hot": {"accept_within": "1s", "offers_before_managers": 3}}
    async with running_office(office(sla=fast), database_url, sweep_seconds=0.3) as running:
        await running.start_chats(AYSE, MEHMET, ZEYNEP, SELIN)
        lead_id = await running.post_lead(HOT)
        await running[AYSE].wait_for(offer_for(lead_id))
        mehmet = running[MEHMET]
        offer = await mehmet.wait_for(offer_for(lead_id))  # Ayşe let it expire
        await mehmet.press(offer, "✅ Accept")
        await mehmet.wait_for(text_has(f"Lead #{lead_id} is yours", "+90 532 123 45 67"))

    records = json_logs.records()
    for record in records:
        assert {"time", "level", "logger", "message"} <= set(record), record
        assert datetime.fromisoformat(record["time"]).utcoffset() == UTC.utcoffset(None)
    [received] = json_logs.with_message("lead received")
    assert (received["lead_id"], received["source"], received["logger"]) == (
        lead_id, "website", "core.app")
    offers = json_logs.with_message("offer sent to the agent")
    assert len(offers) >= 2, "one offer to Ayşe, one to Mehmet"
    assert {record["lead_id"] for record in offers} == {lead_id}
    assert all(isinstance(record["offer_id"], int) and isinstance(record["chat_id"], int)
               for record in offers)
    moved = [r for r in records if r["message"].endswith("offer(s) past their deadline")]
    assert {offers[0]["offer_id"]} <= {i for record in moved for i in record["offer_ids"]}
    # Library lines went through the same redaction, with the URL kept readable.
    assert any(f"/bot{BOT_ID}:<redacted>/" in r["message"] for r in records
               if r["logger"] in ("httpx", "aiohttp.access"))
    assert BOT_SECRET not in json_logs.text
    assert TOKEN not in json_logs.text
    assert no_phone(json_logs.text)


async def test_refused_webhook_calls_log_the_caller_but_not_the_token_they_sent(
    json_logs: Captured, tmp_path: Path,
) -> None:
    wrong_token, wrong_secret = "website-token-0123456780", "sandbox-webhook-secret-0124"
    url = f"sqlite+aiosqlite:///{tmp_path / 'logs.db'}"
    async with running_office(office(), url, webhook=True) as running:
        base = f"http://127.0.0.1:{running.runtime.http_port}"
        async with running.session.post(f"{base}/webhooks/leads?token={wrong_token}", json=HOT,
                                         headers={"Authorization": f"Bearer {wrong_token}",
                                                  "X-Forwarded-For": "203.0.113.7"}) as r:
            assert r.status == 401
        async with running.session.post(
                f"{base}/telegram/webhook", json={"update_id": 1},
                headers={"X-Telegram-Bot-Api-Secret-Token": wrong_secret}) as r:
            assert r.status == 401

    [intake] = json_logs.with_message("a lead was refused: unknown or missing source token")
    assert (intake["level"], intake["remote"], intake["forwarded_for"], intake["path"]) == (
        "WARNING", "127.0.0.1", "203.0.113.7", "/webhooks/leads")
    [telegram] = json_logs.with_message(
        "a Telegram webhook call without the right secret token was refused")
    assert (telegram["level"], telegram["remote"], telegram["secret_given"]) == (
        "WARNING", "127.0.0.1", True)
    for secret in (wrong_token, wrong_secret, WEBHOOK_SECRET, TOKEN, BOT_SECRET):
        assert secret not in json_logs.text


async def test_an_invalid_lead_is_logged_with_the_fields_at_fault_and_no_phone(
    json_logs: Captured, tmp_path: Path,
) -> None:
    async with running_office(office(), f"sqlite+aiosqlite:///{tmp_path / 'logs.db'}") as running:
        url = f"http://127.0.0.1:{running.runtime.http_port}/webhooks/leads"
        async with running.session.post(url, json={**HOT, "phone": "lots"},
                                        headers={"Authorization": f"Bearer {TOKEN}"}) as r:
            assert r.status == 422

    [refused] = json_logs.with_message("a lead was refused as invalid")
    assert refused["problems"] == {"phone": "is not a phone number"}
    assert refused["unknown_fields"] == 0
    assert no_phone(json_logs.text)


async def test_a_json_body_posted_as_a_form_is_refused_with_its_unknown_fields_counted_not_named(
    json_logs: Captured, tmp_path: Path,
) -> None:
    # `curl -d '{…}'` sends a form: the whole JSON body arrives as the name of one field.
    body = json.dumps({"name": "Deniz Kaya", "email": "deniz.kaya@example.com",
                       "phone": "+90 532 123 45 67", "message": "call me after six please",
                       "api_key": "partner-key-9f8e7d6c5b4a"})
    async with running_office(office(), f"sqlite+aiosqlite:///{tmp_path / 'logs.db'}") as running:
        url = f"http://127.0.0.1:{running.runtime.http_port}/webhooks/leads"
        async with running.session.post(
                url, data=body,
                headers={"Authorization": f"Bearer {TOKEN}",
                         "Content-Type": "application/x-www-form-urlencoded"}) as r:
            assert r.status == 422
        async with running.session.post(
                url, data={"product": "residential", "phone_number": "+905321234567",
                           "utm_campaign": "spring", "e-mail": "deniz.kaya@example.com"},
                headers={"Authorization": f"Bearer {TOKEN}"}) as r:
            assert r.status == 422

    first, second = json_logs.with_message("a lead was refused as invalid")
    assert first["problems"] == {"phone": "phone or email is required"}
    assert second["problems"] == {"phone": "phone or email is required"}
    for personal in ("Deniz", "deniz.kaya", "example.com", "call me after six",
                     "partner-key-9f8e7d6c5b4a", "utm_campaign", "phone_number"):
        assert personal not in json_logs.text
    assert no_phone(json_logs.text)


# --- redaction ---------------------------------------------------------------------------------


def test_a_bot_token_in_an_httpx_request_url_is_masked_and_the_bot_id_kept(
    text_logs: Captured,
) -> None:
    url = f"https://api.telegram.org/bot{BOT_TOKEN}/sendMessage"
    # The very call httpx makes for each request.
    logging.getLogger("httpx").warning('HTTP Request: %s %s "%s %d %s"', "POST", url,
                                       "HTTP/1.1", 200, "OK")
    assert BOT_SECRET not in text_logs.text
    assert f"/bot{BOT_ID}:<redacted>/sendMessage" in text_logs.text


def test_phone_numbers_in_free_text_are_masked_but_ids_amounts_and_times_are_not() -> None:
    redactor = Redactor(region="TR")
    text = ("lead 12345 from +90 532 123 45 67 (or 0532 123 45 67), budget 2000000, "
            "at 2026-11-28T17:36:48.123+00:00")
    masked = redactor.redact(text)
    assert no_phone(masked)
    assert masked.count("+90*******567") == 2
    assert "lead 12345" in masked
    assert "budget 2000000" in masked
    assert "2026-11-28T17:36:48.123+00:00" in masked


def test_a_national_number_is_left_alone_until_the_office_region_is_known() -> None:
    redactor = Redactor()
    assert "0532 123 45 67" in redactor.redact("call 0532 123 45 67")
    redactor.protect(region="TR")
    assert no_phone(redactor.redact("call 0532 123 45 67"))


def test_protected_secrets_bearer_tokens_and_url_passwords_are_masked() -> None:
    redactor = Redactor(secrets=[TOKEN])
    masked = redactor.redact(
        f"source {TOKEN}; Authorization: Bearer abc.def-123; X-Telegram-Bot-Api-Secret-Token: "
        f"{WEBHOOK_SECRET}; db postgresql+asyncpg://leads:hunter2-pw@db:5432/leads")
    for secret in (TOKEN, "abc.def-123", WEBHOOK_SECRET, "hunter2-pw"):
        assert secret not in masked
    assert "postgresql+asyncpg://leads:<redacted>@db:5432/leads" in masked


@pytest.mark.parametrize(("text", "masked"), [
    ("token: abc123", "token: <redacted>"),
    ("webhook_secret=qq&x", "webhook_secret=<redacted>&x"),
    ("sources.website.token=abc123", "sources.website.token=<redacted>"),
    ("  token: change-me-ads", "  token: <redacted>"),
    # A config error names the key and the problem; the problem is not a secret.
    ("leadrelay.yaml: sources[1].token: source 'ads' still has the example's token",
     "leadrelay.yaml: sources[1].token: source 'ads' still has the example's token"),
])
def test_named_secrets_are_masked_but_a_config_key_path_keeps_its_problem(
    text: str, masked: str,
) -> None:
    assert Redactor().redact(text) == masked


def test_secrets_in_a_traceback_and_in_context_fields_are_masked_and_ids_kept(
    json_logs: Captured,
) -> None:
    log = logging.getLogger("leadrelay.test")
    try:
        raise RuntimeError(f"POST /bot{BOT_TOKEN}/getMe for +905321234567 failed")
    except RuntimeError:
        log.exception("call failed", extra={"lead_id": 5321234567, "url": f"/bot{BOT_TOKEN}/"})
    [record] = json_logs.records()
    assert record["lead_id"] == 5321234567, "an integer field is an id, never a phone number"
    assert record["url"] == f"/bot{BOT_ID}:<redacted>/"
    assert "RuntimeError" in record["traceback"]
    assert BOT_SECRET not in record["traceback"]
    assert no_phone(record["traceback"])


def test_a_logging_call_whose_arguments_do_not_fit_still_logs_them_masked(
    text_logs: Captured,
) -> None:
    logging.getLogger("leadrelay.test").warning("token %d", BOT_TOKEN)
    [line] = text_logs.lines()
    assert f"{BOT_ID}:<redacted>" in line
    assert BOT_SECRET not in line


# --- formats -------------------------------------------------------------------------------


def test_text_format_is_one_line_per_record_with_context_as_key_value(
    text_logs: Captured,
) -> None:
    log = logging.getLogger("leadrelay.test")
    log.warning("config not reloaded:\nline 2", extra={"lead_id": 7, "source": "web form"})
    try:
        raise ValueError("first\nsecond")
    except ValueError:
        log.exception("failed", extra={"offer_id": 3})
    first, second = text_logs.lines()
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z WARNING leadrelay\.test: "
                    r"config not reloaded:\\nline 2 ", first)
    assert first.endswith(' lead_id=7 source="web form"')
    assert "offer_id=3 traceback=\"Traceback" in second
    assert "ValueError: first\\nsecond" in second


def test_json_format_is_one_object_per_line_led_by_time_level_logger_and_message(
    json_logs: Captured,
) -> None:
    logging.getLogger("bot.dispatcher").info("offer sent to the agent\nreally",
                                             extra={"lead_id": 4, "offer_id": 9})
    [line] = json_logs.lines()
    record = json.loads(line)
    assert list(record)[:4] == ["time", "level", "logger", "message"]
    assert record["time"].endswith("+00:00")
    assert (record["level"], record["logger"], record["lead_id"], record["offer_id"]) == (
        "INFO", "bot.dispatcher", 4, 9)


def test_configure_logging_sends_every_logger_to_stderr_as_json() -> None:
    program = (
        "import logging\n"
        "from leadrelay.logs import configure_logging\n"
        "configure_logging('INFO', 'json')\n"
        f"logging.getLogger('telegram.ext').info('token %s', {BOT_TOKEN!r})\n"
        "logging.getLogger('httpx').info('quiet: below WARNING')\n")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          check=True, timeout=60)
    [line] = done.stderr.splitlines()
    record = json.loads(line)
    assert (record["logger"], record["message"]) == ("telegram.ext",
                                                     f"token {BOT_ID}:<redacted>")


def test_uncaught_exceptions_and_records_before_logging_is_configured_reach_stderr_masked(
) -> None:
    program = (
        "import logging, threading\n"
        "from leadrelay.logs import guard_stderr\n"
        "guard_stderr()\n"
        f"token = {BOT_TOKEN!r}\n"
        "logging.getLogger('telegram.ext').warning('before set-up: %s', token)\n"
        "def fail() -> None:\n"
        "    raise RuntimeError(f'in a thread: /bot{token}/getMe from +905321234567')\n"
        "thread = threading.Thread(target=fail, name='worker')\n"
        "thread.start()\n"
        "thread.join()\n"
        "raise RuntimeError(f'The token `{token}` was rejected by the server.')\n")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          check=False, timeout=60)
    assert done.returncode == 1
    assert f"before set-up: {BOT_ID}:<redacted>" in done.stderr
    assert "Exception in thread worker" in done.stderr
    assert f"in a thread: /bot{BOT_ID}:<redacted>/getMe" in done.stderr
    assert f"RuntimeError: The token `{BOT_ID}:<redacted>` was rejected" in done.stderr
    assert BOT_SECRET not in done.stderr
    assert no_phone(done.stderr)
