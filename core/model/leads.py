"""Leads and offers, with the transitions between their states, and what they cause."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from core.errors import InvalidTransition
from core.model.vocabulary import (
    STAGE_ORDER,
    DeclineReason,
    LeadStatus,
    OfferKind,
    OfferStatus,
    RouteOutcome,
    Stage,
    Temperature,
)


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

    def settle(self, outcome: RouteOutcome, at: datetime) -> None:
        """Take the state a routing decision leaves the lead in."""
        if outcome is RouteOutcome.MANAGERS:
            self.escalate(at)
        elif outcome is RouteOutcome.NURTURE:
            self.status = LeadStatus.NURTURE
        elif outcome is RouteOutcome.DISQUALIFIED:
            self.status, self.closed_at = LeadStatus.DISQUALIFIED, at
        else:
            self.status = LeadStatus.OFFERED

    def escalate(self, at: datetime) -> None:
        """Hand the lead to the managers: nobody took it, or nobody can."""
        self.status, self.escalated_at = LeadStatus.WITH_MANAGERS, at

    def give_to(self, agent_id: int, at: datetime) -> None:
        """Make *agent_id* the owner: by their Accept or Claim, or a manager's choice."""
        self.status, self.owner_id, self.accepted_at = LeadStatus.OWNED, agent_id, at

    def record_stage(self, stage: Stage, at: datetime) -> None:
        """Move an owned lead forward to *stage*, or to lost from anywhere; won and lost close
        it. Anything else is an InvalidTransition naming the stage it is at."""
        if self.status is not LeadStatus.OWNED:
            raise InvalidTransition(stage=self.stage.value)
        if stage is not Stage.LOST and STAGE_ORDER.index(stage) <= STAGE_ORDER.index(self.stage):
            raise InvalidTransition(stage=self.stage.value)
        self.stage = stage
        if self.contacted_at is None and stage is not Stage.NEW:
            self.contacted_at = at
        if stage in (Stage.WON, Stage.LOST):
            self.status, self.closed_at = LeadStatus.CLOSED, at


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
    kind: OfferKind = OfferKind.OFFER
    delivered_at: datetime | None = None  # when Telegram took the message; the clock starts
    id: int = 0

    @property
    def window(self) -> timedelta:
        """How long the agent has to answer, from the moment the offer reaches them."""
        return self.deadline - self.created_at

    def start_clock(self, delivered_at: datetime) -> datetime:
        """Count the answer window from delivery: an agent is never timed out by our own
        backlog, and a deadline never moves earlier. The new deadline."""
        self.delivered_at = delivered_at
        self.deadline = max(self.deadline, delivered_at + self.window)
        return self.deadline

    @property
    def group(self) -> int | None:
        """The group chat this offer's round was posted to, if it was posted to one."""
        chat = self.trace.get("chat")
        return int(chat) if chat is not None else None


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
