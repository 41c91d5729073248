"""The roster in chat, through the use cases on fakes: a manager edits each kind of field of
a profile, bad values and forbidden edits change nothing, the last manager stays one, names
stay unique, a tier set in chat holds until the next review (routing and /why both know),
and /agents reads everyone's status, load, tier and misses as routing does."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.render import Renderer
from core.app import App
from core.clock import ManualClock
from core.errors import (
    BadProfileValue,
    LastManager,
    NameInRules,
    NameTaken,
    NotAManager,
)
from core.lifecycle.answers import accept_offer, decline_offer
from core.lifecycle.prompts import answer_prompt
from core.lifecycle.roster_edit import ProfileEdited, ask_profile_field, set_profile_field
from core.lifecycle.roster_import import sync_roster
from core.lifecycle.worklist import show_card
from core.messages import EscalationRef
from core.model import DeclineReason, LeadStatus, OfferStatus, Role, Tier, Weekday
from core.ports import ROSTER_EDITED
from core.profile_input import ProfileField, read_hours
from core.queries import explain_lead
from core.roster import link_chat
from core.roster_view import ROSTER_PAGE, agent_profile, team_roster
from tests.fakes import FakeDatabase
from tests.office import (
    AYSE,
    CAN,
    HOT,
    MEHMET,
    SELIN,
    TOKEN,
    ZEYNEP,
    office_data,
    office_without_clocks,
    on_fakes,
)

START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # a Wednesday, 12:00 in Istanbul
F = ProfileField


@pytest.fixture
def db() -> FakeDatabase:
    return FakeDatabase()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


async def relay_with(db: FakeDatabase, clock: ManualClock, **changes: object) -> App:
    return await on_fakes(office_without_clocks(**changes), clock, db)


@pytest.fixture
async def relay(db: FakeDatabase, clock: ManualClock) -> App:
    return await relay_with(db, clock)


async def edit(relay: App, field: ProfileField, text: str, *, who: int = MEHMET,
               by: int = SELIN) -> None:
    await relay.run(set_profile_field, by=by, agent_id=who, field=field, text=text)


async def test_a_manager_sets_each_kind_of_field_and_the_roster_is_marked_edited_in_chat(
    relay: App, db: FakeDatabase,
) -> None:
    assert ROSTER_EDITED not in db.settings
    await edit(relay, F.TEAM, "Anadolu")
    await edit(relay, F.TERRITORIES, "Kadıköy, Üsküdar , kadıköy, Üsküdar")
    await edit(relay, F.SPECIALTIES, "land")
    await edit(relay, F.CAPACITY, "12")
    await edit(relay, F.WEIGHT, "1,5")
    await edit(relay, F.HOURS, "pzt-cum 09:30-18:00")
    await edit(relay, F.TIER, "A")
    await edit(relay, F.BACKUP, str(ZEYNEP))
    await edit(relay, F.LANGUAGE, "tr")
    await edit(relay, F.NAME, "Mehmet Ali")
    await edit(relay, F.ROLE, "manager")
    mehmet = db.agents[MEHMET]
    profile = mehmet.profile
    assert (profile.team, profile.territories, profile.specialties) == (
        "Anadolu", ["Kadıköy", "Üsküdar"], ["land"])
    assert (profile.capacity, profile.weight, profile.backup) == (12, 1.5, ZEYNEP)
    assert profile.hours is not None
    assert (profile.hours.days, profile.hours.start) == (list(Weekday)[:5], time(9, 30))
    assert (profile.tier, profile.tier_set_at) == (Tier.A, date(2026, 11, 25))
    assert (mehmet.language, mehmet.name, mehmet.role) == ("tr", "Mehmet Ali", Role.MANAGER)
    assert db.settings[ROSTER_EDITED]["by"] == SELIN
    await edit(relay, F.TEAM, "-")
    await edit(relay, F.CAPACITY, "yok")
    await edit(relay, F.TIER, "auto")
    await edit(relay, F.BACKUP, "none")
    profile = db.agents[MEHMET].profile
    assert (profile.team, profile.capacity, profile.tier, profile.tier_set_at,
            profile.backup) == (None, None, None, None, None)


@pytest.mark.parametrize(("field", "text"), [
    (F.CAPACITY, "0"), (F.CAPACITY, "ten"), (F.CAPACITY, "٣"), (F.WEIGHT, "200"),
    (F.WEIGHT, "0"), (F.WEIGHT, "heavy"), (F.HOURS, "mon-fri 18:00-09:00"),
    (F.HOURS, "someday 9:00-10:00"), (F.HOURS, "all the time"), (F.TIER, "S"),
    (F.BACKUP, str(MEHMET)), (F.BACKUP, "424242"), (F.LANGUAGE, "de"), (F.ROLE, "boss"),
    (F.NAME, "-"), (F.NAME, "x" * 65), (F.TERRITORIES, ",".join(f"t{i}" for i in range(31))),
])
async def test_a_value_a_field_does_not_take_is_refused_with_its_reason_and_changes_nothing(
    relay: App, db: FakeDatabase, field: ProfileField, text: str,
) -> None:
    before = copy.deepcopy(db.agents)
    with pytest.raises(BadProfileValue) as refused:
        await edit(relay, field, text)
    assert refused.value.key == f"roster.bad.{field.value}"
    assert db.agents == before
    assert ROSTER_EDITED not in db.settings


async def test_the_last_active_manager_can_never_be_demoted(relay: App, db: FakeDatabase) -> None:
    with pytest.raises(LastManager):
        await edit(relay, F.ROLE, "agent", who=SELIN)
    assert db.agents[SELIN].role is Role.MANAGER
    await edit(relay, F.ROLE, "manager", who=AYSE)
    await edit(relay, F.ROLE, "agent", who=SELIN, by=AYSE)
    assert db.agents[SELIN].role is Role.AGENT
    with pytest.raises(LastManager):
        await edit(relay, F.ROLE, "agent", who=AYSE, by=AYSE)


async def test_a_demoted_manager_keeps_no_contact_details_of_leads_others_own(
    relay: App, db: FakeDatabase, clock: ManualClock,
) -> None:
    await edit(relay, F.ROLE, "manager")
    theirs = (await relay.receive_lead(source_token=TOKEN, payload=HOT)).lead_id
    offer = next(o for o in db.offers.values() if o.lead_id == theirs)
    await relay.run(accept_offer, agent_id=offer.agent_id, offer_id=offer.id, token=offer.token)
    assert db.leads[theirs].owner_id not in (None, MEHMET)
    await relay.run(show_card, person_id=MEHMET, wanted=str(theirs))
    card_ref = db.cards[(theirs, MEHMET)].ref
    waiting = (await relay.receive_lead(
        source_token=TOKEN, payload={**HOT, "phone": "+905329876543"})).lead_id
    while db.leads[waiting].status is not LeadStatus.WITH_MANAGERS:
        offer = next(o for o in db.offers.values()
                     if o.lead_id == waiting and o.status is OfferStatus.PENDING)
        await relay.run(decline_offer, agent_id=offer.agent_id, offer_id=offer.id,
                        token=offer.token, reason=DeclineReason.BUSY)
    escalation = EscalationRef(waiting, MEHMET).format()
    assert "phone" in next(m.params for m in db.outbox if m.ref == escalation)
    clock.advance(timedelta(minutes=5))
    moment = clock.now()
    await edit(relay, F.ROLE, "agent")
    edits = [m for m in db.outbox if m.chat_id == MEHMET and m.created_at >= moment]
    assert {m.edit_ref for m in edits} == {card_ref, escalation}
    for m in edits:
        assert m.template == "contact_removed"
        assert not ({"phone", "email", "name", "message"} & m.params.keys()), m
    assert db.cards[(theirs, MEHMET)].ref == "", "no refresh shows him the manager's view"


async def test_names_stay_unique_in_the_office_whatever_the_case_or_spelling(
    relay: App, db: FakeDatabase,
) -> None:
    for taken in ("Ayşe", "AYŞE", "ayse", "  Zeynep "):
        with pytest.raises(NameTaken):
            await edit(relay, F.NAME, taken)
    assert db.agents[MEHMET].name == "Mehmet"
    await edit(relay, F.NAME, "Mehmet")  # one's own name again is no clash


async def test_a_person_leadrelay_yaml_names_in_a_rule_keeps_their_name(
    db: FakeDatabase, clock: ManualClock,
) -> None:
    relay = await relay_with(db, clock, routing={"rules": [
        {"name": "land", "pool": {"agents": ["Mehmet"]}, "fallback": "default"},
        {"name": "default", "fallback": "managers"}]})
    with pytest.raises(NameInRules) as refused:
        await edit(relay, F.NAME, "Mehmet Demir")
    assert refused.value.params == {"name": "Mehmet", "rule": "land"}
    assert db.agents[MEHMET].name == "Mehmet"
    await edit(relay, F.NAME, "Ayşe Kaya", who=AYSE)  # named by no rule: free to change


async def test_an_agent_sets_only_their_own_hours_and_language(
    relay: App, db: FakeDatabase,
) -> None:
    await edit(relay, F.HOURS, "mon,wed,fri 10:00-16:00", who=AYSE, by=AYSE)
    await edit(relay, F.LANGUAGE, "tr", who=AYSE, by=AYSE)
    ayse = db.agents[AYSE]
    assert ayse.language == "tr"
    assert ayse.profile.hours is not None
    assert ayse.profile.hours.days == [Weekday.MON, Weekday.WED, Weekday.FRI]
    for field, text, who in ((F.CAPACITY, "50", AYSE), (F.TIER, "A", AYSE),
                             (F.HOURS, "mon 9:00-10:00", MEHMET)):
        with pytest.raises(NotAManager):
            await edit(relay, field, text, who=who, by=AYSE)
    with pytest.raises(NotAManager):
        await relay.run(team_roster, manager_id=AYSE)


def test_working_hours_read_as_people_write_them_in_either_language() -> None:
    fri_to_mon = read_hours("Fri-Mon 8.00-12.00")
    assert fri_to_mon is not None
    assert fri_to_mon.days == [Weekday.FRI, Weekday.SAT, Weekday.SUN, Weekday.MON]
    only_times = read_hours("10:00 - 19:00")
    assert only_times is not None
    assert (only_times.days, only_times.end) == (list(Weekday)[:5], time(19, 0))
    weekend = read_hours("cumartesi, pazar 11:00–15:00")
    assert weekend is not None
    assert weekend.days == [Weekday.SAT, Weekday.SUN]
    assert read_hours("mon-fri-sun 09:00-18:00") is None


async def test_a_typed_answer_sets_the_field_a_bad_one_leaves_the_question_waiting(
    relay: App, db: FakeDatabase,
) -> None:
    await relay.run(ask_profile_field, by=SELIN, agent_id=ZEYNEP, field=F.CAPACITY,
                    message_id=77, view="T")
    with pytest.raises(BadProfileValue):
        await relay.run(answer_prompt, agent_id=SELIN, text="lots")
    assert SELIN in db.prompts, "a value that does not read may be typed again"
    edited = await relay.run(answer_prompt, agent_id=SELIN, text="8")
    assert isinstance(edited, ProfileEdited)
    assert (edited.field, edited.agent.telegram_id, edited.message_id, edited.view) == (
        F.CAPACITY, ZEYNEP, 77, "T")
    assert db.agents[ZEYNEP].profile.capacity == 8
    assert SELIN not in db.prompts
    assert await relay.run(answer_prompt, agent_id=SELIN, text="9") is None


async def test_routing_sees_a_territory_set_in_chat_at_once(
    db: FakeDatabase, clock: ManualClock,
) -> None:
    rules = {"rules": [{"name": "ankara", "pool": {"territories": ["ankara"]},
                        "fallback": "managers"}]}
    relay = await relay_with(db, clock, routing=rules)
    first = (await relay.receive_lead(source_token=TOKEN, payload=HOT)).lead_id
    assert not [o for o in db.offers.values() if o.lead_id == first]
    await edit(relay, F.TERRITORIES, "Ankara", who=ZEYNEP)
    second = (await relay.receive_lead(source_token=TOKEN, payload={
        **HOT, "phone": "+905321234568"})).lead_id
    assert [o.agent_id for o in db.offers.values() if o.lead_id == second] == [ZEYNEP]


TIERED = {"rules": [{"name": "top", "strategy": "tiers", "pool": {"tiers": ["A"]},
                     "fallback": "managers"}]}


async def test_a_tier_set_in_chat_routes_until_the_next_review_and_why_says_so(
    db: FakeDatabase, clock: ManualClock,
) -> None:
    relay = await relay_with(db, clock, routing=TIERED)
    await edit(relay, F.TIER, "A")
    lead_id = (await relay.receive_lead(source_token=TOKEN, payload=HOT)).lead_id
    assert [o.agent_id for o in db.offers.values() if o.lead_id == lead_id] == [MEHMET]
    why = await relay.run(explain_lead, person_id=SELIN, lead_id=lead_id)
    until = (START + timedelta(days=90)).date()
    assert why.decisions[0][1]["detail"]["set_until"] == until.isoformat()
    renderer = Renderer(zone=ZoneInfo("Europe/Istanbul"), office="Test Realty", clock=clock)
    assert "Tier A was set by a manager, until 23.02.2027." in renderer.why("en", why)
    assert "A seviyesini bir yönetici 23.02.2027 tarihine kadar belirledi." in renderer.why(
        "tr", why)
    line = (await relay.run(agent_profile, viewer_id=SELIN, agent_id=MEHMET)).line
    assert (line.tier, line.tier_set_until) == (Tier.A, until)
    clock.advance(timedelta(days=90))  # the review: results (too few yet) decide again
    line = (await relay.run(agent_profile, viewer_id=SELIN, agent_id=MEHMET)).line
    assert line.tier_set_until is None
    later = (await relay.receive_lead(source_token=TOKEN, payload={
        **HOT, "phone": "+905321234568"})).lead_id
    assert not [o for o in db.offers.values() if o.lead_id == later and o.agent_id == MEHMET]


async def test_a_tier_written_in_the_yaml_stays_the_starting_tier_not_a_set_one(
    db: FakeDatabase, clock: ManualClock,
) -> None:
    agents = [{**a, "tier": "A"} if a["telegram_id"] == MEHMET else a  # type: ignore[index]
              for a in office_data()["agents"]]  # type: ignore[attr-defined]
    relay = await relay_with(db, clock, routing=TIERED, agents=agents)
    clock.advance(timedelta(days=400))
    line = (await relay.run(agent_profile, viewer_id=SELIN, agent_id=MEHMET)).line
    assert (line.tier, line.tier_set_until) == (Tier.A, None)


async def test_agents_shows_each_status_and_the_load_routing_counts(
    relay: App, db: FakeDatabase,
) -> None:
    await edit(relay, F.CAPACITY, "3", who=AYSE)
    lead_id = (await relay.receive_lead(source_token=TOKEN, payload=HOT)).lead_id
    offered = next(o.agent_id for o in db.offers.values() if o.lead_id == lead_id)
    db.agents[ZEYNEP].blocked_at = START
    page = await relay.run(team_roster, manager_id=SELIN)
    lines = {line.id: line for line in page.lines}
    assert {i: line.status for i, line in lines.items()} == {
        AYSE: "active", MEHMET: "active", ZEYNEP: "blocked", CAN: "away", SELIN: "active"}
    assert lines[offered].open == 1
    assert (page.page, page.pages, page.total) == (0, 1, 5)


async def test_sixty_people_page_by_twenty_and_someone_who_never_started_says_so(
    db: FakeDatabase, clock: ManualClock,
) -> None:
    agents = [*office_data()["agents"],  # type: ignore[misc]
              *({"telegram_id": 5000 + i, "name": f"Agent {i}"} for i in range(55))]
    relay = await relay_with(db, clock, agents=agents)
    await relay.run(sync_roster)
    await relay.run(link_chat, telegram_id=SELIN, chat_id=SELIN)
    pages = [await relay.run(team_roster, manager_id=SELIN, page=n) for n in range(4)]
    assert [len(p.lines) for p in pages[:3]] == [ROSTER_PAGE, ROSTER_PAGE, 20]
    assert pages[3].page == 2, "a page past the end shows the last"
    assert {line.status for line in pages[2].lines} == {"not_started"}
