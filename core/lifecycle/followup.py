"""What follows a try that did not reach the contact: the next try, scheduled as a reminder
(same day +2 h, then the next day, then in three days), and nurture after three in a row.

A time the system picks is moved out of the office's quiet hours; a time the agent picks
(Remind me, an appointment) is kept as they chose it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from core.deps import Deps
from core.lifecycle.common import managers_in, message
from core.messages import LeadSummary, NurturedParams, Template
from core.model import Lead, Task, TaskKind
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
    """When to try again after *misses* unanswered tries in a row, out of quiet hours."""
    if misses <= 1:
        at = now + timedelta(hours=2)
    else:  # days on the office's wall clock: the same hour the next day, even across DST
        local = now.astimezone(deps.config.zone)
        at = local + timedelta(days=1 if misses == 2 else 3)
    return out_of_quiet_hours(at, deps)


def out_of_quiet_hours(at: datetime, deps: Deps) -> datetime:
    """*at*, or the end of the office's quiet hours (21:00–08:00 by default) if it falls in
    them."""
    work = deps.config.work
    local = at.astimezone(deps.config.zone)
    quiet_from, quiet_until = work.quiet_from, work.quiet_until
    spans_midnight = quiet_from > quiet_until
    now_t = local.time()
    quiet = (now_t >= quiet_from or now_t < quiet_until) if spans_midnight else (
        quiet_from <= now_t < quiet_until)
    if not quiet:
        return at
    day = local.date() + timedelta(days=1) if spans_midnight and now_t >= quiet_from else \
        local.date()
    return datetime.combine(day, quiet_until, tzinfo=deps.config.zone)


async def plan_next_try(uow: UnitOfWork, deps: Deps, lead: Lead, now: datetime, *,
                        misses: int) -> None:
    """Replace the lead's planned next try: a new one after a miss, none once reached."""
    planned = [t.id for t in await uow.tasks.open_for([lead.id]) if t.kind is TaskKind.NEXT_TRY]
    await uow.tasks.close(planned, at=now)
    if misses and lead.owner_id is not None and lead.is_open:
        at = next_try_at(misses, now, deps)
        await uow.tasks.add(Task(lead.id, lead.owner_id, TaskKind.NEXT_TRY, at, now,
                                 remind_at=at))
        uow.wake_at(at)


async def tell_managers_nurtured(uow: UnitOfWork, deps: Deps, lead: Lead, agent: str,
                                 now: datetime) -> None:
    """Tell the managers a lead went to nurture after tries that reached nobody."""
    for boss in managers_in(await uow.agents.list()):
        await uow.outbox.add(message(deps, boss, Template.NURTURED, now, params=NurturedParams(
            summary=LeadSummary.of(lead), agent=agent, tries=NURTURE_AFTER)))
