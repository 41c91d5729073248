"""The routing policy at work inside a transaction: the roster, each agent's load, and the
rules' memory in its one locked row."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from core.deps import Deps
from core.model import Agent, Lead
from core.ports import ROUTING_STATE, UnitOfWork
from core.routing import AgentStats, Decision, RuleState, Situation


class Router:
    """The routing policy with the roster, each agent's load and the rules' memory.

    The rules' memory is one locked row, so concurrent writers (two instances, or a decline
    racing a new lead) queue behind each other instead of both taking the same turn.
    """

    def __init__(self, deps: Deps, situation: Situation) -> None:
        self._deps = deps
        self.situation = situation

    @classmethod
    async def load(cls, uow: UnitOfWork, deps: Deps, now: datetime, *,
                   lock: bool = True) -> Router:
        """Read the roster and the agents' load, and lock the rules' memory (or, for a dry
        run that will not save it, only read it)."""
        rows = uow.rotations
        states = await (rows.lock(ROUTING_STATE) if lock else rows.read(ROUTING_STATE))
        return await cls._with(uow, deps, now, states)

    @classmethod
    async def take_if_free(cls, uow: UnitOfWork, deps: Deps, now: datetime) -> Router | None:
        """As `load`, unless another transaction holds the rules' memory: then None, at once."""
        states = await uow.rotations.try_lock(ROUTING_STATE)
        return None if states is None else await cls._with(uow, deps, now, states)

    @classmethod
    async def _with(cls, uow: UnitOfWork, deps: Deps, now: datetime,
                    states: dict[str, Any]) -> Router:
        policy = deps.config.routing
        roster = await uow.agents.list()
        # Conversion over the review period walks every lead owned in it; only tiers need it.
        owned = await uow.leads.owner_counts(
            review_since=now - policy.tiers.review if policy.uses_tiers else None)
        # Penalties look back this far; an agent with no offer in it counts as idle longest.
        offered = await uow.offers.offer_counts(
            since=now - policy.penalty.within - policy.penalty.length)
        received: dict[int, int] = {}
        if policy.ramp_by_leads:  # only then is the count read, and only for new agents
            received = await uow.leads.received_since({
                a.telegram_id: datetime.combine(a.profile.start_date, time.min,
                                                deps.config.zone)
                for a in roster if a.active and a.profile.start_date is not None})
        stats: dict[int, AgentStats] = {}
        for agent_id in {*owned, *offered, *received}:
            own, off = owned.get(agent_id), offered.get(agent_id)
            stats[agent_id] = AgentStats(
                open_leads=(own.open if own else 0) + (off.pending if off else 0),
                last_offered_at=off.last_offered_at if off else None,
                misses=list(off.misses) if off else [],
                reviewed_leads=own.reviewed if own else 0,
                reviewed_won=own.won if own else 0,
                received=received.get(agent_id, 0))
        situation = Situation(roster, stats, {name: RuleState.from_json(state)
                                              for name, state in states.items()},
                              now, deps.config.zone)
        return cls(deps, situation)

    @property
    def roster(self) -> list[Agent]:
        """Everyone on the roster."""
        return self.situation.roster

    def decide(self, lead: Lead, *, tried: set[int], prefer: int | None) -> Decision:
        """Where *lead* goes, by the office's policy."""
        return self._deps.rules.decide(lead, self.situation, tried=tried, prefer=prefer)

    def agent_by_id(self, agent_id: int) -> Agent:
        """A roster entry."""
        return self.situation.agent(agent_id)

    async def save(self, uow: UnitOfWork) -> None:
        """Store the rules' memory."""
        await uow.rotations.save(ROUTING_STATE, {name: state.to_json()
                                           for name, state in self.situation.states.items()})
