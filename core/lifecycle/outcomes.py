"""Outcome prompts: the owner is asked where a lead stands at Accept + each of
`work.outcome_prompts` (day 1, week 1, days 21 and 30 by default) if its stage has not moved since
the last time (or since Accept), so the figures never starve.

An OUTCOME clock (core/lifecycle/clocks.py), started with the lead's other clocks; its
task's `due_at` is when the owner got the lead and its `reminders` count the steps taken.
The prompt carries the card's stage buttons, which record the stage as on the card, and
Still working on it, which records only that it was answered.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from core.deps import Deps
from core.lifecycle.cards import STAGE_EVENTS
from core.lifecycle.common import message, owned_lead
from core.lifecycle.sendable import sendable_at
from core.messages import (
    LeadSummary,
    OutcomeAnsweredParams,
    OutcomePromptParams,
    ReminderRef,
    Template,
)
from core.model import Lead, LeadEvent, Task, TaskKind
from core.ports import UnitOfWork

ASKED, ANSWERED = "outcome_asked", "outcome_answered"  # the lead's events


def _checkpoints(deps: Deps) -> list[timedelta]:
    return sorted(deps.config.work.outcome_prompts)


def _after(start: datetime, offset: timedelta, deps: Deps) -> datetime:
    """*offset* after *start* on the office's wall clock (a day stays a day across DST)."""
    return start.astimezone(deps.config.zone) + offset


async def start_outcome_clock(uow: UnitOfWork, deps: Deps, lead: Lead, now: datetime) -> None:
    """Start asking the owner of *lead* (locked, just theirs) where it stands."""
    checkpoints = _checkpoints(deps)
    if not checkpoints or lead.owner_id is None or not lead.is_open:
        return
    owner = await uow.agents.get(lead.owner_id)
    at = sendable_at(_after(now, checkpoints[0], deps), deps, owner)
    await uow.tasks.add(Task(lead.id, lead.owner_id, TaskKind.OUTCOME, now, now, remind_at=at))
    uow.wake_at(at)


async def outcome_step(uow: UnitOfWork, deps: Deps, lead: Lead, task: Task,
                       now: datetime) -> datetime | None:
    """The clock's step: ask if the stage has not moved since the last checkpoint, then
    wait for the next one (None after the last)."""
    checkpoints = _checkpoints(deps)
    number = task.reminders  # this step's, 1 first
    if not 1 <= number <= len(checkpoints):
        return None
    since = task.due_at if number == 1 else _after(task.due_at, checkpoints[number - 2], deps)
    moved = next(iter(await uow.events.recent(lead.id, kinds=STAGE_EVENTS, limit=1)), None)
    owner = await uow.agents.get(task.agent_id)
    if (moved is None or moved.at < since) and owner is not None and owner.reachable:
        await uow.events.add(LeadEvent(lead.id, now, ASKED, None,
                                       {"task_id": task.id, "number": number}))
        await uow.outbox.add(message(
            deps, owner, Template.OUTCOME_PROMPT, now, ref=ReminderRef(task.id, number),
            params=OutcomePromptParams(summary=LeadSummary.of(lead), task_id=task.id,
                                       number=number, stage=lead.stage.value,
                                       since=task.due_at.isoformat())))
    if number == len(checkpoints):
        return None
    return sendable_at(_after(task.due_at, checkpoints[number], deps), deps, owner)


async def prompt_answered(uow: UnitOfWork, deps: Deps, lead: Lead, agent_id: int | None,
                          now: datetime, *, working: bool = False) -> bool:
    """Mark the lead's last outcome prompt answered, if it waits, and edit it to say how:
    the stage the lead is at now, or Still working on it."""
    last = next(iter(await uow.events.recent(lead.id, kinds=(ASKED, ANSWERED), limit=1)), None)
    if last is None or last.kind != ASKED:
        return False  # never asked, or answered already
    task_id, number = int(last.data["task_id"]), int(last.data["number"])
    await uow.events.add(LeadEvent(lead.id, now, ANSWERED, agent_id, {
        "task_id": task_id, "number": number,
        **({"working": True} if working else {"stage": lead.stage.value})}))
    task = await uow.tasks.get(task_id)
    owner = await uow.agents.get(task.agent_id) if task is not None else None
    if owner is not None and owner.chat_id is not None:
        await uow.outbox.add(message(
            deps, owner, Template.OUTCOME_ANSWERED, now, edit_ref=ReminderRef(task_id, number),
            params=OutcomeAnsweredParams(lead_id=lead.id, stage=lead.stage.value,
                                         working=working)))
    return True


async def still_working(uow: UnitOfWork, deps: Deps, /, *, agent_id: int,
                        lead_id: int) -> Lead:
    """Still working on it, pressed on an outcome prompt: the stage stays, the prompt says
    so; a second press changes nothing."""
    now = deps.clock.now()
    async with uow:
        _, lead = await owned_lead(uow, agent_id, lead_id)
        if await prompt_answered(uow, deps, lead, agent_id, now, working=True):
            await uow.commit()
    return lead
