"""The rules behind the card's buttons, on in-memory fakes wired by bootstrap() and on both
real databases where a race decides: what a press changes, what Undo takes back, and what a
button or an answer that cannot apply any more leaves alone."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from core.app import App
from core.clock import ManualClock
from core.errors import InvalidTransition
from core.lifecycle.answers import accept_offer
from core.lifecycle.working import (
    book_appointment,
    log_attempt,
    record_stage,
    remind_me,
    undo_last_change,
)
from core.model import OfferStatus, Stage, TaskKind
from leadrelay.bootstrap import bootstrap
from tests.fakes import FakeDatabase, fake_uow_factory
from tests.office import HOT, TOKEN, linked, office

START = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)  # a Wednesday, 09:00 in Istanbul


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def db() -> FakeDatabase:
    return FakeDatabase()


@pytest.fixture
async def relay(clock: ManualClock, db: FakeDatabase) -> App:
    tokens = (f"tok{i}" for i in itertools.count())
    return await linked(bootstrap(config=office(), clock=clock, uow_factory=fake_uow_factory(db),
                                  token_factory=lambda: next(tokens)))


async def owned(relay: App, db: FakeDatabase) -> tuple[int, int]:
    """A lead received and accepted: its id and its owner."""
    lead_id = (await relay.receive_lead(source_token=TOKEN, payload=HOT)).lead_id
    offer = next(o for o in db.offers.values()
                 if o.lead_id == lead_id and o.status is OfferStatus.PENDING)
    await relay.run(accept_offer, agent_id=offer.agent_id, offer_id=offer.id, token=offer.token)
    return lead_id, offer.agent_id


# --- tries -------------------------------------------------------------------------------


async def test_contacted_on_a_lead_further_on_counts_the_call_and_keeps_the_stage(
    relay: App, db: FakeDatabase, clock: ManualClock,
) -> None:
    lead_id, owner = await owned(relay, db)
    await relay.run(log_attempt, agent_id=owner, lead_id=lead_id, reached=True)
    clock.advance(timedelta(hours=1))
    again = await relay.run(log_attempt, agent_id=owner, lead_id=lead_id, reached=True)
    assert (again.stage, again.attempts) == (Stage.CONTACTED, 2)
    await relay.run(record_stage, agent_id=owner, lead_id=lead_id, stage=Stage.INFO_SENT)
    later = await relay.run(log_attempt, agent_id=owner, lead_id=lead_id, reached=True)
    assert (later.stage, later.attempts) == (Stage.INFO_SENT, 3)
    assert later.contacted_at == START, "the first contact stays the first"
    assert [e.data["reached"] for e in db.events if e.kind == "attempt"] == [True] * 3


# --- Undo --------------------------------------------------------------------------------


async def test_undo_takes_back_the_stage_change_but_not_the_calls_logged_after_it(
    relay: App, db: FakeDatabase, clock: ManualClock,
) -> None:
    lead_id, owner = await owned(relay, db)
    await relay.run(record_stage, agent_id=owner, lead_id=lead_id, stage=Stage.INFO_SENT)
    clock.advance(timedelta(minutes=2))
    await relay.run(log_attempt, agent_id=owner, lead_id=lead_id, reached=False)
    clock.advance(timedelta(minutes=1))
    await relay.run(log_attempt, agent_id=owner, lead_id=lead_id, reached=True)
    lead = await relay.run(undo_last_change, agent_id=owner, lead_id=lead_id)
    assert (lead.stage, lead.attempts) == (Stage.NEW, 2)
    assert lead.contacted_at == START + timedelta(minutes=2), "the first call, not the stage"
    assert (db.leads[lead_id].stage, db.leads[lead_id].attempts) == (Stage.NEW, 2)


async def test_undo_of_contacted_on_a_new_lead_takes_back_its_call_too(
    relay: App, db: FakeDatabase,
) -> None:
    lead_id, owner = await owned(relay, db)
    await relay.run(log_attempt, agent_id=owner, lead_id=lead_id, reached=True)
    lead = await relay.run(undo_last_change, agent_id=owner, lead_id=lead_id)
    assert (lead.stage, lead.attempts, lead.contacted_at) == (Stage.NEW, 0, None)


async def test_undo_of_an_appointment_cancels_the_meeting_it_booked(
    relay: App, db: FakeDatabase, clock: ManualClock,
) -> None:
    lead_id, owner = await owned(relay, db)
    meeting = START + timedelta(days=1, hours=5)
    await relay.run(remind_me, agent_id=owner, lead_id=lead_id, choice="3d")
    await relay.run(book_appointment, agent_id=owner, lead_id=lead_id, at=meeting)
    clock.advance(timedelta(minutes=1))
    lead = await relay.run(undo_last_change, agent_id=owner, lead_id=lead_id)
    assert lead.stage is Stage.NEW
    still = [t.kind for t in db.tasks.values() if t.done_at is None]
    assert still == [TaskKind.REMINDER], "the reminder set before stays"


# --- a card drawn before the lead closed ---------------------------------------------------


async def test_remind_me_on_a_card_drawn_before_the_lead_was_won_changes_nothing(
    relay: App, db: FakeDatabase,
) -> None:
    lead_id, owner = await owned(relay, db)
    await relay.run(record_stage, agent_id=owner, lead_id=lead_id, stage=Stage.WON)
    events, outbox = len(db.events), len(db.outbox)
    with pytest.raises(InvalidTransition):
        await relay.run(remind_me, agent_id=owner, lead_id=lead_id, choice="tomorrow")
    assert db.tasks == {}
    assert (len(db.events), len(db.outbox)) == (events, outbox)
