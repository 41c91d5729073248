"""The messages a state change sends, typed: which template, its parameters, and the
references by which a later message edits an earlier one.

Rows are stored in the outbox as a template name, a flat JSON object of parameters and
reference strings, and may be sent by a newer version than the one that wrote them: every
name, key and reference format here is the string the first version wrote
(tests/test_outbox_compat.py renders rows as that version wrote them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar, Self, get_type_hints

from core.model import Agent, Lead, OutgoingMessage
from core.refs import REFS as REFS
from core.refs import AssignmentRef as AssignmentRef
from core.refs import CardRef as CardRef
from core.refs import EscalationRef as EscalationRef
from core.refs import OfferRef as OfferRef
from core.refs import Ref as Ref
from core.refs import ReminderRef as ReminderRef
from core.refs import RoundRef as RoundRef
from core.refs import parse_ref as parse_ref


class Template(StrEnum):
    """What a message says; the bot has one renderer for each."""

    OFFER = "offer"
    CLAIM_OFFER = "claim_offer"
    CLAIM_GROUP = "claim_group"
    CLAIM_GROUP_TAKEN = "claim_group_taken"
    CLAIM_GROUP_EXPIRED = "claim_group_expired"
    CLAIM_TAKEN = "claim_taken"
    OFFER_ACCEPTED = "offer_accepted"
    LEAD_ASSIGNED = "lead_assigned"
    OFFER_DECLINED = "offer_declined"
    OFFER_EXPIRED = "offer_expired"
    ESCALATED = "escalated"
    ESCALATION_CLOSED = "escalation_closed"
    AUDIT_REPORT = "audit_report"
    GROUP_UNREACHABLE = "group_unreachable"
    AGENT_UNREACHABLE = "agent_unreachable"
    CARD = "card"
    CARD_MOVED = "card_moved"
    REMINDER = "reminder"
    REMINDER_ANSWERED = "reminder_answered"
    NURTURED = "nurtured"


# --- parameters --------------------------------------------------------------------------


@dataclass(frozen=True)
class Params:
    """A template's parameters, stored flat: a nested record's keys sit beside the others."""

    _TYPED: ClassVar[tuple[tuple[str, Any], ...] | None] = None

    def to_json(self) -> dict[str, Any]:
        """The flat JSON object stored in the outbox."""
        flat: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, Params):
                flat.update(value.to_json())
            else:
                flat[f.name] = value
        return flat

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        """The record a stored row holds; keys it does not know are left aside."""
        values: dict[str, Any] = {}
        for name, kind in cls._typed_fields():
            if isinstance(kind, type) and issubclass(kind, Params):
                values[name] = kind.from_json(data)
            elif name in data:
                values[name] = data[name]
        return cls(**values)

    @classmethod
    def carries_contact(cls) -> bool:
        """Whether the record holds how to reach the person (a ContactDetails field)."""
        return any(kind is ContactDetails for _, kind in cls._typed_fields())

    @classmethod
    def _typed_fields(cls) -> tuple[tuple[str, Any], ...]:
        """Each field's name and resolved type, worked out once per record class."""
        known: tuple[tuple[str, Any], ...] | None = cls.__dict__.get("_TYPED")
        if known is None:
            hints = get_type_hints(cls)
            known = tuple((f.name, hints[f.name]) for f in fields(cls))
            cls._TYPED = known
        return known


@dataclass(frozen=True)
class LeadSummary(Params):
    """What an agent may see before accepting: everything but how to reach the person."""

    lead_id: int
    temperature: str
    score: int
    product: str | None = None
    region: str | None = None
    budget_min: int | None = None
    budget_max: int | None = None
    timing: str | None = None
    source: str | None = None
    first_name: str | None = None
    missing: list[str] = field(default_factory=list)
    returning: bool = False
    received_at: str | None = None
    company: str | None = None
    intent: str | None = None

    @classmethod
    def of(cls, lead: Lead) -> LeadSummary:
        """The summary of *lead*."""
        return cls(
            lead_id=lead.id, temperature=lead.temperature.value, score=lead.score,
            product=lead.product, region=lead.region, budget_min=lead.budget_min,
            budget_max=lead.budget_max, timing=lead.timing, source=lead.source,
            first_name=lead.name.split()[0] if lead.name else None,
            missing=list(lead.missing), returning=lead.returning,
            received_at=lead.received_at.isoformat(), company=lead.company,
            intent=lead.intent)


@dataclass(frozen=True)
class ContactDetails(Params):
    """How to reach the person: only for the lead's owner and the managers."""

    name: str | None = None
    phone: str | None = None
    email: str | None = None
    message: str | None = None

    @classmethod
    def of(cls, lead: Lead) -> ContactDetails:
        """The contact details of *lead*."""
        return cls(name=lead.name, phone=lead.phone, email=lead.email, message=lead.message)


@dataclass(frozen=True)
class OfferParams(Params):
    """An offer to one agent (offer), or one pool member's share of a round (claim_offer)."""

    summary: LeadSummary
    offer_id: int
    token: str
    deadline: str  # ISO 8601; the renderer shows it in the office's zone
    window_s: int
    sequence: int = 1
    why: str = ""
    pool_size: int = 0  # rows from before claim pools have none


@dataclass(frozen=True)
class ClaimGroupParams(Params):
    """A round posted to a pool's group, with one Claim button for every member."""

    summary: LeadSummary
    sequence: int
    token: str
    deadline: str
    window_s: int
    pool_size: int = 0


@dataclass(frozen=True)
class LeadParams(Params):
    """A message about a lead and nothing more (a round nobody claimed)."""

    summary: LeadSummary


@dataclass(frozen=True)
class ClaimedParams(Params):
    """Who claimed a pool's lead first (claim_taken, claim_group_taken)."""

    summary: LeadSummary
    agent: str


@dataclass(frozen=True)
class AcceptedParams(Params):
    """The lead opened to the agent who accepted or claimed it."""

    summary: LeadSummary
    contact: ContactDetails


@dataclass(frozen=True)
class AssignedParams(Params):
    """The lead opened to the agent a manager gave it to."""

    summary: LeadSummary
    contact: ContactDetails
    by: str


@dataclass(frozen=True)
class DeclinedParams(Params):
    """The offer an agent passed on, and why."""

    summary: LeadSummary
    reason: str


@dataclass(frozen=True)
class ExpiredParams(Params):
    """The offer that was not answered within its window."""

    summary: LeadSummary
    window_s: int


@dataclass(frozen=True)
class EscalatedParams(Params):
    """A lead for the managers, with whom it was offered to and whom they can give it to."""

    summary: LeadSummary
    contact: ContactDetails
    reason: str
    tried: list[str]
    choices: list[list[Any]]  # [telegram_id, name], as JSON keeps pairs


@dataclass(frozen=True)
class EscalationClosedParams(Params):
    """An escalated lead someone assigned."""

    summary: LeadSummary
    agent: str
    by: str


@dataclass(frozen=True)
class AuditReportParams(Params):
    """What the auditor fixed."""

    leads: list[int]
    resent: int


@dataclass(frozen=True)
class GroupUnreachableParams(Params):
    """A pool's group Telegram refuses to post to."""

    chat: int
    lead_id: int


@dataclass(frozen=True)
class AgentUnreachableParams(Params):
    """An agent Telegram no longer delivers to, and the lead that moved on, if one did."""

    agent: str
    lead_id: int | None


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


PARAMS: Mapping[Template, type[Params]] = {
    Template.OFFER: OfferParams,
    Template.CLAIM_OFFER: OfferParams,
    Template.CLAIM_GROUP: ClaimGroupParams,
    Template.CLAIM_GROUP_TAKEN: ClaimedParams,
    Template.CLAIM_GROUP_EXPIRED: LeadParams,
    Template.CLAIM_TAKEN: ClaimedParams,
    Template.OFFER_ACCEPTED: AcceptedParams,
    Template.LEAD_ASSIGNED: AssignedParams,
    Template.OFFER_DECLINED: DeclinedParams,
    Template.OFFER_EXPIRED: ExpiredParams,
    Template.ESCALATED: EscalatedParams,
    Template.ESCALATION_CLOSED: EscalationClosedParams,
    Template.AUDIT_REPORT: AuditReportParams,
    Template.GROUP_UNREACHABLE: GroupUnreachableParams,
    Template.AGENT_UNREACHABLE: AgentUnreachableParams,
    Template.CARD: CardParams,
    Template.CARD_MOVED: CardMovedParams,
    Template.REMINDER: ReminderParams,
    Template.REMINDER_ANSWERED: ReminderAnsweredParams,
    Template.NURTURED: NurturedParams,
}
"""The parameters each template takes."""


class ContactDetailsLeak(ValueError):
    """Contact details addressed to a chat that is not a private one: a bug, refused."""


def is_private_chat(chat_id: int) -> bool:
    """Whether *chat_id* is a person's private chat with the bot.

    Telegram gives a private chat its person's (positive) user id; groups, supergroups and
    channels have negative ids.
    """
    return chat_id > 0


def compose(chat_id: int, template: Template, params: Params, *, lang: str, at: datetime,
            ref: Ref | None = None, edit_ref: Ref | None = None) -> OutgoingMessage:
    """The outbox row for *template* with *params*, in *lang*.

    Contact details go only to private chats: a row that would put them in a group is a
    bug, and raising here fails it loudly instead of leaking them to everyone there.
    """
    if not isinstance(params, PARAMS[template]):
        raise TypeError(f"{template} takes {PARAMS[template].__name__}, "
                        f"not {type(params).__name__}")
    if params.carries_contact() and not is_private_chat(chat_id):
        raise ContactDetailsLeak(f"{template} carries contact details; chat {chat_id} is not "
                                 "a private chat")
    return OutgoingMessage(chat_id, template, {**params.to_json(), "lang": lang}, at,
                           ref=ref.format() if ref else None,
                           edit_ref=edit_ref.format() if edit_ref else None)


def to_person(person: Agent, template: Template, params: Params, *, office_language: str,
              at: datetime, ref: Ref | None = None,
              edit_ref: Ref | None = None) -> OutgoingMessage:
    """The row for *person*'s private chat, in their language (the office's if they set none).

    Callers pick only people with a chat; one without is a bug, not something to send.
    """
    if person.chat_id is None:
        raise ValueError(f"{person.name} has no chat to send {template!r} to")
    return compose(person.chat_id, template, params, lang=person.language or office_language,
                   at=at, ref=ref, edit_ref=edit_ref)
