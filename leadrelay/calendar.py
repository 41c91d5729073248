"""The office's business calendar, built from its config: core's BusinessCalendar over the
public holidays of `work.holidays` (integrations/holidays.py) and `work.closed_dates`."""

from __future__ import annotations

from core.business_hours import BusinessCalendar
from core.config import OfficeConfig
from core.ports import NO_HOLIDAYS, Holidays
from integrations.holidays import PackageHolidays


def business_calendar(config: OfficeConfig) -> BusinessCalendar:
    """When *config*'s office is open: its `work.hours` in its zone, less holidays and
    closed dates."""
    work = config.work
    holidays: Holidays = (NO_HOLIDAYS if work.holidays is None
                          else PackageHolidays(work.holidays, config.language))
    return BusinessCalendar(work.hours, config.zone, holidays, frozenset(work.closed_dates))
