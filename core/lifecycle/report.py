"""`/report`: the data of a period's charts (core/numbers/report.py), for a manager who asks
and for the Monday morning digest."""

from __future__ import annotations

from collections.abc import Sequence

from core.deps import Deps
from core.lifecycle.common import manager
from core.numbers.figures import PeriodNumbers
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


async def office_report(
    uow: UnitOfWork, deps: Deps, /, *, period: Period, numbers: PeriodNumbers | None = None,
    by_source: PeriodNumbers | None = None, fairness: Sequence[tuple[str, int, float]] = (),
) -> ReportData:
    """The charts' data of *period*, whoever it is for: speed to lead and the SLAs by day
    counted here, with the office's figures (*numbers*, None: its funnel is drawn without
    data), its figures by source and the fairness audit's (agent, received, fair share)
    rows as the caller read them."""
    step, bounds = spans(period, deps.config.zone)
    async with uow.reading():
        series = await uow.report_series.by_span(bounds, now=deps.clock.now())
    return assemble_report(period, zone=deps.config.zone, numbers=numbers, by_source=by_source,
                           fairness=fairness, step=step, bounds=bounds, series=series)
