"""What `/report` draws, as plain records a chart worker takes whole (`ReportData`, with the
already translated `ChartLabels`), and their assembly from the period's figures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from core.numbers.figures import FUNNEL, PeriodNumbers
from core.numbers.period import Period

# Speed to lead (arrival → first contact) in these buckets, the last one never contacted.
SPEED_BUCKETS = ("under_5m", "5_15m", "15_60m", "1_4h", "4_24h", "over_1d", "never")
SPEED_LIMITS_S = (300, 900, 3600, 4 * 3600, 86400)  # each bucket's upper end, but the last two
MAX_ROWS = 15  # a chart's rows, "others" included: more would not read on a phone
SOURCE_ROWS = 8  # the sources' chart has two panels, conversion above ROI
MAX_DAYS = 62  # longer periods are drawn by week, and beyond MAX_DAYS weeks by month


class Step(StrEnum):
    """How long each point of the SLA chart covers."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"


@dataclass(frozen=True)
class FunnelStep:
    """One step of the funnel: a name of core.numbers.figures.FUNNEL and its count."""

    name: str
    count: int


@dataclass(frozen=True)
class AgentShare:
    """An agent's leads received against their fair share; *folded* > 0: the rows summed
    into "others"."""

    label: str
    received: int
    fair_share: float
    folded: int = 0


@dataclass(frozen=True)
class SourceRow:
    """A source's cohort and money: *label* None for leads without one, *folded* > 0 for
    the rows summed into "others"."""

    label: str | None
    leads: int
    won: int
    commission: float
    cost: float | None
    folded: int = 0

    @property
    def close_rate(self) -> float | None:
        """Won as a share of the leads, in percent."""
        return 100.0 * self.won / self.leads if self.leads else None

    @property
    def roi(self) -> float | None:
        """(commission − cost) ÷ cost; None without a cost."""
        return (self.commission - self.cost) / self.cost if self.cost else None


@dataclass(frozen=True)
class SlaDay:
    """The SLAs of the leads that arrived on one day (week, month) in the office's zone."""

    day: date
    accept_met: int = 0
    accept_due: int = 0
    contact_met: int = 0
    contact_due: int = 0


@dataclass(frozen=True)
class DaySeries:
    """What the database counts for one span of the SLA chart: the speed buckets of its
    leads, and their SLAs judged so far."""

    speed: tuple[int, ...] = (0,) * len(SPEED_BUCKETS)
    accept_met: int = 0
    accept_due: int = 0
    contact_met: int = 0
    contact_due: int = 0


@dataclass(frozen=True)
class ReportData:
    """Everything the charts of a period show, in plain values that pickle."""

    period: Period
    funnel: tuple[FunnelStep, ...]
    speed: tuple[int, ...]  # leads per SPEED_BUCKETS
    agents: tuple[AgentShare, ...]
    sla: tuple[SlaDay, ...]
    sla_step: Step
    sources: tuple[SourceRow, ...]


@dataclass(frozen=True)
class ChartLabels:
    """The charts' words in the reader's language, and how they write numbers."""

    period: str  # under each title: the period in the office's zone
    funnel_title: str
    funnel_steps: tuple[str, ...]  # as FUNNEL
    speed_title: str
    speed_buckets: tuple[str, ...]  # as SPEED_BUCKETS
    leads: str  # an axis: number of leads
    fairness_title: str
    received: str
    fair_share: str
    sla_title: str  # by day, week or month, as the data's sla_step
    accept_sla: str
    contact_sla: str
    sources_title: str
    close_rate: str
    roi: str
    no_data: str
    others: str  # the rows summed past MAX_ROWS, drawn followed by how many
    no_source: str
    decimal: str = "."
    group: str = ","
    percent: str = "{}%"  # a number's place in a percentage: "{}%", "%{}"


def spans(period: Period, zone: ZoneInfo) -> tuple[Step, list[datetime]]:
    """The SLA chart's spans: by day in the office's zone, by week (from Monday) beyond
    MAX_DAYS, by month beyond MAX_DAYS weeks; as their bounds, from the period's start
    to its end (the first and last span may be partial)."""
    step = (Step.DAY if period.days <= MAX_DAYS else
            Step.WEEK if period.days <= 7 * MAX_DAYS else Step.MONTH)
    bounds = [period.start]
    day = _first_day(period.start.astimezone(zone).date(), step)
    while True:
        day = _next_day(day, step)
        moment = datetime.combine(day, time(0), tzinfo=zone).astimezone(period.start.tzinfo)
        if moment >= period.end:
            break
        if moment > bounds[-1]:
            bounds.append(moment)
    bounds.append(period.end)
    return step, bounds


def _first_day(day: date, step: Step) -> date:
    if step is Step.WEEK:
        return day - timedelta(days=day.weekday())
    return day.replace(day=1) if step is Step.MONTH else day


def _next_day(day: date, step: Step) -> date:
    if step is Step.DAY:
        return day + timedelta(days=1)
    if step is Step.WEEK:
        return day + timedelta(days=7)
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def assemble_report(
    period: Period, *, zone: ZoneInfo, numbers: PeriodNumbers | None,
    by_source: PeriodNumbers | None, fairness: Sequence[tuple[str, int, float]],
    step: Step, bounds: Sequence[datetime], series: Sequence[DaySeries],
) -> ReportData:
    """The charts' data from the office's figures (*numbers*), its figures by source, the
    fairness audit's (agent, received, fair share) rows, and the database's counts for
    each span between *bounds* (None, (): that part has no data)."""
    if len(series) != len(bounds) - 1:
        raise ValueError("one series per span between the bounds")
    office = numbers.office if numbers is not None else None
    funnel = tuple(FunnelStep(step_name, getattr(office, step_name) if office else 0)
                   for step_name in FUNNEL)
    speed = tuple(sum(s.speed[i] for s in series) for i in range(len(SPEED_BUCKETS)))
    sla = tuple(SlaDay(bounds[i].astimezone(zone).date(), s.accept_met, s.accept_due,
                       s.contact_met, s.contact_due) for i, s in enumerate(series))
    sources = tuple(
        SourceRow(row.key, row.figures.leads, row.figures.won, float(row.figures.commission),
                  None if row.figures.cost is None else float(row.figures.cost))
        for row in (by_source.rows if by_source is not None else ()))
    # An agent owed nothing who took nothing (away all period, say) is no bar on the chart.
    agents = tuple(AgentShare(label, received, share) for label, received, share in fairness
                   if received or share)
    return ReportData(period, funnel, speed, fold_agents(agents), sla, step,
                      fold_sources(sorted(sources, key=lambda r: -r.leads), limit=SOURCE_ROWS))


def fold_agents(rows: Sequence[AgentShare], *, limit: int = MAX_ROWS) -> tuple[AgentShare, ...]:
    """The agents who received most first, past *limit* − 1 of them summed as "others"."""
    ranked = sorted(rows, key=lambda r: (-r.received, -r.fair_share, r.label))
    if len(ranked) <= limit:
        return tuple(ranked)
    kept, rest = ranked[:limit - 1], ranked[limit - 1:]
    return (*kept, AgentShare("", sum(r.received for r in rest),
                              sum(r.fair_share for r in rest), folded=len(rest)))


def fold_sources(rows: Sequence[SourceRow], *, limit: int = MAX_ROWS) -> tuple[SourceRow, ...]:
    """*rows* as given, past *limit* − 1 of them summed as "others"; their ROI is that of
    the ones with a cost."""
    if len(rows) <= limit:
        return tuple(rows)
    kept, rest = rows[:limit - 1], rows[limit - 1:]
    costed = [r for r in rest if r.cost is not None]
    return (*kept, SourceRow(
        None, sum(r.leads for r in rest), sum(r.won for r in rest),
        sum(r.commission for r in (costed or rest)),
        sum(r.cost or 0.0 for r in costed) if costed else None, folded=len(rest)))
