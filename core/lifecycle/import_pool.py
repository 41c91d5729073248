"""The import pool: leads imported with `--route` wait there and go to routing at the pace
the team can take, `work.imports.pace_per_agent_hour` for each agent available now, and
none while the office is closed.

The timers' sweep runs `release_pooled`; the pace is counted from the database (the leads
released in the last hour, `released_at`), not remembered by a process, so a restart or a
second instance never releases more. Two instances releasing at once queue on the pool's
row (`IMPORT_POOL`), taken first; under it the count is read again and the oldest pooled
leads (file order: the importer's own ranking) are taken with SKIP LOCKED. Lock order: the
pool's row, then leads; the routing turn that offers them comes after, in its own
transaction.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.deps import Deps
from core.model import Agent
from core.ports import IMPORT_POOL, PoolGroup, UnitOfWork
from core.routing import AgentStats, Situation
from core.routing.filters import standing

HOUR = timedelta(hours=1)


def available_agents(deps: Deps, roster: list[Agent], now: datetime) -> int:
    """How many agents could take a lead now: active, not away, reachable, in their working
    hours (managers take leads only when a rule names them, so they are not counted)."""
    situation = Situation(roster, {}, {}, now, deps.config.zone)
    count = 0
    for agent in roster:
        if agent.is_manager:
            continue
        gate = standing(agent, AgentStats(), policy=deps.config.routing, situation=situation)
        if gate.unreachable is None and gate.off_duty is None:
            count += 1
    return count


def hourly_pace(deps: Deps, agents: int) -> int:
    """Imported leads the pool lets go in an hour with *agents* available."""
    return deps.config.work.imports.pace_per_agent_hour * agents


@dataclass(frozen=True)
class Release:
    """What a release turn did: the leads it let go, and when to look again (None: only
    the periodic sweep, as nothing waits or nobody can take one)."""

    released: list[int]
    again_at: datetime | None


async def release_pooled(uow: UnitOfWork, deps: Deps, /) -> Release:
    """Release the pooled leads the pace allows now to routing (which the caller runs)."""
    now = deps.clock.now()
    async with uow.reading():  # a look that takes no write turn: most sweeps release none
        if not await uow.leads.any_queued():
            return Release([], None)
        if not deps.calendar.is_open(now):
            return Release([], deps.calendar.next_open(now))
        allowed = await _allowance(uow, deps, now)
    if allowed <= 0:
        return Release([], now + HOUR if allowed == 0 else None)
    async with uow:
        await uow.rotations.lock(IMPORT_POOL)  # one release turn at a time, any instance
        allowed = await _allowance(uow, deps, now)  # again: another may have just released
        released = await uow.leads.release_queued(limit=allowed, at=now)
        await uow.commit()
    return Release(released, now + HOUR)


async def _allowance(uow: UnitOfWork, deps: Deps, now: datetime) -> int:
    """How many more the pace allows this hour; -1 when nobody is available at all."""
    agents = available_agents(deps, await uow.agents.list(), now)
    if not agents:
        return -1
    return max(hourly_pace(deps, agents) - await uow.leads.released_since(now - HOUR), 0)


@dataclass(frozen=True)
class PoolView:
    """The import pool for /pending: what waits, from where, and roughly when the last of it
    goes out at the pace of the agents available now (None: nobody is available)."""

    groups: tuple[PoolGroup, ...]
    per_hour: int
    last_out: datetime | None

    @property
    def total(self) -> int:
        """Leads waiting in the pool."""
        return sum(g.count for g in self.groups)


async def pool_view(uow: UnitOfWork, deps: Deps, now: datetime) -> PoolView:
    """The import pool as it stands, read in the caller's (reading) transaction."""
    groups = tuple(await uow.leads.pool_groups())
    if not groups:
        return PoolView((), 0, None)
    per_hour = hourly_pace(deps, available_agents(deps, await uow.agents.list(), now))
    total = sum(g.count for g in groups)
    last_out = None
    if per_hour:
        # What this hour still allows goes now; then a share each hour of business time.
        left = max(per_hour - await uow.leads.released_since(now - HOUR), 0)
        hours = max(math.ceil((total - left) / per_hour), 0)
        last_out = deps.calendar.add(deps.calendar.next_open(now), hours * HOUR)
    return PoolView(groups, per_hour, last_out)


async def pool_status(uow: UnitOfWork, deps: Deps, /) -> PoolView:
    """The import pool as it stands now, for the import command's report."""
    async with uow.reading():
        return await pool_view(uow, deps, deps.clock.now())
