"""Moving a lead by hand: /assign and /reassign naming the agent by id or the start of their
name (choices when it names several, a clear error when nobody), the reason recorded and
told, and an owner handing a lead back. On fakes through the real bootstrap."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.handover_keyboards import (
    ReassignList,
    ReassignPick,
    ReturnPress,
    decode_handover,
    encode_handover,
)
from bot.keyboards import MAX_ID
from bot.render import Renderer
from core.app import App
from core.clock import ManualClock
from core.errors import (
    AlreadyTheirs,
    ChangedHands,
    LeadAlreadyHandled,
    NoSuchAgent,
    NotYourLead,
    UseAssign,
    UseReassign,
)
from core.lifecycle.answers import assign_lead, decline_offer
from core.lifecycle.handover import reassign_lead
from core.lifecycle.reassignment import AgentPick, pick_agent, return_lead
from core.lifecycle.working import remind_me
from core.model import (
    DeclineReason,
    LeadStatus,
    OfferStatus,
    ReassignReason,
    ReturnReason,
    TaskKind,
)
from core.queries import explain_lead
from core.roster import link_chat
from tests.fakes import FakeDatabase
from tests.office import (
    AYSE,
    HOT,
    MEHMET,
    SELIN,
    TOKEN,
    ZEYNEP,
    office_data,
    office_without_clocks,
    on_fakes,
    owned,
)

START = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)  # a Wednesday, 09:00 in Istanbul
AYSEGUL, OKAN = 1011, 1012


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def db() -> FakeDatabase:
    return FakeDatabase()


@pytest.fixture
async def relay(clock: ManualClock, db: FakeDatabase) -> App:
    agents = [*office_data()["agents"],  # type: ignore[misc]
              {"telegram_id": AYSEGUL, "name": "Ayşegül Demir"},
              {"telegram_id": OKAN, "name": "Okan", "role": "manager"}]
    relay = await on_fakes(office_without_clocks(agents=agents), clock, db)
    for person in (AYSEGUL, OKAN):
        await relay.run(link_chat, telegram_id=person, chat_id=person)
    return relay


async def escalated(relay: App, db: FakeDatabase) -> int:
    """A hot lead declined by the two agents it was offered to: with the managers now."""
    lead_id = (await relay.receive_lead(source_token=TOKEN, payload=HOT)).lead_id
    for _ in range(2):
        offer = next(o for o in db.offers.values()
                     if o.lead_id == lead_id and o.status is OfferStatus.PENDING)
        await relay.run(decline_offer, agent_id=offer.agent_id, offer_id=offer.id,
                        token=offer.token, reason=DeclineReason.BUSY)
    assert db.leads[lead_id].status is LeadStatus.WITH_MANAGERS
    return lead_id


async def pick(relay: App, lead_id: int, wanted: str | None, *,
               reassign: bool = False) -> AgentPick:
    return await relay.run(pick_agent, manager_id=SELIN, lead_id=lead_id, wanted=wanted,
                           reassign=reassign)


async def test_assign_finds_the_agent_by_the_start_of_their_name_in_any_case_and_spelling(
    relay: App, db: FakeDatabase,
) -> None:
    lead_id = await escalated(relay, db)
    assert (await pick(relay, lead_id, "zey")).agent == [ZEYNEP, "Zeynep"]
    assert (await pick(relay, lead_id, "AYSE")).agent == [AYSE, "Ayşe"], "the whole name wins"
    assert (await pick(relay, lead_id, "demir")).agent == [AYSEGUL, "Ayşegül Demir"]
    assert (await pick(relay, lead_id, str(MEHMET))).agent == [MEHMET, "Mehmet"]
    found = await pick(relay, lead_id, "zey")
    assert found.agent is not None
    lead = await relay.run(assign_lead, manager_id=SELIN, lead_id=lead_id,
                           agent_id=found.agent[0])
    assert (lead.owner_id, lead.status) == (ZEYNEP, LeadStatus.OWNED)
    assert [(e.agent_id, e.data) for e in db.events if e.kind == "assigned"] == [
        (ZEYNEP, {"by": SELIN})]


async def test_a_prefix_naming_several_agents_offers_just_them_to_choose_from(
    relay: App, db: FakeDatabase,
) -> None:
    lead_id = await escalated(relay, db)
    found = await pick(relay, lead_id, "ayş")
    assert found.agent is None
    assert sorted(found.choices) == [[AYSE, "Ayşe"], [AYSEGUL, "Ayşegül Demir"]]
    everyone = await pick(relay, lead_id, None)
    assert {AYSE, MEHMET, ZEYNEP, AYSEGUL} <= {c[0] for c in everyone.choices}
    assert everyone.marks.get(str(SELIN)) == "manager", "the available first, the rest marked"


async def test_a_name_that_matches_nobody_is_a_clear_error_naming_it(
    relay: App, db: FakeDatabase,
) -> None:
    lead_id = await escalated(relay, db)
    with pytest.raises(NoSuchAgent) as refused:
        await pick(relay, lead_id, "burak")
    assert refused.value.params == {"name": "burak"}


async def test_assign_and_reassign_each_point_to_the_other_for_the_wrong_kind_of_lead(
    relay: App, db: FakeDatabase,
) -> None:
    owned_id, owner = await owned(relay, db)
    with pytest.raises(UseReassign):
        await pick(relay, owned_id, "zey")
    with pytest.raises(LeadAlreadyHandled):  # a second Assign press: someone was first
        await relay.run(assign_lead, manager_id=SELIN, lead_id=owned_id, agent_id=ZEYNEP)
    waiting = await escalated(relay, db)
    with pytest.raises(UseAssign):
        await pick(relay, waiting, "zey", reassign=True)
    owner_name = db.agents[owner].name
    with pytest.raises(AlreadyTheirs):
        await pick(relay, owned_id, owner_name, reassign=True)


async def test_reassign_records_who_and_why_and_tells_both_agents(
    relay: App, db: FakeDatabase, clock: ManualClock,
) -> None:
    lead_id, owner = await owned(relay, db)
    other = next(i for i in (AYSE, MEHMET, ZEYNEP) if i != owner)
    await relay.run(remind_me, agent_id=owner, lead_id=lead_id, choice="1h")  # an open task
    lead = await relay.run(reassign_lead, manager_id=SELIN, lead_id=lead_id, agent_id=other,
                           reason=ReassignReason.CUSTOMER_ASKED, expected_owner=owner)
    assert lead.owner_id == other
    assert [e.data for e in db.events if e.kind == "reassigned"] == [
        {"from": owner, "by": SELIN, "to": other, "reason": "customer"}]
    told = [m for m in db.outbox if m.template == "reclaimed" and m.chat_id == owner]
    assert [(m.params["brief"], m.edit_ref is not None, m.params["why"]) for m in told] == [
        (True, True, "customer"), (False, False, "customer")]
    assert not any("phone" in m.params or "email" in m.params for m in told)
    card = [m for m in db.outbox if m.template == "card"][-1]
    assert card.chat_id == other
    assert card.params["phone"] == HOT["phone"]
    assert {t.agent_id for t in db.tasks.values()
            if t.done_at is None and t.kind is TaskKind.REMINDER} == {other}, "tasks go along"
    renderer = Renderer(zone=relay.config.zone, office="Test Realty", clock=clock)
    brief = renderer.outgoing("reclaimed", {**told[0].params, "lang": "en"}).text
    assert f"It is with {db.agents[other].name} now." in brief
    assert "Customer asked" in brief
    why = renderer.why("en", await relay.run(explain_lead, person_id=SELIN, lead_id=lead_id))
    assert (f"Selin moved it from {db.agents[owner].name} to {db.agents[other].name} — "
            "Customer asked") in why


async def test_a_reassignment_chosen_before_another_managers_loses_and_changes_nothing(
    relay: App, db: FakeDatabase,
) -> None:
    lead_id, owner = await owned(relay, db)
    first, second = [i for i in (AYSE, MEHMET, ZEYNEP) if i != owner]
    await relay.run(reassign_lead, manager_id=OKAN, lead_id=lead_id, agent_id=first,
                    reason=ReassignReason.WORKLOAD, expected_owner=owner)
    with pytest.raises(ChangedHands) as lost:
        await relay.run(reassign_lead, manager_id=SELIN, lead_id=lead_id, agent_id=second,
                        reason=ReassignReason.BETTER_FIT, expected_owner=owner)
    assert lost.value.params == {"lead_id": lead_id, "owner": db.agents[first].name}
    assert db.leads[lead_id].owner_id == first
    assert len([e for e in db.events if e.kind == "reassigned"]) == 1


async def test_a_returned_lead_goes_to_someone_else_and_never_back_to_the_returner(
    relay: App, db: FakeDatabase, clock: ManualClock,
) -> None:
    lead_id, owner = await owned(relay, db)
    lead = await relay.run(return_lead, agent_id=owner, lead_id=lead_id,
                           reason=ReturnReason.NOT_MY_AREA)
    assert (lead.owner_id, lead.status) == (None, LeadStatus.OFFERED)
    assert [(e.agent_id, e.data) for e in db.events if e.kind == "returned"] == [
        (owner, {"reason": "area"})]
    [offer] = [o for o in db.offers.values()
               if o.lead_id == lead_id and o.status is OfferStatus.PENDING]
    assert offer.agent_id != owner
    [card] = [m for m in db.outbox if m.template == "reclaimed" and m.chat_id == owner]
    assert card.edit_ref is not None
    assert "phone" not in card.params
    assert all(t.done_at is not None for t in db.tasks.values() if t.lead_id == lead_id)
    await relay.run(decline_offer, agent_id=offer.agent_id, offer_id=offer.id,
                    token=offer.token, reason=DeclineReason.BUSY)
    assert all(o.agent_id != owner for o in db.offers.values()
               if o.lead_id == lead_id and o.status is OfferStatus.PENDING)
    escalation = [m for m in db.outbox if m.template == "escalated"][-1]
    assert {"agent": db.agents[owner].name, "status": "returned", "reason": "area"} in \
        escalation.params["outcomes"], "the managers hear why it came back"
    renderer = Renderer(zone=relay.config.zone, office="Test Realty", clock=clock)
    text = renderer.outgoing("escalated", {**escalation.params, "lang": "tr"}).text
    assert f"{db.agents[owner].name} geri verdi (Benim bölgem değil)" in text
    why = renderer.why("en", await relay.run(explain_lead, person_id=SELIN, lead_id=lead_id))
    assert f"{db.agents[owner].name} handed it back — Not my area" in why


async def test_only_the_owner_can_return_a_lead(relay: App, db: FakeDatabase) -> None:
    lead_id, owner = await owned(relay, db)
    other = next(i for i in (AYSE, MEHMET, ZEYNEP) if i != owner)
    for someone in (other, SELIN):
        with pytest.raises(NotYourLead):
            await relay.run(return_lead, agent_id=someone, lead_id=lead_id,
                            reason=ReturnReason.OTHER)
    assert db.leads[lead_id].owner_id == owner
    assert not any(e.kind == "returned" for e in db.events)


@pytest.mark.parametrize("action", [
    ReassignList(MAX_ID, MAX_ID, everyone=True),
    ReassignPick(MAX_ID, MAX_ID, MAX_ID),
    *(ReassignPick(MAX_ID, MAX_ID, MAX_ID, reason) for reason in ReassignReason),
    ReturnPress(MAX_ID), *(ReturnPress(MAX_ID, reason) for reason in ReturnReason),
])
def test_every_hand_over_button_fits_telegram_and_reads_back_as_written(action: object) -> None:
    data = encode_handover(action)  # type: ignore[arg-type]
    assert len(data.encode()) <= 64
    assert decode_handover(data) == action


@pytest.mark.parametrize("data", ["h:1:2", "h:1:2:3:z", "g:1:q", "H:1:2:x", "g:x", "h:1:2:3:4:5"])
def test_a_hand_over_button_we_did_not_write_reads_as_none(data: str) -> None:
    assert decode_handover(data) is None
