"""`/report`: the data of a period's charts (core/numbers/report.py), for a manager who asks
and for the Monday morning digest."""

from __future__ import annotations

from core.deps import Deps
from core.lifecycle.common import manager
from core.lifecycle.numbers import source_costs, with_costs
from core.numbers.fairness import judge
from core.numbers.figures import Figures, PeriodNumbers, Slice
from core.numbers.period import Period, parse_period
from core.numbers.report import ReportData, assemble_report, spans
from core.ports import UnitOfWork


async def report_data(uow: UnitOfWork, deps: Deps, /, *, manager_id: int,
                      period: str | None = None) -> ReportData:
    """The charts' data of *period* as a manager names it (`7d` when None); NotAManager
    for anyone else, InvalidInput for a period core.numbers.period does not read."""
    async with uow.reading():
        await manager(uow, manager_id)
    chosen = parse_period(period, now=deps.clock.now(), zone=deps.config.zone)
    return await office_report(uow, deps, period=chosen)


async def office_report(uow: UnitOfWork, deps: Deps, /, *, period: Period) -> ReportData:
    """The charts' data of *period*, whoever it is for (a manager's /report, the Monday
    digest): the office's figures by source as /stats counts them (office_numbers), the
    fairness audit's shares (fairness_audit) and speed to lead and the SLAs by office day,
    all read in one transaction at one moment, so every chart counts the same leads."""
    now, zone = deps.clock.now(), deps.config.zone
    step, bounds = spans(period, zone)
    async with uow.reading():
        counted = await uow.numbers.figures(period.start, period.end, by=Slice.SOURCE,
                                            now=now, rate=deps.config.money.rate)
        tallies = await uow.fairness.tallies(period.start, period.end)
        since = await uow.fairness.since()
        roster = await uow.agents.list()
        series = await uow.report_series.by_span(bounds, now=now)
    audit = judge(period, tallies, {a.telegram_id: a.name for a in roster}, since=since)
    # No chart compares with the period before: it is not read.
    by_source = PeriodNumbers(
        period=period, office=counted.office, previous=Figures(), manual=counted.manual,
        by=Slice.SOURCE, rows=with_costs(counted.rows, source_costs(
            deps.config, start=period.start, end=period.end)))
    return assemble_report(
        period, zone=zone, numbers=by_source, by_source=by_source,
        fairness=[(a.name, a.leads.received, a.leads.fair) for a in audit.agents],
        step=step, bounds=bounds, series=series)
