"""Where payloads that could not become leads are kept (the failed_intake table)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol

from core.model.failures import FailedIntake

INTAKE_FAILURES_FORGOTTEN = "intake_failures_forgotten"
"""A rotations row: {reason: count} of failures purged after their time, so that /metrics
still counts them."""


class FailedIntakeRepository(Protocol):
    """The failed payloads, in this transaction."""

    async def add(self, failure: FailedIntake) -> int:
        """Store *failure*; its new id."""
        ...

    async def get(self, failure_id: int) -> FailedIntake | None:
        """One failure by id."""
        ...

    async def recent(self, *, source: str | None = None, limit: int = 50,
                     unreplayed: bool = False) -> Sequence[FailedIntake]:
        """The newest failures first, of *source* if given."""
        ...

    async def count_kept(self, *, source: str | None, since: datetime) -> int:
        """How many payloads of *source* (None: those with a wrong or missing token) are kept
        that arrived since *since*."""
        ...

    async def mark_replayed(self, failure_id: int, *, lead_id: int, at: datetime) -> bool:
        """Mark a failure not yet replayed as replayed into *lead_id*; False when it was."""
        ...

    async def forget_unauthenticated(self, *, before: datetime) -> Mapping[str, int]:
        """Delete the wrong- or missing-token payloads that arrived before *before*; how
        many of each reason."""
        ...
