"""The reclaim rules: no try within 72 h of Accept, no stage progress within 14 days, 60 days
without Won (unless worked at Appointment or Offer): each warned a day ahead, explained
after, and routed again without the owner or handed to the managers. On fakes through the
real bootstrap, with the injected clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.clock import ManualClock
from core.config import OfficeConfig
from core.lifecycle.working import add_note, log_attempt, record_stage
from core.model import LeadStatus, OfferStatus, Stage
from tests.fakes import FakeDatabase
from tests.office import (
    SELIN,
    office,
    office_data,
    on_fakes,
    owned,
    sweep_at,
)

START = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)  # a Wednesday, 09:00 in Istanbul
DAY = timedelta(days=1)


def no_first_call_deadline(**work: object) -> OfficeConfig:
    """The test office whose hot leads have no first-contact deadline of their own, so only
    the reclaim rules take a lead back."""
    hot = {**office_data()["sla"]["hot"],  # type: ignore[index]
           "first_contact_within": None, "reclaim_within": None}
    return office(sla={"hot": hot}, work={"reclaim": work} if work else {})


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def db() -> FakeDatabase:
    return FakeDatabase()


def warnings(db: FakeDatabase) -> list[tuple[int, str, str]]:
    return [(m.chat_id, m.params["reason"], m.params["at"]) for m in db.outbox
            if m.template == "reclaim_warning"]


def reclaims(db: FakeDatabase) -> list[tuple[int | None, str]]:
    return [(e.agent_id, e.data["reason"]) for e in db.events if e.kind == "reclaimed"]


async def test_no_try_in_72_hours_is_warned_a_day_ahead_and_then_taken_back(
    clock: ManualClock, db: FakeDatabase,
) -> None:
    relay = await on_fakes(no_first_call_deadline(), clock, db)
    lead_id, owner = await owned(relay, db)
    await sweep_at(relay, clock, START + 2 * DAY - timedelta(seconds=1))
    assert warnings(db) == []
    await sweep_at(relay, clock, START + 2 * DAY)
    assert warnings(db) == [(owner, "no_contact", (START + 3 * DAY).isoformat())]
    await sweep_at(relay, clock, START + 3 * DAY - timedelta(seconds=1))
    assert reclaims(db) == []
    await sweep_at(relay, clock, START + 3 * DAY)
    await sweep_at(relay, clock, START + 3 * DAY + timedelta(minutes=1))
    assert reclaims(db) == [(owner, "no_contact")], "once"
    assert len(warnings(db)) == 1
    lead = db.leads[lead_id]
    assert (lead.owner_id, lead.status) == (None, LeadStatus.OFFERED)
    [offer] = [o for o in db.offers.values()
               if o.lead_id == lead_id and o.status is OfferStatus.PENDING]
    assert offer.agent_id != owner
    assert [m.params["reason"] for m in db.outbox if m.template == "reclaimed"
            and m.edit_ref is None] == ["no_contact"]


async def test_a_stage_moved_after_the_warning_puts_the_no_progress_reclaim_off(
    clock: ManualClock, db: FakeDatabase,
) -> None:
    relay = await on_fakes(no_first_call_deadline(), clock, db)
    lead_id, owner = await owned(relay, db)
    await relay.run(log_attempt, agent_id=owner, lead_id=lead_id, reached=True)
    await sweep_at(relay, clock, START + 13 * DAY)
    assert warnings(db) == [(owner, "no_progress", (START + 14 * DAY).isoformat())]
    clock.advance(timedelta(hours=6))
    await relay.run(record_stage, agent_id=owner, lead_id=lead_id, stage=Stage.INFO_SENT)
    await sweep_at(relay, clock, START + 14 * DAY)
    assert reclaims(db) == []
    moved = START + 13 * DAY + timedelta(hours=6)  # 15:00 in Istanbul
    await sweep_at(relay, clock, moved + 13 * DAY)
    assert warnings(db)[1:] == [(owner, "no_progress", (moved + 14 * DAY).isoformat())]
    await sweep_at(relay, clock, moved + 14 * DAY)
    assert reclaims(db) == [(owner, "no_progress")]


async def test_sixty_days_without_won_spare_a_lead_worked_at_offer_until_the_work_stops(
    clock: ManualClock, db: FakeDatabase,
) -> None:
    relay = await on_fakes(no_first_call_deadline(no_progress_within=None), clock, db)
    lead_id, owner = await owned(relay, db)
    await relay.run(record_stage, agent_id=owner, lead_id=lead_id, stage=Stage.OFFER,
                    amount=1_500_000)
    clock.advance(55 * DAY)
    await relay.run(add_note, agent_id=owner, lead_id=lead_id, text="They want a second visit")
    await sweep_at(relay, clock, START + 60 * DAY)
    assert reclaims(db) == [], "worked five days ago"
    last_work = START + 55 * DAY
    await sweep_at(relay, clock, last_work + 13 * DAY)
    assert warnings(db)[-1] == (owner, "too_long", (last_work + 14 * DAY).isoformat())
    await sweep_at(relay, clock, last_work + 14 * DAY)
    assert reclaims(db) == [(owner, "too_long")]


async def test_a_lead_at_info_sent_is_taken_back_at_sixty_days_however_busy(
    clock: ManualClock, db: FakeDatabase,
) -> None:
    relay = await on_fakes(no_first_call_deadline(no_progress_within=None), clock, db)
    lead_id, owner = await owned(relay, db)
    await relay.run(record_stage, agent_id=owner, lead_id=lead_id, stage=Stage.INFO_SENT)
    clock.advance(58 * DAY)
    await relay.run(add_note, agent_id=owner, lead_id=lead_id, text="Sent the brochure again")
    await sweep_at(relay, clock, START + 59 * DAY)
    await sweep_at(relay, clock, START + 60 * DAY)
    assert reclaims(db) == [(owner, "too_long")]


async def test_a_late_warning_still_gives_the_owner_a_full_day(
    clock: ManualClock, db: FakeDatabase,
) -> None:
    relay = await on_fakes(no_first_call_deadline(), clock, db)
    _lead_id, owner = await owned(relay, db)
    late = START + 3 * DAY + timedelta(hours=5)  # the bot was down through the warning
    await sweep_at(relay, clock, late)
    assert warnings(db) == [(owner, "no_contact", (late + DAY).isoformat())]
    assert reclaims(db) == []
    await sweep_at(relay, clock, late + DAY)
    assert reclaims(db) == [(owner, "no_contact")]


async def test_a_reclaimed_lead_goes_to_the_managers_when_the_office_says_so(
    clock: ManualClock, db: FakeDatabase,
) -> None:
    relay = await on_fakes(no_first_call_deadline(to="managers"), clock, db)
    lead_id, _owner = await owned(relay, db)
    await sweep_at(relay, clock, START + 2 * DAY)
    await sweep_at(relay, clock, START + 3 * DAY)
    assert db.leads[lead_id].status is LeadStatus.WITH_MANAGERS
    [escalated] = [m for m in db.outbox if m.template == "escalated"]
    assert (escalated.chat_id, escalated.params["reason"]) == (SELIN, "reclaimed")
    assert not [o for o in db.offers.values()
                if o.lead_id == lead_id and o.status is OfferStatus.PENDING]


async def test_a_lead_in_nurture_and_a_won_lead_are_never_taken_back(
    clock: ManualClock, db: FakeDatabase,
) -> None:
    relay = await on_fakes(no_first_call_deadline(), clock, db)
    parked, owner = await owned(relay, db)
    await relay.run(record_stage, agent_id=owner, lead_id=parked, stage=Stage.NURTURE)
    won, winner = await owned(relay, db)
    await relay.run(record_stage, agent_id=winner, lead_id=won, stage=Stage.WON)
    for day in (2, 3, 14, 60, 90):
        await sweep_at(relay, clock, START + day * DAY)
    assert warnings(db) == []
    assert reclaims(db) == []
    assert db.leads[parked].owner_id == owner


async def test_a_warning_due_in_the_quiet_hours_waits_for_the_morning_and_keeps_its_day(
    clock: ManualClock, db: FakeDatabase,
) -> None:
    relay = await on_fakes(no_first_call_deadline(), clock, db)
    clock.advance(timedelta(hours=13))  # accepted at 22:00 in Istanbul
    accepted = clock.now()
    _, owner = await owned(relay, db)
    await sweep_at(relay, clock, accepted + 2 * DAY)  # 22:00: quiet
    assert warnings(db) == []
    morning = datetime(2026, 11, 28, 5, 0, tzinfo=UTC)  # 08:00 in Istanbul
    await sweep_at(relay, clock, morning)
    assert warnings(db) == [(owner, "no_contact", (morning + DAY).isoformat())]
    await sweep_at(relay, clock, accepted + 3 * DAY)
    assert reclaims(db) == [], "a full day after the warning, not 72 h after Accept"
    await sweep_at(relay, clock, morning + DAY)
    assert reclaims(db) == [(owner, "no_contact")]
