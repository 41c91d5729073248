"""What every use case needs besides a unit of work: the clock, the office and its rules."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from core.clock import Clock
from core.config import OfficeConfig
from core.ports import UnitOfWork
from core.routing import RoutingRules

UowFactory = Callable[[], UnitOfWork]


@dataclass(frozen=True)
class Deps:
    """The clock, the office config in force, and how offer tokens are made.

    Built anew for each loaded config (a reload makes a new one), so the routing rules it
    carries keep their pools exactly as long as the config they were built from.
    """

    clock: Clock
    config: OfficeConfig
    new_token: Callable[[], str]
    rules: RoutingRules = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "rules", RoutingRules(self.config.routing))
