"""Where the routing decisions the fairness audit judges are kept (the routing_decisions and
routing_pools tables) and added up (core/numbers/fairness.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from core.numbers.fairness import FairShare, SharedDecision


class FairnessRepository(Protocol):
    """The routing decisions' shares, in this transaction."""

    async def record(self, decisions: Sequence[SharedDecision]) -> None:
        """Store decisions just made (in the routing row's turn), with their pools."""
        ...

    async def tallies(self, start: datetime, end: datetime) -> list[FairShare]:
        """Per agent, the decisions made in [start, end) added up (no names, no causes)."""
        ...

    async def since(self) -> datetime | None:
        """When the first stored decision was made; None when none is."""
        ...
