"""The charts' data assembled from the period's figures, its figures by source, the fairness
audit's rows and the database's counts by day: what each chart is given, counted by hand."""

from __future__ import annotations

import pickle
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from core.numbers.figures import Figures, PeriodNumbers, Slice, SliceRow
from core.numbers.period import parse_period
from core.numbers.report import (
    MAX_ROWS,
    SOURCE_ROWS,
    AgentShare,
    DaySeries,
    FunnelStep,
    SlaDay,
    SourceRow,
    Step,
    assemble_report,
    spans,
)

ISTANBUL = ZoneInfo("Europe/Istanbul")
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
PERIOD = parse_period("2026-11-02..2026-11-04", now=NOW, zone=ISTANBUL)
STEP, BOUNDS = spans(PERIOD, ISTANBUL)
OFFICE = Figures(leads=200, accepted=180, contacted=150, appointment=60, offer=20, won=8)


def numbers(*rows: SliceRow) -> PeriodNumbers:
    return PeriodNumbers(PERIOD, OFFICE, Figures(), Figures(), by=Slice.SOURCE if rows else None,
                         rows=rows)


def source(name: str | None, leads: int, won: int, commission: int,
           cost: int | None) -> SliceRow:
    return SliceRow(name, Figures(leads=leads, won=won, commission=Decimal(commission),
                                  cost=None if cost is None else Decimal(cost)))


SERIES = [DaySeries((1, 2, 3, 0, 0, 0, 4), accept_met=5, accept_due=6, contact_met=7,
                    contact_due=8),
          DaySeries((0, 1, 0, 0, 1, 0, 0), contact_met=1, contact_due=1),
          DaySeries()]


def test_each_chart_gets_its_part_of_the_figures() -> None:
    data = assemble_report(
        PERIOD, zone=ISTANBUL, numbers=numbers(),
        by_source=numbers(source("website", 120, 6, 60_000, 6_000),
                          source("Meta Ads", 80, 2, 10_000, 20_000),
                          source(None, 5, 0, 0, None)),
        fairness=[("Ayşe", 30, 36.5), ("Mehmet", 50, 40.0), ("Can", 0, 0.0)],
        step=STEP, bounds=BOUNDS, series=SERIES)

    assert data.funnel == (FunnelStep("leads", 200), FunnelStep("accepted", 180),
                           FunnelStep("contacted", 150), FunnelStep("appointment", 60),
                           FunnelStep("offer", 20), FunnelStep("won", 8))
    assert data.speed == (1, 3, 3, 0, 1, 0, 4)
    assert (data.sla_step, data.sla) == (Step.DAY, (
        SlaDay(date(2026, 11, 2), 5, 6, 7, 8), SlaDay(date(2026, 11, 3), 0, 0, 1, 1),
        SlaDay(date(2026, 11, 4))))
    assert data.agents == (AgentShare("Mehmet", 50, 40.0), AgentShare("Ayşe", 30, 36.5)), (
        "Can, owed nothing and given nothing, has no bar")
    website, meta, none = data.sources
    assert (website.label, website.close_rate, website.roi) == ("website", 5.0, 9.0)
    assert (meta.label, meta.close_rate, meta.roi) == ("Meta Ads", 2.5, -0.5)
    assert (none.label, none.close_rate, none.roi) == (None, 0.0, None)
    assert pickle.loads(pickle.dumps(data)) == data, "it crosses to the chart worker whole"


def test_without_figures_the_funnel_and_the_slices_are_empty() -> None:
    data = assemble_report(PERIOD, zone=ISTANBUL, numbers=None, by_source=None, fairness=(),
                           step=STEP, bounds=BOUNDS, series=[DaySeries()] * 3)
    assert [step.count for step in data.funnel] == [0] * 6
    assert (data.agents, data.sources, sum(data.speed)) == ((), (), 0)


def test_agents_past_the_charts_rows_are_summed_as_others() -> None:
    fairness = [(f"Agent {n:02}", n, n + 0.5) for n in range(1, 21)]  # 20 agents
    data = assemble_report(PERIOD, zone=ISTANBUL, numbers=numbers(), by_source=None,
                           fairness=fairness, step=STEP, bounds=BOUNDS, series=SERIES)
    assert len(data.agents) == MAX_ROWS == 15
    assert [a.received for a in data.agents[:3]] == [20, 19, 18], "most received first"
    # Agents 1 to 6 are left: 21 leads received, fair shares 1.5 + … + 6.5 = 24.
    assert data.agents[-1] == AgentShare("", 21, 24.0, folded=6)


def test_sources_past_the_charts_rows_are_summed_with_the_roi_of_those_with_a_cost() -> None:
    rows = [source(f"s{n}", 100 - n, 1, 1000, 500 if n % 2 else None) for n in range(10)]
    data = assemble_report(PERIOD, zone=ISTANBUL, numbers=numbers(),
                           by_source=numbers(*rows), fairness=(), step=STEP, bounds=BOUNDS,
                           series=SERIES)
    assert len(data.sources) == SOURCE_ROWS == 8
    assert [s.label for s in data.sources[:7]] == [f"s{n}" for n in range(7)], "most leads first"
    # s7 (cost 500), s8 (no cost) and s9 (cost 500): 3 leads won of 93 + 92 + 91; the
    # commission of the two with a cost, 2000, against their 1000.
    assert data.sources[-1] == SourceRow(None, 276, 3, 2000.0, 1000.0, folded=3)
    assert data.sources[-1].roi == 1.0


def test_the_series_must_match_the_spans() -> None:
    with pytest.raises(ValueError, match="one series per span"):
        assemble_report(PERIOD, zone=ISTANBUL, numbers=None, by_source=None, fairness=(),
                        step=STEP, bounds=BOUNDS, series=[DaySeries()])
