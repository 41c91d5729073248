"""Time as the domain sees it: always injected, always timezone-aware UTC."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Tells the current time."""

    def now(self) -> datetime:
        """Return the current time as an aware UTC datetime."""
        ...


class ManualClock:
    """A clock that moves only when told to, for tests and simulations."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = start

    def now(self) -> datetime:
        """Return the time the clock was last set to."""
        return self._now

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward by *delta*."""
        self._now += delta
