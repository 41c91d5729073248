"""The parameters of what a refused payload sends: the managers' hourly alert."""

from __future__ import annotations

from dataclasses import dataclass

from core.messages.params import Params


@dataclass(frozen=True)
class IntakeFailedParams(Params):
    """A payload from *source* could not become a lead (*reason*, one of FailureReason);
    *failure_id* is the row `leadrelay intake replay` takes. Sent at most once an hour per
    source: later failures of that hour are only stored."""

    source: str
    reason: str
    detail: str
    failure_id: int
