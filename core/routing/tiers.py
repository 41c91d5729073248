"""Performance tiers: split leads between tiers A, B and C, then rotate within the tier."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from core.config import Rule, TierPolicy
from core.model import Agent, AgentProfile, Tier
from core.routing.base import AgentStats, Candidate, Pick, RuleState, Shares
from core.routing.round_robin import next_after


def set_tier_until(profile: AgentProfile, policy: TierPolicy, *, today: date) -> date | None:
    """The day of the next review, while a tier a manager set in chat still holds; else None.

    A tier set in chat holds for one review period from the day it was set: the next
    review judges the agent on their results again.
    """
    if profile.tier is None or profile.tier_set_at is None:
        return None
    until = profile.tier_set_at + policy.review
    return until if today < until else None


def tier_of(agent: Agent, stats: AgentStats, policy: TierPolicy, *, today: date) -> Tier:
    """A tier a manager set, until the next review; else earned from conversion once there
    is enough data, and until then the starting tier leadrelay.yaml gives (or B). A tier set
    in chat that lapsed at its review is no starting tier: the results decide again."""
    profile = agent.profile
    if set_tier_until(profile, policy, today=today) is not None:
        assert profile.tier is not None  # set_tier_until says a tier is set
        return profile.tier
    if stats.reviewed_leads >= policy.min_leads:
        rate = stats.reviewed_won / stats.reviewed_leads
        if rate >= policy.a_from:
            return Tier.A
        return Tier.B if rate >= policy.b_from else Tier.C
    starting = profile.tier if profile.tier_set_at is None else None
    return starting or Tier.B


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

    def shares(self, candidates: Sequence[Candidate], *, rule: Rule) -> Shares:
        """A tier's split over the split of the tiers present, alike within the tier, as
        `pick` chooses a tier and then rotates within it."""
        sizes: dict[Tier, int] = {}
        for c in candidates:
            sizes[c.tier] = sizes.get(c.tier, 0) + 1
        total = sum(rule.tier_split[tier] for tier in sizes)
        return tuple((c.id, rule.tier_split[c.tier] / total / sizes[c.tier])
                     for c in candidates)
