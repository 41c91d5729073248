"""The lead lifecycle in core/, on in-memory fakes and a manual clock, wired by bootstrap()."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime, timedelta

import pytest

from core.app import App
from core.clock import ManualClock
from core.errors import (
    InvalidInput,
    InvalidTransition,
    LeadAlreadyHandled,
    NotAManager,
    NotYourOffer,
    OfferNoLongerOpen,
    UnknownAgent,
    UnknownSource,
)
from core.lifecycle.answers import accept_offer, assign_lead, decline_offer
from core.lifecycle.deadlines import escalate_expired_offers
from core.lifecycle.roster_import import sync_roster
from core.lifecycle.working import record_stage
from core.model import DeclineReason, LeadStatus, OfferStatus, Stage
from core.queries import office_stats
from core.roster import link_chat
from leadrelay.bootstrap import bootstrap
from tests.fakes import FakeDatabase, fake_uow_factory
from tests.office import AYSE, CAN, HOT, MEHMET, SELIN, TOKEN, ZEYNEP, office


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 11, 25, 9, 0, tzinfo=UTC))


@pytest.fixture
def db() -> FakeDatabase:
    return FakeDatabase()


@pytest.fixture
async def relay(clock: ManualClock, db: FakeDatabase) -> App:
    tokens = (f"tok{i}" for i in itertools.count())
    app = bootstrap(config=office(), clock=clock, uow_factory=fake_uow_factory(db),
                    token_factory=lambda: next(tokens))
    await app.run(sync_roster)
    for person in (AYSE, MEHMET, ZEYNEP, CAN, SELIN):
        await app.run(link_chat, telegram_id=person, chat_id=person)
    return app


def pending_offer(db: FakeDatabase, lead_id: int):  # type: ignore[no-untyped-def]
    return next(o for o in db.offers.values()
                if o.lead_id == lead_id and o.status is OfferStatus.PENDING)


async def test_a_hot_lead_is_offered_to_the_first_agent_with_a_deadline(
    relay: App, db: FakeDatabase, clock: ManualClock
) -> None:
    result = await relay.receive_lead(source_token=TOKEN, payload=HOT)
    offer = pending_offer(db, result.lead_id)
    assert offer.agent_id == AYSE
    assert offer.deadline == clock.now() + timedelta(minutes=5)
    message = db.outbox[-1]
    assert (message.chat_id, message.template) == (AYSE, "offer")
    assert "phone" not in message.params, "contact details must wait for Accept"


async def test_round_robin_continues_where_it_left_off(relay: App, db: FakeDatabase) -> None:
    owners = []
    for n in range(4):
        result = await relay.receive_lead(
            source_token=TOKEN, payload={**HOT, "phone": f"+90532123450{n}"})
        owners.append(pending_offer(db, result.lead_id).agent_id)
    assert owners == [AYSE, MEHMET, ZEYNEP, AYSE], "Can is away, Selin is a manager"


async def test_an_agent_who_never_pressed_start_is_skipped(
    clock: ManualClock, db: FakeDatabase
) -> None:
    app = bootstrap(config=office(), clock=clock, uow_factory=fake_uow_factory(db))
    await app.run(sync_roster)
    await app.run(link_chat, telegram_id=MEHMET, chat_id=MEHMET)
    result = await app.receive_lead(source_token=TOKEN, payload=HOT)
    assert pending_offer(db, result.lead_id).agent_id == MEHMET


async def test_accept_makes_the_lead_theirs_and_opens_the_contact(
    relay: App, db: FakeDatabase
) -> None:
    lead_id = (await relay.receive_lead(source_token=TOKEN, payload=HOT)).lead_id
    offer = pending_offer(db, lead_id)
    await relay.run(accept_offer, agent_id=AYSE, offer_id=offer.id, token=offer.token)
    lead = db.leads[lead_id]
    assert (lead.status, lead.owner_id) == (LeadStatus.OWNED, AYSE)
    edit = db.outbox[-1]
    assert edit.edit_ref == f"offer:{offer.id}"
    assert edit.params["phone"] == "+905321234567"


async def test_only_the_offered_agent_can_accept(relay: App, db: FakeDatabase) -> None:
    lead_id = (await relay.receive_lead(source_token=TOKEN, payload=HOT)).lead_id
    offer = pending_offer(db, lead_id)
    with pytest.raises(NotYourOffer):
        await relay.run(accept_offer, agent_id=MEHMET, offer_id=offer.id, token=offer.token)
    assert db.leads[lead_id].status is LeadStatus.OFFERED


async def test_a_stale_token_changes_nothing(relay: App, db: FakeDatabase) -> None:
    lead_id = (await relay.receive_lead(source_token=TOKEN, payload=HOT)).lead_id
    offer = pending_offer(db, lead_id)
    with pytest.raises(OfferNoLongerOpen):
        await relay.run(accept_offer, agent_id=AYSE, offer_id=offer.id, token="forged")
    assert db.offers[offer.id].status is OfferStatus.PENDING


async def test_a_second_accept_learns_it_lost(relay: App, db: FakeDatabase) -> None:
    lead_id = (await relay.receive_lead(source_token=TOKEN, payload=HOT)).lead_id
    offer = pending_offer(db, lead_id)
    await relay.run(accept_offer, agent_id=AYSE, offer_id=offer.id, token=offer.token)
    with pytest.raises(OfferNoLongerOpen):
        await relay.run(accept_offer, agent_id=AYSE, offer_id=offer.id, token=offer.token)


async def test_decline_offers_the_lead_to_the_next_agent(
    relay: App, db: FakeDatabase
) -> None:
    lead_id = (await relay.receive_lead(source_token=TOKEN, payload=HOT)).lead_id
    first = pending_offer(db, lead_id)
    await relay.run(decline_offer, agent_id=AYSE, offer_id=first.id, token=first.token,
                              reason=DeclineReason.NOT_MY_AREA)
    assert db.offers[first.id].decline_reason is DeclineReason.NOT_MY_AREA
    assert pending_offer(db, lead_id).agent_id == MEHMET


async def test_an_expired_offer_moves_on_and_then_goes_to_the_managers(
    relay: App, db: FakeDatabase, clock: ManualClock
) -> None:
    lead_id = (await relay.receive_lead(source_token=TOKEN, payload=HOT)).lead_id
    clock.advance(timedelta(minutes=4, seconds=59))
    assert await relay.run_in_turns(escalate_expired_offers) == []
    clock.advance(timedelta(seconds=1))
    assert len(await relay.run_in_turns(escalate_expired_offers)) == 1
    assert pending_offer(db, lead_id).agent_id == MEHMET
    clock.advance(timedelta(minutes=5))
    await relay.run_in_turns(escalate_expired_offers)
    lead = db.leads[lead_id]
    assert lead.status is LeadStatus.WITH_MANAGERS, "hot leads go to managers after 2 offers"
    alert = next(m for m in db.outbox if m.template == "escalated")
    assert alert.chat_id == SELIN
    # The available first; then Can, away, and Selin, a manager, marked.
    assert [name for _, name in alert.params["choices"]] == [
        "Ayşe", "Mehmet", "Zeynep", "Can", "Selin"]
    assert alert.params["marks"] == {str(CAN): "away", str(SELIN): "manager"}


async def test_a_second_sweep_never_escalates_twice(
    relay: App, db: FakeDatabase, clock: ManualClock
) -> None:
    await relay.receive_lead(source_token=TOKEN, payload=HOT)
    clock.advance(timedelta(minutes=6))
    first = await relay.run_in_turns(escalate_expired_offers)
    second = await relay.run_in_turns(escalate_expired_offers)
    assert (len(first), second) == (1, [])


async def test_accept_after_expiry_learns_the_offer_moved_on(
    relay: App, db: FakeDatabase, clock: ManualClock
) -> None:
    lead_id = (await relay.receive_lead(source_token=TOKEN, payload=HOT)).lead_id
    offer = pending_offer(db, lead_id)
    clock.advance(timedelta(minutes=5))
    await relay.run_in_turns(escalate_expired_offers)
    with pytest.raises(OfferNoLongerOpen):
        await relay.run(accept_offer, agent_id=AYSE, offer_id=offer.id, token=offer.token)


async def test_a_manager_assigns_an_escalated_lead_once(
    relay: App, db: FakeDatabase, clock: ManualClock
) -> None:
    lead_id = (await relay.receive_lead(source_token=TOKEN, payload=HOT)).lead_id
    for _ in range(2):
        clock.advance(timedelta(minutes=5))
        await relay.run_in_turns(escalate_expired_offers)
    with pytest.raises(NotAManager):
        await relay.run(assign_lead, manager_id=AYSE, lead_id=lead_id, agent_id=AYSE)
    await relay.run(assign_lead, manager_id=SELIN, lead_id=lead_id, agent_id=ZEYNEP)
    assert db.leads[lead_id].owner_id == ZEYNEP
    with pytest.raises(LeadAlreadyHandled):
        await relay.run(assign_lead, manager_id=SELIN, lead_id=lead_id, agent_id=MEHMET)


async def test_the_same_external_id_from_the_same_source_creates_nothing(
    relay: App, db: FakeDatabase
) -> None:
    first = await relay.receive_lead(source_token=TOKEN, payload={**HOT, "external_id": "f-1"})
    again = await relay.receive_lead(source_token=TOKEN, payload={**HOT, "external_id": "f-1"})
    assert (again.lead_id, again.created) == (first.lead_id, False)
    assert len(db.leads) == 1


async def test_the_same_person_by_email_joins_one_contact(
    relay: App, db: FakeDatabase
) -> None:
    await relay.receive_lead(source_token=TOKEN, payload={"email": "deniz@example.com"})
    await relay.receive_lead(source_token=TOKEN, payload={"email": " Deniz@Example.com",
                                                          "phone": "05321234567"})
    assert len(db.contacts) == 1
    assert next(iter(db.contacts.values())).phone == "+905321234567"


async def test_a_returning_contact_goes_to_their_current_owner_first(
    relay: App, db: FakeDatabase
) -> None:
    first = (await relay.receive_lead(source_token=TOKEN, payload=HOT)).lead_id
    offer = pending_offer(db, first)
    await relay.run(decline_offer, agent_id=AYSE, offer_id=offer.id, token=offer.token,
                              reason=DeclineReason.BUSY)
    offer = pending_offer(db, first)
    await relay.run(accept_offer, agent_id=MEHMET, offer_id=offer.id, token=offer.token)
    second = (await relay.receive_lead(source_token=TOKEN, payload=HOT)).lead_id
    assert pending_offer(db, second).agent_id == MEHMET
    assert db.leads[second].returning


async def test_with_nobody_available_the_lead_goes_straight_to_managers(
    clock: ManualClock, db: FakeDatabase
) -> None:
    app = bootstrap(config=office(), clock=clock, uow_factory=fake_uow_factory(db))
    await app.run(sync_roster)
    await app.run(link_chat, telegram_id=SELIN, chat_id=SELIN)
    lead_id = (await app.receive_lead(source_token=TOKEN, payload=HOT)).lead_id
    assert db.leads[lead_id].status is LeadStatus.WITH_MANAGERS
    assert db.outbox[-1].params["reason"] == "no_agent"


async def test_a_wrong_source_token_is_refused_before_anything_is_stored(
    relay: App, db: FakeDatabase
) -> None:
    with pytest.raises(UnknownSource):
        await relay.receive_lead(source_token="nope", payload=HOT)
    with pytest.raises(InvalidInput):
        await relay.receive_lead(source_token=TOKEN, payload={"name": "no phone"})
    assert db.leads == {}


async def test_outcomes_move_forward_and_close_the_lead(relay: App, db: FakeDatabase) -> None:
    lead_id = (await relay.receive_lead(source_token=TOKEN, payload=HOT)).lead_id
    offer = pending_offer(db, lead_id)
    await relay.run(accept_offer, agent_id=AYSE, offer_id=offer.id, token=offer.token)
    await relay.run(record_stage, agent_id=AYSE, lead_id=lead_id, stage=Stage.CONTACTED)
    with pytest.raises(InvalidTransition):
        await relay.run(record_stage, agent_id=AYSE, lead_id=lead_id, stage=Stage.CONTACTED)
    lead = await relay.run(record_stage, agent_id=AYSE, lead_id=lead_id, stage=Stage.WON,
                                      note="250,000")
    assert (lead.status, lead.amount) == (LeadStatus.CLOSED, 250_000)
    assert lead.contacted_at is not None


async def test_strangers_cannot_link_a_chat(relay: App) -> None:
    with pytest.raises(UnknownAgent):
        await relay.run(link_chat, telegram_id=424242, chat_id=424242)


async def test_stats_count_offers_accepts_and_sla_per_agent(
    relay: App, db: FakeDatabase, clock: ManualClock
) -> None:
    first = (await relay.receive_lead(source_token=TOKEN, payload=HOT)).lead_id
    offer = pending_offer(db, first)
    clock.advance(timedelta(seconds=30))
    await relay.run(accept_offer, agent_id=AYSE, offer_id=offer.id, token=offer.token)
    await relay.receive_lead(source_token=TOKEN, payload={**HOT, "phone": "+905551112233"})
    clock.advance(timedelta(minutes=6))
    await relay.run_in_turns(escalate_expired_offers)
    stats = await relay.run(office_stats, manager_id=SELIN, period="today")
    assert (stats.leads_in, stats.office.offered, stats.office.accepted,
            stats.office.expired) == (2, 3, 1, 1)
    assert stats.office.median_accept_s == 30
    assert stats.office.sla_met_pct == 50
    per_agent = {agent.name: figures.offered for agent, figures in stats.per_agent}
    assert per_agent == {"Ayşe": 1, "Mehmet": 1, "Zeynep": 1}
    with pytest.raises(NotAManager):
        await relay.run(office_stats, manager_id=AYSE, period="today")


async def test_a_failed_unit_of_work_leaves_nothing_behind(
    relay: App, db: FakeDatabase
) -> None:
    lead_id = (await relay.receive_lead(source_token=TOKEN, payload=HOT)).lead_id
    offer = pending_offer(db, lead_id)
    outbox_before = len(db.outbox)
    with pytest.raises(NotYourOffer):
        await relay.run(decline_offer, agent_id=MEHMET, offer_id=offer.id, token=offer.token,
                                  reason=DeclineReason.BUSY)
    assert len(db.outbox) == outbox_before


async def test_a_batch_is_stored_in_one_transaction_and_routed_in_one_more(
    relay: App, db: FakeDatabase
) -> None:
    from core.lifecycle.intake import admit_lead, receive_leads

    payloads = [{**HOT, "external_id": "x-1"}, {**HOT, "external_id": "x-1"},
                {"email": "deniz@example.com", "phone": HOT["phone"]},
                {"phone": "+905550000001"}]
    batch = [admit_lead(relay.deps, source_token=TOKEN, payload=p) for p in payloads]
    commits = db.commits
    results = await receive_leads(relay.uow(), relay.deps, batch)
    assert db.commits == commits + 2
    assert [r.created for r in results] == [True, False, True, True]
    assert results[0].lead_id == results[1].lead_id
    assert len(db.leads) == 3
    assert len(db.contacts) == 2, "the same phone twice in one batch is one person"
    assert db.leads[results[2].lead_id].returning
    owners = [pending_offer(db, r.lead_id).agent_id for r in (results[0], results[2], results[3])]
    assert owners == [AYSE, MEHMET, ZEYNEP], "one rotation, advanced once per new lead"


async def test_routing_follows_a_stored_lead_without_anyone_waiting_for_it(
    relay: App, db: FakeDatabase
) -> None:
    result = await relay.receive_lead(source_token=TOKEN, payload=HOT, routed=False)
    for _ in range(100):  # nobody calls route_new_leads: the store kicked the routing loop
        if db.leads[result.lead_id].status is not LeadStatus.NEW:
            break
        await asyncio.sleep(0)
    assert db.leads[result.lead_id].status is LeadStatus.OFFERED
    assert pending_offer(db, result.lead_id).agent_id == AYSE


async def test_a_lone_lead_is_offered_in_the_transaction_that_stores_it(
    relay: App, db: FakeDatabase
) -> None:
    commits = db.commits
    result = await relay.receive_lead(source_token=TOKEN, payload=HOT, routed=False)
    assert result.routed
    assert db.commits == commits + 1, "stored and routed in one commit"
    assert db.leads[result.lead_id].status is LeadStatus.OFFERED
    assert pending_offer(db, result.lead_id).agent_id == AYSE
    assert [m.chat_id for m in db.outbox if m.template == "offer"] == [AYSE]


async def test_a_lead_the_rules_fail_on_at_intake_is_stored_and_goes_to_the_managers(
    relay: App, db: FakeDatabase, caplog: pytest.LogCaptureFixture
) -> None:
    from core.routing import RoutingRules

    class Choking(RoutingRules):
        """The office's rules, failing on one phone number as a bug in a rule would."""

        def decide(self, lead, situation, **options):  # type: ignore[no-untyped-def]
            if lead.phone == "+905550000066":
                raise RuntimeError("a rule failed")
            return super().decide(lead, situation, **options)

    object.__setattr__(relay.deps, "rules", Choking(relay.config.routing))
    bad = await relay.receive_lead(source_token=TOKEN, payload={**HOT, "phone": "+905550000066"})
    good = await relay.receive_lead(source_token=TOKEN,
                                    payload={**HOT, "phone": "+905550000067"})
    assert bad.created
    assert not bad.routed
    assert db.leads[bad.lead_id].status is LeadStatus.WITH_MANAGERS
    assert good.routed
    assert db.leads[good.lead_id].status is LeadStatus.OFFERED
    assert any("stored them alone" in r.getMessage() for r in caplog.records)


async def test_one_routing_turn_takes_every_lead_waiting(
    relay: App, db: FakeDatabase
) -> None:
    from core.lifecycle.intake import admit_lead, store_leads
    from core.lifecycle.routing import route_new_leads

    for n in range(3):  # as if three requests, or three instances, had stored one each
        await store_leads(relay.uow(), relay.deps, [admit_lead(
            relay.deps, source_token=TOKEN, payload={**HOT, "phone": f"+90555000000{n}"})])
    commits = db.commits
    assert await route_new_leads(relay.uow(), relay.deps) == 3
    assert db.commits == commits + 1
    owners = [pending_offer(db, lead_id).agent_id for lead_id in sorted(db.leads)]
    assert owners == [AYSE, MEHMET, ZEYNEP], "stored order is routing order"
    assert await route_new_leads(relay.uow(), relay.deps) == 0


async def test_a_lead_routing_fails_on_goes_to_the_managers(
    relay: App, db: FakeDatabase
) -> None:
    from core.lifecycle.intake import admit_lead, store_leads
    from core.lifecycle.routing import hand_unroutable_to_managers, unrouted_leads

    good, bad = await store_leads(relay.uow(), relay.deps, [
        admit_lead(relay.deps, source_token=TOKEN, payload={**HOT, "phone": f"+9055500000{n}"})
        for n in (10, 11)])
    assert await unrouted_leads(relay.uow(), relay.deps, limit=10) == [good.lead_id, bad.lead_id]
    assert await hand_unroutable_to_managers(relay.uow(), relay.deps, lead_id=bad.lead_id)
    assert db.leads[bad.lead_id].status is LeadStatus.WITH_MANAGERS
    assert db.leads[good.lead_id].status is LeadStatus.NEW, "only the lead that failed"
    [alert] = [m for m in db.outbox if m.template == "escalated"]
    assert (alert.chat_id, alert.params["reason"]) == (SELIN, "routing_failed")
    assert alert.params["choices"], "the manager can assign it with one press"
    assert not await hand_unroutable_to_managers(relay.uow(), relay.deps, lead_id=bad.lead_id)
