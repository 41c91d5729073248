"""The parameters of what routing sends: offers, claim rounds, escalations, notices."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from core.messages.params import OMIT_DEFAULT, ContactDetails, LeadSummary, Params
from core.model import DeclineReason, Offer, OfferStatus


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
    # The window counts only the office's open hours.
    business_hours: bool = field(default=False, metadata=OMIT_DEFAULT)


@dataclass(frozen=True)
class ClaimGroupParams(Params):
    """A round posted to a pool's group, with one Claim button for every member."""

    summary: LeadSummary
    sequence: int
    token: str
    deadline: str
    window_s: int
    pool_size: int = 0
    # The window counts only the office's open hours.
    business_hours: bool = field(default=False, metadata=OMIT_DEFAULT)


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
    choices: list[list[Any]]  # [telegram_id, name], as JSON keeps pairs; available first
    # str(telegram_id) -> why routing would pass them over now ("away", "at_capacity",
    # "outside_hours", "manager"); rows from before it have none and show everyone alike.
    marks: dict[str, str] | None = field(default=None, metadata=OMIT_DEFAULT)
    # What became of each offer, in offer order (`offer_outcomes`); rows written before it
    # have none and show `tried`, the names alone.
    outcomes: list[dict[str, Any]] | None = field(default=None, metadata=OMIT_DEFAULT)


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


def offer_outcomes(offers: Sequence[Offer], names: Mapping[int, str], *,
                   returned: Mapping[int, str] | None = None) -> list[dict[str, Any]]:
    """What became of each offer, in the order they were made, as a message stores it:
    `{"agent": name, "status": …}`, with `reason` for a decline and `window_s` (the window
    the agent had) for an offer not answered in time. An agent Telegram would not deliver
    to is `unreachable`; one withdrawn because its agent went away is `away`; a pool offer
    someone else claimed first (or a round never posted) is `withdrawn`. An accepted offer
    whose agent handed the lead back (*returned*: agent id → their ReturnReason) is
    `returned`, with its `reason`."""
    outcomes: list[dict[str, Any]] = []
    for offer in sorted(offers, key=lambda o: (o.sequence, o.created_at, o.id)):
        entry: dict[str, Any] = {"agent": names.get(offer.agent_id, str(offer.agent_id)),
                                 "status": offer.status.value}
        if offer.status is OfferStatus.DECLINED:
            if offer.decline_reason is DeclineReason.UNREACHABLE:
                entry["status"] = "unreachable"
            else:
                entry["reason"] = (offer.decline_reason or DeclineReason.OTHER).value
        elif offer.status is OfferStatus.WITHDRAWN and (
                offer.decline_reason is DeclineReason.AWAY):
            entry["status"] = "away"
        elif offer.status is OfferStatus.EXPIRED:
            window = offer.business_window or offer.deadline - (
                offer.delivered_at or offer.created_at)
            entry["window_s"] = max(0, round(window.total_seconds()))
        elif offer.status is OfferStatus.ACCEPTED and returned and offer.agent_id in returned:
            entry |= {"status": "returned", "reason": returned[offer.agent_id]}
        outcomes.append(entry)
    return outcomes
