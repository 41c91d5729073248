"""A time for an appointment as an agent types it, in Turkish or English: `yarın 14:30`,
`pzt 10`, `tomorrow 2pm`, `25.12 14:00`, `akşam 7`, `2 saat sonra`, `in 30 min`.

A text is a day and a time in either order (`yarın 14:30`, `2pm tomorrow`), a time alone, or
a span from now (`in 2 hours`, `1 saat 30 dk sonra`). Words are matched folded (`YARIN`,
`yarin` and `yarın` agree; see core.spelling). What it decides:

- A time alone is the next one to come: today if still ahead of *now*, else tomorrow. A
  weekday is the next such day, today only if the time is still ahead; a date without a year
  is the next such date. `today`, `tomorrow`, `in 2 days` and a date with its year are taken
  as written, even when that is already past: the caller knows whether it books the past.
- A bare hour is read on the 24-hour clock (`yarın 7` is 07:00) and only next to a day, a
  period word, `saat`/`at` or am/pm, since `16` alone is as likely a day of the month.
  `akşam`, `öğleden sonra`, `öğlen`, `evening` and `afternoon` move 1-11 to the afternoon;
  an hour that contradicts its period (`sabah 15`, `akşam 9am`) is no time.
- Dates are day first (`25.12`, `25/12/2026`, `25 aralık`, `dec 25`), years 2000-2099. A
  lone `12.10` that is a valid day and month is that day, not 12:10 (write `12:10`): most
  appointment minutes (`:00`, `:15`, `:30`, `:45`) are no month, so the times people book
  stay times, and the ambiguous rest asks for a time rather than books the wrong day.
- Impossible values (`25:00`, `31.02`, `13pm`), text over 100 characters and all else are
  None; no text makes either function raise. `next monday`, `haftaya` are not understood.
- A span is counted in real time (`in 2 hours` across a DST change is two hours later) and
  cut to the minute. A clock time that a DST change skips moves on by the gap; of an hour
  the autumn change repeats, the first is taken, or the second when only it is still ahead.

A day without a time is None from `parse_when`; `parse_day` reads it (today's weekday is
today). A caller that then asks for the time can read both answers together:
`parse_when(f"{day_text} {time_text}", now=now)`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from core.spelling import fold

_TODAY = {("bugun",): 0, ("today",): 0, ("yarin",): 1, ("tomorrow",): 1, ("tmrw",): 1,
          ("obur", "gun"): 2, ("oburgun",): 2, ("yarindan", "sonra"): 2,
          ("day", "after", "tomorrow"): 2}
_WEEKDAYS = [
    ("pazartesi", "pzt", "pzts", "ptesi", "monday", "mon"),
    ("sali", "sal", "tuesday", "tue", "tues"),
    ("carsamba", "car", "crs", "crsb", "wednesday", "wed"),
    ("persembe", "per", "prs", "prsb", "thursday", "thu", "thur", "thurs"),
    ("cuma", "cum", "friday", "fri"),
    ("cumartesi", "cmt", "cts", "ctesi", "saturday", "sat"),
    ("pazar", "paz", "pzr", "sunday", "sun"),
]
_MONTHS = [
    ("ocak", "oca", "january", "jan"), ("subat", "sub", "february", "feb"),
    ("mart", "mar", "march"), ("nisan", "nis", "april", "apr"), ("mayis", "may"),
    ("haziran", "haz", "june", "jun"), ("temmuz", "tem", "july", "jul"),
    ("agustos", "agu", "august", "aug"), ("eylul", "eyl", "september", "sept", "sep"),
    ("ekim", "eki", "october", "oct"), ("kasim", "kas", "november", "nov"),
    ("aralik", "ara", "december", "dec"),
]
_WEEKDAY = {word: index for index, words in enumerate(_WEEKDAYS) for word in words}
_MONTH = {word: index + 1 for index, words in enumerate(_MONTHS) for word in words}


def weekday_of(word: str) -> int | None:
    """The weekday (Monday 0) a word names in English or Turkish (`pzt`, `fri`), or None."""
    return _WEEKDAY.get(fold(word))


# The hours a period word allows once 1-11 are moved to the afternoon where it says so.
_PERIODS = {("sabah",): (range(0, 12), False), ("morning",): (range(0, 12), False),
            ("ogleden", "sonra"): (range(12, 24), True), ("afternoon",): (range(12, 24), True),
            ("oglen",): (range(12, 24), True), ("ogle",): (range(12, 24), True),
            ("noon",): (range(12, 24), True),
            ("aksam",): (range(13, 24), True), ("evening",): (range(13, 24), True)}
_NOON = {"oglen", "ogle", "noon"}  # a period that is also a time: `yarın öğlen` is 12:00
_UNITS = {"saat": 60, "sa": 60, "hour": 60, "hours": 60, "hr": 60, "hrs": 60, "h": 60,
          "dakika": 1, "dk": 1, "dak": 1, "min": 1, "mins": 1, "minute": 1, "minutes": 1,
          "m": 1, "gun": 1440, "day": 1440, "days": 1440, "hafta": 10080, "week": 10080,
          "weeks": 10080}
_ONE = {"bir", "a", "an"}
_FILLERS = {"saat", "at", "@"}
_ORDINALS = {"st", "nd", "rd", "th"}
_TOKEN = re.compile(r"[0-9]+(?:[:./-][0-9]+)*|[a-z]+|[^\s,.]")
_CLOCK = re.compile(r"([0-9]{1,2})[:.]([0-9]{2})")
_DATE = re.compile(r"([0-9]{1,2})([./-])([0-9]{1,2})(?:\2([0-9]{2}|[0-9]{4}))?")
_ISO = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_LONGEST = 100  # no one types a longer time; a bound keeps any input cheap


@dataclass(frozen=True)
class _Day:
    """A day as written: days from today, a weekday, or a date with or without its year."""

    offset: int | None = None
    weekday: int | None = None
    day: int = 0
    month: int = 0
    year: int | None = None


@dataclass(frozen=True)
class _Clock:
    """A time of day on the 24-hour clock."""

    hour: int
    minute: int
    marked: bool  # said to be a time (`saat`, am/pm, a period, `H:MM`), not a bare number


def parse_when(text: str, *, now: datetime) -> datetime | None:
    """The moment *text* names, aware in *now*'s zone, or None when it names no time."""
    if now.tzinfo is None:
        raise ValueError("parse_when needs an aware now, in the person's zone")
    tokens = _tokens(text)
    span = _span(tokens, 0)
    if span is not None and span[2] == len(tokens) and not span[1] and span[0] > 0:
        return _after(now, span[0])
    day = _day(tokens, 0)
    if day is not None and (clock := _time(tokens, day[1])) and clock[1] == len(tokens):
        return _at(day[0], clock[0], now)
    first = _time(tokens, 0)
    if first is not None and (then := _day(tokens, first[1])) and then[1] == len(tokens):
        return _at(then[0], first[0], now)
    if day is not None and day[1] == len(tokens):
        return None  # a day without a time: the caller asks for the time
    if first is None or first[1] != len(tokens) or not first[0].marked:
        return None
    return _at(None, first[0], now)


def parse_day(text: str, *, today: date) -> date | None:
    """The day *text* names without a time (`yarın`, `monday`, `25.12`), or None."""
    tokens = _tokens(text)
    day = _day(tokens, 0) if tokens else None
    if day is None or day[1] != len(tokens):
        return None
    return next(_dates(day[0], today), None)


def _tokens(text: str) -> list[str]:
    """Numbers (`14:30`, `25.12.2026`), words and other marks of *text*, folded."""
    if len(text) > _LONGEST:
        return []
    folded = fold(text)
    folded = re.sub(r"(?<![a-z])([ap])\.\s?m\b\.?", r"\1m", folded)  # a.m., p.m.
    folded = re.sub(r"['’](?:da|de|ta|te)\b", "", folded)  # the "'te" of "14:00'te"
    return _TOKEN.findall(folded)


def _count(word: str, digits: int) -> int | None:
    """*word* as a number of at most *digits* digits 0-9 (`str.isdigit` takes "²" too)."""
    if 0 < len(word) <= digits and word.isascii() and word.isdigit():
        return int(word)
    return None


def _phrase(tokens: list[str], at: int, phrases: dict[tuple[str, ...], int]
            ) -> tuple[int, int] | None:
    """The value of the phrase of *phrases* that starts at *at*, and where it ends."""
    for phrase, value in phrases.items():
        if tuple(tokens[at:at + len(phrase)]) == phrase:
            return value, at + len(phrase)
    return None


def _span(tokens: list[str], at: int) -> tuple[int, bool, int] | None:
    """Minutes from now (`in 2 hours`, `1 saat 30 dk sonra`), whether they are whole days
    only (`2 gün sonra`, `in a week`), and where the span ends."""
    ahead = tokens[at:at + 1] == ["in"]
    at += ahead
    minutes, days_only, start = 0, True, at
    while at < len(tokens):
        word, unit = tokens[at], _UNITS.get(tokens[at + 1]) if at + 1 < len(tokens) else None
        half = {"yarim": ["saat"], "half": ["an", "hour"]}.get(word)  # yarım saat, half an hour
        if half and tokens[at + 1:at + 1 + len(half)] == half:
            minutes, days_only, at = minutes + 30, False, at + 1 + len(half)
            continue
        count = 1 if word in _ONE else _count(word, 3)
        if count is None or unit is None:
            break
        minutes, days_only, at = minutes + count * unit, days_only and unit >= 1440, at + 2
    if at == start:
        return None
    if tokens[at:at + 1] in (["sonra"], ["later"]):
        return (minutes, days_only, at + 1) if not ahead else None
    return (minutes, days_only, at) if ahead else None


def _day(tokens: list[str], at: int) -> tuple[_Day, int] | None:
    """The day that starts at *at*, and where it ends."""
    if at < len(tokens) and tokens[at] == "on":
        at += 1
    if at >= len(tokens):
        return None
    word = tokens[at]
    named = _phrase(tokens, at, _TODAY)
    if named is not None:
        return _Day(offset=named[0]), named[1]
    if word == "bu" and _phrase(tokens, at + 1, {p: 0 for p in _PERIODS}):
        return _Day(offset=0), at + 1  # `bu akşam 7`: the period is the time's
    if word in _WEEKDAY:
        return _Day(weekday=_WEEKDAY[word]), at + 1 + (tokens[at + 1:at + 2] == ["gunu"])
    span = _span(tokens, at)
    if span is not None and span[1]:
        return _Day(offset=span[0] // 1440), span[2]
    after = tokens[at + 1] if at + 1 < len(tokens) else ""
    if word in _MONTH and (number := _count(after, 2)) is not None:  # dec 25
        month, day, at = _MONTH[word], number, at + 2
        if tokens[at:at + 1] and tokens[at] in _ORDINALS:
            at += 1
    elif (number := _count(word, 2)) is not None:  # 25 aralık, 25th december
        day, at = number, at + 1 + (after in _ORDINALS)
        if at >= len(tokens) or tokens[at] not in _MONTH:
            return None
        month, at = _MONTH[tokens[at]], at + 1
    else:
        return _numeric_date(word, at)
    year = None
    if at < len(tokens) and len(tokens[at]) == 4 and (year := _count(tokens[at], 4)):
        at += 1
    return _checked(_Day(day=day, month=month, year=year), at)


def _numeric_date(word: str, at: int) -> tuple[_Day, int] | None:
    """`25.12`, `25/12/2026`, `25-12-26` (day first) or `2026-12-25`."""
    if match := _ISO.fullmatch(word):
        iso_year, month, day = (int(g) for g in match.groups())
        return _checked(_Day(day=day, month=month, year=iso_year), at + 1)
    if match := _DATE.fullmatch(word):
        written = match.group(4)
        year = None if written is None else int(written) + (2000 if len(written) == 2 else 0)
        return _checked(_Day(day=int(match.group(1)), month=int(match.group(3)), year=year),
                        at + 1)
    return None


def _checked(day: _Day, at: int) -> tuple[_Day, int] | None:
    """*day* if its day, month and year could be a date (31.02 waits for the calendar)."""
    if 1 <= day.day <= 31 and 1 <= day.month <= 12 and (day.year is None
                                                         or 2000 <= day.year <= 2099):
        return day, at
    return None


def _time(tokens: list[str], at: int) -> tuple[_Clock, int] | None:
    """The time of day that starts at *at*, and where it ends."""
    marked = False
    while at < len(tokens) and tokens[at] in _FILLERS:
        marked, at = True, at + 1
    hours, afternoon, period = range(24), False, None
    for phrase, (allowed, later) in _PERIODS.items():
        if tuple(tokens[at:at + len(phrase)]) == phrase:
            hours, afternoon, period, at = allowed, later, phrase, at + len(phrase)
            marked = True
            break
    while at < len(tokens) and tokens[at] in _FILLERS:
        at += 1
    word = tokens[at] if at < len(tokens) else ""
    if clock := _CLOCK.fullmatch(word):
        hour, minute, marked, at = int(clock.group(1)), int(clock.group(2)), True, at + 1
    elif (number := _count(word, 2)) is not None:
        hour, minute, at = number, 0, at + 1
        if tokens[at:at + 1] == ["bucuk"]:  # buçuk: half past
            minute, marked, at = 30, True, at + 1
    elif period is not None and period[0] in _NOON:
        return _Clock(12, 0, marked=True), at
    else:
        return None
    if tokens[at:at + 1] in (["am"], ["pm"]):
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if tokens[at] == "pm" else 0)
        marked, at = True, at + 1
    elif afternoon and 1 <= hour <= 11:
        hour += 12
    if hour not in hours or minute > 59:
        return None
    return _Clock(hour, minute, marked), at


def _dates(day: _Day, today: date) -> Iterator[date]:
    """The days *day* may mean, the first one first."""
    if day.offset is not None:
        yield today + timedelta(days=day.offset)
    elif day.weekday is not None:
        first = today + timedelta(days=(day.weekday - today.weekday()) % 7)
        yield from (first, first + timedelta(days=7))
    elif day.year is not None:
        yield from _date(day.year, day.month, day.day)
    else:
        # Eight years hold a 29 February whatever the century.
        for year in range(today.year, today.year + 9):
            yield from (d for d in _date(year, day.month, day.day) if d >= today)


def _date(year: int, month: int, day: int) -> list[date]:
    """That date, or none when the calendar has no such day."""
    try:
        return [date(year, month, day)]
    except ValueError:
        return []


def _at(day: _Day | None, clock: _Clock, now: datetime) -> datetime | None:
    """The first moment of *day* at *clock* that fits: any, or one still ahead of *now*."""
    today = now.date()
    literal = day is not None and (day.offset is not None or day.year is not None)
    dates = _dates(day, today) if day else iter((today, today + timedelta(days=1)))
    try:
        instant = now.astimezone(UTC)
        for each in dates:
            # The second of an hour the autumn change repeats may be the one still ahead.
            for fold in (0, 1):
                wall = time(clock.hour, clock.minute, fold=fold)
                # Through UTC and back: a time a DST change skips moves on by the gap.
                moment = datetime.combine(each, wall, tzinfo=now.tzinfo).astimezone(UTC)
                # Compared in UTC: aware datetimes of one zone compare by wall clock alone.
                if literal or moment > instant:
                    return moment.astimezone(now.tzinfo)
    except OverflowError:  # the ends of datetime's range: no one books there
        return None
    return None


def _after(now: datetime, minutes: int) -> datetime | None:
    """*minutes* of real time after *now*, on the minute."""
    try:
        moment = (now.astimezone(UTC) + timedelta(minutes=minutes)).astimezone(now.tzinfo)
    except OverflowError:
        return None
    return moment.replace(second=0, microsecond=0)
