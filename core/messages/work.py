"""The parameters of what working a lead sends: its card, reminders, and the clocks after
Accept."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.messages.params import ContactDetails, LeadSummary, Params


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
