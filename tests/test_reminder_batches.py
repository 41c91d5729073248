"""The reminder sweep sends a pile of due reminders many to a transaction, never two of one
lead in the same one; a lead that changed underneath holds up only its own reminder."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from core.app import App
from core.clock import ManualClock
from core.errors import Conflict
from core.lifecycle import reminders
from core.lifecycle.reminders import BATCH, LOOK, _batches, send_due_reminders
from core.model import Contact, Lead, Task, TaskKind, Temperature
from leadrelay.timers import Timers
from storage.uow import SqlUnitOfWork
from tests.fakes import FakeDatabase
from tests.office import (
    office_without_clocks,
    on_fakes,
    owned,
)

START = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)


def task(n: int, lead_id: int, *, at: datetime = START, kind: TaskKind = TaskKind.REMINDER,
         agent_id: int = 1) -> Task:
    return Task(lead_id, agent_id, kind, at, START, remind_at=at, id=n)


def test_batches_keep_the_order_hold_at_most_batch_and_one_task_per_lead() -> None:
    due = [task(n, lead_id=n % 7 if n < 100 else n) for n in range(LOOK)]
    batches = _batches(due)
    assert sorted(t.id for b in batches for t in b) == list(range(LOOK))
    for batch in batches:
        assert len(batch) <= BATCH
        assert len({t.lead_id for t in batch}) == len(batch), "one task per lead"
        assert [t.id for t in batch] == sorted(t.id for t in batch), "soonest first"
    assert len(batches) < LOOK // 2, "many to a transaction"


@pytest.fixture
async def relay_db() -> tuple[App, FakeDatabase, ManualClock]:
    db, clock = FakeDatabase(), ManualClock(START)
    config = office_without_clocks(timezone="Europe/Istanbul")  # the reminders alone
    relay = await on_fakes(config, clock, db)
    return relay, db, clock


async def pile(relay: App, db: FakeDatabase, count: int, *, leads: int) -> list[int]:
    """*count* reminders due at START + 1 h on *leads* owned leads; their ids."""
    owners = [await owned(relay, db) for _ in range(leads)]
    made = []
    async with relay.uow() as uow:
        for n in range(count):
            lead_id, agent_id = owners[n % leads]
            new = task(0, lead_id, at=START + timedelta(hours=1), agent_id=agent_id)
            await uow.tasks.add(new)
            made.append(new.id)
        await uow.commit()
    return made


def reminded(db: FakeDatabase) -> list[int]:
    return [m.params["task_id"] for m in db.outbox if m.template == "reminder"]


async def test_a_pile_goes_out_once_each_though_many_share_a_lead(
    relay_db: tuple[App, FakeDatabase, ManualClock],
) -> None:
    relay, db, clock = relay_db
    made = await pile(relay, db, 3 * BATCH + 5, leads=4)
    clock.advance(timedelta(hours=1))
    assert sorted(await relay.run_in_turns(send_due_reminders)) == made
    assert sorted(reminded(db)) == made
    assert await relay.run_in_turns(send_due_reminders) == []


async def test_a_lead_changed_underneath_holds_up_only_its_own_reminder(
    relay_db: tuple[App, FakeDatabase, ManualClock], monkeypatch: pytest.MonkeyPatch,
) -> None:
    relay, db, clock = relay_db
    made = await pile(relay, db, 6, leads=6)
    [changed] = [t for t in db.tasks.values() if t.id == made[2]]
    changed.kind = TaskKind.OUTCOME

    async def conflicting(*_: object) -> datetime | None:
        raise Conflict("the lead changed underneath us")

    monkeypatch.setattr(reminders, "STEPS", {TaskKind.OUTCOME: conflicting})
    clock.advance(timedelta(hours=1))
    sent = await relay.run_in_turns(send_due_reminders)
    assert sorted(sent) == sorted(set(made) - {changed.id})
    assert sorted(reminded(db)) == sorted(sent)
    assert changed.id not in db.reminded, "still due: the next sweep tries again"


async def test_a_sweep_takes_a_whole_pile_bigger_than_its_look(
    relay_db: tuple[App, FakeDatabase, ManualClock],
) -> None:
    relay, db, clock = relay_db
    made = await pile(relay, db, LOOK + 30, leads=40)
    clock.advance(timedelta(hours=1))
    timers = Timers(lambda: relay, sweep_seconds=3600)
    await timers.sweep()
    assert sorted(reminded(db)) == made, "no reminder left for the next periodic sweep"


async def test_marking_several_reminded_takes_only_those_still_due(engine: AsyncEngine) -> None:
    async with SqlUnitOfWork(engine) as uow:
        contact = Contact("+905550000000", None, "Deniz", START)
        await uow.contacts.add_all([contact])
        lead = Lead(contact_id=contact.id, source="website", received_at=START, score=80,
                    temperature=Temperature.HOT)
        await uow.leads.add_all([lead])
        made = [task(0, lead.id, at=START + timedelta(minutes=n)) for n in range(5)]
        for new in made:
            await uow.tasks.add(new)
        await uow.tasks.close([made[1].id], at=START)  # done
        assert await uow.tasks.mark_reminded(made[2].id, at=START + timedelta(hours=1))
        await uow.commit()
    ids = [t.id for t in made]
    async with SqlUnitOfWork(engine) as uow:
        # made[4] comes due after *at*; an id nobody has is left out too.
        marked = await uow.tasks.mark_reminded_all([ids[3], ids[0], ids[1], ids[2], ids[4],
                                                    10**6], at=START + timedelta(minutes=3))
        await uow.commit()
    assert [t.id for t in marked] == [ids[3], ids[0]], "in the order asked"
    assert [t.reminders for t in marked] == [1, 1]
    async with SqlUnitOfWork(engine) as uow:
        again = await uow.tasks.mark_reminded_all(ids, at=START + timedelta(hours=1))
        await uow.commit()
    assert [t.id for t in again] == [ids[4]], "each once"


async def test_each_sweep_plans_wake_ups_for_the_reminders_to_come_not_those_left_due(
    relay_db: tuple[App, FakeDatabase, ManualClock],
) -> None:
    relay, db, clock = relay_db
    lead_id, agent_id = await owned(relay, db)
    async with relay.uow() as uow:
        await uow.tasks.add(task(0, lead_id, at=START + timedelta(hours=2, microseconds=250_000),
                                 agent_id=agent_id))
        stuck = task(0, 10**6, at=START + timedelta(minutes=30))  # a lead gone: never sent
        await uow.tasks.add(stuck)
        await uow.commit()
    clock.advance(timedelta(hours=1))
    timers = Timers(lambda: relay, sweep_seconds=3600)  # as after a restart: nothing planned
    await timers.sweep()
    assert stuck.id not in db.reminded
    slot = START + timedelta(hours=2, microseconds=300_000)
    assert [job.trigger.run_date for job in timers._scheduler.get_jobs()] == [
        slot + timedelta(milliseconds=50)], "the reminder to come, in its tenth of a second"


async def test_the_next_reminders_to_come_leave_out_those_already_due(
    engine: AsyncEngine,
) -> None:
    async with SqlUnitOfWork(engine) as uow:
        contact = Contact("+905550000000", None, "Deniz", START)
        await uow.contacts.add_all([contact])
        lead = Lead(contact_id=contact.id, source="website", received_at=START, score=80,
                    temperature=Temperature.HOT)
        await uow.leads.add_all([lead])
        for n in (3, 1, 2, 0):
            await uow.tasks.add(task(0, lead.id, at=START + timedelta(minutes=n)))
        await uow.commit()
    async with SqlUnitOfWork(engine) as uow:
        every = await uow.tasks.next_reminders(limit=10)
        to_come = await uow.tasks.next_reminders(limit=2, after=START + timedelta(minutes=1))
    assert every == [START + timedelta(minutes=n) for n in range(4)]
    assert to_come == [START + timedelta(minutes=2), START + timedelta(minutes=3)]
