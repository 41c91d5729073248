"""/new in core/: a lead taken by phone or at the door, entered one answer at a time, stored
as intake stores one; on in-memory fakes and a manual clock, wired by bootstrap()."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from core.app import App
from core.clock import ManualClock
from core.config import OfficeConfig
from core.errors import (
    AmountTooLarge,
    AnswerTooLong,
    EmptyAnswer,
    NotAnAmount,
    NotAPhone,
    NotTheQuestion,
    UnknownAgent,
)
from core.lifecycle.entry import (
    SKIP,
    TIMINGS,
    EntryStep,
    cancel_entry,
    entry_answer,
    offered_products,
    start_entry,
)
from core.lifecycle.prompts import ask_for
from core.model import LeadStatus, OfferStatus, PromptKind, Temperature
from core.scoring import timing_urgency
from leadrelay.bootstrap import bootstrap
from tests.fakes import FakeDatabase, fake_uow_factory
from tests.office import AYSE, HOT, MEHMET, SELIN, TOKEN, linked, office, office_data

# The office's products: what its roster's specialties and routing rules name.
PEOPLE = [
    {"telegram_id": AYSE, "name": "Ayşe", "specialties": ["residential", "land"]},
    {"telegram_id": MEHMET, "name": "Mehmet", "specialties": ["Residential", "commercial"]},
    {"telegram_id": SELIN, "name": "Selin", "role": "manager"},
]


def entry_office(**changes: object) -> OfficeConfig:
    return office(agents=PEOPLE, **changes)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 11, 25, 9, 0, tzinfo=UTC))


@pytest.fixture
def db() -> FakeDatabase:
    return FakeDatabase()


async def started(config: OfficeConfig, clock: ManualClock, db: FakeDatabase) -> App:
    tokens = (f"tok{i}" for i in itertools.count())
    app = bootstrap(config=config, clock=clock, uow_factory=fake_uow_factory(db),
                    token_factory=lambda: next(tokens))
    return await linked(app, (AYSE, MEHMET, SELIN))


@pytest.fixture
async def relay(clock: ManualClock, db: FakeDatabase) -> App:
    return await started(entry_office(), clock, db)


async def answer(relay: App, person: int, *answers: str) -> EntryStep:
    """Type each of *answers* in turn (SKIP, or `=choice`, presses a button instead)."""
    step = None
    for given in answers:
        if given == SKIP or given.startswith("="):
            step = await relay.run(entry_answer, agent_id=person,
                                   choice=given.removeprefix("="))
        else:
            step = await relay.run(entry_answer, agent_id=person, text=given)
        assert step is not None
    assert step is not None
    return step


async def entered(relay: App, person: int = AYSE) -> EntryStep:
    """Deniz Kaya, entered from start to end as an agent on the phone would."""
    await relay.run(start_entry, agent_id=person)
    return await answer(relay, person, "Deniz Kaya", "0532 123 45 67", "=0",
                        "Istanbul / Kadıköy", "3-5 milyon", "=week")


async def test_each_answer_asks_the_next_question_and_the_last_stores_the_lead(
    relay: App, db: FakeDatabase,
) -> None:
    step = await relay.run(start_entry, agent_id=AYSE)
    questions = [step.question]
    for given in ("Deniz Kaya", "0532 123 45 67", "=0", "Istanbul / Kadıköy", "3-5 milyon"):
        step = await answer(relay, AYSE, given)
        questions.append(step.question)
    assert questions == ["name", "phone", "product", "region", "budget", "timing"]
    assert db.leads == {}, "nothing is stored before the last answer"
    step = await answer(relay, AYSE, "=week")
    assert step.question is None
    assert step.lead is not None
    lead = db.leads[step.lead.id]
    assert (lead.name, lead.phone, lead.product, lead.region) == (
        "Deniz Kaya", "+905321234567", "residential", "Istanbul / Kadıköy")
    assert (lead.budget_min, lead.budget_max, lead.timing) == (3_000_000, 5_000_000,
                                                               "this week")
    assert lead.missing == []
    assert AYSE not in db.prompts, "the entry is over"


async def test_the_lead_carries_the_source_manual_and_is_scored_as_a_manual_lead(
    relay: App, db: FakeDatabase,
) -> None:
    step = await entered(relay)
    assert step.lead is not None
    lead = db.leads[step.lead.id]
    assert lead.source == "manual"
    # budget 40 + timing 30 + region 20 (a district) + manual's warmth 0.8 × 10
    assert (lead.score, lead.temperature) == (98, Temperature.HOT)
    received = next(e for e in db.events if e.lead_id == lead.id and e.kind == "received")
    assert received.data["source"] == "manual"


async def test_the_product_question_offers_the_offices_products_each_once(
    relay: App,
) -> None:
    await relay.run(start_entry, agent_id=AYSE)
    step = await answer(relay, AYSE, "Deniz Kaya", "+90 532 123 45 67")
    assert step.products == ("residential", "land", "commercial")
    assert offered_products(office()) == (), "an office that names none: typed, or skipped"


async def test_a_product_or_a_timing_may_be_typed_instead_of_pressed(
    relay: App, db: FakeDatabase,
) -> None:
    await relay.run(start_entry, agent_id=AYSE)
    step = await answer(relay, AYSE, "Deniz Kaya", "+90 532 123 45 67", "a shop to rent",
                        SKIP, SKIP, "after the summer")
    assert step.lead is not None
    lead = db.leads[step.lead.id]
    assert (lead.product, lead.timing) == ("a shop to rent", "after the summer")


async def test_skipped_questions_leave_their_fields_out_and_the_lead_says_so(
    relay: App, db: FakeDatabase,
) -> None:
    await relay.run(start_entry, agent_id=AYSE)
    step = await answer(relay, AYSE, "Deniz Kaya", "+90 532 123 45 67", SKIP, SKIP, SKIP, SKIP)
    assert step.lead is not None
    lead = db.leads[step.lead.id]
    assert (lead.product, lead.region, lead.budget_min, lead.budget_max, lead.timing) == (
        None, None, None, None, None)
    assert lead.missing == ["product", "region", "budget", "timing"]


async def test_a_bad_phone_says_why_and_keeps_the_question_and_the_answers(
    relay: App, db: FakeDatabase,
) -> None:
    await relay.run(start_entry, agent_id=AYSE)
    await answer(relay, AYSE, "Deniz Kaya")
    for bad in ("12345", "0000000000", "call her"):
        with pytest.raises(NotAPhone) as refused:
            await relay.run(entry_answer, agent_id=AYSE, text=bad)
        assert refused.value.params == {"text": bad}
    prompt = db.prompts[AYSE]
    assert prompt.data["step"] == "phone"
    assert prompt.data["answers"] == {"name": "Deniz Kaya"}
    step = await answer(relay, AYSE, "0532 123 45 67")
    assert step.question == "product"


async def test_an_empty_or_too_long_name_is_refused_and_asked_again(
    relay: App, db: FakeDatabase,
) -> None:
    await relay.run(start_entry, agent_id=AYSE)
    with pytest.raises(EmptyAnswer):
        await relay.run(entry_answer, agent_id=AYSE, text="   ")
    with pytest.raises(AnswerTooLong) as refused:
        await relay.run(entry_answer, agent_id=AYSE, text="x" * 121)
    assert refused.value.params == {"limit": 120}
    assert db.prompts[AYSE].data["step"] == "name"


async def test_the_budget_reads_amounts_and_ranges_as_agents_type_them(
    relay: App, db: FakeDatabase,
) -> None:
    await relay.run(start_entry, agent_id=AYSE)
    await answer(relay, AYSE, "Deniz Kaya", "+90 532 123 45 67", SKIP, SKIP)
    with pytest.raises(NotAnAmount):
        await relay.run(entry_answer, agent_id=AYSE, text="a lot")
    with pytest.raises(AmountTooLarge):
        await relay.run(entry_answer, agent_id=AYSE, text="5000 milyar")
    assert db.prompts[AYSE].data["step"] == "budget"
    step = await answer(relay, AYSE, "2,5 milyon", SKIP)
    assert step.lead is not None
    lead = db.leads[step.lead.id]
    assert (lead.budget_min, lead.budget_max) == (2_500_000, 2_500_000), \
        "one amount is as clear a budget as a range"


async def test_a_press_on_an_earlier_questions_button_is_refused(
    relay: App, db: FakeDatabase,
) -> None:
    await relay.run(start_entry, agent_id=AYSE)
    await answer(relay, AYSE, "Deniz Kaya", "+90 532 123 45 67", SKIP)
    with pytest.raises(NotTheQuestion):  # the product question's Skip, pressed again
        await relay.run(entry_answer, agent_id=AYSE, choice=SKIP, step="product")
    with pytest.raises(NotTheQuestion):  # a timing button on the region question
        await relay.run(entry_answer, agent_id=AYSE, choice="week", step="region")
    assert db.prompts[AYSE].data["step"] == "region"


async def test_cancelling_halfway_stores_nothing_and_ends_the_entry(
    relay: App, db: FakeDatabase,
) -> None:
    await relay.run(start_entry, agent_id=AYSE)
    await answer(relay, AYSE, "Deniz Kaya", "+90 532 123 45 67", "=0")
    assert await relay.run(cancel_entry, agent_id=AYSE) is True
    assert (db.leads, db.contacts, db.prompts, db.events) == ({}, {}, {}, [])
    assert await relay.run(entry_answer, agent_id=AYSE, text="Istanbul") is None
    assert await relay.run(cancel_entry, agent_id=AYSE) is False


async def test_cancelling_an_entry_leaves_a_cards_question_alone(
    relay: App, db: FakeDatabase,
) -> None:
    step = await entered(relay)
    assert step.lead is not None
    await relay.run(ask_for, agent_id=AYSE, lead_id=step.lead.id, kind=PromptKind.NOTE)
    assert await relay.run(cancel_entry, agent_id=AYSE) is False
    assert db.prompts[AYSE].kind is PromptKind.NOTE


async def test_a_cards_question_asked_meanwhile_replaces_the_entry(
    relay: App, db: FakeDatabase,
) -> None:
    first = await entered(relay)
    assert first.lead is not None
    await relay.run(start_entry, agent_id=AYSE)
    await answer(relay, AYSE, "Ece Demir")
    await relay.run(ask_for, agent_id=AYSE, lead_id=first.lead.id, kind=PromptKind.NOTE)
    assert await relay.run(entry_answer, agent_id=AYSE, text="+90 532 765 43 21") is None
    assert len(db.leads) == 1


async def test_an_entry_left_an_hour_is_gone(
    relay: App, db: FakeDatabase, clock: ManualClock,
) -> None:
    await relay.run(start_entry, agent_id=AYSE)
    await answer(relay, AYSE, "Deniz Kaya")
    clock.advance(timedelta(hours=1, seconds=1))
    assert await relay.run(entry_answer, agent_id=AYSE, text="+90 532 123 45 67") is None
    assert db.leads == {}


async def test_an_agents_own_entry_is_theirs_at_once_with_its_card(
    relay: App, db: FakeDatabase, clock: ManualClock,
) -> None:
    step = await entered(relay)
    assert step.kept
    assert step.lead is not None
    lead = db.leads[step.lead.id]
    assert (lead.status, lead.owner_id, lead.accepted_at) == (LeadStatus.OWNED, AYSE,
                                                              clock.now())
    assert [o for o in db.offers.values() if o.lead_id == lead.id] == []
    entered_event = next(e for e in db.events if e.lead_id == lead.id and e.kind == "entered")
    assert (entered_event.agent_id, entered_event.data) == (AYSE, {"kept": True})
    card = db.outbox[-1]
    assert (card.chat_id, card.template) == (AYSE, "card")
    assert card.params["opened"] == "entered"
    assert (card.params["name"], card.params["phone"]) == ("Deniz Kaya", "+905321234567")
    assert (lead.id, AYSE) in db.cards


async def test_with_own_entries_off_the_entry_waits_to_be_routed_like_any_lead(
    clock: ManualClock, db: FakeDatabase,
) -> None:
    relay = await started(entry_office(work={"own_entries": False}), clock, db)
    step = await entered(relay, MEHMET)
    assert not step.kept
    assert step.lead is not None
    lead = db.leads[step.lead.id]
    assert (lead.status, lead.owner_id) == (LeadStatus.NEW, None)
    await relay.route_new_leads()  # what the face does once the entry is stored
    offer = next(o for o in db.offers.values() if o.lead_id == lead.id)
    assert (offer.agent_id, offer.status) == (AYSE, OfferStatus.PENDING), \
        "routed by the rules: the first in the rotation, not whoever entered it"
    entered_event = next(e for e in db.events if e.lead_id == lead.id and e.kind == "entered")
    assert (entered_event.agent_id, entered_event.data) == (MEHMET, {"kept": False})


async def test_a_managers_entry_goes_to_the_team(relay: App, db: FakeDatabase) -> None:
    step = await entered(relay, SELIN)
    assert not step.kept
    assert step.lead is not None
    await relay.route_new_leads()
    lead = db.leads[step.lead.id]
    assert (lead.status, lead.owner_id) == (LeadStatus.OFFERED, None)
    assert next(o for o in db.offers.values() if o.lead_id == lead.id).agent_id == AYSE


async def test_a_known_contacts_entry_joins_them_and_the_card_shows_their_earlier_inquiry(
    relay: App, db: FakeDatabase,
) -> None:
    earlier = (await relay.receive_lead(source_token=TOKEN, payload=HOT)).lead_id
    step = await entered(relay)  # the same phone, typed the local way
    assert step.lead is not None
    lead = db.leads[step.lead.id]
    assert lead.contact_id == db.leads[earlier].contact_id
    assert lead.returning
    assert len(db.contacts) == 1
    assert db.outbox[-1].params["earlier"][0][0] == earlier


async def test_timing_buttons_store_the_persons_words_in_their_language(
    clock: ManualClock, db: FakeDatabase,
) -> None:
    people = [{**PEOPLE[0], "language": "tr"}, *PEOPLE[1:]]
    relay = await started(office(agents=people), clock, db)
    await relay.run(start_entry, agent_id=AYSE)
    step = await answer(relay, AYSE, "Deniz Kaya", "0532 123 45 67", SKIP, SKIP, SKIP, "=week")
    assert step.lead is not None
    assert db.leads[step.lead.id].timing == "bu hafta"


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_each_timing_button_scores_at_the_level_its_words_say(lang: str) -> None:
    levels = {choice: timing_urgency(words[lang]) for choice, words in TIMINGS.items()}
    assert levels == {"week": 1.0, "month": 0.8, "quarter": 0.5, "half": 0.3, "looking": 0.1}


async def test_only_someone_on_the_roster_with_a_chat_may_start_an_entry(
    clock: ManualClock, db: FakeDatabase,
) -> None:
    relay = await started(entry_office(), clock, db)
    with pytest.raises(UnknownAgent):
        await relay.run(start_entry, agent_id=4242)


def test_no_configured_source_may_take_the_name_manual() -> None:
    data = office_data()
    data["sources"] = [{"name": "manual", "token": "manual-token-0123456789"}]
    with pytest.raises(ValueError, match="kept for leads entered with /new"):
        OfficeConfig.model_validate(data)
