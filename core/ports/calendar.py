"""The office's public holidays, as a calendar library knows them (`integrations/holidays.py`
on the `holidays` package); core's business hours ask it one day at a time."""

from __future__ import annotations

from datetime import date
from typing import Protocol


class Holidays(Protocol):
    """The public holidays of one country (or one of its regions)."""

    def is_holiday(self, day: date) -> bool:
        """Whether *day* is a public holiday."""
        ...

    def names(self, day: date) -> list[str]:
        """The holidays that fall on *day*, by name; empty on an ordinary day."""
        ...


class NoHolidays:
    """A country without public holidays: what an office that turned them off gets."""

    def is_holiday(self, day: date) -> bool:
        """Never."""
        return False

    def names(self, day: date) -> list[str]:
        """Nothing."""
        return []


NO_HOLIDAYS = NoHolidays()
