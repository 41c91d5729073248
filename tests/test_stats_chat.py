"""`/stats` and `/me` as managers and agents use them in Telegram: the overview of a period,
its views behind buttons that edit the one message, and an agent's own numbers."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from sandbox.people import SandboxMessage
from tests.harness import RunningOffice, offer_for, running_office, text_has
from tests.office import AYSE, HOT, MEHMET, SELIN, ZEYNEP, office
from tests.test_lead_card import until_card

pytestmark = pytest.mark.slow  # a whole leadrelay runs: see README, Tests

SLOW = {"hot": {"accept_within": "10m", "offers_before_managers": 2}}


@pytest.fixture
async def won_lead(database_url: str) -> AsyncIterator[RunningOffice]:
    """An office where Ayşe took a hot lead, called and won it for 2,500,000."""
    async with running_office(office(sla=SLOW), database_url) as running:
        await running.start_chats(AYSE, MEHMET, ZEYNEP, SELIN)
        lead_id = await running.post_lead(HOT)
        ayse = running[AYSE]
        await ayse.press(await ayse.wait_for(offer_for(lead_id)), "✅ Accept")
        await ayse.send(f"/outcome {lead_id} contacted")
        await ayse.wait_for(text_has(f"Lead #{lead_id} is now “contacted”"))
        await ayse.send(f"/outcome {lead_id} won 2500000")
        await ayse.wait_for(text_has(f"Lead #{lead_id} is now “won”"))
        yield running


async def test_a_manager_reads_the_week_and_opens_its_views_in_one_message(
        won_lead: RunningOffice) -> None:
    selin = won_lead[SELIN]
    await selin.send("/stats 7d")
    overview = await selin.wait_for(text_has("Last 7 days", "Speed to lead"))
    assert "Leads 1" in overview.text
    assert "Won" in overview.text
    assert "2,500,000 from 1 won" in overview.text
    assert overview.button_texts()[:3] == ["By agent", "By team", "By source"]

    async def show(button: str, *parts: str) -> SandboxMessage:
        """Press *button* on the /stats message and wait until the edit shows *parts*."""
        await selin.press(overview, button)
        return await until_card(won_lead, SELIN, overview, *parts)

    table = await show("By agent", "By agent (the lead's owner)")
    assert "Ayşe" in table.text
    assert len([m for m in selin.messages if "Last 7 days" in m.text]) == 1, "one message"
    await show("Overview", "Leads 1", "Funnel and speed count")
    offers = await show("Offers", "Offers · Last 7 days")
    assert "Ayşe: 1/1 accepted" in offers.text
    await show("Overview", "Funnel and speed count")
    fairness = await show("Fairness", "Fairness · Last 7 days")
    assert "Ayşe" in fairness.text
    await show("Overview", "Funnel and speed count")
    load = await show("Load", "Load · Last 7 days")
    assert "Ayşe" in load.text


async def test_stats_by_a_slice_and_a_view_can_be_typed(won_lead: RunningOffice) -> None:
    selin = won_lead[SELIN]
    await selin.send("/stats 30d by source")
    table = await selin.wait_for(text_has("By source"))
    assert "web" in table.text or "website" in table.text
    await selin.send("/stats this month automation")
    health = await selin.wait_for(text_has("Automation · This month"))
    assert "All rules" in health.text
    await selin.send("/stats 7d by mood")
    await selin.wait_for(text_has("Usage: /stats"))
    await selin.send("/stats yesterdayish")
    usage = await selin.wait_for(lambda m: m.text.count("Usage: /stats") and m is not table
                                 and m.message_id > health.message_id + 1)
    assert "by agent" in usage.text


async def test_an_agent_sees_their_own_numbers_and_nobody_elses(won_lead: RunningOffice) -> None:
    ayse = won_lead[AYSE]
    await ayse.send("/me 7d")
    mine = await ayse.wait_for(text_has("Your numbers · Last 7 days"))
    assert "Leads" in mine.text
    assert "Mehmet" not in mine.text
    assert "Zeynep" not in mine.text
    await ayse.send("/stats")
    refused = await ayse.wait_for(text_has("Only managers"))
    assert refused.buttons == []
    await ayse.press_data(refused, "sts:a:0:7d")
    assert "Ayşe" not in refused.text


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_press_a_manager_did_not_make_changes_nothing(won_lead: RunningOffice) -> None:
    zeynep = won_lead[ZEYNEP]
    await zeynep.send("/leads")
    mine = await zeynep.wait_for(text_has("no open leads"))
    answer = await zeynep.press_data(mine, "sts:fr:0:30d")
    assert answer.text is None or "Only managers" in answer.text
    assert "Fairness" not in mine.text
