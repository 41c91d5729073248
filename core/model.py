"""The domain's entities: contacts, leads, offers and the messages state changes cause."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from core.config import AgentProfile, Role, Temperature


class LeadStatus(StrEnum):
    """Who holds a lead right now."""

    NEW = "new"  # stored and answered; routing takes it next (milliseconds, in one batch)
    OFFERED = "offered"  # an offer waits for an agent's Accept
    WITH_MANAGERS = "with_managers"  # nobody accepted in time; a manager must assign it
    OWNED = "owned"  # an agent owns it and works it
    CLOSED = "closed"  # won or lost
    NURTURE = "nurture"  # no owner for now, by the routing policy; listed for managers
    DISQUALIFIED = "disqualified"  # the policy turned it away (B2B: low intent, weak fit)
    REVIVED = "revived"  # was in nurture; the contact came back and a newer lead took over


class Stage(StrEnum):
    """How far the owner has taken a lead."""

    NEW = "new"
    CONTACTED = "contacted"
    APPOINTMENT = "appointment"
    OFFER = "offer"
    WON = "won"
    LOST = "lost"


STAGE_ORDER = [Stage.NEW, Stage.CONTACTED, Stage.APPOINTMENT, Stage.OFFER, Stage.WON]


class OfferStatus(StrEnum):
    """Where one offer to one agent stands."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"  # a claim pool offer someone claimed first, or never posted


class DeclineReason(StrEnum):
    """Why an agent passed on a lead."""

    BUSY = "busy"
    NOT_MY_AREA = "area"
    NOT_MY_PRODUCT = "product"
    OTHER = "other"
    UNREACHABLE = "unreachable"  # Telegram refused: the agent blocked the bot or left


@dataclass
class Agent:
    """A person on the roster, with the chat the bot may write to once they pressed Start."""

    telegram_id: int
    name: str
    role: Role = Role.AGENT
    active: bool = True
    away: bool = False
    language: str | None = None
    position: int = 0
    chat_id: int | None = None
    profile: AgentProfile = field(default_factory=AgentProfile)

    @property
    def is_manager(self) -> bool:
        """Whether this person may see office-wide data and assign leads."""
        return self.role is Role.MANAGER and self.active


@dataclass
class Contact:
    """One person, however many times and channels they reach us through."""

    phone: str | None
    email: str | None
    name: str | None
    created_at: datetime
    id: int = 0


@dataclass
class Lead:
    """One inquiry from a contact, from arrival to won or lost."""

    contact_id: int
    source: str
    received_at: datetime
    score: int
    temperature: Temperature
    name: str | None = None
    phone: str | None = None
    email: str | None = None
    product: str | None = None
    region: str | None = None
    budget_min: int | None = None
    budget_max: int | None = None
    timing: str | None = None
    message: str | None = None
    external_id: str | None = None
    postal_code: str | None = None
    language: str | None = None
    tags: list[str] = field(default_factory=list)
    company: str | None = None
    intent: str | None = None  # what the B2B lead did: demo_request, pricing, webinar...
    fit: str | None = None  # strong | weak
    missing: list[str] = field(default_factory=list)
    returning: bool = False
    status: LeadStatus = LeadStatus.OFFERED
    stage: Stage = Stage.NEW
    owner_id: int | None = None
    accepted_at: datetime | None = None
    escalated_at: datetime | None = None
    contacted_at: datetime | None = None
    closed_at: datetime | None = None
    amount: int | None = None
    version: int = 1
    id: int = 0


@dataclass
class Offer:
    """A lead put to one agent, open until Accept, Decline or its deadline."""

    lead_id: int
    agent_id: int
    token: str
    created_at: datetime
    deadline: datetime
    sequence: int
    status: OfferStatus = OfferStatus.PENDING
    decided_at: datetime | None = None
    decline_reason: DeclineReason | None = None
    trace: dict[str, Any] = field(default_factory=dict)
    kind: str = "offer"  # "offer" to one agent, or "claim" in a first-to-claim pool
    delivered_at: datetime | None = None  # when Telegram took the message; the clock starts
    id: int = 0


@dataclass
class LeadEvent:
    """Something that happened to a lead, kept for its history and for stats."""

    lead_id: int
    at: datetime
    kind: str
    agent_id: int | None = None
    data: dict[str, Any] = field(default_factory=dict)
    id: int = 0


@dataclass
class OutgoingMessage:
    """A Telegram message a state change causes, written in the same transaction.

    `template` and `params` are rendered by the bot at send time; `ref` names the sent
    message so a later row can edit it through `edit_ref`.
    """

    chat_id: int
    template: str
    params: dict[str, Any]
    created_at: datetime
    ref: str | None = None
    edit_ref: str | None = None
    id: int = 0
