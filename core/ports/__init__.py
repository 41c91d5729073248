"""The contracts core keeps with the outside, as small Protocols: storage implements the
repositories and queues, the bot the Bot API health check; tests implement them as fakes."""

from core.ports.calendar import NO_HOLIDAYS, Holidays, NoHolidays
from core.ports.delivery import OutboxQueue, QueuedMessage, SeenUpdates
from core.ports.operations import (
    BotApiHealth,
    DeliveryErrorKind,
    InstanceHealth,
    OfficeFigures,
    Snapshot,
)
from core.ports.qr import QrCodes
from core.ports.repositories import (
    AUDIT_TOTALS,
    IMPORT_POOL,
    ROUTING_STATE,
    AgentRepository,
    ContactRepository,
    EventRepository,
    HeldMessage,
    LeadRepository,
    OfferCounts,
    OfferRepository,
    Outbox,
    OwnerCounts,
    PersonalData,
    PoolGroup,
    RotationRepository,
    WaitingRow,
)
from core.ports.team import DIGEST_SENT, ROSTER_EDITED, TEAM_GROUP, TeamRepository
from core.ports.unit_of_work import UnitOfWork
from core.ports.work import CardRepository, PromptRepository, TaskRepository

__all__ = [
    "AUDIT_TOTALS",
    "DIGEST_SENT",
    "IMPORT_POOL",
    "NO_HOLIDAYS",
    "ROSTER_EDITED",
    "ROUTING_STATE",
    "TEAM_GROUP",
    "AgentRepository",
    "BotApiHealth",
    "CardRepository",
    "ContactRepository",
    "DeliveryErrorKind",
    "EventRepository",
    "HeldMessage",
    "Holidays",
    "InstanceHealth",
    "LeadRepository",
    "NoHolidays",
    "OfferCounts",
    "OfferRepository",
    "OfficeFigures",
    "Outbox",
    "OutboxQueue",
    "OwnerCounts",
    "PersonalData",
    "PoolGroup",
    "PromptRepository",
    "QrCodes",
    "QueuedMessage",
    "RotationRepository",
    "SeenUpdates",
    "Snapshot",
    "TaskRepository",
    "TeamRepository",
    "UnitOfWork",
    "WaitingRow",
]
