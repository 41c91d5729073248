"""The reclaim rules' watch on an owned lead (`work.reclaim`): no first try within 72 h of
Accept; no stage progress within 14 days; owned 60 days without Won, unless at Appointment
or Offer with activity in the last 14 days. The owner is warned a day ahead (never in the
quiet hours or out of their working hours: then the lead waits a full day from the warning),
and told after.

One clock per lead, stepped by the sweep. Each step works out from the lead as it is now
when the rules would take it back: work done since pushes that later, and the clock just
sleeps until then. A lead in nurture is parked on purpose and left alone.
"""

from __future__ import annotations

from datetime import datetime

from core.config.work import ReclaimPolicy
from core.deps import Deps
from core.lifecycle.common import message
from core.lifecycle.reclaim import reclaim
from core.lifecycle.sendable import sendable_at
from core.messages import LeadSummary, ReclaimWarningParams, Template
from core.model import Lead, LeadEvent, Stage, Task, TaskKind
from core.ports import UnitOfWork

# What counts as working a lead, for the 60-day rule's exception.
ACTIVITY = ("note", "attempt", "stage", "appointment", "reminder", "correction")
_BEING_CLOSED = (Stage.APPOINTMENT, Stage.OFFER)


def reclaim_due(lead: Lead, policy: ReclaimPolicy,
                last_activity: datetime | None) -> tuple[datetime, str] | None:
    """When the rules would take *lead* back as it is now, and by which rule; None: never."""
    accepted = lead.accepted_at
    if accepted is None or not lead.is_open or lead.stage is Stage.NURTURE:
        return None
    due: list[tuple[datetime, str]] = []
    if policy.no_contact_within is not None and lead.contacted_at is None:
        # Never before its first contact is due (an imported lead's is days away).
        at = accepted + policy.no_contact_within
        due.append((max(at, lead.contact_due_at or at), "no_contact"))
    if policy.no_progress_within is not None:
        since = max(lead.stage_at or accepted, accepted)
        due.append((since + policy.no_progress_within, "no_progress"))
    if policy.owned_longer_than is not None:
        at = accepted + policy.owned_longer_than
        if lead.stage in _BEING_CLOSED and last_activity is not None:
            at = max(at, last_activity + policy.active_within)
        due.append((at, "too_long"))
    return min(due) if due else None


async def _last_activity(uow: UnitOfWork, lead: Lead) -> datetime | None:
    last = await uow.events.recent(lead.id, kinds=ACTIVITY, limit=1)
    return last[0].at if last else None


async def start_reclaim_watch(uow: UnitOfWork, deps: Deps, lead: Lead, now: datetime) -> None:
    """Start the watch on *lead*, just given to its owner."""
    policy = deps.config.work.reclaim
    due = reclaim_due(lead, policy, None)
    if due is None or lead.owner_id is None:
        return
    wake = max(now, due[0] - policy.warn_before)
    await uow.tasks.add(Task(lead.id, lead.owner_id, TaskKind.RECLAIM, due[0], now,
                             remind_at=wake))
    uow.wake_at(wake)


async def reclaim_step(uow: UnitOfWork, deps: Deps, lead: Lead, task: Task,
                       now: datetime) -> datetime | None:
    """Warn the owner a day before the rules take the lead back, and take it back when due
    and warned; else sleep until the next of those moments."""
    policy = deps.config.work.reclaim
    due = reclaim_due(lead, policy, await _last_activity(uow, lead))
    if due is None:
        return None
    at, rule = due
    owner = await uow.agents.get(lead.owner_id) if lead.owner_id is not None else None
    warned = next(iter(await uow.events.recent(lead.id, kinds=("reclaim_warned",), limit=1)),
                  None)
    if (warned is None or warned.agent_id != lead.owner_id
            or (lead.accepted_at is not None and warned.at < lead.accepted_at)
            or warned.data.get("due") != at.isoformat()):
        wake = sendable_at(at - policy.warn_before, deps, owner)  # a decent hour, like a reminder
        if now < wake:
            return wake
        # Never taken back sooner than warn_before after the warning, however late it went,
        # nor while the owner is off and could not act on it.
        when = sendable_at(max(at, now + policy.warn_before), deps, owner)
        await uow.events.add(LeadEvent(lead.id, now, "reclaim_warned", lead.owner_id, {
            "rule": rule, "due": at.isoformat(), "at": when.isoformat()}))
        if owner is not None and owner.reachable:
            await uow.outbox.add(message(deps, owner, Template.RECLAIM_WARNING, now,
                                         params=ReclaimWarningParams(
                                             summary=LeadSummary.of(lead), reason=rule,
                                             at=when.isoformat())))
        return when
    when = datetime.fromisoformat(str(warned.data["at"]))
    if now < when:
        return when
    await reclaim(uow, deps, lead, now, reason=rule)
    return None
