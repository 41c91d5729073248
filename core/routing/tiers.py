"""Performance tiers: split leads between tiers A, B and C, then rotate within the tier."""

from __future__ import annotations

from collections.abc import Sequence

from core.config import Rule, TierPolicy
from core.model import Agent, Tier
from core.routing.base import AgentStats, Candidate, Pick, RuleState
from core.routing.round_robin import next_after


def tier_of(agent: Agent, stats: AgentStats, policy: TierPolicy) -> Tier:
    """Earned from conversion once there is enough data; until then as configured, or B."""
    if stats.reviewed_leads >= policy.min_leads:
        rate = stats.reviewed_won / stats.reviewed_leads
        if rate >= policy.a_from:
            return Tier.A
        return Tier.B if rate >= policy.b_from else Tier.C
    return agent.profile.tier or Tier.B


class Tiers:
    """A 40 / B 35 / C 25 by default; a tier with nobody available gives way to the others."""

    name = "tiers"

    def pick(self, candidates: Sequence[Candidate], state: RuleState, *, rule: Rule,
             roster: Sequence[Agent]) -> Pick:
        """Choose a tier by smooth weighted rotation, then the next agent within it."""
        present = sorted({c.tier for c in candidates})
        total = 0.0
        for tier in present:
            state.tier_current[tier.value] = (state.tier_current.get(tier.value, 0.0)
                                              + rule.tier_split[tier])
            total += rule.tier_split[tier]
        tier = max(present, key=lambda t: (state.tier_current[t.value], -present.index(t)))
        state.tier_current[tier.value] -= total
        in_tier = [c for c in candidates if c.tier is tier]
        chosen = next_after(in_tier, state.tier_last.get(tier.value), roster)
        state.tier_last[tier.value] = chosen.id
        state.last_agent_id = chosen.id
        return Pick(chosen, "tier", {"tier": tier.value, "share": rule.tier_split[tier]})
