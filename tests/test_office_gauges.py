"""`/metrics` carries the office's key figures as gauges without per-agent labels, worked out
at most once a minute for every instance together."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from sandbox import BotApiSandbox
from tests.harness import BOT_TOKEN
from tests.test_operations import Ops, parse_metrics, running_intake


@pytest.fixture
async def sandbox() -> AsyncIterator[BotApiSandbox]:
    async with BotApiSandbox(token=BOT_TOKEN) as api:
        yield api


async def scrape(ops: Ops) -> dict[str, float]:
    async with ops.session.get(ops.url("/metrics")) as response:
        assert response.status == 200
        return parse_metrics(await response.text())


async def test_the_office_figures_count_the_leads_and_stay_a_minute_for_every_scrape(
        database_url: str, sandbox: BotApiSandbox) -> None:
    async with running_intake(database_url, bot_api_url=sandbox.url) as ops:
        await ops.post_lead("+905321230001")
        await ops.post_lead("+905321230002")
        ops.clock.advance(timedelta(seconds=1))  # a period runs up to now, now left out
        first = await scrape(ops)
        assert first['leadrelay_office_leads{period="30d"}'] == 2
        assert first['leadrelay_office_leads{period="today"}'] == 2
        assert first['leadrelay_office_revenue{period="30d"}'] == 0
        assert not [name for name in first if "agent" in name], "no per-agent labels"
        ops.clock.advance(timedelta(seconds=30))
        await ops.post_lead("+905321230003")
        assert (await scrape(ops))['leadrelay_office_leads{period="30d"}'] == 2, (
            "within the minute every scrape reads the figures kept")
        ops.clock.advance(timedelta(seconds=31))
        assert (await scrape(ops))['leadrelay_office_leads{period="30d"}'] == 3


async def test_a_second_instance_reads_the_figures_the_first_worked_out(
        database_url: str, sandbox: BotApiSandbox) -> None:
    async with running_intake(database_url, bot_api_url=sandbox.url) as ops:
        await ops.post_lead("+905321230001")
        ops.clock.advance(timedelta(seconds=1))  # a period runs up to now, now left out
        assert (await scrape(ops))['leadrelay_office_leads{period="30d"}'] == 1
        await ops.post_lead("+905321230002")
        async with running_intake(database_url, bot_api_url=sandbox.url) as other:
            other.clock.advance(timedelta(seconds=2))
            # Within the minute on another instance: the figures kept, not worked out again.
            assert (await scrape(other))['leadrelay_office_leads{period="30d"}'] == 1
