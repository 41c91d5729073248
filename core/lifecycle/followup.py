"""What follows a try that did not reach the contact: the next try, scheduled as a reminder
(same day +2 h, then the next day, then in three days), and nurture after three in a row;
and what follows a stage: the follow-ups of `work.follow_ups` (+1, +3 and +7 days after
Contacted or Appointment, +2 and +5 after Offer), until the stage moves.

A time the system picks goes through `sendable.sendable_at` (out of the office's quiet
hours, within the agent's working hours); a time the agent picks (Remind me, an
appointment) is kept as they chose it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from core.deps import Deps
from core.lifecycle.common import managers_in, message
from core.lifecycle.sendable import sendable_at
from core.messages import LeadSummary, NurturedParams, Template
from core.model import Lead, Stage, Task, TaskKind
from core.ports import UnitOfWork

NURTURE_AFTER = 3  # unanswered tries in a row


async def misses_in_a_row(uow: UnitOfWork, lead_id: int) -> int:
    """How many of the lead's newest tries did not reach the contact, newest first."""
    tries = await uow.events.recent(lead_id, kinds=("attempt",), limit=NURTURE_AFTER)
    misses = 0
    for attempt in tries:
        if attempt.data.get("reached"):
            break
        misses += 1
    return misses


def next_try_at(misses: int, now: datetime, deps: Deps) -> datetime:
    """When to try again after *misses* unanswered tries in a row, before `sendable_at`."""
    if misses <= 1:
        at = now + timedelta(hours=2)
    else:  # days on the office's wall clock: the same hour the next day, even across DST
        local = now.astimezone(deps.config.zone)
        at = local + timedelta(days=1 if misses == 2 else 3)
    return at


async def plan_next_try(uow: UnitOfWork, deps: Deps, lead: Lead, now: datetime, *,
                        misses: int) -> None:
    """Replace the lead's planned next try: a new one after a miss, none once reached."""
    planned = [t.id for t in await uow.tasks.open_for([lead.id]) if t.kind is TaskKind.NEXT_TRY]
    await uow.tasks.close(planned, at=now)
    if misses and lead.owner_id is not None and lead.is_open:
        owner = await uow.agents.get(lead.owner_id)
        at = sendable_at(next_try_at(misses, now, deps), deps, owner)
        await uow.tasks.add(Task(lead.id, lead.owner_id, TaskKind.NEXT_TRY, at, now,
                                 remind_at=at))
        uow.wake_at(at)


async def plan_follow_ups(uow: UnitOfWork, deps: Deps, lead: Lead, now: datetime) -> None:
    """The stage of *lead* (locked) changed at *now*: close the previous stage's follow-ups
    and plan this one's, each at a sendable time (none for a won or lost lead). After an
    Appointment they count from the meeting, not from its booking."""
    open_tasks = await uow.tasks.open_for([lead.id])
    await uow.tasks.close([t.id for t in open_tasks if t.kind is TaskKind.FOLLOW_UP], at=now)
    offsets = deps.config.work.follow_ups.get(lead.stage, [])
    if not offsets or lead.owner_id is None or not lead.is_open:
        return
    owner = await uow.agents.get(lead.owner_id)
    start = now
    if lead.stage is Stage.APPOINTMENT:
        start = max([now, *(t.due_at for t in open_tasks if t.kind is TaskKind.APPOINTMENT)])
    local = start.astimezone(deps.config.zone)  # days on the office's wall clock, across DST
    for offset in offsets:
        at = sendable_at(local + offset, deps, owner)
        await uow.tasks.add(Task(lead.id, lead.owner_id, TaskKind.FOLLOW_UP, at, now,
                                 remind_at=at))
        uow.wake_at(at)


async def tell_managers_nurtured(uow: UnitOfWork, deps: Deps, lead: Lead, agent: str,
                                 now: datetime) -> None:
    """Tell the managers a lead went to nurture after tries that reached nobody."""
    for boss in managers_in(await uow.agents.list()):
        await uow.outbox.add(message(deps, boss, Template.NURTURED, now, params=NurturedParams(
            summary=LeadSummary.of(lead), agent=agent, tries=NURTURE_AFTER)))
