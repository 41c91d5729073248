"""The routing policy at work: first matching rule, its pool, the filters, its strategy."""

from __future__ import annotations

from collections.abc import Mapping

from core.config import MANAGERS, NURTURE, RoutingPolicy, Rule, StrategyName
from core.model import Lead
from core.routing.availability import Availability
from core.routing.base import Candidate, Decision, Situation, Skip, Step, Strategy
from core.routing.conditions import in_pool, matches
from core.routing.filters import availability_skip, ramp_every, ramp_skip, reset_ramp
from core.routing.least_loaded import LeastLoaded
from core.routing.round_robin import RoundRobin
from core.routing.tiers import Tiers, tier_of
from core.routing.weighted import Weighted

STRATEGIES: Mapping[StrategyName, Strategy] = {
    StrategyName.ROUND_ROBIN: RoundRobin(),
    StrategyName.WEIGHTED: Weighted(),
    StrategyName.LEAST_LOADED: LeastLoaded(),
    StrategyName.TIERS: Tiers(),
    StrategyName.AVAILABILITY: Availability(),
}


def first_matching_rule(policy: RoutingPolicy, lead: Lead,
                        situation: Situation) -> tuple[Rule, list[tuple[str, str]]]:
    """The first rule whose conditions hold, with the conditions that did."""
    local = situation.now.astimezone(situation.zone)
    open_now = policy.business_hours.covers(local)
    for rule in policy.rules:
        notes = matches(rule.when, lead, now=situation.now, zone=situation.zone,
                        business_hours_covers=open_now)
        if notes is not None:
            return rule, notes
    raise AssertionError("the last rule matches every lead; the config check ensures it")


def decide(policy: RoutingPolicy, lead: Lead, situation: Situation, *,
           tried: set[int] | None = None, prefer: int | None = None) -> Decision:
    """Route one lead: to an agent, to the managers or to nurture, with the reasons why.

    Updates *situation* (rotation state, load) as if the offer were made, so the next lead
    in the same batch sees it; the caller stores the states only if it commits.
    """
    tried = tried or set()
    rule, matched = first_matching_rule(policy, lead, situation)
    if rule.route_to != "agents":
        return Decision(None, rule.route_to, rule.name, "", "rule", tuple(matched))
    if prefer is not None:
        owner = next((a for a in situation.roster if a.telegram_id == prefer), None)
        if owner is not None and availability_skip(
                owner, situation.stats_of(prefer), lead, policy=policy, now=situation.now,
                zone=situation.zone, tried=tried) is None:
            situation.record_offer(prefer)
            return Decision(prefer, "offer", rule.name, "continuity", "current_owner",
                            tuple(matched), (Step(rule.name, (prefer,), ()),))
    steps: list[Step] = []
    while True:
        candidates, skipped = _candidates(policy, rule, lead, situation, tried)
        steps.append(Step(rule.name, tuple(c.id for c in candidates), tuple(skipped)))
        if candidates:
            strategy = STRATEGIES[rule.strategy]
            state = situation.state_of(rule.name)
            pick = strategy.pick(candidates, state, rule=rule, roster=situation.roster)
            reset_ramp(pick.candidate.id, state)
            situation.record_offer(pick.candidate.id)
            return Decision(pick.candidate.id, "offer", rule.name, strategy.name, pick.why,
                            tuple(matched), tuple(steps), pick.detail)
        if rule.fallback in (MANAGERS, NURTURE):
            outcome = rule.fallback
            return Decision(None, outcome, rule.name, rule.strategy.value, "no_candidates",
                            tuple(matched), tuple(steps))
        rule = policy.rule(rule.fallback)


def _candidates(policy: RoutingPolicy, rule: Rule, lead: Lead, situation: Situation,
                tried: set[int]) -> tuple[list[Candidate], list[Skip]]:
    candidates: list[Candidate] = []
    skipped: list[Skip] = []
    state = situation.state_of(rule.name)
    for agent in situation.roster:
        stats = situation.stats_of(agent.telegram_id)
        tier = tier_of(agent, stats, policy.tiers)
        if not in_pool(agent, rule.pool, lead, tier):
            continue
        skip = availability_skip(agent, stats, lead, policy=policy, now=situation.now,
                                 zone=situation.zone, tried=tried)
        every = ramp_every(agent, policy, now=situation.now, zone=situation.zone)
        if skip is None and every is not None:
            skip = ramp_skip(agent, state, every)
        if skip is not None:
            skipped.append(skip)
        else:
            candidates.append(Candidate(agent, stats, tier))
    return candidates, skipped
