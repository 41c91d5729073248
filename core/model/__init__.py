"""The domain model: the vocabulary, the people, and leads and offers with their transitions.

Every module of core imports these names from `core.model`; the package splits them only so
that each file stays small.
"""

from core.model.leads import Lead, LeadEvent, Offer, OutgoingMessage
from core.model.people import Agent, AgentProfile, Contact, Strict, WorkingHours, check_zone
from core.model.team import AvailabilityChange, Invite
from core.model.vocabulary import (
    ASSIGNABLE,
    CLOSING_STAGES,
    OPEN_STATUSES,
    RECLAIM_REASONS,
    STAGE_ORDER,
    Channel,
    DeclineReason,
    LeadStatus,
    LostReason,
    OfferKind,
    OfferStatus,
    PromptKind,
    ReassignReason,
    ReturnReason,
    Role,
    RouteOutcome,
    Stage,
    TaskKind,
    Temperature,
    Tier,
    Weekday,
)
from core.model.work import LiveCard, Prompt, Task

__all__ = [
    "ASSIGNABLE",
    "CLOSING_STAGES",
    "OPEN_STATUSES",
    "RECLAIM_REASONS",
    "STAGE_ORDER",
    "Agent",
    "AgentProfile",
    "AvailabilityChange",
    "Channel",
    "Contact",
    "DeclineReason",
    "Invite",
    "Lead",
    "LeadEvent",
    "LeadStatus",
    "LiveCard",
    "LostReason",
    "Offer",
    "OfferKind",
    "OfferStatus",
    "OutgoingMessage",
    "Prompt",
    "PromptKind",
    "ReassignReason",
    "ReturnReason",
    "Role",
    "RouteOutcome",
    "Stage",
    "Strict",
    "Task",
    "TaskKind",
    "Temperature",
    "Tier",
    "Weekday",
    "WorkingHours",
    "check_zone",
]
