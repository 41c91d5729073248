"""SQLAlchemy implementations of the Protocols in core/ports.py, one module per aggregate."""

from __future__ import annotations

from storage.repositories.agents import SqlAgents
from storage.repositories.contacts import SqlContacts
from storage.repositories.events import SqlEvents
from storage.repositories.leads import SqlLeads
from storage.repositories.offers import SqlOffers
from storage.repositories.outbox import SqlOutbox
from storage.repositories.reporting import OFFER_COUNTS_FOR_AGENT
from storage.repositories.rotations import SqlRotations
from storage.repositories.team import SqlTeam

__all__ = [
    "OFFER_COUNTS_FOR_AGENT",
    "SqlAgents",
    "SqlContacts",
    "SqlEvents",
    "SqlLeads",
    "SqlOffers",
    "SqlOutbox",
    "SqlRotations",
    "SqlTeam",
]
