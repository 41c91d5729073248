"""The wall clock: the one place the real time is read, for production and the benches."""

from __future__ import annotations

from datetime import UTC, datetime


class SystemClock:
    """The wall clock (core sees it only as a core.clock.Clock)."""

    def now(self) -> datetime:
        """Return the current time as an aware UTC datetime."""
        return datetime.now(UTC)  # noqa: TID251 - the one place the real clock is read
