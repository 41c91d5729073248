"""The whole loop as people live it: a webhook lead, Telegram offers, SLA timers, managers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from core.clock import ManualClock
from sandbox import BotApiSandbox
from storage.db import create_engine
from storage.tables import lead_events, offers
from tests.harness import BOT_TOKEN, RunningOffice, offer_for, running_office, text_has
from tests.office import AYSE, HOT, MEHMET, SELIN, ZEYNEP, office

pytestmark = pytest.mark.slow  # a whole leadrelay runs: see README, Tests

FAST = {"hot": {"accept_within": "1s", "offers_before_managers": 2},
        "warm": {"accept_within": "1s", "offers_before_managers": 2}}
SLOW = {"hot": {"accept_within": "10m", "offers_before_managers": 2}}


@pytest.fixture
async def slow_office(database_url: str) -> AsyncIterator[RunningOffice]:
    async with running_office(office(sla=SLOW), database_url) as running:
        await running.start_chats(AYSE, MEHMET, ZEYNEP, SELIN)
        yield running


@pytest.fixture
async def fast_office(database_url: str) -> AsyncIterator[RunningOffice]:
    async with running_office(office(sla=FAST), database_url, sweep_seconds=0.3) as running:
        await running.start_chats(AYSE, MEHMET, ZEYNEP, SELIN)
        yield running


async def test_a_posted_lead_reaches_the_agent_with_accept_and_decline(
    slow_office: RunningOffice,
) -> None:
    lead_id = await slow_office.post_lead(HOT)
    offer = await slow_office[AYSE].wait_for(offer_for(lead_id))
    assert offer.button_texts() == ["✅ Accept", "✖️ Decline"]
    assert "HOT" in offer.text
    assert "residential" in offer.text
    assert "1,000,000 – 2,000,000" in offer.text
    assert "Accept within 10 min" in offer.text
    assert "532" not in offer.text, "the phone stays hidden until Accept"


async def test_accept_opens_the_contact_details(slow_office: RunningOffice) -> None:
    lead_id = await slow_office.post_lead(HOT)
    ayse = slow_office[AYSE]
    offer = await ayse.wait_for(offer_for(lead_id))
    answer = await ayse.press(offer, "✅ Accept")
    assert answer.text is not None
    assert "yours" in answer.text
    opened = await ayse.wait_for(text_has(f"Lead #{lead_id} is yours", "+90 532 123 45 67"))
    assert "📞 Contacted" in opened.button_texts()


async def test_decline_asks_why_and_offers_the_lead_to_the_next_agent(
    slow_office: RunningOffice,
) -> None:
    lead_id = await slow_office.post_lead(HOT)
    ayse = slow_office[AYSE]
    offer = await ayse.wait_for(offer_for(lead_id))
    await ayse.press(offer, "✖️ Decline")
    asking = await ayse.wait_for(lambda m: "not my area" in m.button_texts())
    await ayse.press(asking, "not my area")
    await slow_office[MEHMET].wait_for(offer_for(lead_id))
    await ayse.wait_for(text_has("You passed on lead", "not my area"))


async def test_someone_else_pressing_accept_gets_an_alert_and_changes_nothing(
    slow_office: RunningOffice,
) -> None:
    lead_id = await slow_office.post_lead(HOT)
    offer = await slow_office[AYSE].wait_for(offer_for(lead_id))
    accept_data = offer.buttons[0][0].callback_data
    assert accept_data is not None
    mehmet = slow_office[MEHMET]
    own_message = mehmet.messages[-1]
    answer = await mehmet.press_data(own_message, accept_data)
    assert answer.show_alert
    assert answer.text == "This offer was made to someone else."
    forged = await mehmet.press_data(own_message, accept_data.rsplit(":", 1)[0] + ":forged")
    assert forged.text == "This offer is no longer open."
    still = await slow_office[AYSE].press(offer, "✅ Accept")
    assert still.text is not None
    assert "yours" in still.text


async def test_an_unanswered_offer_moves_on_then_reaches_the_managers(
    fast_office: RunningOffice,
) -> None:
    lead_id = await fast_office.post_lead(HOT)
    ayse, mehmet, selin = fast_office[AYSE], fast_office[MEHMET], fast_office[SELIN]
    await ayse.wait_for(offer_for(lead_id))
    await ayse.wait_for(text_has(f"Lead #{lead_id} moved on", "1 s"))
    await mehmet.wait_for(offer_for(lead_id))
    alert = await selin.wait_for(text_has(f"Lead #{lead_id}", "needs a manager"))
    assert "needs a manager: not answered by Ayşe, Mehmet in 1 s." in alert.text
    assert "+90 532 123 45 67" in alert.text
    to_mehmet = next(b.callback_data for row in alert.buttons for b in row
                     if b.text == "👤 Mehmet")
    assert to_mehmet is not None
    answer = await selin.press(alert, "👤 Zeynep")
    assert answer.text == "Assigned to Zeynep."
    await fast_office[ZEYNEP].wait_for(text_has("Selin assigned lead", "+90 532 123 45 67"))
    closed = await selin.wait_for(text_has(f"Lead #{lead_id} was assigned to Zeynep by Selin"))
    assert closed.buttons == []
    again = await selin.press_data(closed, to_mehmet)  # a second tap that raced the edit
    assert again.text == "Someone already assigned this lead."


async def test_a_stranger_is_refused_politely(slow_office: RunningOffice) -> None:
    stranger = slow_office.sandbox.user(5555, "Stranger")
    await stranger.send("/start")
    reply = await stranger.wait_for()
    assert "only works for the team of Test Realty" in reply.text
    assert "5555" in reply.text


async def test_managers_commands_are_refused_to_agents(slow_office: RunningOffice) -> None:
    await slow_office[AYSE].send("/stats")
    reply = await slow_office[AYSE].wait_for(text_has("Only managers"))
    assert reply.buttons == []


async def test_a_manager_sees_pending_leads_and_stats(slow_office: RunningOffice) -> None:
    lead_id = await slow_office.post_lead(HOT)
    await slow_office[AYSE].wait_for(offer_for(lead_id))
    selin = slow_office[SELIN]
    await selin.send("/pending")
    pending = await selin.wait_for(text_has("Waiting leads (1)"))
    assert f"#{lead_id}" in pending.text
    assert "offered to Ayşe" in pending.text
    await selin.send("/stats 7d offers")
    stats = await selin.wait_for(text_has("Offers · Last 7 days"))
    assert "Leads in: 1" in stats.text
    assert "Ayşe: 0/1 accepted" in stats.text


async def test_an_agent_logs_outcomes_and_lists_open_leads(slow_office: RunningOffice) -> None:
    lead_id = await slow_office.post_lead(HOT)
    ayse = slow_office[AYSE]
    await ayse.press(await ayse.wait_for(offer_for(lead_id)), "✅ Accept")
    await ayse.send("/leads")
    listing = await ayse.wait_for(text_has("Your open leads (1)"))
    assert f"#{lead_id}" in listing.text
    await ayse.send(f"/outcome {lead_id} contacted")
    await ayse.wait_for(text_has(f"Lead #{lead_id} is now “contacted”"))
    await ayse.send(f"/outcome {lead_id} won 2500000")
    await ayse.wait_for(text_has(f"Lead #{lead_id} is now “won”"))
    await ayse.send("/leads")
    await ayse.wait_for(text_has("You have no open leads"))


async def test_the_command_menus_are_registered(slow_office: RunningOffice) -> None:
    names = [c["command"] for c in slow_office.sandbox.commands()]
    agent = ["start", "leads", "lead", "today", "note", "new", "outcome", "why", "rules",
             "me", "away", "back", "settings", "cancel", "help"]
    assert names == agent
    manager_scope = {"type": "chat", "chat_id": SELIN}
    manager = [c["command"] for c in slow_office.sandbox.commands(scope=manager_scope)]
    assert manager == [*agent, "stats", "report", "export", "pending", "assign", "reassign",
                       "agents", "correct", "invite", "deactivate", "setgroup", "reload"]


async def test_why_explains_the_decision_to_the_manager_and_the_offered_agent_only(
    slow_office: RunningOffice,
) -> None:
    lead_id = await slow_office.post_lead(HOT)
    ayse = slow_office[AYSE]
    offer = await ayse.wait_for(offer_for(lead_id))
    await ayse.press(offer, "✖️ Decline")
    await ayse.press(await ayse.wait_for(lambda m: "busy right now" in m.button_texts()),
                     "busy right now")
    await slow_office[MEHMET].wait_for(offer_for(lead_id))
    selin = slow_office[SELIN]
    await selin.send(f"/why {lead_id}")
    why = await selin.wait_for(text_has(f"Why lead #{lead_id} went where it went"))
    assert "rule “default” — the default rule, for every lead" in why.text
    assert "Can (away)" in why.text
    assert "→ Ayşe: next in the rotation." in why.text
    assert "Ayşe (already offered this lead)" in why.text, "the second decision, after Decline"
    assert "→ Mehmet: next in the rotation." in why.text
    await ayse.send(f"/why {lead_id}")
    await ayse.wait_for(text_has(f"Why lead #{lead_id}"))
    zeynep = slow_office[ZEYNEP]
    await zeynep.send(f"/why {lead_id}")
    await zeynep.wait_for(text_has("No such lead."))


async def test_accept_racing_the_deadline_has_one_winner(database_url: str) -> None:
    # Missed hot leads would cost Ayşe her next ones; here each is one press against a sweep.
    solo = office(sla=FAST, agents=[{"telegram_id": AYSE, "name": "Ayşe"},
                                    {"telegram_id": SELIN, "name": "Selin", "role": "manager"}],
                  routing={"penalty": {"misses": 10}})
    clock = ManualClock(datetime.now(UTC))  # noqa: TID251 - the test's clock starts today
    async with running_office(solo, database_url, sweep_seconds=0.2, clock=clock) as running:
        await running.start_chats(AYSE, SELIN)
        ayse, sweep, results = running[AYSE], running.runtime.timers.sweep, []
        # Before the deadline; after it, the sweep first; then twice at the same moment.
        for n, (late, sweep_first) in enumerate([(-0.001, False), (0.001, True),
                                                 (0.001, False), (0.0, False)]):
            lead_id = await running.post_lead({**HOT, "phone": f"+90532555000{n}"})
            offer = await ayse.wait_for(offer_for(lead_id))
            accept = offer.buttons[0][0].callback_data
            assert accept is not None
            await running.settled(sweeps=0)  # delivered: the 1 s accept clock runs from now
            clock.advance(timedelta(seconds=1 + late))
            if sweep_first:
                await running.runtime.timers.swept()
            # The tap may land after the edit removed the buttons, as on a slow phone.
            answer, _ = await asyncio.gather(ayse.press_data(offer, accept), sweep())
            assert answer.text is not None
            if "yours" in answer.text:
                await ayse.wait_for(text_has(f"Lead #{lead_id} is yours"))
                results.append("accepted")
            else:
                assert answer.text == "This offer is no longer open."
                await ayse.wait_for(text_has(f"Lead #{lead_id} moved on"))
                await running[SELIN].wait_for(text_has(f"Lead #{lead_id}", "needs a manager"))
                results.append("expired")
            await running.settled()
            escalations = [m for m in running[SELIN].messages if f"#{lead_id}" in m.text]
            assert len(escalations) == (results[-1] == "expired"), "one outcome, never both"
        assert results[:2] == ["accepted", "expired"]


async def test_a_restart_with_a_pending_offer_escalates_exactly_once(database_url: str) -> None:
    config = office(sla={"hot": {"accept_within": "3s", "offers_before_managers": 3}})
    clock = ManualClock(datetime.now(UTC))  # noqa: TID251 - the test's clock starts today
    async with BotApiSandbox(token=BOT_TOKEN) as sandbox:
        async with running_office(config, database_url, sandbox=sandbox, clock=clock) as first:
            await first.start_chats(AYSE, MEHMET, ZEYNEP, SELIN)
            lead_id = await first.post_lead(HOT)
            await first[AYSE].wait_for(offer_for(lead_id))
            await first.settled(sweeps=0)
        clock.advance(timedelta(seconds=3.5))  # the deadline passes while nothing runs
        async with running_office(config, database_url, sandbox=sandbox,
                                  clock=clock) as second:
            await second[MEHMET].wait_for(offer_for(lead_id))
            await second[AYSE].wait_for(text_has(f"Lead #{lead_id} moved on"))
            await second.settled()  # any duplicate sweep or timer has had its turn
        engine = create_engine(database_url)
        async with engine.connect() as conn:
            made = (await conn.execute(select(offers.c.agent_id).where(
                offers.c.lead_id == lead_id).order_by(offers.c.id))).scalars().all()
            expired = (await conn.execute(select(lead_events.c.id).where(
                lead_events.c.lead_id == lead_id, lead_events.c.kind == "expired"))).all()
        await engine.dispose()
    assert list(made) == [AYSE, MEHMET]
    assert len(expired) == 1
    offers_to_mehmet = [m for m in sandbox.user(MEHMET, "Mehmet").messages
                        if f"#{lead_id}" in m.text]
    assert len(offers_to_mehmet) == 1


async def test_a_lead_an_instance_stored_and_did_not_live_to_route_is_routed_by_the_sweep(
    database_url: str,
) -> None:
    from core.lifecycle.intake import admit_lead, store_leads
    from tests.office import TOKEN

    async with running_office(office(), database_url) as running:
        await running.start_chats(AYSE, MEHMET, ZEYNEP)
        relay = running.runtime.app
        # Stored and answered, as by an instance killed before its routing pass: nothing
        # in this process was told about the lead.
        stored = await store_leads(relay.uow(), relay.deps, [
            admit_lead(relay.deps, source_token=TOKEN, payload=HOT)])
        [result] = stored
        await running[AYSE].wait_for(offer_for(result.lead_id))
