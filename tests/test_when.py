"""Appointment times as agents type them, in Turkish and English, in a zone with or without DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.when import parse_day, parse_when

ISTANBUL = ZoneInfo("Europe/Istanbul")
BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 25, 15, 7, 33, tzinfo=ISTANBUL)  # a Wednesday afternoon
TODAY = NOW.date()
PROPERTIES = settings(max_examples=300, deadline=None)


def on(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ISTANBUL)


def days(count: int) -> date:
    return TODAY + timedelta(days=count)


@pytest.mark.parametrize(("text", "expected"), [
    ("yarın 14:30", on(days(1), 14, 30)),
    ("yarin 14.30", on(days(1), 14, 30)),
    ("YARIN 14:30", on(days(1), 14, 30)),
    ("Yarın saat 14:30", on(days(1), 14, 30)),
    ("yarın 14:00'te", on(days(1), 14)),
    ("bugün 16", on(TODAY, 16)),
    ("BUGÜN 16", on(TODAY, 16)),
    ("bugun saat 16:00", on(TODAY, 16)),
    ("öbür gün 11", on(days(2), 11)),
    ("obur gun 11", on(days(2), 11)),
    ("öbürgün 11:15", on(days(2), 11, 15)),
    ("yarından sonra 11", on(days(2), 11)),
    ("pazartesi 10:00", on(days(5), 10)),
    ("pzt 10", on(days(5), 10)),
    ("PAZARTESİ 10", on(days(5), 10)),
    ("pazartesi günü saat 10", on(days(5), 10)),
    ("salı 10", on(days(6), 10)),
    ("SALI 10", on(days(6), 10)),
    ("sali 10", on(days(6), 10)),
    ("çarşamba 16", on(TODAY, 16)),  # today's weekday, the time still ahead
    ("carsamba 10", on(days(7), 10)),  # today's weekday, the time gone: next week
    ("çrş 17", on(TODAY, 17)),
    ("perşembe 10", on(days(1), 10)),
    ("PERŞEMBE 10", on(days(1), 10)),
    ("prs 10", on(days(1), 10)),
    ("cuma 10", on(days(2), 10)),
    ("cumartesi 10", on(days(3), 10)),
    ("cmt 10", on(days(3), 10)),
    ("pazar 10", on(days(4), 10)),
    ("paz 10", on(days(4), 10)),
    ("25.12 14:00", on(date(2026, 12, 25), 14)),
    ("25/12 14:00", on(date(2026, 12, 25), 14)),
    ("25-12 14:00", on(date(2026, 12, 25), 14)),
    ("25.12.2026 14:00", on(date(2026, 12, 25), 14)),
    ("25.12.26 14:00", on(date(2026, 12, 25), 14)),
    ("25.12.2027 14:00", on(date(2027, 12, 25), 14)),
    ("1.2 9:30", on(date(2027, 2, 1), 9, 30)),  # day first; gone this year, so next year's
    ("25 aralık 14:00", on(date(2026, 12, 25), 14)),
    ("25 ARALIK 2026 saat 14", on(date(2026, 12, 25), 14)),
    ("akşam 7", on(TODAY, 19)),
    ("aksam 7", on(TODAY, 19)),
    ("AKŞAM 7", on(TODAY, 19)),
    ("bu akşam 8", on(TODAY, 20)),
    ("akşam 7 buçuk", on(TODAY, 19, 30)),
    ("sabah 9", on(days(1), 9)),
    ("yarın sabah 9", on(days(1), 9)),
    ("öğleden sonra 3", on(days(1), 15)),
    ("ogleden sonra 4", on(TODAY, 16)),
    ("cuma öğleden sonra 3", on(days(2), 15)),
    ("yarın öğlen", on(days(1), 12)),
    ("yarın öğlen 1", on(days(1), 13)),
    ("saat 16", on(TODAY, 16)),
    ("saat 3 buçuk", on(days(1), 3, 30)),  # a bare hour is the 24-hour clock's
    ("14:00 yarın", on(days(1), 14)),
    ("16:30", on(TODAY, 16, 30)),
    ("14:30", on(days(1), 14, 30)),  # gone today: tomorrow
    ("15:07", on(days(1), 15, 7)),  # this very minute is gone too
    ("15:08", on(TODAY, 15, 8)),
    ("14.30", on(days(1), 14, 30)),  # no month 30: a time
    ("yarın 12.10", on(days(1), 12, 10)),
    ("2 gün sonra 14:00", on(days(2), 14)),
])
def test_turkish_times_read_in_istanbul(text: str, expected: datetime) -> None:
    assert parse_when(text, now=NOW) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("tomorrow 2pm", on(days(1), 14)),
    ("Tomorrow 2 PM", on(days(1), 14)),
    ("tomorrow at 2pm", on(days(1), 14)),
    ("tomorrow, 2pm", on(days(1), 14)),
    ("tomorrow 14:00", on(days(1), 14)),
    ("tomorrow 2:30 p.m.", on(days(1), 14, 30)),
    ("2pm tomorrow", on(days(1), 14)),
    ("today 4:30 pm", on(TODAY, 16, 30)),
    ("today 4:30pm", on(TODAY, 16, 30)),
    ("TODAY 16:30", on(TODAY, 16, 30)),
    ("2pm", on(days(1), 14)),
    ("4pm", on(TODAY, 16)),
    ("10 a.m.", on(days(1), 10)),
    ("12am", on(days(1), 0)),
    ("12pm", on(days(1), 12)),
    ("at 5", on(days(1), 5)),
    ("monday 10am", on(days(5), 10)),
    ("Monday 10 AM", on(days(5), 10)),
    ("mon 10:00", on(days(5), 10)),
    ("on monday at 10", on(days(5), 10)),
    ("tue 9am", on(days(6), 9)),
    ("wednesday 4pm", on(TODAY, 16)),
    ("wed 10am", on(days(7), 10)),
    ("thursday 10", on(days(1), 10)),
    ("fri 10:30", on(days(2), 10, 30)),
    ("saturday noon", on(days(3), 12)),
    ("sunday 11am", on(days(4), 11)),
    ("day after tomorrow 11am", on(days(2), 11)),
    ("tomorrow noon", on(days(1), 12)),
    ("tomorrow at noon", on(days(1), 12)),
    ("tomorrow morning 9", on(days(1), 9)),
    ("tomorrow evening 7", on(days(1), 19)),
    ("friday afternoon 3", on(days(2), 15)),
    ("dec 25 2pm", on(date(2026, 12, 25), 14)),
    ("december 25th 2026 at 10am", on(date(2026, 12, 25), 10)),
    ("25th december 10am", on(date(2026, 12, 25), 10)),
    ("2026-12-25 14:00", on(date(2026, 12, 25), 14)),
    ("in 2 days at 3pm", on(days(2), 15)),
])
def test_english_times_read_in_istanbul(text: str, expected: datetime) -> None:
    assert parse_when(text, now=NOW) == expected


@pytest.mark.parametrize(("text", "minutes"), [
    ("in 2 hours", 120),
    ("2 saat sonra", 120),
    ("2 SAAT SONRA", 120),
    ("30 dk sonra", 30),
    ("30 dakika sonra", 30),
    ("in 30 min", 30),
    ("in 30 minutes", 30),
    ("in an hour", 60),
    ("bir saat sonra", 60),
    ("yarım saat sonra", 30),
    ("in half an hour", 30),
    ("1 saat 30 dk sonra", 90),
    ("in 1h 30m", 90),
    ("in 1h30m", 90),
    ("2 hours later", 120),
    ("1 gün 2 saat sonra", 26 * 60),
])
def test_a_span_counts_from_now_to_the_minute(text: str, minutes: int) -> None:
    expected = NOW.replace(second=0) + timedelta(minutes=minutes)
    assert parse_when(text, now=NOW) == expected


@pytest.mark.parametrize("text", [
    "", "   ", "merhaba", "hello", "asap", "soon", "yakında", "next monday", "haftaya salı",
    # a day without a time: the caller asks for the time
    "yarın", "tomorrow", "bugün", "pazartesi", "monday", "25.12", "25/12/2026", "2 gün sonra",
    "in 2 days", "12.10", "25 aralık", "yarın sabah",
    # a bare number is no time on its own
    "16", "10", "14 30",
    # impossible values
    "25:00", "24:00", "yarın 25:00", "yarın 14:60", "14:5", "31.02 10:00", "30.02.2027 10:00",
    "32.01 10:00", "25.13 10:00", "29.02.2027 10:00", "13pm", "0am", "yarın 13pm",
    "25.12.1999 10:00", "25.12.2100 10:00",
    # contradictions and leftovers
    "sabah 15", "akşam 9am", "akşam 12", "sabah 7pm", "yarın bugün 10", "yarın 10 11",
    "pazartesi salı 10", "yarın 14:30 lütfen", "in 2 hours sonra", "2 saat", "in 0 hours",
    "in 1000 hours", "yarın ²", "yarın ١٤:٣٠", "１４:３０", "14:30:00", "-14:30", "yarın -1",
])
def test_text_that_names_no_time_gives_none(text: str) -> None:
    assert parse_when(text, now=NOW) is None


@pytest.mark.parametrize(("text", "expected"), [
    ("yarın", days(1)), ("YARIN", days(1)), ("tomorrow", days(1)), ("bugün", TODAY),
    ("today", TODAY), ("öbür gün", days(2)), ("day after tomorrow", days(2)),
    ("pazartesi", days(5)), ("monday", days(5)), ("çarşamba", TODAY), ("wed", TODAY),
    ("perşembe", days(1)), ("cuma günü", days(2)), ("on friday", days(2)),
    ("25.12", date(2026, 12, 25)), ("25/12", date(2026, 12, 25)), ("25.11", TODAY),
    ("24.11", date(2027, 11, 24)), ("25.12.2026", date(2026, 12, 25)),
    ("12.10", date(2027, 10, 12)), ("25 aralık", date(2026, 12, 25)),
    ("dec 25", date(2026, 12, 25)), ("2 gün sonra", days(2)), ("in 2 days", days(2)),
    ("in a week", days(7)), ("1 hafta sonra", days(7)), ("29.02", date(2028, 2, 29)),
])
def test_a_day_alone_reads_as_a_date(text: str, expected: date) -> None:
    assert parse_day(text, today=TODAY) == expected


@pytest.mark.parametrize("text", [
    "", "hello", "yarın 14:00", "14:30", "2pm", "31.02", "32.12", "25.13", "in 2 hours",
    "yarın bugün", "16", "next monday",
])
def test_text_that_is_not_a_day_alone_gives_no_day(text: str) -> None:
    assert parse_day(text, today=TODAY) is None


def test_the_answer_to_a_missing_time_reads_with_its_day() -> None:
    assert parse_when("pazartesi", now=NOW) is None
    assert parse_day("pazartesi", today=TODAY) == days(5)
    assert parse_when("pazartesi" + " " + "10:00", now=NOW) == on(days(5), 10)


def test_today_and_a_dated_day_are_taken_as_written_even_when_past() -> None:
    assert parse_when("bugün 9", now=NOW) == on(TODAY, 9)
    assert parse_when("25.12.2025 14:00", now=NOW) == on(date(2025, 12, 25), 14)


def test_a_naive_now_is_a_callers_mistake() -> None:
    with pytest.raises(ValueError, match="aware"):
        parse_when("14:30", now=NOW.replace(tzinfo=None))


# --- daylight saving time ---------------------------------------------------------------------


def test_a_span_across_the_spring_change_is_real_time() -> None:
    before = datetime(2026, 3, 29, 1, 30, tzinfo=BERLIN)  # 02:00 CET becomes 03:00 CEST
    after = parse_when("in 1 hour", now=before)
    assert after is not None
    # In UTC: Python subtracts two datetimes of one zone by their wall clocks.
    assert after.astimezone(UTC) - before.astimezone(UTC) == timedelta(hours=1)
    assert (after.hour, after.minute, after.utcoffset()) == (3, 30, timedelta(hours=2))


def test_a_span_across_the_autumn_change_is_real_time() -> None:
    before = datetime(2026, 10, 25, 1, 30, tzinfo=BERLIN)  # 03:00 CEST becomes 02:00 CET
    after = parse_when("2 saat sonra", now=before)
    assert after is not None
    assert after.astimezone(UTC) - before.astimezone(UTC) == timedelta(hours=2)
    assert (after.hour, after.minute, after.utcoffset()) == (2, 30, timedelta(hours=1))


def test_a_time_the_spring_change_skips_moves_on_by_the_gap() -> None:
    before = datetime(2026, 3, 29, 1, 0, tzinfo=BERLIN)
    assert parse_when("02:30", now=before) == datetime(2026, 3, 29, 3, 30, tzinfo=BERLIN)


def test_a_time_in_the_repeated_hour_is_the_one_still_ahead() -> None:
    second = datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=BERLIN)  # the CET 02:30
    when = parse_when("02:45", now=second)
    assert when is not None
    assert seconds_between(second, when) == 15 * 60


def test_tomorrow_after_a_change_has_the_new_offset() -> None:
    saturday = datetime(2026, 3, 28, 12, 0, tzinfo=BERLIN)
    sunday = parse_when("yarın 10:00", now=saturday)
    assert sunday is not None
    assert (sunday.day, sunday.hour, sunday.utcoffset()) == (29, 10, timedelta(hours=2))


# --- properties ---------------------------------------------------------------------------------


def seconds_between(start: datetime, end: datetime) -> float:
    """Real seconds from *start* to *end* (Python subtracts one zone's times by wall clock)."""
    return (end.astimezone(UTC) - start.astimezone(UTC)).total_seconds()


ZONES = [ISTANBUL, BERLIN, ZoneInfo("America/New_York"), ZoneInfo("Australia/Lord_Howe"),
         ZoneInfo("America/Sao_Paulo"), ZoneInfo("Asia/Kolkata"), ZoneInfo("UTC")]
# Hypothesis bounds wall clocks with naive datetimes and puts each in one of the zones.
NOWS = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2098, 1, 1),  # noqa: DTZ001
                    timezones=st.sampled_from(ZONES), allow_imaginary=False)
WORDS = ["yarın", "bugün", "pzt", "cuma", "akşam", "sabah", "öğleden", "sonra", "saat", "dk",
         "in", "hours", "tomorrow", "pm", "am", "noon", "buçuk", "aralık", "dec", "'te", "@"]
NEAR_MISSES = st.lists(st.one_of(st.sampled_from(WORDS), st.from_regex(
    r"\A[0-9]{1,4}([:./-][0-9]{1,4}){0,2}\Z")), max_size=5).map(" ".join)


@PROPERTIES
@given(st.one_of(st.text(), NEAR_MISSES), NOWS)
def test_any_text_gives_none_or_a_moment_in_nows_zone(text: str, now: datetime) -> None:
    when = parse_when(text, now=now)
    assert when is None or when.tzinfo is now.tzinfo
    day = parse_day(text, today=now.date())
    assert day is None or isinstance(day, date)


@PROPERTIES
@given(NOWS, st.integers(0, 23), st.integers(0, 59))
def test_a_time_alone_is_the_next_such_time_within_a_day(
    now: datetime, hour: int, minute: int,
) -> None:
    when = parse_when(f"{hour}:{minute:02}", now=now)
    assert when is not None
    assert 0 < seconds_between(now, when) <= 25 * 3600  # a DST day is 25 hours long
    if when.utcoffset() == datetime.combine(when.date(), time(hour, minute),
                                            tzinfo=now.tzinfo).utcoffset():
        assert (when.hour, when.minute) == (hour, minute)  # unless a DST change skipped it


@PROPERTIES
@given(NOWS, st.integers(0, 6), st.integers(1, 12), st.sampled_from(["am", "pm"]))
def test_a_weekday_is_that_day_within_the_next_week(
    now: datetime, weekday: int, hour: int, half: str,
) -> None:
    name = ["pazartesi", "salı", "çarşamba", "perşembe", "cuma", "cumartesi", "pazar"][weekday]
    when = parse_when(f"{name} {hour}{half}", now=now)
    assert when is not None
    assert when.weekday() == weekday
    assert 0 < seconds_between(now, when) <= (7 * 24 + 1) * 3600


@PROPERTIES
@given(NOWS, st.integers(1, 999), st.sampled_from([("dk sonra", 1), ("saat sonra", 60),
                                                   ("in {} min", 1), ("in {} hours", 60)]))
def test_a_span_is_that_much_real_time_after_now_to_the_minute(
    now: datetime, count: int, unit: tuple[str, int],
) -> None:
    words, minutes = unit
    text = words.format(count) if "{}" in words else f"{count} {words}"
    when = parse_when(text, now=now)
    assert when is not None
    elapsed = when.astimezone(UTC) - now.astimezone(UTC)
    assert timedelta(minutes=count * minutes - 1) < elapsed <= timedelta(minutes=count * minutes)
    assert (when.second, when.microsecond) == (0, 0)


def written(moment: datetime, style: int) -> str:
    """*moment* as one of the ways an agent writes a date and a time."""
    day, month, year = moment.day, moment.month, moment.year
    hour, minute = moment.hour, moment.minute
    twelve = f"{hour % 12 or 12}:{minute:02}{'pm' if hour >= 12 else 'am'}"
    months = ["ocak", "şubat", "mart", "nisan", "mayıs", "haziran", "temmuz", "ağustos",
              "eylül", "ekim", "kasım", "aralık"]
    english = ["january", "february", "march", "april", "may", "june", "july", "august",
               "september", "october", "november", "december"]
    return [
        f"{day:02}.{month:02}.{year} {hour:02}:{minute:02}",
        f"{day}/{month}/{year} {hour}.{minute:02}",
        f"{day} {months[month - 1].upper()} {year} saat {hour}:{minute:02}",
        f"{english[month - 1]} {day} {year} at {twelve}",
        f"{year}-{month:02}-{day:02} {hour:02}:{minute:02}",
        f"{twelve} {day}.{month}.{str(year)[2:]}",
    ][style]


@PROPERTIES
@given(NOWS, st.integers(1, 400 * 24 * 60), st.integers(0, 5))
def test_a_written_date_and_time_reads_back(now: datetime, ahead: int, style: int) -> None:
    moment = (now.astimezone(UTC) + timedelta(minutes=ahead)).astimezone(now.tzinfo)
    if moment.year > 2099:
        return
    when = parse_when(written(moment, style), now=now)
    assert when is not None
    # The wall clock as written; the first of two when the autumn change repeats an hour.
    assert (when.date(), when.hour, when.minute) == (moment.date(), moment.hour, moment.minute)


@PROPERTIES
@given(NOWS, st.integers(0, 800))
def test_a_date_without_its_year_is_the_next_such_date(now: datetime, ahead: int) -> None:
    target = now.date() + timedelta(days=ahead)
    day = parse_day(f"{target.day}.{target.month}", today=now.date())
    assert day is not None
    assert (day.day, day.month) == (target.day, target.month)
    assert now.date() <= day <= now.date() + timedelta(days=366 * 8)
    if (target.day, target.month) != (29, 2):
        assert day <= now.date() + timedelta(days=365)
