"""The domain model: the vocabulary, the people, and leads and offers with their transitions.

Every module of core imports these names from `core.model`; the package splits them only so
that each file stays small.
"""

from core.model.leads import Lead, LeadEvent, Offer, OutgoingMessage
from core.model.people import Agent, AgentProfile, Contact, Strict, WorkingHours, check_zone
from core.model.vocabulary import (
    STAGE_ORDER,
    Channel,
    DeclineReason,
    LeadStatus,
    OfferKind,
    OfferStatus,
    Role,
    RouteOutcome,
    Stage,
    Temperature,
    Tier,
    Weekday,
)

__all__ = [
    "STAGE_ORDER", "Agent", "AgentProfile", "Channel", "Contact", "DeclineReason", "Lead",
    "LeadEvent", "LeadStatus", "Offer", "OfferKind", "OfferStatus", "OutgoingMessage", "Role",
    "RouteOutcome", "Stage", "Strict", "Temperature", "Tier", "Weekday", "WorkingHours",
    "check_zone",
]
