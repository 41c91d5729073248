"""The periods managers ask figures for, read in the office's time zone (Istanbul, UTC+3),
and the period each is compared with."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.errors import InvalidInput
from core.numbers.period import parse_period

ISTANBUL = ZoneInfo("Europe/Istanbul")
NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)  # Wednesday 12:30 in Istanbul


def utc(month: int, day: int, hour: int = 21, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(("text", "start", "end", "previous_start", "previous_end"), [
    # From the office's midnight (21:00 UTC the day before) to now, against yesterday
    # until the same hour.
    ("today", utc(11, 24), NOW, utc(11, 23), utc(11, 24, 9, 30)),
    ("7d", NOW - timedelta(days=7), NOW, NOW - timedelta(days=14), NOW - timedelta(days=7)),
    ("30d", NOW - timedelta(days=30), NOW, NOW - timedelta(days=60),
     NOW - timedelta(days=30)),
    # November 1st in Istanbul to now, against October 1st to October 25th 12:30.
    ("this month", utc(10, 31), NOW, utc(9, 30), utc(10, 25, 9, 30)),
    ("last month", utc(9, 30), utc(10, 31), utc(8, 31), utc(9, 30)),
    # The days named, whole, in Istanbul; against as many days before.
    ("2026-11-01..2026-11-07", utc(10, 31), utc(11, 7), utc(10, 24), utc(10, 31)),
    ("2026-11-24..2026-11-24", utc(11, 23), utc(11, 24), utc(11, 22), utc(11, 23)),
    (None, NOW - timedelta(days=7), NOW, NOW - timedelta(days=14), NOW - timedelta(days=7)),
    ("  This   MONTH ", utc(10, 31), NOW, utc(9, 30), utc(10, 25, 9, 30)),
])
def test_a_period_is_read_in_the_office_zone_with_the_one_before_it(
    text: str | None, start: datetime, end: datetime, previous_start: datetime,
    previous_end: datetime,
) -> None:
    period = parse_period(text, now=NOW, zone=ISTANBUL)
    assert (period.start, period.end) == (start, end)
    assert (period.previous_start, period.previous_end) == (previous_start, previous_end)
    before = period.previous()
    assert (before.start, before.end) == (previous_start, previous_end)
    assert before.end - before.start == previous_end - previous_start


def test_last_month_in_january_is_december_compared_with_november() -> None:
    period = parse_period("last month", now=utc(1, 15, 9, year=2027), zone=ISTANBUL)
    assert (period.start, period.end) == (utc(11, 30), utc(12, 31))
    assert (period.previous_start, period.previous_end) == (utc(10, 31), utc(11, 30))
    assert period.days == 31


def test_this_month_is_compared_with_no_more_than_the_whole_month_before() -> None:
    # March 31st: March so far is longer than February, which is all it is compared with.
    period = parse_period("this month", now=utc(3, 31, 9, year=2027), zone=ISTANBUL)
    assert period.start == utc(2, 28, year=2027)
    assert (period.previous_start, period.previous_end) == (
        utc(1, 31, year=2027), utc(2, 28, year=2027))


def test_this_month_right_after_midnight_on_the_first_is_minutes_long() -> None:
    now = utc(10, 31, 21, 5)  # 00:05 on November 1st in Istanbul
    period = parse_period("this month", now=now, zone=ISTANBUL)
    assert (period.start, period.end) == (utc(10, 31), now)
    assert (period.previous_start, period.previous_end) == (utc(9, 30), utc(9, 30, 21, 5))


@pytest.mark.parametrize("text", [
    "yesterday", "0d", "3661d", "-7d", "7 d", "2026-11-07..2026-11-01", "2026-02-30..2026-03-01",
    "2026-11-01", "2016-01-01..2026-11-01", "last week", "",
])
def test_anything_else_is_refused_naming_the_periods_it_takes(text: str) -> None:
    if text == "":  # nothing written is the default, not a mistake
        assert parse_period(text, now=NOW, zone=ISTANBUL).name == "7d"
        return
    with pytest.raises(InvalidInput) as refused:
        parse_period(text, now=NOW, zone=ISTANBUL)
    assert "YYYY-MM-DD..YYYY-MM-DD" in refused.value.problems[0].problem
