"""The periods managers ask figures for, in the office's time zone, and the one before each."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.errors import FieldProblem, InvalidInput

NAMED = ("today", "7d", "30d", "this month", "last month")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")
_DAYS = re.compile(r"^(\d{1,3})d$")
_MAX_DAYS = 3660


@dataclass(frozen=True)
class Period:
    """[start, end) in UTC, as named (`7d`, `this month`, `2026-11-01..2026-11-30`)."""

    name: str
    start: datetime
    end: datetime
    previous_start: datetime  # the period the change is measured against: [previous_start,
    previous_end: datetime  # previous_end), as long as this one, or the month before

    @property
    def days(self) -> float:
        """The period's length in days."""
        return (self.end - self.start).total_seconds() / 86400

    def previous(self) -> Period:
        """The period this one is compared with."""
        length = self.previous_end - self.previous_start
        return Period(f"before {self.name}", self.previous_start, self.previous_end,
                      self.previous_start - length, self.previous_start)


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _month_before(first: date) -> date:
    return (first - timedelta(days=1)).replace(day=1)


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def parse_period(text: str | None, *, now: datetime, zone: ZoneInfo,
                 default: str = "7d") -> Period:
    """The period *text* names at *now* (None or empty: *default*); InvalidInput otherwise.

    `today` runs from the office's midnight, compared with yesterday until the same hour;
    `Nd` the N×24 hours to now; `this month` from the 1st to now, compared with the same
    days of the month before; `last month` the whole month, compared with the month before
    it; `A..B` the office's days A to B inclusive, compared with as many days before.
    """
    name = " ".join((text or default).lower().split())
    today = now.astimezone(zone).date()
    if name == "today":
        start = _midnight(today, zone)  # compared with yesterday until the same hour
        yesterday = _midnight(today - timedelta(days=1), zone)
        return Period(name, start, now, yesterday, min(yesterday + (now - start), start))
    if (days := _DAYS.match(name)) is not None and 0 < int(days[1]) <= _MAX_DAYS:
        length = timedelta(days=int(days[1]))
        return Period(name, now - length, now, now - 2 * length, now - length)
    if name == "this month":
        first = _month_start(today)
        start = _midnight(first, zone)
        before = _midnight(_month_before(first), zone)
        return Period(name, start, now, before, min(before + (now - start), start))
    if name == "last month":
        last = _month_before(_month_start(today))
        return Period(name, _midnight(last, zone), _midnight(_month_start(today), zone),
                      _midnight(_month_before(last), zone), _midnight(last, zone))
    if (span := _RANGE.match(name)) is not None:
        first_day, last_day = _day(span[1]), _day(span[2])
        if (first_day is not None and last_day is not None and first_day <= last_day
                and (last_day - first_day).days < _MAX_DAYS):
            start = _midnight(first_day, zone)
            end = _midnight(last_day + timedelta(days=1), zone)
            return Period(name, start, end, start - (end - start), start)
    raise InvalidInput([FieldProblem(
        "period", "must be today, 7d, 30d, this month, last month or YYYY-MM-DD..YYYY-MM-DD")])
