"""Two leadrelay processes on one database behind one Bot API: every lead is offered once,
every offer message is sent once, and the rotation stays fair."""

from __future__ import annotations

import asyncio
import os
import re
from collections import Counter
from pathlib import Path

import aiohttp
import pytest
import yaml
from sqlalchemy import func, select

from bench.kit.load import post_lead
from bench.kit.office import AGENT_IDS, BOT_TOKEN, office_yaml
from bench.kit.process import Leadrelay, free_port
from bench.kit.watch import link_agents
from sandbox import ApiCall, BotApiSandbox, TelegramLimits
from storage.db import create_engine
from storage.tables import outbox

pytestmark = pytest.mark.slow  # a whole leadrelay runs: see README, Tests

LEADS = 160
_LEAD_ID = re.compile(r"#(\d+)")


async def test_two_instances_share_the_load_and_send_every_offer_exactly_once(
    database_url: str, tmp_path: Path,
) -> None:
    config = tmp_path / "office.yaml"
    config.write_text(yaml.safe_dump(office_yaml(), allow_unicode=True), encoding="utf-8")
    offers: Counter[int] = Counter()
    all_offered = asyncio.Event()

    def watch(call: ApiCall) -> None:
        text = call.params.get("text")
        if (call.method == "sendMessage" and call.status == 200 and "reply_markup" in call.params
                and isinstance(text, str) and (found := _LEAD_ID.search(text))):
            offers[int(found.group(1))] += 1
            if len(offers) >= LEADS:
                all_offered.set()

    async with BotApiSandbox(token=BOT_TOKEN, limits=TelegramLimits()) as sandbox:
        sandbox.listeners.append(watch)
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": BOT_TOKEN, "TELEGRAM_API_URL": sandbox.url,
               "DATABASE_URL": database_url, "HTTP_HOST": "127.0.0.1",
               "LEADRELAY_CONFIG": str(config), "SWEEP_SECONDS": "1", "LOG_LEVEL": "WARNING",
               # Telegram's budget is per bot: two instances take half of it each.
               "TELEGRAM_MESSAGES_PER_SECOND": "14"}
        first = Leadrelay(env={**env, "HTTP_PORT": str(free_port())},
                          log_path=tmp_path / "first.log", cwd=tmp_path)
        second = Leadrelay(env={**env, "HTTP_PORT": str(free_port())},
                           log_path=tmp_path / "second.log", cwd=tmp_path)
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
            try:
                await first.start(session, within=30)
                await link_agents(sandbox, within=30)  # before the second polls too
                await second.start(session, within=30)
                phones = iter(f"+90533{n:07d}" for n in range(LEADS))
                results = []

                async def worker(n: int) -> None:
                    relay = (first, second)[n % 2]
                    for phone in phones:
                        results.append(await post_lead(
                            session, f"{relay.base}/webhooks/leads", phone))

                await asyncio.gather(*(worker(n) for n in range(16)))
                lead_ids = [r.lead_id for r in results if r.lead_id is not None]
                assert len(lead_ids) == LEADS, Counter(r.status for r in results)
                await asyncio.wait_for(all_offered.wait(), 60)
            finally:
                await first.stop()
                await second.stop()
        # A duplicate, had one been coming, is now either sent (counted below) or still
        # in the outbox: once both have stopped, nothing is left unsent.
        engine = create_engine(database_url)
        try:
            async with engine.connect() as conn:
                unsent = (await conn.execute(select(func.count()).select_from(outbox).where(
                    outbox.c.sent_at.is_(None), outbox.c.failed_at.is_(None)))).scalar_one()
        finally:
            await engine.dispose()
        assert unsent == 0
        assert set(offers) == set(lead_ids)
        assert max(offers.values()) == 1, "an offer message went out twice"
        assert sandbox.rate_limited == []
        per_agent = Counter(
            int(call.params["chat_id"]) for call in sandbox.calls("sendMessage")
            if call.status == 200 and "reply_markup" in call.params
            and int(call.params["chat_id"]) in AGENT_IDS)
        # The rotation pointer is one locked row: 160 leads over 40 agents is 4 each.
        assert set(per_agent.values()) == {LEADS // len(AGENT_IDS)}
        for relay in (first, second):
            assert not relay.log_problems().get("ERROR"), relay.log_tail()
