"""The office's business hours as a calendar: when it is open, and the moment a window of
business time after a start ends (a lead at 17:55 with a 15-minute window on 09:00–18:00 is
due 09:10 the next working day).

A working day is one of the office's working weekdays that is neither a public holiday (the
`Holidays` port) nor one of the office's own closed dates. Each day's hours are read in the
office's wall time and turned into absolute moments, so a day with a clock change is as long
as it really is; every moment this module returns is an aware datetime in UTC. The office is
open from its opening (included) to its closing (excluded).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.model import Weekday, WorkingHours
from core.ports.calendar import NO_HOLIDAYS, Holidays

_WEEK = tuple(Weekday)
_DAY = timedelta(days=1)
_ZERO = timedelta(0)
# How many days in a row without an opening the calendar looks through before it gives up:
# hours, closed dates and holidays that close the office for three years are a mistake.
MAX_CLOSED_DAYS = 3 * 366
# How far ahead a window may end at all: hours of a few minutes a week would otherwise have a
# long window searched through millennia.
MAX_SEARCH_DAYS = 10 * 366


class NoOpening(ValueError):
    """The office does not open within MAX_CLOSED_DAYS days of the moment asked about."""


@dataclass(frozen=True, eq=False)
class BusinessCalendar:
    """The office's working hours in its zone, less its public holidays and closed dates."""

    hours: WorkingHours
    zone: ZoneInfo
    holidays: Holidays = NO_HOLIDAYS
    closed: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if not self.hours.days:
            raise ValueError("business hours need at least one working day a week")
        if self.hours.start >= self.hours.end:
            raise ValueError("business hours must open before they close")

    def is_working_day(self, day: date) -> bool:
        """Whether the office opens at all on *day* (a date in its own zone)."""
        return (_WEEK[day.weekday()] in self.hours.days and day not in self.closed
                and not self.holidays.is_holiday(day))

    def open_hours(self, day: date) -> tuple[datetime, datetime] | None:
        """When the office opens and closes on *day*, in UTC; None on a day it stays closed.

        A wall time the clock skips that day is read as if the clock had not moved yet (02:30
        on a spring-forward night is 03:30 summer time); a time it passes twice, the first.
        """
        if not self.is_working_day(day):
            return None
        opens, closes = self._at(day, self.hours.start), self._at(day, self.hours.end)
        return (opens, closes) if opens < closes else None

    def is_open(self, moment: datetime) -> bool:
        """Whether the office is open at *moment*: from an opening up to, not at, a closing."""
        moment = _utc(moment)
        hours = self.open_hours(self._local_day(moment))
        return hours is not None and hours[0] <= moment < hours[1]

    def next_open(self, moment: datetime) -> datetime:
        """*moment* if the office is open then, else its next opening (in UTC)."""
        moment = _utc(moment)
        for begins, _ in self._open_spans(moment):
            return begins
        raise NoOpening(self._never(moment))  # pragma: no cover - _open_spans raises first

    def add(self, start: datetime, window: timedelta) -> datetime:
        """The moment *window* of business time after *start* (in UTC).

        A start outside the hours counts from the next opening, so a zero window gives
        `next_open(start)`. A window that runs out exactly at a closing ends there (18:45 plus
        15 minutes on 09:00–18:00 hours is 18:00, not the next morning's opening): the office
        is open just before the result of any window longer than zero.
        """
        if window < _ZERO:
            raise ValueError(f"a business window cannot be negative, got {window}")
        start, left = _utc(start), window
        for begins, ends in self._open_spans(start):
            if left <= ends - begins:
                return begins + left
            left -= ends - begins
        raise NoOpening(self._never(start))  # pragma: no cover - _open_spans raises first

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """How much business time passes from *start* to *end* (zero if end is not later)."""
        start, end = _utc(start), _utc(end)
        total = _ZERO
        if end <= start:
            return total
        for begins, ends in self._open_spans(start, until=end):
            if begins >= end:
                break
            total += min(ends, end) - begins
        return total

    def _open_spans(self, since: datetime,
                    until: datetime | None = None) -> Iterator[tuple[datetime, datetime]]:
        """The open spans after *since*, in order, the first cut to start at *since*; stops
        at the first day that begins after *until*; without one, raises NoOpening after a
        closed run of MAX_CLOSED_DAYS days or MAX_SEARCH_DAYS days in all."""
        day = self._local_day(since)
        last = day + timedelta(days=MAX_SEARCH_DAYS)
        closed_run = 0
        while until is None or self._at(day, time.min) < until:
            if until is None and day > last:
                raise NoOpening(f"the office's business time runs out in the {MAX_SEARCH_DAYS} "
                                f"days after {since.astimezone(self.zone):%Y-%m-%d %H:%M %Z}")
            hours = self.open_hours(day)
            if hours is not None and hours[1] > since:
                closed_run = 0
                yield max(hours[0], since), hours[1]
            else:
                closed_run += 1
                if closed_run > MAX_CLOSED_DAYS:
                    raise NoOpening(self._never(since))
            day += _DAY

    def _at(self, day: date, wall: time) -> datetime:
        return datetime.combine(day, wall, tzinfo=self.zone).astimezone(UTC)

    def _local_day(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    def _never(self, since: datetime) -> str:
        return (f"the office does not open in the {MAX_CLOSED_DAYS} days after "
                f"{since.astimezone(self.zone):%Y-%m-%d %H:%M %Z}: check the working days, "
                "the closed dates and the public holidays of its calendar")


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"business hours need an aware datetime, got {moment!r}")
    return moment.astimezone(UTC)
