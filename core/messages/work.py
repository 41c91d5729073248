"""The parameters of what working a lead sends: its card, reminders, and the clocks after
Accept."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.messages.params import OMIT_DEFAULT, ContactDetails, LeadSummary, Params


@dataclass(frozen=True)
class CardParams(Params):
    """A lead as its owner works it: who, how to reach them, how far it got, what is next."""

    summary: LeadSummary
    contact: ContactDetails
    stage: str
    closed: bool = False
    owner: str | None = None
    owner_view: bool = True  # False: a manager's copy, who corrects rather than works it
    attempts: int = 0
    first_contact_at: str | None = None
    offer_amount: int | None = None
    amount: int | None = None
    lost_reason: str | None = None
    notes: list[list[Any]] | None = None  # [at, author, text], newest first
    notes_total: int = 0
    next_task: list[Any] | None = None  # [kind, due at]
    earlier: list[list[Any]] | None = None  # the contact's other leads: [id, received, stage]
    undo_until: str | None = None  # Undo is offered until then
    first_message: str | None = None  # the office's own opening line, if it wrote one
    office_lang: str = "en"
    # "accepted", "assigned" or "entered" (with /new): the card that gave the lead
    opened: str | None = None
    by: str | None = None  # the manager who assigned it


@dataclass(frozen=True)
class CardMovedParams(Params):
    """An older card of a lead, now that a newer one was sent below it."""

    lead_id: int


@dataclass(frozen=True)
class ReminderParams(Params):
    """A task come due, for its owner: the lead, what is due and when."""

    summary: LeadSummary
    task_id: int
    kind: str  # a TaskKind
    due_at: str


@dataclass(frozen=True)
class ReminderAnsweredParams(Params):
    """A reminder its owner marked done, or snoozed until *until*."""

    lead_id: int
    kind: str
    until: str | None = None


@dataclass(frozen=True)
class NurturedParams(Params):
    """A lead gone to nurture after *tries* tries in a row that reached nobody."""

    summary: LeadSummary
    agent: str
    tries: int


@dataclass(frozen=True)
class ContactMissedParams(Params):
    """For the managers: a lead whose owner has not tried to reach the contact in time,
    with the agents they can give it to instead."""

    summary: LeadSummary
    agent: str
    due_at: str
    reclaim_at: str | None
    choices: list[list[Any]]  # [telegram_id, name], the available first
    # str(telegram_id) -> why routing would pass them over now (as EscalatedParams.marks);
    # rows from before it have none and show everyone alike.
    marks: dict[str, str] | None = field(default=None, metadata=OMIT_DEFAULT)


@dataclass(frozen=True)
class MissClosedParams(Params):
    """A missed first contact settled: *outcome* "contacted", "reassigned" or "reclaimed"."""

    lead_id: int
    outcome: str
    agent: str | None = None  # who has it now (reassigned) or made contact
    by: str | None = None  # the manager who reassigned it


@dataclass(frozen=True)
class ContactNudgeParams(Params):
    """For the owner: first contact is overdue; by *reclaim_at* the lead is taken back."""

    summary: LeadSummary
    due_at: str
    reclaim_at: str | None


@dataclass(frozen=True)
class ReclaimWarningParams(Params):
    """For the owner: the lead is taken back at *at* unless they act, by rule *reason*."""

    summary: LeadSummary
    reason: str
    at: str


@dataclass(frozen=True)
class ReclaimedParams(Params):
    """For the owner it was taken from: why (a reclaim rule, or a manager's reassignment);
    *brief*: the short form their card is edited into, without the contact details."""

    summary: LeadSummary
    reason: str
    brief: bool = False
    to: str | None = None  # the agent a manager gave it to
    by: str | None = None  # that manager
    # Why: a ReassignReason (reason "reassigned") or a ReturnReason (reason "returned",
    # the owner's own hand-back); rows from before it have none.
    why: str | None = field(default=None, metadata=OMIT_DEFAULT)


@dataclass(frozen=True)
class OutcomePromptParams(Params):
    """Where does a lead stand? Asked of its owner when its stage has not moved since the
    last time (or since Accept), with the stage buttons and Still working on it."""

    summary: LeadSummary
    task_id: int  # the outcome clock's task
    number: int  # which time it is asked (the clock's step), 1 first
    stage: str
    since: str  # when the owner got the lead


@dataclass(frozen=True)
class OutcomeAnsweredParams(Params):
    """An outcome prompt answered: Still working on it, or the stage it is at now."""

    lead_id: int
    stage: str
    working: bool = False  # True: Still working on it
