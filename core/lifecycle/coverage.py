"""Capacity and coverage (load per agent, SLA misses by the office's hour and weekday) and
automation health (leads routed without a human touch, per rule), for managers."""

from __future__ import annotations

from core.deps import Deps
from core.lifecycle.common import manager
from core.numbers.coverage import (
    Automation,
    Coverage,
    agent_loads,
    automation,
    fold_misses,
    sub_hour_shift,
)
from core.numbers.period import parse_period
from core.ports import UnitOfWork


async def coverage_report(uow: UnitOfWork, deps: Deps, /, *, manager_id: int,
                          period: str | None) -> Coverage:
    """Each agent's average open load over *period* (`7d` when None), open now against
    their capacity, overloaded or idle; and the period's SLA misses by the office's hour."""
    zone, now = deps.config.zone, deps.clock.now()
    span = parse_period(period, now=now, zone=zone)
    shift_s = sub_hour_shift(zone, span.start)
    async with uow.reading():
        await manager(uow, manager_id)
        roster = await uow.agents.list()
        owned = await uow.coverage.owned_time(span.start, span.end)
        open_now = await uow.coverage.open_now()
        missed = await uow.coverage.misses(span.start, span.end, shift_s=shift_s)
    loads, median = agent_loads(roster, owned, open_now, period=span,
                                today=now.astimezone(zone).date())
    return Coverage(span, loads, median, fold_misses(missed, zone=zone, shift_s=shift_s))


async def automation_health(uow: UnitOfWork, deps: Deps, /, *, manager_id: int,
                            period: str | None) -> Automation:
    """Per routing rule, the leads that arrived in *period* (`7d` when None) and were
    routed, how many no person had to move, and the manual reassignment rate."""
    span = parse_period(period, now=deps.clock.now(), zone=deps.config.zone)
    async with uow.reading():
        await manager(uow, manager_id)
        rows = await uow.coverage.automation(span.start, span.end)
    return automation(span, rows)
