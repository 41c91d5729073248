"""The office configuration as the operator writes it in `leadrelay.yaml`, validated on load.

The vocabulary it uses (temperatures, roles, tiers, working hours, agent profiles) is the
domain model's, imported from `core.model`; this package adds only the config's own shapes.
"""

from core.config.durations import Duration, parse_duration
from core.config.lead_types import LeadType
from core.config.money import MoneyConfig
from core.config.office import (
    MANUAL_SOURCE,
    AgentConfig,
    Language,
    OfficeConfig,
    RetentionPolicy,
    SlaConfig,
)
from core.config.routing import (
    DISQUALIFY,
    MANAGERS,
    NURTURE,
    Account,
    Fit,
    IntentLevel,
    Matrix,
    MatrixRow,
    PenaltyPolicy,
    Pool,
    RampStep,
    Range,
    RoutingPolicy,
    Rule,
    StrategyName,
    TierPolicy,
    When,
)
from core.config.scoring import ScoringBands, ScoringConfig, ScoringWeights
from core.config.sources import SourceConfig

__all__ = [
    "DISQUALIFY", "MANAGERS", "MANUAL_SOURCE", "NURTURE", "Account", "AgentConfig", "Duration",
    "Fit", "IntentLevel", "Language", "LeadType", "Matrix", "MatrixRow", "MoneyConfig",
    "OfficeConfig",
    "PenaltyPolicy", "Pool", "RampStep", "Range", "RetentionPolicy", "RoutingPolicy", "Rule",
    "ScoringBands", "ScoringConfig", "ScoringWeights", "SlaConfig", "SourceConfig", "StrategyName",
    "TierPolicy", "When", "parse_duration",
]
