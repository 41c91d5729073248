"""Reminders come once, when due, with Done and Snooze: through the use cases on fakes, and
end to end through the sandbox, across a restart."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from core.app import App, Signals
from core.clock import ManualClock
from core.errors import NotYourLead
from core.lifecycle.followup import next_try_at
from core.lifecycle.reminders import _remind, finish_task, send_due_reminders, snooze_task
from core.lifecycle.working import book_appointment, log_attempt, record_stage, remind_me
from core.model import Stage, TaskKind
from leadrelay.bootstrap import bootstrap
from sandbox import BotApiSandbox, SandboxMessage
from tests.fakes import FakeDatabase, FakeUnitOfWork, fake_uow_factory
from tests.harness import BOT_TOKEN, BRISK, RunningOffice, offer_for, running_office, until
from tests.office import (
    AYSE,
    HOT,
    SELIN,
    office_without_clocks,
    on_fakes,
    owned,
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
    return await on_fakes(office_without_clocks(timezone="Europe/Istanbul"), clock, db)


def reminders(db: FakeDatabase) -> list[tuple[int, str, str | None]]:
    return [(m.chat_id, m.params["task_id"], m.ref) for m in db.outbox
            if m.template == "reminder"]


async def test_a_reminder_is_sent_once_when_due_and_not_before(
    relay: App, db: FakeDatabase, clock: ManualClock,
) -> None:
    lead_id, owner = await owned(relay, db)
    task = await relay.run(remind_me, agent_id=owner, lead_id=lead_id, choice="1h")
    clock.advance(timedelta(minutes=59))
    assert await relay.run_in_turns(send_due_reminders) == []
    clock.advance(timedelta(minutes=1))
    assert await relay.run_in_turns(send_due_reminders) == [task.id]
    assert await relay.run_in_turns(send_due_reminders) == [], "a second sweep sends nothing"
    assert reminders(db) == [(owner, task.id, f"rem:{task.id}:1")]


async def test_done_closes_the_task_and_edits_the_reminder_and_the_card(
    relay: App, db: FakeDatabase, clock: ManualClock,
) -> None:
    lead_id, owner = await owned(relay, db)
    task = await relay.run(remind_me, agent_id=owner, lead_id=lead_id, choice="1h")
    clock.advance(timedelta(hours=1))
    await relay.run_in_turns(send_due_reminders)
    await relay.run(finish_task, agent_id=owner, task_id=task.id)
    assert db.tasks[task.id].done_at == START + timedelta(hours=1)
    answered = [m for m in db.outbox if m.template == "reminder_answered"]
    assert [(m.edit_ref, m.params["until"]) for m in answered] == [(f"rem:{task.id}:1", None)]
    assert db.outbox[-1].template == "card", "the card's next task goes"
    assert db.outbox[-1].params["next_task"] is None
    before = len(db.outbox)
    await relay.run(finish_task, agent_id=owner, task_id=task.id)
    assert len(db.outbox) == before, "a second Done changes nothing"


async def test_a_snoozed_reminder_comes_again_at_its_new_time(
    relay: App, db: FakeDatabase, clock: ManualClock,
) -> None:
    lead_id, owner = await owned(relay, db)
    task = await relay.run(remind_me, agent_id=owner, lead_id=lead_id, choice="1h")
    clock.advance(timedelta(hours=1))
    await relay.run_in_turns(send_due_reminders)
    until = await relay.run(snooze_task, agent_id=owner, task_id=task.id, choice="tomorrow")
    assert until == datetime(2026, 11, 26, 7, 0, tzinfo=UTC), "10:00 tomorrow in Istanbul"
    assert db.tasks[task.id].due_at == until, "a reminder the owner set moves with it"
    clock.advance(timedelta(hours=23, minutes=59))  # 09:59 tomorrow in Istanbul
    assert await relay.run_in_turns(send_due_reminders) == []
    clock.advance(timedelta(minutes=1))
    assert await relay.run_in_turns(send_due_reminders) == [task.id]
    assert [ref for *_, ref in reminders(db)] == [f"rem:{task.id}:1", f"rem:{task.id}:2"]


async def test_a_reminder_snoozed_after_a_slow_sweeps_look_waits_for_its_new_time(
    relay: App, db: FakeDatabase, clock: ManualClock,
) -> None:
    lead_id, owner = await owned(relay, db)
    task = await relay.run(remind_me, agent_id=owner, lead_id=lead_id, choice="1h")
    clock.advance(timedelta(hours=1))
    async with relay.uow().reading() as uow:  # a slow sweep's (or instance's) look
        [seen] = await uow.tasks.reminders_due(clock.now(), limit=10)
    await relay.run_in_turns(send_due_reminders)  # a quicker one sends it
    await relay.run(snooze_task, agent_id=owner, task_id=task.id, choice="1h")
    assert not await _remind(relay.uow(), relay.deps, seen), "snoozed: not due"
    assert [ref for *_, ref in reminders(db)] == [f"rem:{task.id}:1"]
    clock.advance(timedelta(hours=1))
    assert await relay.run_in_turns(send_due_reminders) == [task.id], "comes at its new time"
    assert [ref for *_, ref in reminders(db)] == [f"rem:{task.id}:1", f"rem:{task.id}:2"]


async def test_an_appointment_is_reminded_of_an_hour_before_and_keeps_its_time_when_snoozed(
    relay: App, db: FakeDatabase, clock: ManualClock,
) -> None:
    lead_id, owner = await owned(relay, db)
    meeting = START + timedelta(hours=5)
    await relay.run(book_appointment, agent_id=owner, lead_id=lead_id, at=meeting)
    [task] = [t for t in db.tasks.values() if t.kind is TaskKind.APPOINTMENT]
    clock.advance(timedelta(hours=3, minutes=59))
    assert await relay.run_in_turns(send_due_reminders) == []
    clock.advance(timedelta(minutes=1))
    assert await relay.run_in_turns(send_due_reminders) == [task.id]
    await relay.run(snooze_task, agent_id=owner, task_id=task.id, choice="1h")
    assert db.tasks[task.id].due_at == meeting


async def test_a_reminder_of_a_lead_closed_meanwhile_is_not_sent(
    relay: App, db: FakeDatabase, clock: ManualClock,
) -> None:
    lead_id, owner = await owned(relay, db)
    task = await relay.run(remind_me, agent_id=owner, lead_id=lead_id, choice="1h")
    await relay.run(record_stage, agent_id=owner, lead_id=lead_id, stage=Stage.LOST,
                    reason="price")
    clock.advance(timedelta(hours=1))
    await relay.run_in_turns(send_due_reminders)
    assert reminders(db) == []
    assert db.tasks[task.id].done_at is not None


async def test_someone_elses_reminder_cannot_be_done_or_snoozed(
    relay: App, db: FakeDatabase, clock: ManualClock,
) -> None:
    lead_id, owner = await owned(relay, db)
    task = await relay.run(remind_me, agent_id=owner, lead_id=lead_id, choice="1h")
    stranger = next(a for a in db.agents.values()
                    if a.telegram_id != owner and not a.is_manager)
    with pytest.raises(NotYourLead):
        await relay.run(finish_task, agent_id=stranger.telegram_id, task_id=task.id)
    assert db.tasks[task.id].done_at is None


async def test_a_reminder_a_manager_marks_done_is_edited_in_its_owners_chat(
    relay: App, db: FakeDatabase, clock: ManualClock,
) -> None:
    lead_id, owner = await owned(relay, db)
    task = await relay.run(remind_me, agent_id=owner, lead_id=lead_id, choice="1h")
    clock.advance(timedelta(hours=1))
    await relay.run_in_turns(send_due_reminders)
    await relay.run(finish_task, agent_id=SELIN, task_id=task.id)
    answered = [(m.chat_id, m.edit_ref) for m in db.outbox if m.template == "reminder_answered"]
    assert answered == [(owner, f"rem:{task.id}:1")], "the owner's reminder, not the manager's"


# --- end to end --------------------------------------------------------------------------


@pytest.fixture
async def sandbox() -> AsyncIterator[BotApiSandbox]:
    async with BotApiSandbox(token=BOT_TOKEN) as running:
        yield running


def reminder_for(lead_id: int) -> object:
    return lambda m: f"#{lead_id}" in m.text and "✅ Done" in m.button_texts()


@pytest.mark.slow
async def test_a_reminder_due_while_the_bot_was_down_comes_once_after_the_restart(
    database_url: str, clock: ManualClock, sandbox: BotApiSandbox,
) -> None:
    config = office_without_clocks(timezone="Europe/Istanbul")
    async with running_office(config, database_url, sandbox=sandbox, clock=clock,
                              limits=BRISK) as running:
        await running.start_chats(AYSE, SELIN)
        ayse = running[AYSE]
        lead_id = await running.post_lead(HOT)
        await ayse.press(await ayse.wait_for(offer_for(lead_id)), "✅ Accept")
        card = await ayse.wait_for(lambda m: f"Lead #{lead_id} is yours" in m.text)
        await ayse.press(card, "⏰ Remind me")
        await ayse.press(card, "In 1 hour")
        await until(lambda: "Reminder" in _now(running, card).text)
    clock.advance(timedelta(hours=2))  # due while nobody ran
    async with running_office(config, database_url, sandbox=sandbox, clock=clock,
                              limits=BRISK) as running:
        ayse = running[AYSE]
        reminder = await ayse.wait_for(reminder_for(lead_id))  # type: ignore[arg-type]
        await running.settled()
        assert sum(reminder_for(lead_id)(m) for m in ayse.messages) == 1  # type: ignore[operator]
        await ayse.press(reminder, "💤 1 h")
        await until(lambda: "again at" in _now(running, reminder).text)
        clock.advance(timedelta(hours=1))
        await running.settled()
        again = [m for m in ayse.messages if reminder_for(lead_id)(m)]  # type: ignore[operator]
        assert len(again) == 1
        assert again[0].message_id > reminder.message_id
        await ayse.press(again[0], "✅ Done")
        await until(lambda: "done" in _now(running, again[0]).text)
        await until(lambda: "nothing planned" in _now(running, card).text)


def _now(running: RunningOffice, message: SandboxMessage) -> SandboxMessage:
    return next(m for m in running[AYSE].messages if m.message_id == message.message_id)


# --- tries that reach nobody ---------------------------------------------------------------


async def test_the_next_day_try_keeps_its_hour_across_a_clock_change(
    clock: ManualClock, db: FakeDatabase,
) -> None:
    berlin = bootstrap(config=office_without_clocks(timezone="Europe/Berlin"), clock=clock,
                       uow_factory=fake_uow_factory(db))
    missed = datetime(2026, 10, 24, 8, 30, tzinfo=UTC)  # 10:30 in Berlin, summer time
    assert next_try_at(2, missed, berlin.deps) == datetime(2026, 10, 25, 9, 30, tzinfo=UTC), \
        "10:30 the next day, in winter time"
    spring = datetime(2026, 3, 28, 9, 30, tzinfo=UTC)  # 10:30 in Berlin, winter time
    assert next_try_at(3, spring, berlin.deps) == datetime(2026, 3, 31, 8, 30, tzinfo=UTC), \
        "10:30 three days on, in summer time"


def next_tries(db: FakeDatabase, lead_id: int) -> list[datetime]:
    return [t.due_at for t in db.tasks.values() if t.lead_id == lead_id
            and t.kind is TaskKind.NEXT_TRY and t.done_at is None]


async def test_each_miss_plans_the_next_try_and_the_third_in_a_row_nurtures_the_lead(
    relay: App, db: FakeDatabase, clock: ManualClock,
) -> None:
    lead_id, owner = await owned(relay, db)
    await relay.run(log_attempt, agent_id=owner, lead_id=lead_id, reached=False)
    assert next_tries(db, lead_id) == [START + timedelta(hours=2)], "the same day, 2 h on"
    clock.advance(timedelta(hours=2))
    await relay.run(log_attempt, agent_id=owner, lead_id=lead_id, reached=False)
    assert next_tries(db, lead_id) == [START + timedelta(days=1, hours=2)], "the next day"
    clock.advance(timedelta(days=1))
    lead = await relay.run(log_attempt, agent_id=owner, lead_id=lead_id, reached=False)
    assert lead.stage is Stage.NURTURE
    assert next_tries(db, lead_id) == [START + timedelta(days=4, hours=2)], "in three days"
    told = {m.chat_id for m in db.outbox if m.template == "nurtured"}
    assert told == {a.telegram_id for a in db.agents.values() if a.is_manager}
    counts = await FakeUnitOfWork(db, Signals()).leads.owner_counts(review_since=None)
    assert counts[owner].open == 0, "out of the agent's open load"


async def test_a_call_that_reaches_them_cancels_the_planned_try_and_restarts_the_count(
    relay: App, db: FakeDatabase, clock: ManualClock,
) -> None:
    lead_id, owner = await owned(relay, db)
    for _ in range(2):
        await relay.run(log_attempt, agent_id=owner, lead_id=lead_id, reached=False)
        clock.advance(timedelta(hours=1))
    await relay.run(log_attempt, agent_id=owner, lead_id=lead_id, reached=True)
    assert next_tries(db, lead_id) == []
    clock.advance(timedelta(hours=1))
    lead = await relay.run(log_attempt, agent_id=owner, lead_id=lead_id, reached=False)
    assert lead.stage is Stage.CONTACTED, "one miss after a call is not three in a row"
    assert len(next_tries(db, lead_id)) == 1


async def test_a_try_the_bot_plans_waits_out_the_quiet_hours(
    relay: App, db: FakeDatabase, clock: ManualClock,
) -> None:
    lead_id, owner = await owned(relay, db)
    clock.advance(timedelta(hours=11))  # 20:00 in Istanbul: +2 h is 22:00, in quiet hours
    await relay.run(log_attempt, agent_id=owner, lead_id=lead_id, reached=False)
    assert next_tries(db, lead_id) == [datetime(2026, 11, 26, 5, 0, tzinfo=UTC)], "08:00"
    clock.advance(timedelta(hours=11, minutes=59))  # 07:59 in Istanbul
    assert await relay.run_in_turns(send_due_reminders) == []
    clock.advance(timedelta(minutes=1))
    [task_id] = await relay.run_in_turns(send_due_reminders)
    assert db.tasks[task_id].kind is TaskKind.NEXT_TRY
