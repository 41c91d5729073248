"""`/report`'s own counts, on both databases: speed to lead in buckets and the SLAs of each
office day, against leads counted by hand; and the spans a period is cut into."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from core.clock import ManualClock
from core.errors import InvalidInput, NotAManager
from core.lifecycle.report import report_data
from core.lifecycle.roster_import import sync_roster
from core.model import DeclineReason, OfferStatus, Stage
from core.numbers.period import parse_period
from core.numbers.report import SPEED_BUCKETS, SlaDay, Step, spans
from leadrelay.bootstrap import bootstrap, sql_uow_factory
from storage.uow import SqlUnitOfWork
from tests.office import AYSE, MEHMET, SELIN, office
from tests.test_stats_aggregates import Made, lead, offer, store

ISTANBUL = ZoneInfo("Europe/Istanbul")  # UTC+3 all year
DAY1 = datetime(2026, 11, 1, 21, 0, tzinfo=UTC)  # midnight of 2 November in Istanbul
DAY2, DAY3, END = (DAY1 + timedelta(days=n) for n in (1, 2, 3))
NOW = datetime(2026, 11, 5, 9, 0, tzinfo=UTC)
US = timedelta(microseconds=1)
MIN = timedelta(minutes=1)
FIVE = 5 * MIN


def counted(received: datetime, *, contact: timedelta | None = None,
            due: timedelta | None = None, source: str = "website",
            duplicate: bool = False) -> object:
    """A lead taken by Ayşe, contacted *contact* after it arrived, due *due* after it."""
    made = lead(received, owner=AYSE, stage=Stage.CONTACTED, to_owner=MIN, to_contact=contact)
    return dataclasses.replace(made, source=source, duplicate=duplicate,
                               furthest_stage=made.stage,
                               contact_due_at=None if due is None else received + due)


def by_hand() -> list[Made]:
    """Seven counted leads over three Istanbul days, and four that are not counted."""
    b, c, d = DAY2 - US, DAY2, DAY2 + timedelta(hours=5)
    return [
        # 2 Nov: the first microsecond and the last one of the day
        Made(counted(DAY1, contact=FIVE - US, due=15 * MIN),  # < 5 min, contact met
             [offer(AYSE, DAY1, OfferStatus.ACCEPTED, timedelta(seconds=10))]),  # accept met
        Made(counted(b, contact=FIVE, due=FIVE),  # 5–15 min, met exactly at its deadline
             [offer(MEHMET, b, OfferStatus.EXPIRED, FIVE),  # let lapse
              offer(AYSE, b + FIVE, OfferStatus.ACCEPTED, 6 * MIN)]),  # answered too late
        # 3 Nov
        Made(counted(c, contact=timedelta(hours=2), due=timedelta(hours=1)),  # 1–4 h, missed
             [offer(MEHMET, c, OfferStatus.WITHDRAWN, MIN, kind="claim"),  # not theirs
              offer(AYSE, c, OfferStatus.ACCEPTED, MIN, kind="claim")]),  # met
        Made(counted(d, due=NOW + timedelta(hours=1) - d),  # never; due after now: not judged
             [offer(MEHMET, d, OfferStatus.PENDING, None),  # undecided
              offer(MEHMET, d, OfferStatus.DECLINED, MIN, reason=DeclineReason.UNREACHABLE),
              offer(AYSE, d, OfferStatus.DECLINED, 2 * MIN, reason=DeclineReason.BUSY)]),
        Made(counted(d, contact=MIN, due=FIVE, source="manual"),  # entered by hand: apart
             [offer(AYSE, d, OfferStatus.ACCEPTED, MIN)]),
        Made(counted(d, contact=MIN, due=FIVE, duplicate=True),  # its contact's lead was open
             [offer(AYSE, d, OfferStatus.ACCEPTED, MIN)]),
        # 4 Nov
        Made(counted(END - timedelta(seconds=1), contact=timedelta(days=1, seconds=1)), []),
        Made(counted(DAY3, contact=timedelta(hours=4), due=timedelta(hours=5)), []),  # met
        Made(counted(DAY3, contact=15 * MIN - US, due=10 * MIN), []),  # 5–15 min, missed
        # outside the period
        Made(counted(DAY1 - US, contact=MIN, due=FIVE),
             [offer(AYSE, DAY1 - US, OfferStatus.ACCEPTED, MIN)]),
        Made(counted(END, contact=MIN, due=FIVE), [offer(AYSE, END, OfferStatus.ACCEPTED, MIN)]),
    ]


SPEED = {"under_5m": 1, "5_15m": 2, "15_60m": 0, "1_4h": 1, "4_24h": 1, "over_1d": 1,
         "never": 1}
SLA = (SlaDay(date(2026, 11, 2), accept_met=1, accept_due=3, contact_met=2, contact_due=2),
       SlaDay(date(2026, 11, 3), accept_met=2, accept_due=2, contact_met=0, contact_due=1),
       SlaDay(date(2026, 11, 4), accept_met=0, accept_due=0, contact_met=1, contact_due=2))


async def test_speed_and_slas_are_counted_by_office_day_as_counted_by_hand(
        engine: AsyncEngine) -> None:
    await store(lambda: SqlUnitOfWork(engine), by_hand())
    relay = bootstrap(config=office(), clock=ManualClock(NOW),
                      uow_factory=sql_uow_factory(engine))
    await relay.run(sync_roster)

    data = await relay.run(report_data, manager_id=SELIN, period="2026-11-02..2026-11-04")

    assert (data.period.start, data.period.end) == (DAY1, END)
    assert dict(zip(SPEED_BUCKETS, data.speed, strict=True)) == SPEED
    assert (data.sla_step, data.sla) == (Step.DAY, SLA)
    # The funnel and the sources as /stats counts them: the same seven leads.
    assert [(step.name, step.count) for step in data.funnel[:3]] == [
        ("leads", 7), ("accepted", 7), ("contacted", 7)]
    assert [(row.label, row.leads) for row in data.sources] == [("website", 7)]


async def test_a_span_cut_inside_a_day_counts_its_leads_in_the_right_span(
        engine: AsyncEngine) -> None:
    await store(lambda: SqlUnitOfWork(engine), by_hand())
    async with SqlUnitOfWork(engine).reading() as uow:
        series = await uow.report_series.by_span([DAY1, DAY2 - US, DAY3, END], now=NOW)
        nothing = await uow.report_series.by_span([NOW, NOW + MIN], now=NOW)
    assert [sum(s.speed) for s in series] == [1, 3, 3]
    assert [s.speed for s in nothing] == [(0,) * len(SPEED_BUCKETS)]


async def test_each_of_a_months_days_counts_the_leads_of_its_first_and_last_microsecond(
        engine: AsyncEngine) -> None:
    _, bounds = spans(parse_period("30d", now=NOW, zone=ISTANBUL), ISTANBUL)
    await store(lambda: SqlUnitOfWork(engine), [
        Made(counted(moment), []) for start, end in itertools.pairwise(bounds)
        for moment in (start, end - US)])
    async with SqlUnitOfWork(engine).reading() as uow:
        series = await uow.report_series.by_span(bounds, now=NOW)
    assert [sum(s.speed) for s in series] == [2] * 31


async def test_an_offer_stamped_by_a_clock_behind_its_leads_still_counts(
        engine: AsyncEngine) -> None:
    # Two instances: one stored the lead at 00:00, the other's clock was a minute behind
    # when it made the offer.
    await store(lambda: SqlUnitOfWork(engine), [
        Made(counted(DAY1), [offer(AYSE, DAY1 - MIN, OfferStatus.ACCEPTED, 2 * MIN)])])
    async with SqlUnitOfWork(engine).reading() as uow:
        (series,) = await uow.report_series.by_span([DAY1, DAY2], now=NOW)
    assert (series.accept_met, series.accept_due) == (1, 1)


async def test_only_managers_get_a_report_and_a_period_must_be_one_it_reads(
        engine: AsyncEngine) -> None:
    relay = bootstrap(config=office(), clock=ManualClock(NOW),
                      uow_factory=sql_uow_factory(engine))
    await relay.run(sync_roster)
    with pytest.raises(NotAManager):
        await relay.run(report_data, manager_id=AYSE, period="7d")
    with pytest.raises(InvalidInput):
        await relay.run(report_data, manager_id=SELIN, period="fortnight")
    week = await relay.run(report_data, manager_id=SELIN)
    assert (week.period.name, sum(week.speed), len(week.sla)) == ("7d", 0, 8)


def test_a_period_is_cut_at_the_offices_midnights_even_when_the_clocks_change() -> None:
    berlin = ZoneInfo("Europe/Berlin")  # summer time ends on 25 October 2026
    period = parse_period("2026-10-24..2026-10-26", now=NOW, zone=berlin)
    step, bounds = spans(period, berlin)
    assert step is Step.DAY
    assert bounds == [datetime(2026, 10, 23, 22, tzinfo=UTC),
                      datetime(2026, 10, 24, 22, tzinfo=UTC),  # 25 hours in Berlin
                      datetime(2026, 10, 25, 23, tzinfo=UTC),
                      datetime(2026, 10, 26, 23, tzinfo=UTC)]


def test_a_period_that_starts_mid_day_has_a_partial_first_and_last_day() -> None:
    period = parse_period("30d", now=NOW, zone=ISTANBUL)  # 12:00 in Istanbul
    step, bounds = spans(period, ISTANBUL)
    assert (step, len(bounds)) == (Step.DAY, 32)
    assert (bounds[0], bounds[-1]) == (NOW - timedelta(days=30), NOW)
    assert bounds[1] == datetime(2026, 10, 6, 21, tzinfo=UTC)
    assert all(b.astimezone(ISTANBUL).hour == 0 for b in bounds[1:-1])


def test_long_periods_are_cut_by_week_from_monday_then_by_month() -> None:
    quarter = parse_period("90d", now=NOW, zone=ISTANBUL)
    step, bounds = spans(quarter, ISTANBUL)
    assert (step, len(bounds)) == (Step.WEEK, 15)  # 12 whole weeks and two parts
    assert {b.astimezone(ISTANBUL).weekday() for b in bounds[1:-1]} == {0}
    year = parse_period("2025-11-15..2026-11-14", now=NOW, zone=ISTANBUL)
    assert spans(year, ISTANBUL)[0] is Step.WEEK
    years = parse_period("2024-11-15..2026-11-14", now=NOW, zone=ISTANBUL)
    step, bounds = spans(years, ISTANBUL)
    assert (step, len(bounds)) == (Step.MONTH, 26)  # from the 15th: 23 whole months, 2 parts
    assert [b.astimezone(ISTANBUL).day for b in bounds[1:-1]] == [1] * 24
