"""The team's own records: invitations to join, and when each person was away or back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from core.model.vocabulary import Role


@dataclass
class Invite:
    """A one-time way onto the roster; only the hash of its code is ever stored."""

    code_hash: str
    role: Role
    invited_by: int
    created_at: datetime
    expires_at: datetime
    used_by: int | None = None
    used_at: datetime | None = None


@dataclass(frozen=True)
class AvailabilityChange:
    """One change of whether someone takes leads: away (until a day, or open-ended) or back.

    Kept for every change, so the fairness audit can tell when a person could be offered
    leads.
    """

    agent_id: int
    at: datetime
    away: bool
    until: date | None = None
    by: int | None = None  # who made the change; None for the system (an away that ended)
    reason: str = ""  # why, in a word: "away", "back", "deactivated", "ended", "import"…
