"""The first-contact clock: from Accept, the owner has until the lead's deadline (by its
temperature or lead type) to log a first try. Missed, the managers are told with one-tap
Reassign and the owner nudged; still missed by the second deadline, the lead is taken back
and routed again without them."""

from __future__ import annotations

from datetime import datetime

from core.deps import Deps
from core.lifecycle.clocks import close_clocks
from core.lifecycle.common import managers_in, message
from core.lifecycle.notices import assign_choices
from core.lifecycle.reclaim import missed_now, reclaim, settle_miss
from core.lifecycle.router import Router
from core.messages import ContactMissedParams, ContactNudgeParams, LeadSummary, MissRef, Template
from core.model import Lead, LeadEvent, Task, TaskKind
from core.ports import UnitOfWork
from core.sla import first_contact_deadlines


async def start_first_contact(uow: UnitOfWork, deps: Deps, lead: Lead, now: datetime) -> None:
    """Set the first-contact deadline of *lead*, just given to its owner (a lead reached
    before, by an earlier owner, has none)."""
    lead.contact_due_at = None
    if lead.contacted_at is not None or lead.owner_id is None:
        return
    due = first_contact_deadlines(lead, now, deps).due_at
    if due is None:
        return
    lead.contact_due_at = due
    await uow.tasks.add(Task(lead.id, lead.owner_id, TaskKind.FIRST_CONTACT, due, now,
                             remind_at=due))
    uow.wake_at(due)


async def contact_made(uow: UnitOfWork, deps: Deps, lead: Lead, now: datetime) -> None:
    """The owner logged the lead's first try: its clock stops, and managers told of a miss
    hear it was made after all."""
    if await close_clocks(uow, lead, now, TaskKind.FIRST_CONTACT) and (
            lead.contact_due_at is not None and now > lead.contact_due_at):
        owner = await uow.agents.get(lead.owner_id) if lead.owner_id is not None else None
        await settle_miss(uow, deps, lead, now, outcome="contacted",
                          agent=owner.name if owner else None)


async def contact_undone(uow: UnitOfWork, deps: Deps, lead: Lead, now: datetime) -> None:
    """The lead's only try was taken back (Undo): its first-contact clock runs again, to the
    deadlines it had, past the miss already reported if there was one."""
    if lead.contact_due_at is None or lead.owner_id is None or lead.contacted_at is not None:
        return
    if any(t.kind is TaskKind.FIRST_CONTACT for t in await uow.tasks.open_for([lead.id])):
        return
    reported = await missed_now(uow, lead) is not None
    at = lead.contact_due_at
    if reported:
        reclaim_at = first_contact_deadlines(lead, lead.accepted_at or now, deps).reclaim_at
        if reclaim_at is None:
            return
        at = reclaim_at
    wake = max(now, at)
    await uow.tasks.add(Task(lead.id, lead.owner_id, TaskKind.FIRST_CONTACT,
                             lead.contact_due_at, now, remind_at=wake,
                             reminders=1 if reported else 0))
    uow.wake_at(wake)


async def first_contact_step(uow: UnitOfWork, deps: Deps, lead: Lead, task: Task,
                             now: datetime) -> datetime | None:
    """The first-contact clock come due: the first deadline tells the managers and nudges
    the owner; the second takes the lead back."""
    if lead.contacted_at is not None or lead.owner_id is None:
        return None
    reclaim_at = first_contact_deadlines(lead, lead.accepted_at or task.created_at,
                                         deps).reclaim_at
    if task.reminders > 1:
        await settle_miss(uow, deps, lead, now, outcome="reclaimed")
        await reclaim(uow, deps, lead, now, reason="first_contact")
        return None
    owner = await uow.agents.get(lead.owner_id)
    await uow.events.add(LeadEvent(lead.id, now, "contact_missed", lead.owner_id,
                                   {"due_at": task.due_at.isoformat(), "task_id": task.id}))
    # The same marks as the managers' assign buttons: away (by flag or date), at capacity,
    # outside hours, in routing's own judgement.
    router = await Router.load(uow, deps, now, lock=False)
    roster = router.roster
    choices, marks = assign_choices(
        deps, lead, [a for a in roster if a.telegram_id != lead.owner_id],
        situation=router.situation)
    summary = LeadSummary.of(lead)
    await uow.outbox.add_all([
        message(deps, boss, Template.CONTACT_MISSED, now, ref=MissRef(task.id, boss.telegram_id),
                params=ContactMissedParams(
                    summary=summary, agent=owner.name if owner else "?",
                    due_at=task.due_at.isoformat(),
                    reclaim_at=reclaim_at.isoformat() if reclaim_at else None,
                    choices=choices, marks=marks or None))
        for boss in managers_in(roster, but=lead.owner_id)])
    if owner is not None and owner.reachable:
        await uow.outbox.add(message(deps, owner, Template.CONTACT_NUDGE, now,
                                     params=ContactNudgeParams(
                                         summary=summary, due_at=task.due_at.isoformat(),
                                         reclaim_at=reclaim_at.isoformat() if reclaim_at
                                         else None)))
    return reclaim_at
