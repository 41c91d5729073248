"""The fairness audit a manager asks for: each agent's leads against their fair share of
the period's routing decisions (core/numbers/fairness.py), added up by the database."""

from __future__ import annotations

from core.deps import Deps
from core.lifecycle.common import manager
from core.numbers.fairness import FairnessAudit, judge
from core.numbers.period import parse_period
from core.ports import UnitOfWork


async def fairness_audit(uow: UnitOfWork, deps: Deps, /, *, manager_id: int,
                         period: str | None = None) -> FairnessAudit:
    """The audit of *period* (`7d` when None; InvalidInput when unreadable), for a manager
    (NotAManager otherwise), each deviation beyond ±20 % flagged with its likely cause."""
    span = parse_period(period, now=deps.clock.now(), zone=deps.config.zone)
    async with uow.reading():
        await manager(uow, manager_id)
        counted = await uow.fairness.tallies(span.start, span.end)
        since = await uow.fairness.since()
        roster = await uow.agents.list()
    return judge(span, counted, {a.telegram_id: a.name for a in roster}, since=since)
