"""Reminders: a task whose time has come is sent to its owner once, with Done and Snooze;
a clock's task (core/lifecycle/clocks.py) takes its step instead.

Like an offer's deadline, a reminder's time is a row (`tasks.remind_at`) that the timers'
sweep moves when due; sending is a conditional update (`mark_reminded`) in the same
transaction as the outbox row, so a restart, a second sweep or another instance never sends
one twice, and a crash before the commit leaves it due.
"""

from __future__ import annotations

from datetime import datetime

from core.deps import Deps, UowFactory
from core.errors import Conflict, NotYourLead, UnknownAgent
from core.lifecycle.after_accept import STEPS
from core.lifecycle.cards import refresh_cards
from core.lifecycle.common import message
from core.lifecycle.working import reminder_time
from core.messages import (
    LeadSummary,
    ReminderAnsweredParams,
    ReminderParams,
    ReminderRef,
    Template,
)
from core.model import Agent, Lead, OutgoingMessage, Task, TaskKind
from core.ports import UnitOfWork

SNOOZES = ("1h", "tomorrow")
LOOK = 200  # reminders a sweep's look takes; a full look asks the timers for another pass
BATCH = 25  # reminders sent in one transaction: one commit for many, the write lock held briefly


async def send_due_reminders(uow_factory: UowFactory, deps: Deps, /, *,
                             limit: int = LOOK) -> list[int]:
    """Send every reminder due by now to its task's owner; the ids of the tasks reminded.

    They go out *BATCH* to a transaction, no two of one lead in the same one; a batch in
    which a lead changed under us goes again one reminder at a time, so only that one waits
    for the next sweep.
    """
    now = deps.clock.now()
    async with uow_factory().reading() as uow:  # a look that takes no write turn
        due = await uow.tasks.reminders_due(now, limit=limit)
    sent = []
    for batch in _batches(due):
        try:
            sent += await _remind_all(uow_factory(), deps, batch)
        except Conflict:  # a lead changed under us: the batch again, one at a time
            for task in batch:
                try:
                    sent += await _remind_all(uow_factory(), deps, [task])
                except Conflict:
                    continue  # this one's lead: the next sweep looks again
    return sent


def _batches(due: list[Task]) -> list[list[Task]]:
    """*due* in batches of at most BATCH, each with one task per lead, soonest first."""
    batches: list[list[Task]] = []
    for task in due:
        home = next((b for b in batches if len(b) < BATCH
                     and all(t.lead_id != task.lead_id for t in b)), None)
        if home is None:
            batches.append(home := [])
        home.append(task)
    return batches


async def _remind(uow: UnitOfWork, deps: Deps, task: Task) -> bool:
    """Send one reminder; whether it was still due."""
    return bool(await _remind_all(uow, deps, [task]))


async def _remind_all(uow: UnitOfWork, deps: Deps, due: list[Task]) -> list[int]:
    """Send these reminders (of different leads) in one transaction, their leads locked first
    (in id order: the lock order of common.lock_lead); the ids of those still due."""
    async with uow:
        now = deps.clock.now()
        leads = await uow.leads.lock_all([task.lead_id for task in due])
        # Done, sent by another sweep or snoozed since the look: left out. The tasks as they
        # are now, not as the look saw them (the reminder's number, say).
        marked = await uow.tasks.mark_reminded_all(
            [task.id for task in due if task.lead_id in leads], at=now)
        # The roster in one read: an office's agents are few, a batch's owners many of them.
        owners = {agent.telegram_id: agent for agent in await uow.agents.list()} \
            if len({task.agent_id for task in marked}) > 1 else {}
        sending = []
        for task in marked:
            owner = owners.get(task.agent_id) if owners else await uow.agents.get(task.agent_id)
            reminder = await _take_due(uow, deps, leads[task.lead_id], task, owner, now)
            if reminder is not None:
                sending.append(reminder)
        await uow.outbox.add_all(sending)
        await uow.commit()
    return [task.id for task in marked]


async def _take_due(uow: UnitOfWork, deps: Deps, lead: Lead, task: Task, owner: Agent | None,
                    now: datetime) -> OutgoingMessage | None:
    """What a task whose time came does: a clock takes its step; a reminder, returned, goes
    to its owner."""
    step = STEPS.get(task.kind)
    if not lead.is_open or lead.owner_id != task.agent_id:
        await uow.tasks.close([task.id], at=now)  # nothing left to remind them of
    elif step is not None:
        again = await step(uow, deps, lead, task, now)
        if again is None:
            await uow.tasks.close([task.id], at=now)
        else:  # the clock's next step: due again, at its time
            await uow.tasks.snooze(task.id, until=again, due=False)
            uow.wake_at(again)
    elif owner is not None and owner.reachable:
        return message(
            deps, owner, Template.REMINDER, now,
            ref=ReminderRef(task.id, task.reminders),
            params=ReminderParams(summary=LeadSummary.of(lead), task_id=task.id,
                                  kind=task.kind.value, due_at=task.due_at.isoformat()))
    return None


async def _owned_task(uow: UnitOfWork, agent_id: int, task_id: int) -> tuple[Agent, Task]:
    person = await uow.agents.get(agent_id)
    if person is None or not person.active:
        raise UnknownAgent()
    task = await uow.tasks.get(task_id)
    if task is None or (task.agent_id != agent_id and not person.is_manager):
        raise NotYourLead()
    return person, task


async def _locked_task(uow: UnitOfWork, agent_id: int, task_id: int) -> tuple[Task, Lead | None]:
    """The task *agent_id* may answer and its lead, locked first (the lock order of
    common.lock_lead), with the task read again under that lock."""
    _, task = await _owned_task(uow, agent_id, task_id)
    lead = await uow.leads.lock(task.lead_id)
    return await uow.tasks.get(task_id) or task, lead


async def finish_task(uow: UnitOfWork, deps: Deps, /, *, agent_id: int, task_id: int) -> Task:
    """Done, pressed on a reminder: the task is closed and the reminder says so."""
    now = deps.clock.now()
    async with uow:
        task, lead = await _locked_task(uow, agent_id, task_id)
        if lead is None or not await uow.tasks.close([task.id], at=now):
            return task  # done already: a second press changes nothing
        await _answered(uow, deps, task, now, until=None)
        await refresh_cards(uow, deps, lead, now)
        await uow.commit()
    return task


async def snooze_task(uow: UnitOfWork, deps: Deps, /, *, agent_id: int, task_id: int,
                      choice: str) -> datetime:
    """Snooze, pressed on a reminder: remind again in an hour or tomorrow at 10:00 (the
    office's time); a reminder the owner set moves with it, an appointment does not."""
    now = deps.clock.now()
    until = reminder_time("1h" if choice == "1h" else "tomorrow", now=now, deps=deps)
    async with uow:
        task, lead = await _locked_task(uow, agent_id, task_id)
        if lead is None or not await uow.tasks.snooze(
                task.id, until=until, due=task.kind is TaskKind.REMINDER):
            return until
        await _answered(uow, deps, task, now, until=until)
        uow.wake_at(until)
        await refresh_cards(uow, deps, lead, now)
        await uow.commit()
    return until


async def _answered(uow: UnitOfWork, deps: Deps, task: Task, now: datetime, *,
                    until: datetime | None) -> None:
    """Edit the task's last reminder to say it was done, or until when it sleeps: in its
    owner's chat, where it was sent, whoever pressed (a manager may)."""
    owner = await uow.agents.get(task.agent_id)
    if owner is None or owner.chat_id is None or not task.reminders:
        return
    await uow.outbox.add(message(
        deps, owner, Template.REMINDER_ANSWERED, now,
        edit_ref=ReminderRef(task.id, task.reminders),
        params=ReminderAnsweredParams(lead_id=task.lead_id, kind=task.kind.value,
                                      until=until.isoformat() if until else None)))


async def next_reminders(uow: UnitOfWork, deps: Deps, /, *, limit: int = 1000,
                         ahead: bool = False) -> list[datetime]:
    """When the soonest reminders fall, for the scheduler after a restart; *ahead*: only those
    still to come (a reminder left due must not wake the timers over and over)."""
    async with uow.reading():
        return await uow.tasks.next_reminders(
            limit=limit, after=deps.clock.now() if ahead else None)
