"""How long a lead's owner has, by its temperature (or its lead type): the windows after
Accept, as deadlines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.deps import Deps
from core.model import Lead


@dataclass(frozen=True)
class ContactDeadlines:
    """When a lead's first contact is due, and when it is taken back without one."""

    due_at: datetime | None
    reclaim_at: datetime | None


def first_contact_deadlines(lead: Lead, accepted_at: datetime, deps: Deps) -> ContactDeadlines:
    """The first-contact deadlines of *lead*, accepted at *accepted_at*."""
    sla = deps.config.sla[lead.temperature]
    return ContactDeadlines(
        accepted_at + sla.first_contact_within if sla.first_contact_within else None,
        accepted_at + sla.reclaim_within if sla.reclaim_within else None)
