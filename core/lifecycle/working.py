"""Working a lead after Accept: stages, contact attempts, notes, appointments, reminders,
Undo, and a manager's correction. Each change locks the lead, is recorded in its history and
edits its live cards in the same transaction."""

from __future__ import annotations

from collections.abc import Coroutine
from datetime import datetime, time, timedelta
from itertools import takewhile
from typing import Any, TypeVar

from core.amounts import parse_amount
from core.deps import Deps
from core.errors import (
    EmptyNote,
    InThePast,
    InvalidTransition,
    NothingToUndo,
    NotYourLead,
    UndoTooLate,
)
from core.lifecycle.cards import STAGE_EVENTS, refresh_cards
from core.lifecycle.common import manager, owned_lead, stop_asking
from core.lifecycle.first_contact import contact_made, contact_undone
from core.lifecycle.followup import (
    NURTURE_AFTER,
    misses_in_a_row,
    plan_follow_ups,
    plan_next_try,
    tell_managers_nurtured,
)
from core.lifecycle.outcomes import prompt_answered
from core.model import Lead, LeadEvent, PromptKind, Stage, Task, TaskKind
from core.ports import UnitOfWork

T = TypeVar("T")
NOTE_LIMIT = 4000  # what one Telegram message can carry, less room for the card around it
REMINDER_CHOICES = ("1h", "tomorrow", "3d")
# A press repeated this soon is a double tap (or two deliveries of one): it counts once.
REPEAT_WITHIN = timedelta(seconds=30)
_MORNING = time(10, 0)


async def committed(uow: UnitOfWork, step: Coroutine[Any, Any, T]) -> T:
    """Run *step*, the work of a use case, in a transaction of its own, and commit it."""
    try:
        async with uow:
            result = await step
            await uow.commit()
    finally:
        step.close()  # never started if the transaction could not begin: no warning
    return result


async def _stage_changed(uow: UnitOfWork, deps: Deps, lead: Lead, agent_id: int,
                         before: dict[str, Any], now: datetime, **data: Any) -> None:
    """Save a stage change, keep what it replaced for Undo, and edit the cards."""
    await uow.leads.update(lead)
    if before["contacted_at"] is None and lead.contacted_at is not None:
        await contact_made(uow, deps, lead, now)  # a stage past New says they were reached
    await uow.events.add(LeadEvent(lead.id, now, "stage", agent_id, {
        "from": before["stage"], "to": lead.stage.value, "before": before,
        **{k: v for k, v in data.items() if v is not None}}))
    if lead.stage is not Stage.NURTURE:  # a step forward: no call left to plan
        await plan_next_try(uow, deps, lead, now, misses=0)
    await plan_follow_ups(uow, deps, lead, now)
    await prompt_answered(uow, deps, lead, agent_id, now)
    await refresh_cards(uow, deps, lead, now)


async def record_stage(
    uow: UnitOfWork, deps: Deps, /, *, agent_id: int, lead_id: int, stage: Stage,
    amount: int | None = None, reason: str | None = None, note: str | None = None,
) -> Lead:
    """Move a lead forward to *stage* (to lost or nurture from anywhere open), with the
    amount of an Offer or a Won and the reason of a Lost."""
    return await committed(uow, stage_in(uow, deps, agent_id=agent_id, lead_id=lead_id,
                                         stage=stage, amount=amount, reason=reason,
                                         note=note))


async def stage_in(
    uow: UnitOfWork, deps: Deps, *, agent_id: int, lead_id: int, stage: Stage,
    amount: int | None = None, reason: str | None = None, note: str | None = None,
) -> Lead:
    """record_stage's work, in a transaction the caller holds. An Offer's or a Won's note
    that is an amount ("4.500.000", "4,5 milyon") is taken as its amount."""
    now = deps.clock.now()
    if amount is None and note and stage in (Stage.OFFER, Stage.WON):
        # Read before anything is, so a refused amount changes nothing.
        found = parse_amount(note, cap=deps.config.max_amount)
        if found is not None and found.low == found.high:
            amount, note = found.low, None
    _, lead = await owned_lead(uow, agent_id, lead_id)
    await _move(uow, deps, lead, agent_id, now, stage, amount=amount, reason=reason, note=note)
    return lead


async def _move(uow: UnitOfWork, deps: Deps, lead: Lead, agent_id: int, now: datetime,
                stage: Stage, *, amount: int | None = None, reason: str | None = None,
                note: str | None = None) -> None:
    """Move the locked *lead* to *stage*; Contacted on a new lead is its first reached try."""
    before = lead.work_state()
    if stage is Stage.CONTACTED and lead.stage is Stage.NEW:
        first = lead.log_attempt(now, reached=True)
        await _attempted(uow, lead, agent_id, now, reached=True, first=first)
    else:
        lead.record_stage(stage, now, amount=amount, reason=reason)
    await _stage_changed(uow, deps, lead, agent_id, before, now, amount=amount,
                         reason=reason, note=note)


async def log_attempt(uow: UnitOfWork, deps: Deps, /, *, agent_id: int, lead_id: int,
                      reached: bool) -> Lead:
    """Record a try to reach the contact (Contacted, or Couldn't reach); the first try of
    either kind is the lead's first contact. Contacted on a new lead also moves its stage;
    further on, it is a try like any other. The same press again within REPEAT_WITHIN
    changes nothing."""
    now = deps.clock.now()
    async with uow:
        person, lead = await owned_lead(uow, agent_id, lead_id)
        # An undo in between makes a press after it a new one (Contacted pressed again).
        last = next(iter(await uow.events.recent(lead.id, kinds=("attempt", "undo"),
                                                 limit=1)), None)
        if (last is not None and last.kind == "attempt" and last.agent_id == agent_id
                and last.data.get("reached") == reached and now - last.at < REPEAT_WITHIN):
            return lead
        if reached and lead.stage is Stage.NEW:
            await _move(uow, deps, lead, agent_id, now, Stage.CONTACTED)
            misses = 0
        else:
            first = lead.log_attempt(now, reached=reached)
            await uow.leads.update(lead)
            await _attempted(uow, lead, agent_id, now, reached=reached, first=first)
            if first:
                await contact_made(uow, deps, lead, now)
            misses = 0 if reached else await misses_in_a_row(uow, lead.id)
            if misses >= NURTURE_AFTER and lead.stage is not Stage.NURTURE:
                await _move(uow, deps, lead, agent_id, now, Stage.NURTURE)
                await tell_managers_nurtured(uow, deps, lead, person.name, now)
            else:
                await refresh_cards(uow, deps, lead, now)
        await plan_next_try(uow, deps, lead, now, misses=misses)
        await uow.commit()
    return lead


async def _attempted(uow: UnitOfWork, lead: Lead, agent_id: int, now: datetime, *,
                     reached: bool, first: bool) -> None:
    await uow.events.add(LeadEvent(lead.id, now, "attempt", agent_id, {
        "reached": reached, "number": lead.attempts, "first_contact": first}))


async def add_note(uow: UnitOfWork, deps: Deps, /, *, agent_id: int, lead_id: int,
                   text: str) -> Lead:
    """Add a note to the lead's history; its cards show the newest ones."""
    return await committed(uow, note_in(uow, deps, agent_id=agent_id, lead_id=lead_id,
                                        text=text))


async def note_in(uow: UnitOfWork, deps: Deps, *, agent_id: int, lead_id: int,
                  text: str) -> Lead:
    """add_note's work, in a transaction the caller holds."""
    text = text.strip()
    if not text:
        raise EmptyNote()
    now = deps.clock.now()
    _, lead = await owned_lead(uow, agent_id, lead_id)
    await uow.events.add(LeadEvent(lead.id, now, "note", agent_id, {"note": text[:NOTE_LIMIT]}))
    await refresh_cards(uow, deps, lead, now)
    return lead


async def book_appointment(uow: UnitOfWork, deps: Deps, /, *, agent_id: int, lead_id: int,
                           at: datetime) -> Lead:
    """Book a meeting with the contact at *at*, picked on the card: the lead moves to
    Appointment (unless it is further on already), the meeting becomes its task, instead of
    any booked before, and a time typed for it later is no second booking."""
    return await committed(uow, _picked(uow, deps, agent_id=agent_id, lead_id=lead_id, at=at))


async def _picked(uow: UnitOfWork, deps: Deps, *, agent_id: int, lead_id: int,
                  at: datetime) -> Lead:
    """book_appointment's work, in a transaction the caller holds."""
    lead = await appointment_in(uow, deps, agent_id=agent_id, lead_id=lead_id, at=at)
    person = await uow.agents.get(agent_id)
    if person is not None:
        await stop_asking(uow, person, PromptKind.APPOINTMENT, lead.id)
    return lead


async def appointment_in(uow: UnitOfWork, deps: Deps, *, agent_id: int, lead_id: int,
                         at: datetime) -> Lead:
    """book_appointment's work, in a transaction the caller holds."""
    now = deps.clock.now()
    if at <= now:
        raise InThePast()
    person, lead = await owned_lead(uow, agent_id, lead_id)
    if not lead.is_open:
        raise InvalidTransition(stage=lead.stage.value)
    before = lead.work_state()
    await uow.tasks.close([t.id for t in await uow.tasks.open_for([lead.id])
                           if t.kind is TaskKind.APPOINTMENT], at=now)
    remind_at = max(now, at - deps.config.work.appointment_reminder)
    await uow.tasks.add(Task(lead.id, lead.owner_id or person.telegram_id,
                             TaskKind.APPOINTMENT, at, now, remind_at=remind_at))
    uow.wake_at(remind_at)
    if lead.stage in (Stage.NEW, Stage.CONTACTED, Stage.INFO_SENT, Stage.NURTURE):
        lead.record_stage(Stage.APPOINTMENT, now)
        await _stage_changed(uow, deps, lead, agent_id, before, now, at=at.isoformat())
    else:  # further on already: a second viewing, say
        await uow.events.add(LeadEvent(lead.id, now, "appointment", agent_id,
                                       {"at": at.isoformat()}))
        await refresh_cards(uow, deps, lead, now)
    return lead


def reminder_time(choice: str, *, now: datetime, deps: Deps) -> datetime:
    """When a Remind me choice falls: in an hour, tomorrow at 10:00, or in three days at
    10:00, in the office's time zone."""
    if choice == "1h":
        return now + timedelta(hours=1)
    days = 1 if choice == "tomorrow" else 3
    local = now.astimezone(deps.config.zone)
    day = local.date() + timedelta(days=days)
    return datetime.combine(day, _MORNING, tzinfo=deps.config.zone)


async def remind_me(uow: UnitOfWork, deps: Deps, /, *, agent_id: int, lead_id: int,
                    choice: str) -> Task:
    """Set a reminder about the lead for its owner: in an hour, tomorrow at 10:00, or in
    three days (REMINDER_CHOICES); the same press again within REPEAT_WITHIN sets none."""
    if choice not in REMINDER_CHOICES:
        raise InThePast()
    now = deps.clock.now()
    at = reminder_time(choice, now=now, deps=deps)
    async with uow:
        person, lead = await owned_lead(uow, agent_id, lead_id)
        if not lead.is_open:  # a card drawn before the lead was won or lost
            raise InvalidTransition(stage=lead.stage.value)
        for task in await uow.tasks.open_for([lead.id]):
            if (task.kind is TaskKind.REMINDER and now - task.created_at < REPEAT_WITHIN
                    and abs(task.due_at - at) < REPEAT_WITHIN):
                return task
        task = Task(lead.id, lead.owner_id or person.telegram_id, TaskKind.REMINDER, at, now,
                    remind_at=at)
        await uow.tasks.add(task)
        uow.wake_at(at)
        await uow.events.add(LeadEvent(lead.id, now, "reminder", agent_id,
                                       {"at": at.isoformat()}))
        await refresh_cards(uow, deps, lead, now)
        await uow.commit()
    return task


async def undo_last_change(uow: UnitOfWork, deps: Deps, /, *, agent_id: int,
                           lead_id: int) -> Lead:
    """Take back the lead's last stage change, within the office's Undo window (ten minutes
    by default), and record that it was taken back."""
    now = deps.clock.now()
    async with uow:
        person, lead = await owned_lead(uow, agent_id, lead_id)
        # Newest first: the tries logged since the last stage change, then that change.
        history = await uow.events.recent(lead.id, kinds=(*STAGE_EVENTS, "attempt"),
                                          limit=lead.attempts + 1)
        tries = list(takewhile(lambda e: e.kind == "attempt", history))
        last = history[len(tries)] if len(history) > len(tries) else None
        if last is None or last.kind != "stage" or "before" not in last.data:
            raise NothingToUndo()
        if now - last.at > deps.config.work.undo_within:
            raise UndoTooLate(minutes=round(deps.config.work.undo_within.total_seconds() / 60))
        if last.agent_id != agent_id and not person.is_manager:
            raise NothingToUndo()  # someone else's change: theirs to undo, or a manager's
        undone = lead.stage.value
        lead.restore(last.data["before"], tries_since=[e.at for e in tries])
        if "at" in last.data:  # the change booked a meeting: taking it back cancels it
            booked = datetime.fromisoformat(last.data["at"])
            await uow.tasks.close([t.id for t in await uow.tasks.open_for([lead.id])
                                   if t.kind is TaskKind.APPOINTMENT and t.due_at == booked],
                                  at=now)
        await uow.leads.update(lead)
        await contact_undone(uow, deps, lead, now)
        await uow.events.add(LeadEvent(lead.id, now, "undo", agent_id, {
            "event_id": last.id, "from": undone, "to": lead.stage.value}))
        await plan_follow_ups(uow, deps, lead, now)
        await refresh_cards(uow, deps, lead, now)
        await uow.commit()
    return lead


async def correct_stage(uow: UnitOfWork, deps: Deps, /, *, manager_id: int, lead_id: int,
                        stage: Stage, reason: str, amount: int | None = None) -> Lead:
    """A manager sets a lead's stage to what it really is, back or forward, reopening a won
    or lost lead, with the reason recorded."""
    reason = reason.strip()
    if not reason:
        raise EmptyNote()
    now = deps.clock.now()
    async with uow:
        await manager(uow, manager_id)
        lead = await uow.leads.lock(lead_id)
        if lead is None:
            raise NotYourLead()
        before = lead.work_state()
        lead.correct_stage(stage, now, amount=amount)
        await uow.leads.update(lead)
        await uow.events.add(LeadEvent(lead.id, now, "correction", manager_id, {
            "from": before["stage"], "to": lead.stage.value, "before": before,
            "note": reason[:NOTE_LIMIT]}))
        await plan_follow_ups(uow, deps, lead, now)
        await refresh_cards(uow, deps, lead, now)
        await uow.commit()
    return lead
