"""Away, back and deactivation on fakes through the real bootstrap and the manual clock:
pending offers move on at once, open leads go to the backup (or routing) with both told,
untouched ones come back, an away with an end date ends by itself, every change is in the
availability history, and a deactivated person's cards lose the contact details."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest

from core.app import App
from core.away_words import AwayAsk, parse_away
from core.clock import ManualClock
from core.config import OfficeConfig
from core.deps import Deps
from core.errors import LastManager, NotAManager, UnknownAgent
from core.lifecycle.answers import accept_offer
from core.lifecycle.availability import (
    come_back,
    deactivate_agent,
    find_person,
    go_away,
    return_from_ended_aways,
)
from core.lifecycle.away_handover import give_back, returnable
from core.lifecycle.deadlines import chat_unreachable
from core.lifecycle.roster_import import replace_roster, sync_roster
from core.lifecycle.working import add_note, book_appointment
from core.model import DeclineReason, LeadStatus, OfferStatus, Task, TaskKind
from core.ports import ROSTER_EDITED, UnitOfWork
from core.roster import as_config, roster
from leadrelay.bootstrap import bootstrap
from tests.fakes import FakeDatabase, fake_uow_factory
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
    office_without_clocks,
    on_fakes,
    sweep_at,
)

START = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)  # a Wednesday, 09:00 in Istanbul
TODAY = date(2026, 11, 25)
BACKUPS = {AYSE: MEHMET, MEHMET: ZEYNEP, ZEYNEP: AYSE}
# Ayşe gets every lead while she can; without her, anyone.
AYSE_FIRST = {"rules": [
    {"name": "ayse", "pool": {"agents": ["Ayşe"]}, "fallback": "default"},
    {"name": "default", "fallback": "managers"}]}


def config(*, ayse_first: bool = True, leads_to: str = "backup") -> OfficeConfig:
    agents = [{**a, "backup": BACKUPS[a["telegram_id"]]}  # type: ignore[index]
              if a["telegram_id"] in BACKUPS else a  # type: ignore[index]
              for a in office_data()["agents"]]  # type: ignore[attr-defined]
    base = office_without_clocks()
    work = {**base.work.model_dump(include={"reclaim", "outcome_prompts"}),
            "away": {"leads_to": leads_to}}
    extra = {"routing": AYSE_FIRST} if ayse_first else {}
    return office_without_clocks(agents=agents, **extra).model_copy(update={
        "work": type(base.work).model_validate(work)})


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def db() -> FakeDatabase:
    return FakeDatabase()


_PHONES = itertools.count(4567)


async def received(relay: App) -> int:
    """A new hot lead, each from a contact of its own (a returning one would go to its
    owner)."""
    payload = {**HOT, "phone": f"+90532123{next(_PHONES):04d}"}
    return (await relay.receive_lead(source_token=TOKEN, payload=payload)).lead_id


def pending_of(db: FakeDatabase, lead_id: int) -> list[tuple[int, int]]:
    return [(o.id, o.agent_id) for o in db.offers.values()
            if o.lead_id == lead_id and o.status is OfferStatus.PENDING]


async def accepted(relay: App, db: FakeDatabase) -> int:
    lead_id = await received(relay)
    [(offer_id, agent)] = pending_of(db, lead_id)
    await relay.run(accept_offer, agent_id=agent, offer_id=offer_id,
                    token=db.offers[offer_id].token)
    return lead_id


def sent_after(db: FakeDatabase, moment: datetime, chat: int, template: str) -> list[dict]:
    return [m.params for m in db.outbox
            if m.chat_id == chat and m.template == template and m.created_at >= moment]


async def test_going_away_withdraws_a_pending_offer_at_once_and_it_moves_on(
    clock: ManualClock, db: FakeDatabase,
) -> None:
    relay = await on_fakes(config(ayse_first=False), clock, db)
    lead_id = await received(relay)
    [(offer_id, holder)] = pending_of(db, lead_id)
    clock.advance(timedelta(seconds=30))
    result = await relay.run(go_away, agent_id=holder, by=holder, until=None)
    offer = db.offers[offer_id]
    assert (offer.status, offer.decline_reason) == (OfferStatus.WITHDRAWN, DeclineReason.AWAY)
    [(_, next_agent)] = pending_of(db, lead_id)
    assert next_agent not in (holder, CAN), "on to someone who can take it, not a minute later"
    assert result.offers == 1
    [edit] = [m for m in db.outbox if m.template == "offer_withdrawn"]
    assert (edit.chat_id, edit.edit_ref, edit.params["reason"]) == (
        holder, f"offer:{offer_id}", "away")
    assert [e.kind for e in db.events if e.lead_id == lead_id][-3:] == [
        "withdrawn_away", "routed", "offered"]
    second = await received(relay)
    assert holder not in [a for _, a in pending_of(db, second)], "no new offers while away"


async def test_open_leads_go_to_the_backup_and_both_are_told(
    clock: ManualClock, db: FakeDatabase,
) -> None:
    relay = await on_fakes(config(), clock, db)
    lead_id = await accepted(relay, db)
    assert db.leads[lead_id].owner_id == AYSE
    clock.advance(timedelta(hours=1))
    moment = clock.now()
    result = await relay.run(go_away, agent_id=AYSE, by=AYSE, until=TODAY + timedelta(days=2))
    assert result.handed == [(lead_id, "Mehmet")]
    assert db.leads[lead_id].owner_id == MEHMET
    [card] = sent_after(db, moment, MEHMET, "card")
    assert (card["opened"], card["by"]) == ("handover", "Ayşe")
    assert card["phone"] == db.leads[lead_id].phone, "the backup gets how to reach them"
    told = sent_after(db, moment, AYSE, "reclaimed")
    assert sorted((p["reason"], p.get("brief", False), p.get("to")) for p in told) == [
        ("away", False, "Mehmet"), ("away", True, "Mehmet")]
    assert all("phone" not in p for p in told), "her card loses the contact details"
    [handed] = [e for e in db.events if e.kind == "handed_over_away"]
    assert (handed.agent_id, handed.data) == (
        MEHMET, {"from": AYSE, "to": MEHMET, "reason": "away"})
    assert db.agents[AYSE].profile.away_until == TODAY + timedelta(days=2)
    assert db.settings.get("roster_edited") is not None


async def test_a_backup_away_too_sends_the_lead_back_to_routing(
    clock: ManualClock, db: FakeDatabase,
) -> None:
    relay = await on_fakes(config(), clock, db)
    lead_id = await accepted(relay, db)
    await relay.run(go_away, agent_id=MEHMET, by=SELIN, until=None)
    result = await relay.run(go_away, agent_id=AYSE, by=AYSE, until=None)
    assert result.handed == [(lead_id, None)]
    lead = db.leads[lead_id]
    assert lead.owner_id is None
    assert lead.status is LeadStatus.OFFERED
    assert [a for _, a in pending_of(db, lead_id)] == [ZEYNEP], "neither she nor Mehmet"
    assert [p["reason"] for p in sent_after(db, START, AYSE, "reclaimed")
            if not p.get("brief")] == ["away_routing"]
    [told] = sent_after(db, START, MEHMET, "away_changed")
    assert (told["away"], told["by"]) == (True, "Selin")


async def test_keep_leaves_the_leads_with_the_one_away(
    clock: ManualClock, db: FakeDatabase,
) -> None:
    relay = await on_fakes(config(leads_to="keep"), clock, db)
    lead_id = await accepted(relay, db)
    assert (await relay.run(go_away, agent_id=AYSE, by=AYSE, until=None)).handed == []
    assert db.leads[lead_id].owner_id == AYSE


async def test_coming_back_returns_the_untouched_leads_and_keeps_the_worked_ones(
    clock: ManualClock, db: FakeDatabase,
) -> None:
    relay = await on_fakes(config(), clock, db)
    untouched, worked = await accepted(relay, db), await accepted(relay, db)
    await relay.run(go_away, agent_id=AYSE, by=AYSE, until=None)
    clock.advance(timedelta(hours=2))
    await relay.run(add_note, agent_id=MEHMET, lead_id=worked, text="Called, wants a visit")
    clock.advance(timedelta(days=1))
    moment = clock.now()
    result = await relay.run(come_back, agent_id=AYSE, by=AYSE)
    assert result.returned == [untouched]
    assert (db.leads[untouched].owner_id, db.leads[worked].owner_id) == (AYSE, MEHMET)
    [card] = sent_after(db, moment, AYSE, "card")
    assert (card["lead_id"], card["opened"], card["by"]) == (untouched, "returned", "Mehmet")
    assert [(p["reason"], p.get("to")) for p in sent_after(db, moment, MEHMET, "reclaimed")
            if not p.get("brief")] == [("back_from_away", "Ayşe")]
    assert not db.agents[AYSE].away
    second = await received(relay)
    assert [a for _, a in pending_of(db, second)] == [AYSE], "offers reach her again"


async def test_an_away_with_an_end_date_ends_by_itself_the_day_after(
    clock: ManualClock, db: FakeDatabase,
) -> None:
    relay = await on_fakes(config(), clock, db)
    lead_id = await accepted(relay, db)
    await relay.run(go_away, agent_id=AYSE, by=AYSE, until=TODAY + timedelta(days=1))
    clock.advance(timedelta(days=1, hours=12))  # the last day, 21:00 in Istanbul
    assert await relay.run(return_from_ended_aways) == []
    clock.advance(timedelta(hours=4))  # 01:00 the day after, in the office's zone
    assert await relay.run(return_from_ended_aways) == [AYSE]
    assert db.leads[lead_id].owner_id == AYSE
    assert db.agents[AYSE].profile.away_until is None
    [told] = sent_after(db, START, AYSE, "away_changed")
    assert (told["away"], told.get("by"), told["leads"]) == (False, None, 1)
    assert await relay.run(return_from_ended_aways) == []


async def test_every_change_is_in_the_history_with_its_time_and_who(
    clock: ManualClock, db: FakeDatabase,
) -> None:
    relay = await on_fakes(config(), clock, db)
    await relay.run(go_away, agent_id=AYSE, by=AYSE, until=TODAY + timedelta(days=3))
    clock.advance(timedelta(hours=1))
    await relay.run(come_back, agent_id=AYSE, by=SELIN)
    clock.advance(timedelta(hours=1))
    await relay.run(go_away, agent_id=ZEYNEP, by=SELIN, until=TODAY)
    clock.advance(timedelta(days=1))
    await relay.run(return_from_ended_aways)
    await relay.run(deactivate_agent, agent_id=MEHMET, by=SELIN)
    hour = timedelta(hours=1)
    assert [(c.agent_id, c.at - START, c.away, c.until, c.by, c.reason)
            for c in db.availability] == [
        (AYSE, 0 * hour, True, TODAY + timedelta(days=3), AYSE, "away"),
        (AYSE, hour, False, None, SELIN, "back"),
        (ZEYNEP, 2 * hour, True, TODAY, SELIN, "away"),
        (ZEYNEP, 26 * hour, False, None, None, "ended"),
        (MEHMET, 26 * hour, True, None, SELIN, "deactivated"),
    ]


async def test_only_a_manager_sets_someone_else_away(
    clock: ManualClock, db: FakeDatabase,
) -> None:
    relay = await on_fakes(config(), clock, db)
    with pytest.raises(NotAManager):
        await relay.run(go_away, agent_id=MEHMET, by=AYSE, until=None)
    with pytest.raises(NotAManager):
        await relay.run(deactivate_agent, agent_id=MEHMET, by=AYSE)


async def test_deactivation_moves_everything_on_and_strips_contact_details_from_old_cards(
    clock: ManualClock, db: FakeDatabase,
) -> None:
    relay = await on_fakes(config(), clock, db)
    first, second = await accepted(relay, db), await accepted(relay, db)
    waiting = await received(relay)
    assert pending_of(db, waiting)[0][1] == AYSE
    clock.advance(timedelta(hours=1))
    moment = clock.now()
    result = await relay.run(deactivate_agent, agent_id=AYSE, by=SELIN)
    assert result.offers == 1
    assert result.handed == [(first, "Mehmet"), (second, "Mehmet")]
    assert not db.agents[AYSE].active
    assert AYSE not in [a for _, a in pending_of(db, waiting)]
    edits = [m for m in db.outbox if m.chat_id == AYSE and m.created_at >= moment]
    assert edits
    assert all(m.edit_ref is not None for m in edits), "edits only, no news"
    for m in edits:
        assert not ({"phone", "email", "name", "message"} & m.params.keys()), m
    stripped = {m.params["lead_id"] for m in edits if m.template == "contact_removed"}
    assert stripped == {first, second}
    assert await relay.run(find_person, by=SELIN, text="Mehmet") is not None


async def test_the_last_manager_cannot_be_deactivated(
    clock: ManualClock, db: FakeDatabase,
) -> None:
    relay = await on_fakes(config(), clock, db)
    with pytest.raises(LastManager):
        await relay.run(deactivate_agent, agent_id=SELIN, by=SELIN)
    assert db.agents[SELIN].active
    assert db.availability == []


async def test_a_person_is_found_by_id_or_a_unique_start_of_their_name(
    clock: ManualClock, db: FakeDatabase,
) -> None:
    relay = await on_fakes(config(), clock, db)
    assert (await relay.run(find_person, by=SELIN, text="meh")).telegram_id == MEHMET
    assert (await relay.run(find_person, by=SELIN, text=str(ZEYNEP))).name == "Zeynep"
    assert (await relay.run(find_person, by=SELIN, text="AYŞE")).telegram_id == AYSE
    await relay.run(go_away, agent_id=SELIN, by=SELIN, until=None)  # away is still found
    assert (await relay.run(find_person, by=SELIN, text="sel")).telegram_id == SELIN
    with pytest.raises(UnknownAgent):
        await relay.run(find_person, by=SELIN, text="Nobody")


@pytest.mark.parametrize(("text", "asked"), [
    ("", AwayAsk(None, None)),
    ("for 3 days", AwayAsk(None, TODAY + timedelta(days=2))),
    ("3 gün", AwayAsk(None, TODAY + timedelta(days=2))),
    ("until friday", AwayAsk(None, date(2026, 11, 27))),
    ("cumaya kadar", AwayAsk(None, date(2026, 11, 27))),
    ("yarın", AwayAsk(None, TODAY + timedelta(days=1))),
    ("2026-12-24", AwayAsk(None, date(2026, 12, 24))),
    ("Ayşe until pzt", AwayAsk("Ayşe", date(2026, 11, 30))),
    ("Mehmet", AwayAsk("Mehmet", None)),
    ("until 2020-01-01", None),
    ("for 0 days", AwayAsk("for 0 days", None)),
])
def test_away_reads_a_day_or_a_number_of_days_after_an_optional_name(
    text: str, asked: AwayAsk | None,
) -> None:
    assert parse_away(text, today=TODAY) == asked


async def test_a_missed_first_calls_reassign_buttons_mark_who_is_away_as_assign_does(
    clock: ManualClock, db: FakeDatabase,
) -> None:
    agents = [{**a, "away_until": "2026-11-26"} if a["telegram_id"] == ZEYNEP  # type: ignore[index]
              else a for a in office_data()["agents"]]  # type: ignore[attr-defined]
    relay = await on_fakes(office(agents=agents), clock, db)
    lead_id = await accepted(relay, db)
    owner = db.leads[lead_id].owner_id
    await sweep_at(relay, clock, START + timedelta(minutes=16))
    [missed] = [m.params for m in db.outbox if m.template == "contact_missed"]
    assert owner not in [i for i, _ in missed["choices"]]
    assert missed["marks"] == {str(ZEYNEP): "away", str(CAN): "away", str(SELIN): "manager"}
    marked = [i for i, _ in missed["choices"]][-3:]
    assert set(marked) == {ZEYNEP, CAN, SELIN}, "the available first, the marked last"


async def test_an_imported_roster_that_leaves_someone_out_takes_them_off_like_a_deactivation(
    clock: ManualClock, db: FakeDatabase,
) -> None:
    relay = await on_fakes(config(), clock, db)
    first = await accepted(relay, db)
    waiting = await received(relay)
    assert pending_of(db, waiting)[0][1] == AYSE
    listed = [as_config(a) for a in await relay.run(roster)
              if a.telegram_id != AYSE and a.active]
    await relay.run(replace_roster, people=listed)
    assert not db.agents[AYSE].active
    assert AYSE not in [a for _, a in pending_of(db, waiting)]
    assert db.leads[first].owner_id != AYSE
    changes = [(c.agent_id, c.reason, c.by) for c in db.availability]
    assert changes == [(AYSE, "deactivated", None)]
    assert db.settings[ROSTER_EDITED]["by"] is None


async def test_a_person_leadrelay_yaml_drops_is_taken_off_at_the_next_reload(
    clock: ManualClock, db: FakeDatabase,
) -> None:
    relay = await on_fakes(config(ayse_first=False), clock, db)
    first = await accepted(relay, db)
    owner = db.leads[first].owner_id
    assert owner is not None
    data = office_data()
    data["agents"] = [a for a in data["agents"]  # type: ignore[attr-defined]
                      if a["telegram_id"] != owner]
    reloaded = bootstrap(config=OfficeConfig.model_validate(data), clock=clock,
                         uow_factory=fake_uow_factory(db))
    await reloaded.run(sync_roster)
    assert not db.agents[owner].active
    assert db.leads[first].owner_id != owner
    assert [(c.agent_id, c.reason, c.by) for c in db.availability] == [
        (owner, "deactivated", None)]
    assert ROSTER_EDITED not in db.settings, "the file is still the roster"


async def test_an_away_that_ends_by_its_date_is_no_edit_of_the_roster(
    clock: ManualClock, db: FakeDatabase,
) -> None:
    data = office_data()
    data["agents"] = [{**a, "away_until": "2026-11-20"} if a["telegram_id"] == AYSE else a
                      for a in data["agents"]]  # type: ignore[attr-defined]
    relay = await on_fakes(OfficeConfig.model_validate(data), clock, db)
    assert await relay.run(return_from_ended_aways) == [AYSE]
    assert db.agents[AYSE].profile.away_until is None
    assert ROSTER_EDITED not in db.settings


def open_tasks(db: FakeDatabase, lead_id: int) -> list[Task]:
    return [t for t in db.tasks.values() if t.lead_id == lead_id and t.done_at is None]


async def test_a_booked_meeting_goes_with_the_lead_to_the_backup_and_comes_back_with_it(
    clock: ManualClock, db: FakeDatabase,
) -> None:
    relay = await on_fakes(config(), clock, db)
    lead_id = await accepted(relay, db)
    meeting = START + timedelta(days=3)
    await relay.run(book_appointment, agent_id=AYSE, lead_id=lead_id, at=meeting)
    clock.advance(timedelta(hours=1))
    moment = clock.now()
    await relay.run(go_away, agent_id=AYSE, by=AYSE, until=None)
    [task] = [t for t in open_tasks(db, lead_id) if t.kind is TaskKind.APPOINTMENT]
    assert (task.agent_id, task.due_at) == (MEHMET, meeting), "the meeting is his to keep now"
    [card] = sent_after(db, moment, MEHMET, "card")
    assert card["next_task"] == ["appointment", meeting.isoformat()]
    clock.advance(timedelta(hours=1))
    await relay.run(come_back, agent_id=AYSE, by=AYSE)
    assert db.leads[lead_id].owner_id == AYSE
    [task] = [t for t in open_tasks(db, lead_id) if t.kind is TaskKind.APPOINTMENT]
    assert (task.agent_id, task.due_at) == (AYSE, meeting)


async def test_a_lead_sent_back_to_routing_has_its_meeting_closed_as_nobody_owns_it(
    clock: ManualClock, db: FakeDatabase,
) -> None:
    relay = await on_fakes(config(), clock, db)
    lead_id = await accepted(relay, db)
    await relay.run(book_appointment, agent_id=AYSE, lead_id=lead_id,
                    at=START + timedelta(days=3))
    await relay.run(go_away, agent_id=MEHMET, by=SELIN, until=None)
    await relay.run(go_away, agent_id=AYSE, by=AYSE, until=None)
    assert db.leads[lead_id].owner_id is None
    assert open_tasks(db, lead_id) == []


async def _returnable(uow: UnitOfWork, deps: Deps, /, *, agent_id: int) -> list[int]:
    async with uow.reading():
        agent = await uow.agents.get(agent_id)
        return await returnable(uow, agent) if agent is not None else []


async def _give_back(uow: UnitOfWork, deps: Deps, /, *, agent_id: int,
                     lead_ids: list[int]) -> list[int]:
    async with uow:
        agent = await uow.agents.get(agent_id)
        leads = await uow.leads.lock_all(lead_ids)
        back = await give_back(uow, deps, agent, leads, deps.clock.now()) if agent else []
        await uow.commit()
    return back


async def test_a_lead_the_backup_works_after_the_return_was_read_stays_with_the_backup(
    clock: ManualClock, db: FakeDatabase,
) -> None:
    relay = await on_fakes(config(), clock, db)
    lead_id = await accepted(relay, db)
    await relay.run(go_away, agent_id=AYSE, by=AYSE, until=None)
    clock.advance(timedelta(hours=1))
    assert await relay.run(_returnable, agent_id=AYSE) == [lead_id]
    await relay.run(add_note, agent_id=MEHMET, lead_id=lead_id, text="Calling them now")
    assert await relay.run(_give_back, agent_id=AYSE, lead_ids=[lead_id]) == []
    assert db.leads[lead_id].owner_id == MEHMET
    assert [e.kind for e in db.events if e.lead_id == lead_id][-1] == "note"


async def test_deactivating_someone_who_blocked_the_bot_still_strips_their_cards_quietly(
    clock: ManualClock, db: FakeDatabase,
) -> None:
    relay = await on_fakes(config(), clock, db)
    lead_id = await accepted(relay, db)
    await relay.run(chat_unreachable, chat_id=AYSE, offer_id=None, error="Forbidden: blocked")
    assert db.agents[AYSE].chat_id is None
    clock.advance(timedelta(hours=1))
    moment = clock.now()
    await relay.run(deactivate_agent, agent_id=AYSE, by=SELIN)
    edits = [m for m in db.outbox if m.chat_id == AYSE and m.created_at >= moment]
    assert [(m.template, m.params["lead_id"]) for m in edits] == [("contact_removed", lead_id)]
    assert edits[0].edit_ref is not None
    assert db.cards[(lead_id, AYSE)].ref == "", "no later refresh shows her the contact details"
    # The edit to a blocked chat fails as the dispatcher reports it: nobody is told.
    told = len([m for m in db.outbox if m.template == "agent_unreachable"])
    await relay.run(chat_unreachable, chat_id=AYSE, offer_id=None, error="Forbidden: blocked")
    assert len([m for m in db.outbox if m.template == "agent_unreachable"]) == told
