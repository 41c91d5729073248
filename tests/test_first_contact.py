"""The first-contact clock after Accept: met, missed (managers told, with Reassign; the owner
nudged), missed twice (taken back and routed again), and the miss counted toward the hot-lead
penalty. On fakes through the real bootstrap, and end to end through the sandbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from core.app import App
from core.clock import ManualClock
from core.lifecycle.answers import accept_offer
from core.lifecycle.handover import reassign_lead
from core.lifecycle.working import log_attempt, undo_last_change
from core.model import LeadStatus, OfferStatus, TaskKind
from sandbox import BotApiSandbox
from tests.fakes import FakeDatabase
from tests.harness import (
    BOT_TOKEN,
    BRISK,
    RunningOffice,
    offer_for,
    running_office,
    text_has,
    until,
)
from tests.office import (
    AYSE,
    CAN,
    HOT,
    MEHMET,
    SELIN,
    TOKEN,
    ZEYNEP,
    office,
    office_data,
    on_fakes,
    owned,
    sweep_at,
)

START = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)  # a Wednesday, 09:00 in Istanbul


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def db() -> FakeDatabase:
    return FakeDatabase()


@pytest.fixture
async def relay(clock: ManualClock, db: FakeDatabase) -> App:
    return await on_fakes(office(), clock, db)


def sent(db: FakeDatabase, template: str) -> list[tuple[int, str | None]]:
    return [(m.chat_id, m.edit_ref) for m in db.outbox if m.template == template]


async def test_a_first_call_logged_in_time_stops_the_clock_and_nobody_is_told(
    relay: App, db: FakeDatabase, clock: ManualClock,
) -> None:
    lead_id, owner = await owned(relay, db)
    assert db.leads[lead_id].contact_due_at == START + timedelta(minutes=15), "hot: 15 minutes"
    clock.advance(timedelta(minutes=10))
    await relay.run(log_attempt, agent_id=owner, lead_id=lead_id, reached=False)
    await sweep_at(relay, clock, START + timedelta(hours=2))
    assert sent(db, "contact_missed") == []
    assert sent(db, "contact_nudge") == []
    assert db.leads[lead_id].owner_id == owner
    assert all(t.done_at is not None for t in db.tasks.values()
               if t.kind is TaskKind.FIRST_CONTACT)


async def test_a_missed_first_call_tells_the_managers_once_and_nudges_the_owner(
    relay: App, db: FakeDatabase, clock: ManualClock,
) -> None:
    lead_id, owner = await owned(relay, db)
    await sweep_at(relay, clock, START + timedelta(minutes=14, seconds=59))
    assert sent(db, "contact_missed") == []
    await sweep_at(relay, clock, START + timedelta(minutes=15))
    await sweep_at(relay, clock, START + timedelta(minutes=16))  # a second sweep: nothing new
    assert sent(db, "contact_missed") == [(SELIN, None)]
    assert sent(db, "contact_nudge") == [(owner, None)]
    [missed] = [m for m in db.outbox if m.template == "contact_missed"]
    assert [name for _, name in missed.params["choices"]] == [
        *(n for i, n in ((AYSE, "Ayşe"), (MEHMET, "Mehmet"), (ZEYNEP, "Zeynep")) if i != owner),
        "Can", "Selin"], "whoever can take it now first (not the owner), the marked last"
    assert missed.params["marks"] == {str(CAN): "away", str(SELIN): "manager"}
    assert [e.agent_id for e in db.events if e.kind == "contact_missed"] == [owner]
    assert db.leads[lead_id].owner_id == owner, "only told, not taken yet"


async def test_a_call_logged_after_the_miss_tells_the_managers_it_was_made(
    relay: App, db: FakeDatabase, clock: ManualClock,
) -> None:
    lead_id, owner = await owned(relay, db)
    await sweep_at(relay, clock, START + timedelta(minutes=20))
    await relay.run(log_attempt, agent_id=owner, lead_id=lead_id, reached=True)
    assert sent(db, "miss_closed") == [(SELIN, f"miss:{first_call(db, lead_id)}:{SELIN}")]
    await sweep_at(relay, clock, START + timedelta(hours=1))
    assert db.leads[lead_id].owner_id == owner, "reached in the end: not taken back"
    assert not any(e.kind == "reclaimed" for e in db.events)


async def test_missed_by_the_second_deadline_the_lead_goes_to_someone_else(
    relay: App, db: FakeDatabase, clock: ManualClock,
) -> None:
    lead_id, owner = await owned(relay, db)
    await sweep_at(relay, clock, START + timedelta(minutes=15))
    await sweep_at(relay, clock, START + timedelta(minutes=30))
    lead = db.leads[lead_id]
    assert (lead.owner_id, lead.status, lead.contact_due_at) == (None, LeadStatus.OFFERED, None)
    [offer] = [o for o in db.offers.values()
               if o.lead_id == lead_id and o.status is OfferStatus.PENDING]
    assert offer.agent_id != owner
    assert [(e.agent_id, e.data) for e in db.events if e.kind == "reclaimed"] == [
        (owner, {"reason": "first_contact"})]
    told = [m for m in db.outbox if m.template == "reclaimed" and m.chat_id == owner]
    assert [(m.params["brief"], m.edit_ref is not None) for m in told] == [
        (True, True), (False, False)], "the card edited without the phone, and a word why"
    assert "phone" not in told[0].params
    assert sent(db, "miss_closed") == [(SELIN, f"miss:{first_call(db, lead_id)}:{SELIN}")]
    assert all(t.done_at is not None for t in db.tasks.values() if t.lead_id == lead_id)


async def test_a_manager_reassigns_a_missed_lead_with_its_tasks_and_a_fresh_clock(
    relay: App, db: FakeDatabase, clock: ManualClock,
) -> None:
    lead_id, owner = await owned(relay, db)
    await sweep_at(relay, clock, START + timedelta(minutes=16))
    other = next(i for i in (AYSE, MEHMET, ZEYNEP) if i != owner)
    lead = await relay.run(reassign_lead, manager_id=SELIN, lead_id=lead_id, agent_id=other)
    assert (lead.owner_id, lead.accepted_at) == (other, START + timedelta(minutes=16))
    assert lead.contact_due_at == START + timedelta(minutes=31), "the new owner's 15 minutes"
    assert [(e.agent_id, e.data["from"]) for e in db.events if e.kind == "reassigned"] == [
        (other, owner)]
    assert [m.params["reason"] for m in db.outbox
            if m.template == "reclaimed" and m.edit_ref is None] == ["reassigned"]
    assert [m.chat_id for m in db.outbox if m.template == "card"][-1] == other
    open_clocks = [t for t in db.tasks.values() if (t.done_at is None and not t.kind.shown)
                   or (t.done_at is None and t.kind is TaskKind.FIRST_CONTACT)]
    assert {t.agent_id for t in open_clocks} == {other}
    await sweep_at(relay, clock, START + timedelta(minutes=30))
    assert db.leads[lead_id].owner_id == other, "the old owner's second deadline is gone"


async def test_two_missed_first_calls_in_a_week_cost_the_agent_hot_leads(
    relay: App, db: FakeDatabase, clock: ManualClock,
) -> None:
    for n in range(2):
        lead_id = (await relay.receive_lead(source_token=TOKEN, payload={
            **HOT, "phone": f"+90532123450{n}"})).lead_id
        await _miss_as(relay, db, clock, AYSE, lead_id)
        clock.advance(timedelta(hours=1))
    third = (await relay.receive_lead(source_token=TOKEN, payload={
        **HOT, "phone": "+905321234509"})).lead_id
    [routed] = [e for e in db.events if e.kind == "routed" and e.lead_id == third]
    skipped = {agent: reason for step in routed.data["steps"]
               for agent, reason, _ in step["skipped"]}
    assert skipped[AYSE] == "penalty"
    assert all(o.agent_id != AYSE for o in db.offers.values() if o.lead_id == third)


async def _miss_as(relay: App, db: FakeDatabase, clock: ManualClock, agent: int,
                   lead_id: int) -> None:
    """Have *agent* own *lead_id* (a manager's pick if rotation chose another) and miss its
    first call, then make it."""
    offer = next(o for o in db.offers.values()
                 if o.lead_id == lead_id and o.status is OfferStatus.PENDING)
    await relay.run(accept_offer, agent_id=offer.agent_id, offer_id=offer.id, token=offer.token)
    if offer.agent_id != agent:
        await relay.run(reassign_lead, manager_id=SELIN, lead_id=lead_id, agent_id=agent)
    await sweep_at(relay, clock, clock.now() + timedelta(minutes=15))
    await relay.run(log_attempt, agent_id=agent, lead_id=lead_id, reached=True)


# --- through the bot and the Bot API sandbox -----------------------------------------------


@pytest.fixture
async def sandbox() -> AsyncIterator[BotApiSandbox]:
    sandbox = BotApiSandbox(token=BOT_TOKEN)
    await sandbox.start()
    yield sandbox
    await sandbox.stop()


@pytest.fixture
async def running(database_url: str, clock: ManualClock) -> AsyncIterator[RunningOffice]:
    data = office_data()
    agents = [{**a, "language": "tr"} if a["telegram_id"] == AYSE else a  # type: ignore[index]
              for a in data["agents"]]  # type: ignore[attr-defined]
    config = office(agents=agents, timezone="Europe/Istanbul")
    async with running_office(config, database_url, clock=clock, limits=BRISK) as running:
        await running.start_chats(AYSE, MEHMET, ZEYNEP, SELIN)
        yield running


def now_of(running: RunningOffice, person: int, message_id: int) -> str:
    return next(m.text for m in running[person].messages if m.message_id == message_id)


@pytest.mark.slow
async def test_missed_reassigned_and_missed_again_end_to_end_in_both_languages(
    running: RunningOffice, clock: ManualClock,
) -> None:
    ayse, mehmet, selin = running[AYSE], running[MEHMET], running[SELIN]
    lead_id = await running.post_lead(HOT)
    await ayse.press(await ayse.wait_for(text_has(f"talep #{lead_id}")), "✅ Kabul et")
    card = await ayse.wait_for(text_has(f"#{lead_id}", "İlk arama"))
    assert "+90 532 123 45 67" in card.text
    clock.advance(timedelta(minutes=15))
    await running.settled()
    nudge = await ayse.wait_for(text_has(f"#{lead_id}", "ilk aramanızı bekliyor"))
    assert "kadar kartına bir deneme girin" in nudge.text
    missed = await selin.wait_for(text_has(f"Lead #{lead_id}", "Ayşe has not tried"))
    assert {"👤 Mehmet", "👤 Zeynep"} <= set(missed.button_texts())
    assert "👤 Ayşe" not in missed.button_texts()
    await selin.press(missed, "👤 Mehmet")
    given = await mehmet.wait_for(text_has(f"Selin assigned lead #{lead_id}"))
    assert "+90 532 123 45 67" in given.text
    await ayse.wait_for(text_has(f"#{lead_id}", "Mehmet'e verdi"))
    await until(lambda: "artık sizde değil" in now_of(running, AYSE, card.message_id))
    assert "+90 532" not in now_of(running, AYSE, card.message_id), "the phone is gone"
    await until(lambda: "was given to Mehmet by Selin" in now_of(running, SELIN,
                                                                  missed.message_id))
    clock.advance(timedelta(minutes=30))  # Mehmet misses both of his deadlines
    await running.settled()
    await mehmet.wait_for(text_has(f"Lead #{lead_id} was taken back", "no first call"))
    await until(lambda: "+90 532" not in now_of(running, MEHMET, given.message_id))
    zeynep = running[ZEYNEP]
    await zeynep.wait_for(offer_for(lead_id))
    assert not [m for m in ayse.messages if m.message_id > card.message_id
                and "✅ Kabul et" in m.button_texts()], "never back to someone it was taken from"


def first_call(db: FakeDatabase, lead_id: int) -> int:
    """The id of the lead's (first) first-contact clock."""
    return min(t.id for t in db.tasks.values()
               if t.lead_id == lead_id and t.kind is TaskKind.FIRST_CONTACT)


@pytest.mark.slow
async def test_a_first_call_missed_while_the_bot_was_down_is_reported_once_after_restart(
    database_url: str, clock: ManualClock, sandbox: BotApiSandbox,
) -> None:
    config = office(timezone="Europe/Istanbul")
    async with running_office(config, database_url, sandbox=sandbox, clock=clock,
                              limits=BRISK) as running:
        await running.start_chats(AYSE, MEHMET, ZEYNEP, SELIN)
        ayse = running[AYSE]
        lead_id = await running.post_lead(HOT)
        await ayse.press(await ayse.wait_for(offer_for(lead_id)), "✅ Accept")
        await ayse.wait_for(text_has(f"Lead #{lead_id} is yours"))
    clock.advance(timedelta(minutes=20))  # the first deadline passes while nobody runs
    async with running_office(config, database_url, sandbox=sandbox, clock=clock,
                              limits=BRISK) as running:
        selin = running[SELIN]
        await selin.wait_for(text_has(f"Lead #{lead_id}", "has not tried"))
        await running.settled()
        assert sum(f"Lead #{lead_id}" in m.text and "has not tried" in m.text
                   for m in selin.messages) == 1
        assert sum("waiting for your first call" in m.text for m in running[AYSE].messages) == 1
        assert not [m for m in running[MEHMET].messages if f"#{lead_id}" in m.text], \
            "not taken back before the second deadline"


async def test_many_first_calls_missed_at_once_are_each_reported_once(
    relay: App, db: FakeDatabase, clock: ManualClock,
) -> None:
    leads = [(await owned(relay, db))[0] for _ in range(30)]  # more than a batch of the sweep
    await sweep_at(relay, clock, START + timedelta(minutes=15))
    await sweep_at(relay, clock, START + timedelta(minutes=16))
    missed = sorted(e.lead_id for e in db.events if e.kind == "contact_missed")
    assert missed == sorted(leads)
    assert len(sent(db, "contact_missed")) == 30, "one word to the manager for each"


async def test_a_first_call_taken_back_with_undo_sets_the_clock_running_again(
    relay: App, db: FakeDatabase, clock: ManualClock,
) -> None:
    lead_id, owner = await owned(relay, db)
    clock.advance(timedelta(minutes=5))
    await relay.run(log_attempt, agent_id=owner, lead_id=lead_id, reached=True)
    clock.advance(timedelta(minutes=1))
    await relay.run(undo_last_change, agent_id=owner, lead_id=lead_id)
    await sweep_at(relay, clock, START + timedelta(minutes=15))
    assert sent(db, "contact_missed") == [(SELIN, None)], "due at its first deadline still"
    await sweep_at(relay, clock, START + timedelta(minutes=30))
    assert [e.data["reason"] for e in db.events if e.kind == "reclaimed"] == ["first_contact"]


async def test_an_undo_after_a_reported_miss_does_not_report_it_twice(
    relay: App, db: FakeDatabase, clock: ManualClock,
) -> None:
    lead_id, owner = await owned(relay, db)
    await sweep_at(relay, clock, START + timedelta(minutes=15))
    clock.advance(timedelta(minutes=5))
    await relay.run(log_attempt, agent_id=owner, lead_id=lead_id, reached=True)
    clock.advance(timedelta(minutes=1))
    await relay.run(undo_last_change, agent_id=owner, lead_id=lead_id)
    await sweep_at(relay, clock, START + timedelta(minutes=29))
    assert db.leads[lead_id].owner_id == owner
    await sweep_at(relay, clock, START + timedelta(minutes=30))
    assert len(sent(db, "contact_missed")) == 1
    assert [e.data["reason"] for e in db.events if e.kind == "reclaimed"] == ["first_contact"]
