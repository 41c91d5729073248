"""A lead an ad platform announced by its id, whose fields are still to be fetched."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class FetchState(StrEnum):
    """Where a fetch stands."""

    WAITING = "waiting"  # to be asked of the platform at next_try_at
    STORED = "stored"  # its lead is stored (lead_id)
    FAILED = "failed"  # given up on: moved to failed intake (failure_id), replayable there


@dataclass
class LeadFetch:
    """A Meta `leadgen` change kept as it came (*change*, the webhook's `value`), keyed by the
    platform's id for it (*external_id*, the `leadgen_id`): Meta retries for hours, and a
    retry finds this row and makes nothing new."""

    platform: str
    external_id: str
    source: str
    change: dict[str, object]
    received_at: datetime
    next_try_at: datetime | None
    give_up_at: datetime
    attempts: int = 0
    state: FetchState = FetchState.WAITING
    last_error: str = ""
    lead_id: int | None = None
    failure_id: int | None = None
    id: int = 0
