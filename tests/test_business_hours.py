"""The office's business calendar (core/business_hours.py), on a fake table of holidays: when
a window of business time ends, across evenings, weekends, holidays, closed dates and clock
changes. The `holidays` package itself is tested in tests/test_holidays.py."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.business_hours import MAX_CLOSED_DAYS, BusinessCalendar, NoOpening
from core.model import Weekday, WorkingHours
from tests.fakes import FakeHolidays

ISTANBUL = ZoneInfo("Europe/Istanbul")
BERLIN = ZoneInfo("Europe/Berlin")
WEEKDAYS = list(Weekday)[:5]
NINE_TO_SIX = WorkingHours(days=WEEKDAYS, start=time(9), end=time(18))


def at(zone: ZoneInfo, year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=zone)


def calendar(hours: WorkingHours = NINE_TO_SIX, zone: ZoneInfo = ISTANBUL,
             holidays: dict[date, str] | None = None,
             closed: frozenset[date] = frozenset()) -> BusinessCalendar:
    return BusinessCalendar(hours, zone, FakeHolidays(holidays or {}), closed)


def test_a_lead_at_1755_with_a_15_minute_window_is_due_0910_the_next_working_day() -> None:
    due = calendar().add(at(ISTANBUL, 2026, 3, 10, 17, 55), timedelta(minutes=15))
    assert due == at(ISTANBUL, 2026, 3, 11, 9, 10)
    assert due.tzinfo is UTC


def test_a_window_that_fits_before_closing_ends_the_same_day() -> None:
    due = calendar().add(at(ISTANBUL, 2026, 3, 10, 10, 0), timedelta(minutes=15))
    assert due == at(ISTANBUL, 2026, 3, 10, 10, 15)


def test_a_window_that_runs_out_at_closing_ends_at_closing_not_the_next_morning() -> None:
    cal = calendar()
    due = cal.add(at(ISTANBUL, 2026, 3, 10, 17, 45), timedelta(minutes=15))
    assert due == at(ISTANBUL, 2026, 3, 10, 18, 0)
    assert not cal.is_open(due)
    assert cal.is_open(due - timedelta(microseconds=1))


def test_friday_evening_runs_on_into_monday_morning_over_the_weekend() -> None:
    due = calendar().add(at(ISTANBUL, 2026, 3, 6, 17, 55), timedelta(minutes=15))
    assert due == at(ISTANBUL, 2026, 3, 9, 9, 10)
    assert due.astimezone(ISTANBUL).strftime("%H:%M %a") == "09:10 Mon"


def test_a_start_before_opening_counts_from_the_opening() -> None:
    due = calendar().add(at(ISTANBUL, 2026, 3, 10, 6, 30), timedelta(minutes=15))
    assert due == at(ISTANBUL, 2026, 3, 10, 9, 15)


def test_a_start_on_a_closed_day_counts_from_the_next_working_days_opening() -> None:
    due = calendar().add(at(ISTANBUL, 2026, 3, 8, 12, 0), timedelta(hours=1))  # a Sunday
    assert due == at(ISTANBUL, 2026, 3, 9, 10, 0)


def test_a_zero_window_is_the_next_opening() -> None:
    cal = calendar()
    assert cal.add(at(ISTANBUL, 2026, 3, 10, 18, 0), timedelta(0)) == at(ISTANBUL, 2026, 3, 11, 9)
    assert cal.add(at(ISTANBUL, 2026, 3, 10, 12, 0), timedelta(0)) == at(ISTANBUL, 2026, 3, 10, 12)


def test_a_window_longer_than_a_working_day_takes_several_days() -> None:
    # 20 business hours from Thursday 15:00: 3 Thu, 9 Fri, 8 Mon.
    due = calendar().add(at(ISTANBUL, 2026, 3, 5, 15, 0), timedelta(hours=20))
    assert due == at(ISTANBUL, 2026, 3, 9, 17, 0)


def test_five_business_days_from_a_monday_morning_are_the_next_monday_morning() -> None:
    due = calendar().add(at(ISTANBUL, 2026, 3, 9, 9, 0), timedelta(hours=5 * 9))
    assert due == at(ISTANBUL, 2026, 3, 13, 18, 0)  # the end of Friday, not Monday 09:00


def test_public_holidays_are_skipped_like_a_weekend() -> None:
    # 2026: Ramazan Bayramı Fri 20 – Sun 22 March; Kurban Bayramı Wed 27 – Sat 30 May.
    bayram = {date(2026, 3, d): "Ramazan Bayramı" for d in (20, 21, 22)}
    bayram |= {date(2026, 5, d): "Kurban Bayramı" for d in (27, 28, 29, 30)}
    cal = calendar(holidays=bayram)
    assert cal.add(at(ISTANBUL, 2026, 3, 19, 17, 50), timedelta(minutes=30)) == at(
        ISTANBUL, 2026, 3, 23, 9, 20)
    assert cal.add(at(ISTANBUL, 2026, 5, 26, 17, 30), timedelta(hours=1)) == at(
        ISTANBUL, 2026, 6, 1, 9, 30)
    assert not cal.is_working_day(date(2026, 5, 27))


def test_a_closed_date_from_the_config_is_skipped() -> None:
    cal = calendar(closed=frozenset({date(2026, 3, 11)}))
    assert cal.add(at(ISTANBUL, 2026, 3, 10, 17, 55), timedelta(minutes=15)) == at(
        ISTANBUL, 2026, 3, 12, 9, 10)
    assert not cal.is_open(at(ISTANBUL, 2026, 3, 11, 12, 0))


def test_is_open_counts_the_opening_in_and_the_closing_out() -> None:
    cal = calendar()
    assert cal.is_open(at(ISTANBUL, 2026, 3, 10, 9, 0))
    assert cal.is_open(at(ISTANBUL, 2026, 3, 10, 17, 59))
    assert not cal.is_open(at(ISTANBUL, 2026, 3, 10, 18, 0))
    assert not cal.is_open(at(ISTANBUL, 2026, 3, 10, 8, 59))
    assert not cal.is_open(at(ISTANBUL, 2026, 3, 7, 12, 0))  # a Saturday


def test_next_open_is_the_moment_itself_when_open_else_the_next_opening() -> None:
    cal = calendar()
    assert cal.next_open(at(ISTANBUL, 2026, 3, 10, 12, 0)) == at(ISTANBUL, 2026, 3, 10, 12, 0)
    assert cal.next_open(at(ISTANBUL, 2026, 3, 6, 18, 0)) == at(ISTANBUL, 2026, 3, 9, 9, 0)


def test_a_moment_in_another_zone_is_read_in_the_offices_zone() -> None:
    # 15:00 UTC is 18:00 in Istanbul: closed there.
    cal = calendar()
    assert not cal.is_open(datetime(2026, 3, 10, 15, 0, tzinfo=UTC))
    assert cal.is_open(datetime(2026, 3, 10, 14, 59, tzinfo=UTC))


def test_a_window_across_the_spring_clock_change_ends_at_the_right_wall_time() -> None:
    # Berlin moves to summer time on Sunday 29 March 2026 at 02:00: the office, open every
    # day 09:00–19:00, opens at 07:00 UTC that day instead of 08:00 UTC.
    every_day = WorkingHours(days=list(Weekday), start=time(9), end=time(19))
    cal = calendar(every_day, BERLIN)
    due = cal.add(at(BERLIN, 2026, 3, 28, 18, 0), timedelta(hours=2))
    assert due.astimezone(BERLIN).strftime("%d %H:%M %Z") == "29 10:00 CEST"
    assert due == datetime(2026, 3, 29, 8, 0, tzinfo=UTC)


def test_a_day_with_a_clock_change_in_its_hours_is_as_long_as_it_really_is() -> None:
    night = WorkingHours(days=list(Weekday), start=time(1), end=time(5))
    cal = calendar(night, BERLIN)
    spring = at(BERLIN, 2026, 3, 29, 1, 0)  # 01:00–05:00 that night lasts three hours
    assert cal.elapsed(spring, at(BERLIN, 2026, 3, 29, 5, 0)) == timedelta(hours=3)
    assert cal.add(spring, timedelta(hours=3, minutes=30)) == at(BERLIN, 2026, 3, 30, 1, 30)
    autumn = at(BERLIN, 2026, 10, 25, 1, 0)  # and five in October
    assert cal.elapsed(autumn, at(BERLIN, 2026, 10, 25, 5, 0)) == timedelta(hours=5)


def test_a_naive_moment_or_a_negative_window_is_refused() -> None:
    cal = calendar()
    with pytest.raises(ValueError, match="aware"):
        cal.add(datetime(2026, 3, 10, 12, 0), timedelta(minutes=5))  # noqa: DTZ001
    with pytest.raises(ValueError, match="negative"):
        cal.add(at(ISTANBUL, 2026, 3, 10, 12, 0), timedelta(minutes=-5))


def test_hours_without_a_working_day_are_refused_when_the_calendar_is_built() -> None:
    no_days = WorkingHours.model_construct(days=[], start=time(9), end=time(18))
    with pytest.raises(ValueError, match="at least one working day"):
        calendar(no_days)


def test_a_calendar_closed_for_years_says_so_instead_of_searching_forever() -> None:
    every_day = {date(2026, 1, 1) + timedelta(days=n): "closed" for n in range(4 * 366)}
    cal = calendar(holidays=every_day)
    with pytest.raises(NoOpening, match=f"does not open in the {MAX_CLOSED_DAYS} days"):
        cal.add(at(ISTANBUL, 2026, 1, 1, 12, 0), timedelta(minutes=15))
    with pytest.raises(NoOpening):
        cal.next_open(at(ISTANBUL, 2026, 1, 1, 12, 0))
    # Time within the closure is simply none, without a search past its end.
    assert cal.elapsed(at(ISTANBUL, 2026, 1, 1), at(ISTANBUL, 2026, 6, 1)) == timedelta(0)


def test_a_window_longer_than_ten_years_of_the_offices_hours_is_refused() -> None:
    a_minute_a_week = WorkingHours(days=[Weekday.MON], start=time(9), end=time(9, 1))
    with pytest.raises(NoOpening, match="runs out in the"):
        calendar(a_minute_a_week).add(at(ISTANBUL, 2026, 1, 1), timedelta(days=10))


# --------------------------------------------------------------------------------------------
# Properties, over random hours, zones with and without clock changes, holidays and windows
# --------------------------------------------------------------------------------------------

ZONES = ["Europe/Istanbul", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "UTC"]
PROPERTIES = settings(max_examples=300, deadline=None)


@st.composite
def calendars(draw: st.DrawFn) -> BusinessCalendar:
    days = draw(st.lists(st.sampled_from(list(Weekday)), min_size=1, max_size=7, unique=True))
    # Hours of at least half an hour, to the minute.
    opens = draw(st.integers(0, 23 * 60 + 29))
    closes = draw(st.integers(opens + 30, 23 * 60 + 59))
    start, end = time(*divmod(opens, 60)), time(*divmod(closes, 60))
    first = date(2025, 12, 1)
    closed = draw(st.frozensets(st.dates(first, date(2027, 6, 30)), max_size=30))
    holidays = draw(st.frozensets(st.dates(first, date(2027, 6, 30)), max_size=30))
    zone = ZoneInfo(draw(st.sampled_from(ZONES)))
    return BusinessCalendar(WorkingHours(days=days, start=start, end=end), zone,
                            FakeHolidays(dict.fromkeys(holidays, "holiday")), closed)


moments = st.datetimes(datetime(2026, 1, 1), datetime(2026, 12, 31),  # noqa: DTZ001 - the bounds
                       timezones=st.just(UTC))
windows = st.timedeltas(timedelta(0), timedelta(days=5))
positive = st.timedeltas(timedelta(microseconds=1), timedelta(days=5))


@PROPERTIES
@given(calendars(), moments, windows)
def test_the_due_moment_is_never_before_the_start_nor_before_the_next_opening(
    cal: BusinessCalendar, start: datetime, window: timedelta,
) -> None:
    due = cal.add(start, window)
    assert due >= cal.next_open(start) + window >= start


@PROPERTIES
@given(calendars(), moments, positive)
def test_the_office_is_open_just_before_the_due_moment_of_any_window(
    cal: BusinessCalendar, start: datetime, window: timedelta,
) -> None:
    # The due moment is in an open span or at its closing, never at a bare opening.
    assert cal.is_open(cal.add(start, window) - timedelta(microseconds=1))


@PROPERTIES
@given(calendars(), moments)
def test_the_next_opening_is_open(cal: BusinessCalendar, start: datetime) -> None:
    opening = cal.next_open(start)
    assert opening >= start
    assert cal.is_open(opening)


@PROPERTIES
@given(calendars(), moments, windows, positive)
def test_adding_a_then_b_is_adding_a_plus_b(
    cal: BusinessCalendar, start: datetime, a: timedelta, b: timedelta,
) -> None:
    assert cal.add(cal.add(start, a), b) == cal.add(start, a + b)


@PROPERTIES
@given(calendars(), moments, windows)
def test_the_business_time_from_start_to_due_is_the_window(
    cal: BusinessCalendar, start: datetime, window: timedelta,
) -> None:
    assert cal.elapsed(start, cal.add(start, window)) == window
