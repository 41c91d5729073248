"""What `/stats` shows: one view of a period — the overview, a slice, what became of the
offers, the fairness audit, the load and coverage, or the automation health — read by the
use case of that view."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from core.deps import Deps
from core.lifecycle.coverage import automation_health, coverage_report
from core.lifecycle.fairness import fairness_audit
from core.lifecycle.numbers import office_numbers
from core.numbers.coverage import Automation, Coverage
from core.numbers.fairness import FairnessAudit
from core.numbers.figures import PeriodNumbers, Slice
from core.numbers.period import Period, parse_period
from core.ports import UnitOfWork
from core.queries import office_stats
from core.stats import Stats


class View(StrEnum):
    """The views of `/stats` besides the slices."""

    OVERVIEW = "overview"
    OFFERS = "offers"  # what became of each agent's offers, reclaims and nurture
    FAIRNESS = "fairness"
    LOAD = "load"  # capacity and coverage
    AUTOMATION = "automation"


Shown = View | Slice


@dataclass(frozen=True)
class StatsView:
    """One view of a period, holding the record that view reads."""

    shown: Shown
    period: Period
    numbers: PeriodNumbers | None = None
    names: dict[str, str] = field(default_factory=dict)  # agent ids of a slice by agent
    offers: Stats | None = None
    fairness: FairnessAudit | None = None
    coverage: Coverage | None = None
    automation: Automation | None = None


async def stats_view(uow: UnitOfWork, deps: Deps, /, *, manager_id: int, period: str | None,
                     shown: Shown = View.OVERVIEW) -> StatsView:
    """A manager's `/stats` view of *period*; InvalidInput for a period it cannot read."""
    asked = parse_period(period, now=deps.clock.now(), zone=deps.config.zone)
    if shown is View.OFFERS:
        stats = await office_stats(uow, deps, manager_id=manager_id, period=period)
        return StatsView(shown, asked, offers=stats)
    if shown is View.FAIRNESS:
        audit = await fairness_audit(uow, deps, manager_id=manager_id, period=period)
        return StatsView(shown, asked, fairness=audit)
    if shown is View.LOAD:
        load = await coverage_report(uow, deps, manager_id=manager_id, period=period)
        return StatsView(shown, asked, coverage=load)
    if shown is View.AUTOMATION:
        health = await automation_health(uow, deps, manager_id=manager_id, period=period)
        return StatsView(shown, asked, automation=health)
    by = shown if isinstance(shown, Slice) else None
    numbers = await office_numbers(uow, deps, manager_id=manager_id, period=period, by=by)
    if by is not Slice.AGENT:
        return StatsView(shown, asked, numbers=numbers)
    async with uow.reading():
        people = await uow.agents.list()
    return StatsView(shown, asked, numbers=numbers,
                     names={str(a.telegram_id): a.name for a in people})
