"""What capacity, coverage and automation health read from the database (`uow.coverage`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol

from core.numbers.coverage import MissCount, OwnedTime, RuleAutomation


class CoverageRepository(Protocol):
    """Aggregates over a period [start, end), each in a few rows whatever the leads."""

    async def owned_time(self, start: datetime, end: datetime) -> Mapping[int, OwnedTime]:
        """Per owner: the time their leads were open within the period, and how many."""
        ...

    async def open_now(self) -> Mapping[int, int]:
        """Per agent: open leads owned (nurture aside) plus offers waiting for their answer,
        as routing counts them against capacity."""
        ...

    async def misses(self, start: datetime, end: datetime, *,
                     shift_s: int) -> Sequence[MissCount]:
        """Offers let lapse (their deadline in the period) and first contacts missed, per
        kind and hour of the moment moved *shift_s* seconds on (`sub_hour_shift`)."""
        ...

    async def automation(self, start: datetime, end: datetime) -> Sequence[RuleAutomation]:
        """Per routing rule, the leads that arrived in the period and were routed, and the
        human touches they had since (`RuleAutomation`)."""
        ...
