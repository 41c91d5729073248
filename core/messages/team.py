"""The parameters of what the team's own changes send: someone joined with an invitation;
going away, coming back and deactivation."""

from __future__ import annotations

from dataclasses import dataclass

from core.messages.params import LeadSummary, Params


@dataclass(frozen=True)
class OfferWithdrawnParams(Params):
    """An offer edited once it moved on without an answer: its agent went away
    (*reason* "away") or was deactivated ("deactivated")."""

    summary: LeadSummary
    reason: str


@dataclass(frozen=True)
class AwayChangedParams(Params):
    """For the person whose availability someone else changed (or whose away ended by its
    date): away until *until* (ISO day, None: until they are back) or back, and what moved."""

    away: bool
    until: str | None = None
    by: str | None = None  # the manager; None when the away ended by its date
    offers: int = 0  # offers that moved on to someone else
    leads: int = 0  # owned leads handed over (away) or given back (back)


@dataclass(frozen=True)
class ContactRemovedParams(Params):
    """A message of a deactivated person's, edited to keep the lead but not how to reach
    the contact."""

    summary: LeadSummary


@dataclass(frozen=True)
class InviteAcceptedParams(Params):
    """For the manager who invited them: *name* joined the team as *role* (a Role)."""

    name: str
    role: str
