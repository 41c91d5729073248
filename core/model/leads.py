"""Leads and offers, with the transitions between their states, and what they cause."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from core.errors import InvalidTransition
from core.model.people import Agent
from core.model.vocabulary import (
    CLOSING_STAGES,
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
    amount: int | None = None  # what it was won for
    offer_amount: int | None = None  # what was offered to the contact, at Offer
    lost_reason: str | None = None  # a LostReason
    attempts: int = 0  # tries to reach the contact, answered or not
    stage_at: datetime | None = None  # when the stage last changed
    lead_type: str | None = None  # names its windows, if a rule or its source gave one
    contact_due_at: datetime | None = None  # first contact is due by then (set on Accept)
    # What intake kept besides (core/lead_extras.py): fields it has no place for (personal
    # data, perhaps: shown only with the contact details), the campaign fields, consent,
    # and {field: problem} of the fields it was kept despite.
    extras: dict[str, str] = field(default_factory=dict)
    campaign: dict[str, str] = field(default_factory=dict)
    consent: dict[str, Any] | None = None
    flags: dict[str, str] = field(default_factory=dict)
    # The file a lead came in by `leadrelay import` (its name); such a lead's first call is
    # due within the office's business days for imports, not its temperature's minutes.
    import_file: str | None = None
    released_at: datetime | None = None  # when the import pool let it go to routing
    # For the managers' numbers: the furthest stage of STAGE_ORDER it reached (a lead lost
    # after an appointment counts at the appointment), its owner's team when they took it,
    # the routing rule and strategy of its first routing decision, and whether it came while
    # an earlier lead of its contact was still open (a duplicate: counted nowhere).
    furthest_stage: Stage = Stage.NEW
    team: str | None = None
    rule: str | None = None
    strategy: str | None = None
    duplicate: bool = False
    version: int = 1
    id: int = 0

    def settle(self, outcome: RouteOutcome, at: datetime, *, rule: str,
               strategy: str) -> None:
        """Take the state a routing decision leaves the lead in; the first decision's *rule*
        and *strategy* stay the lead's for the numbers, however often it is routed again."""
        if self.rule is None:
            self.rule, self.strategy = rule, strategy
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

    def give_to(self, agent: Agent, at: datetime) -> None:
        """Make *agent* the owner: by their Accept or Claim, or a manager's choice. The lead
        counts for the team they are in now, wherever they move later."""
        self.status, self.owner_id, self.accepted_at = LeadStatus.OWNED, agent.telegram_id, at
        self.team = agent.profile.team

    def take_back(self) -> int:
        """Take an owned lead from its owner, to be routed again; the owner it had."""
        if self.status is not LeadStatus.OWNED or self.owner_id is None:
            raise InvalidTransition(stage=self.stage.value)
        former, self.owner_id, self.team = self.owner_id, None, None
        self.status, self.accepted_at, self.contact_due_at = LeadStatus.NEW, None, None
        return former

    @property
    def is_open(self) -> bool:
        """Whether an owner works the lead now (won and lost leads are closed)."""
        return self.status is LeadStatus.OWNED

    def work_state(self) -> dict[str, Any]:
        """What a stage change alters, as JSON, so that Undo or a correction can put it back."""
        def iso(value: datetime | None) -> str | None:
            return value.isoformat() if value else None
        return {"stage": self.stage.value, "status": self.status.value,
                "closed_at": iso(self.closed_at), "contacted_at": iso(self.contacted_at),
                "stage_at": iso(self.stage_at), "amount": self.amount,
                "offer_amount": self.offer_amount, "lost_reason": self.lost_reason,
                "attempts": self.attempts, "furthest_stage": self.furthest_stage.value}

    def restore(self, state: dict[str, Any], *, tries_since: Sequence[datetime] = ()) -> None:
        """Put back what work_state() kept, but not the tries logged since (*tries_since*,
        when each was): Undo takes back a stage change, not a call made after it."""
        def when(value: str | None) -> datetime | None:
            return datetime.fromisoformat(value) if value else None
        self.stage, self.status = Stage(state["stage"]), LeadStatus(state["status"])
        self.closed_at, self.contacted_at = when(state["closed_at"]), when(state["contacted_at"])
        self.stage_at, self.amount = when(state["stage_at"]), state["amount"]
        self.offer_amount, self.lost_reason = state["offer_amount"], state["lost_reason"]
        if "attempts" in state:  # what a row without it would put back is unknown: keep
            self.attempts = int(state["attempts"]) + len(tries_since)
        if "furthest_stage" in state:
            self.furthest_stage = Stage(state["furthest_stage"])
        if self.contacted_at is None and tries_since:
            self.contacted_at = min(tries_since)

    def record_stage(self, stage: Stage, at: datetime, *, amount: int | None = None,
                     reason: str | None = None) -> None:
        """Move an open lead forward to *stage* (lost and nurture from anywhere open, and
        anywhere forward from nurture); won and lost close it. Anything else is an
        InvalidTransition naming the stage it is at."""
        if not self.is_open or stage is Stage.NEW or stage is self.stage:
            raise InvalidTransition(stage=self.stage.value)
        sideways = stage in (Stage.LOST, Stage.NURTURE) or self.stage is Stage.NURTURE
        if not sideways and STAGE_ORDER.index(stage) <= STAGE_ORDER.index(self.stage):
            raise InvalidTransition(stage=self.stage.value)
        self._move_to(stage, at, amount=amount, reason=reason)

    def correct_stage(self, stage: Stage, at: datetime, *, amount: int | None = None,
                      reason: str | None = None) -> None:
        """A manager's correction: any stage, back or forward, reopening a closed lead. Moved
        back from the furthest stage it reached, the lead never reached it (a mistake put it
        there); moved from lost or nurture, it keeps the furthest stage it had reached."""
        if self.owner_id is None or self.status not in (LeadStatus.OWNED, LeadStatus.CLOSED):
            raise InvalidTransition(stage=self.stage.value)
        if stage is self.stage:
            raise InvalidTransition(stage=self.stage.value)
        if stage in STAGE_ORDER and self.stage is self.furthest_stage:
            self.furthest_stage = stage
        self.status, self.closed_at = LeadStatus.OWNED, None
        if stage is not Stage.WON:
            self.amount = None
        if stage is not Stage.LOST:
            self.lost_reason = None
        self._move_to(stage, at, amount=amount, reason=reason)

    def _move_to(self, stage: Stage, at: datetime, *, amount: int | None,
                 reason: str | None) -> None:
        self._reach(stage)
        self.stage, self.stage_at = stage, at
        if stage is Stage.OFFER and amount is not None:
            self.offer_amount = amount
        if stage is Stage.WON:
            self.amount = amount if amount is not None else self.amount
        if stage is Stage.LOST:
            self.lost_reason = reason
        if self.contacted_at is None and stage not in (Stage.NEW, Stage.LOST, Stage.NURTURE):
            self.contacted_at = at  # a later stage means they were reached
        if stage in CLOSING_STAGES:
            self.status, self.closed_at = LeadStatus.CLOSED, at

    def log_attempt(self, at: datetime, *, reached: bool) -> bool:
        """Count a try to reach the contact; the first of any kind is the lead's first
        contact. Whether this was it."""
        if not self.is_open:
            raise InvalidTransition(stage=self.stage.value)
        self.attempts += 1
        first = self.contacted_at is None
        if first:
            self.contacted_at = at
        if reached and self.stage is Stage.NEW:
            self._reach(Stage.CONTACTED)
            self.stage, self.stage_at = Stage.CONTACTED, at
        return first

    def _reach(self, stage: Stage) -> None:
        """Count *stage* as reached: the furthest stage never moves back but by a correction."""
        if stage in STAGE_ORDER and (
                STAGE_ORDER.index(stage) > STAGE_ORDER.index(self.furthest_stage)):
            self.furthest_stage = stage


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
        """How long the agent has to answer, from the moment the offer reaches them: in
        business time for an offer whose window counts only the office's open hours."""
        return self.business_window or self.deadline - self.created_at

    @property
    def business_window(self) -> timedelta | None:
        """The window in business time, if it counts only the office's open hours."""
        seconds = self.trace.get("business_s")
        return timedelta(seconds=seconds) if seconds is not None else None

    def start_clock(self, delivered_at: datetime, *,
                    business: Callable[[datetime, timedelta], datetime] | None = None
                    ) -> datetime:
        """Count the answer window from delivery: an agent is never timed out by our own
        backlog, and a deadline never moves earlier. *business* ends a window of business
        time begun at a moment (the office's calendar), for an offer whose window counts
        only open hours. The new deadline."""
        self.delivered_at = delivered_at
        if self.business_window is not None and business is not None:
            ends = business(delivered_at, self.business_window)
        else:
            ends = delivered_at + (self.deadline - self.created_at)
        self.deadline = max(self.deadline, ends)
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
