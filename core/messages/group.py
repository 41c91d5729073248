"""The parameters of what the team's group and the managers' morning get: an escalation
announced in the group (never contact details), and the morning digest."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.messages.params import LeadSummary, Params


@dataclass(frozen=True)
class TeamEscalatedParams(Params):
    """A lead handed to the managers, as the team's group sees it: what it is and what
    became of its offers, with the same Assign buttons; the summary carries no name."""

    summary: LeadSummary
    reason: str
    choices: list[list[Any]]  # [telegram_id, name], the available first
    marks: dict[str, str] | None = None
    outcomes: list[dict[str, Any]] | None = None


@dataclass(frozen=True)
class DigestParams(Params):
    """The morning digest: a period's figures (from *since* to *day*, office dates in ISO)
    and the open matters when it was written."""

    day: str
    since: str
    leads_in: int
    offered: int
    accepted_in_time: int
    escalated: int
    contact_missed: int
    with_managers: int
    on_offer: int
    overdue_tasks: int
    away: list[list[Any]]  # [name, the last day away in ISO or None]
    # The first digest of a week: last week's key figures beside the week before's
    # (core.lifecycle.digest.week_figures: their names and what each counts).
    week: dict[str, Any] | None = field(default=None, metadata={"omit_default": True})


@dataclass(frozen=True)
class DigestChartsParams(Params):
    """Monday's charts of last week, sent as an album in reply to that morning's digest."""

    period: str  # `2026-11-16..2026-11-22`: the office days the charts draw
    reply_to: str  # the digest's reference (core.refs.DigestRef)
