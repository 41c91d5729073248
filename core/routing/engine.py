"""The routing policy at work: first matching rule, its pool, the filters, its strategy."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from core.config import DISQUALIFY, MANAGERS, NURTURE, Account, RoutingPolicy, Rule, StrategyName
from core.model import Agent, Lead, RouteOutcome, Temperature, Tier
from core.routing.availability import Availability
from core.routing.b2b import account_of, matrix_cell
from core.routing.base import (
    Candidate,
    Decision,
    Entry,
    Reachable,
    Situation,
    Skip,
    Step,
    Strategy,
)
from core.routing.conditions import Folded, LeadKeys, fold, in_static_pool, matches
from core.routing.filters import (
    availability_skip,
    ramp_skip,
    reset_ramp,
    standing_of,
)
from core.routing.least_loaded import LeastLoaded
from core.routing.round_robin import RoundRobin
from core.routing.tiers import Tiers, set_tier_until, tier_of
from core.routing.weighted import Weighted

# CLAIM is not here: it picks nobody, it posts the lead to every candidate (see decide()).
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
        if rule.target_only:
            continue
        notes = matches(rule.when, lead, now=situation.now, zone=situation.zone,
                        business_hours_covers=open_now)
        if notes is not None:
            return rule, notes
    raise AssertionError("the last rule matches every lead; the config check ensures it")


class RoutingRules:
    """An office's routing policy with what it works out once: each rule's pool per roster.

    Built once per loaded config (a reload builds a new one), so a rule's pool is indexed on
    its first lead, not on every read of the office.
    """

    def __init__(self, policy: RoutingPolicy) -> None:
        self.policy = policy
        self._pools: dict[tuple[str, int], _PoolIndex] = {}

    def decide(self, lead: Lead, situation: Situation, *, tried: set[int] | None = None,
               prefer: int | None = None) -> Decision:
        """Route one lead: to an agent, to the managers or to nurture, with the reasons why.

        Updates *situation* (rotation state, load) as if the offer were made, so the next
        lead in the same batch sees it; the caller stores the states only if it commits.
        """
        return _decide(self, lead, situation, tried=tried or set(), prefer=prefer)

    def warm(self, situation: Situation) -> None:
        """Index every rule's pool now (at start or reload), not in the first burst."""
        for rule in self.policy.rules:
            self.pool_index(rule, situation)

    def pool_index(self, rule: Rule, situation: Situation) -> _PoolIndex:
        """The static pool of *rule* for this roster, built on first use."""
        memo = situation.memo
        if memo.signature is None:
            # Everything a static pool reads of a person: a profile edited in chat (a team,
            # a territory) makes a new signature, so routing sees it in its next read.
            memo.signature = hash(tuple(
                (a.telegram_id, a.name, a.role, a.active, a.profile.team,
                 tuple(a.profile.territories), tuple(a.profile.specialties))
                for a in situation.roster))
        key = (rule.name, memo.signature)
        index = self._pools.get(key)
        if index is None:
            if len(self._pools) > 4 * len(self.policy.rules):  # rosters came and went
                self._pools.clear()
            index = self._pools[key] = _build_pool_index(rule, situation)
        return index


def decide(policy: RoutingPolicy, lead: Lead, situation: Situation, *,
           tried: set[int] | None = None, prefer: int | None = None) -> Decision:
    """Route one lead by *policy*, once (RoutingRules keeps the pools for the next lead)."""
    return RoutingRules(policy).decide(lead, situation, tried=tried, prefer=prefer)


def _decide(rules: RoutingRules, lead: Lead, situation: Situation, *, tried: set[int],
            prefer: int | None) -> Decision:
    policy = rules.policy
    rule, matched = first_matching_rule(policy, lead, situation)
    cell = None
    if rule.matrix is not None:
        cell = matrix_cell(rule.name, rule.matrix, lead)
        if cell.target in (MANAGERS, NURTURE, DISQUALIFY):
            outcome = (RouteOutcome.DISQUALIFIED if cell.target == DISQUALIFY
                       else RouteOutcome(cell.target))
            return Decision(None, outcome, rule.name, "", "matrix", tuple(matched),
                            matrix=cell.as_trace())
        rule = policy.rule(cell.target)
    via = cell.as_trace() if cell is not None else None
    if rule.route_to != "agents":
        return Decision(None, RouteOutcome(rule.route_to), rule.name, "", "rule", tuple(matched),
                        matrix=via)
    if prefer is not None:
        owner = next((a for a in situation.roster if a.telegram_id == prefer), None)
        if owner is not None and availability_skip(
                owner, situation.stats_of(prefer), lead, policy=policy, situation=situation,
                tried=tried) is None:
            situation.record_offer(prefer)
            return Decision(prefer, RouteOutcome.OFFER, rule.name, "continuity", "current_owner",
                            tuple(matched), (Step(rule.name, (prefer,), ()),), matrix=via)
    account = account_of(policy, lead)
    held_back: list[Skip] = []  # an account's owner and backup who could not take it now
    if account is not None:
        for agent_id, why in _account_people(account, situation):
            agent = next(a for a in situation.roster if a.telegram_id == agent_id)
            skip = availability_skip(agent, situation.stats_of(agent_id), lead, policy=policy,
                                     situation=situation, tried=tried)
            if skip is None:
                situation.record_offer(agent_id)
                return Decision(agent_id, RouteOutcome.OFFER, rule.name, "account", why,
                                tuple(matched),
                                (Step(rule.name, (agent_id,), tuple(held_back)),),
                                {"account": account.name}, matrix=via)
            held_back.append(skip)
    steps: list[Step] = []
    while True:
        candidates, skipped = _candidates(rules, rule, lead, situation, tried)
        if held_back and not steps:
            skipped = [*held_back, *(s for s in skipped
                                     if s.agent_id not in {h.agent_id for h in held_back})]
        steps.append(Step(rule.name, tuple(c.id for c in candidates), tuple(skipped)))
        if candidates and rule.strategy is StrategyName.CLAIM:
            for candidate in candidates:
                situation.record_offer(candidate.id)
            return Decision(None, RouteOutcome.POOL, rule.name, rule.strategy.value, "claim_pool",
                            tuple(matched), tuple(steps), {"count": len(candidates)},
                            pool=tuple(c.id for c in candidates), matrix=via)
        if candidates:
            strategy = STRATEGIES[rule.strategy]
            state = situation.state_of(rule.name)
            pick = strategy.pick(candidates, state, rule=rule, roster=situation.roster)
            reset_ramp(pick.candidate.id, state)
            situation.record_offer(pick.candidate.id)
            detail = pick.detail
            if "tier" in detail and (until := set_tier_until(
                    pick.candidate.agent.profile, policy.tiers, today=situation.today)):
                detail = {**detail, "set_until": until.isoformat()}  # /why says a manager did
            return Decision(pick.candidate.id, RouteOutcome.OFFER, rule.name, strategy.name,
                            pick.why,
                            tuple(matched), tuple(steps), detail, matrix=via,
                            shares=strategy.shares(candidates, rule=rule))
        if rule.fallback in (MANAGERS, NURTURE):
            return Decision(None, RouteOutcome(rule.fallback), rule.name, rule.strategy.value,
                            "no_candidates", tuple(matched), tuple(steps), matrix=via)
        rule = policy.rule(rule.fallback)


def _account_people(account: Account, situation: Situation) -> list[tuple[int, str]]:
    """An account's owner, then the owner's backup, as roster ids with the reason each."""
    owner = next((a for a in situation.roster
                  if account.owner in (a.telegram_id, a.name) and a.active), None)
    if owner is None:
        return []
    people = [(owner.telegram_id, "named_account")]
    backup = owner.profile.backup
    if backup is not None and any(a.telegram_id == backup and a.active
                                  for a in situation.roster):
        people.append((backup, "account_backup"))
    return people


def _candidates(rules: RoutingRules, rule: Rule, lead: Lead, situation: Situation,
                tried: set[int]) -> tuple[list[Candidate], list[Skip]]:
    """Who in the rule's pool can take this lead, and who cannot and why.

    The lead-independent reasons (away, no chat, off duty) are worked out once per read;
    the loop below only checks what depends on this lead or on load that moves with it.
    """
    state = situation.state_of(rule.name)
    hot = lead.temperature is Temperature.HOT
    reachable, unreachable = _reachable(rules, rule, lead, situation)
    skipped = list(unreachable)
    candidates: list[Candidate] = []
    for agent, tier, gate, stats in reachable:
        me = agent.telegram_id
        capacity = agent.profile.capacity
        if me in tried:
            skipped.append(Skip(me, "already_offered"))
        elif gate.off_duty is not None:
            skipped.append(gate.off_duty)
        elif capacity is not None and stats.open_leads >= capacity:
            skipped.append(Skip(me, "at_capacity", {"open": stats.open_leads, "cap": capacity}))
        elif hot and gate.penalty is not None:
            skipped.append(gate.penalty)
        elif gate.ramp is not None and (ramp := ramp_skip(agent, state, gate.ramp)):
            skipped.append(ramp)
        else:
            candidates.append(Candidate(agent, stats, tier))
    return candidates, skipped


def _reachable(rules: RoutingRules, rule: Rule, lead: Lead,
               situation: Situation) -> Reachable:
    """Pool members not kept away for lead-independent reasons, and those who are (why)."""
    dynamic = "$region" in rule.pool.territories or "$product" in rule.pool.specialties
    cached = situation.memo.reachable.get(rule.name)
    if not dynamic and cached is not None:
        return cached
    reachable = []
    unreachable = []
    entries = _entries(rules.policy, situation)
    tiers = rule.pool.tiers  # tiers move with results, so they are checked per read
    for position in _pool_for(rules, rule, lead, situation):
        entry = entries[position]
        if tiers and entry[1] not in tiers:
            continue
        gate = entry[2]
        if gate.unreachable is not None:
            unreachable.append(gate.unreachable)
        else:
            reachable.append(entry)
    result = (reachable, unreachable)
    if not dynamic:
        situation.memo.reachable[rule.name] = result
    return result


@dataclass
class _PoolIndex:
    """A rule's pool whatever the lead (roster positions), with `$region` / `$product` lookups.

    It depends only on the policy and on who is on the roster, so RoutingRules keeps it
    across reads instead of rebuilding it for every transaction.
    """

    members: list[int] = field(default_factory=list)
    by_territory: dict[str, set[int]] = field(default_factory=dict)
    by_specialty: dict[str, set[int]] = field(default_factory=dict)
    fixed_territory: set[int] = field(default_factory=set)
    fixed_specialty: set[int] = field(default_factory=set)


def _entries(policy: RoutingPolicy, situation: Situation) -> list[Entry]:
    """Every roster member with their tier, standing and stats, worked out once per read,
    so a pool that depends on the lead costs a lookup per member, not a computation."""
    entries = situation.memo.entries
    if entries is None:
        entries = situation.memo.entries = [
            (agent, _tier(policy, agent, situation),
             standing_of(agent, policy=policy, situation=situation),
             situation.stats_of(agent.telegram_id))
            for agent in situation.roster]
    return entries


def _pool_for(rules: RoutingRules, rule: Rule, lead: Lead,
              situation: Situation) -> list[int] | set[int]:
    """The roster positions of a rule's pool for this lead, in roster order (tiers aside)."""
    index = rules.pool_index(rule, situation)
    by_region = "$region" in rule.pool.territories
    by_product = "$product" in rule.pool.specialties
    chosen: list[int] | set[int] = index.members
    if by_region or by_product:
        keys = LeadKeys.of(lead)
        allowed: set[int] | None = None
        if by_region:
            allowed = set(index.fixed_territory)
            for territory, holders in index.by_territory.items():
                # An agent covers a lead when one of their territories is a prefix of its
                # region or postal code: "istanbul / kadikoy" covers "Istanbul / Kadıköy / Moda".
                if (keys.region is not None and keys.region.startswith(territory)) or (
                        keys.postal_code is not None and keys.postal_code.startswith(territory)):
                    allowed |= holders
        if by_product:
            wanted = set(index.fixed_specialty)
            if keys.product is not None:
                wanted |= index.by_specialty.get(keys.product, set())
            allowed = wanted if allowed is None else allowed & wanted
        assert allowed is not None
        chosen = sorted(allowed)
    return chosen


def _tier(policy: RoutingPolicy, agent: Agent, situation: Situation) -> Tier:
    tiers = situation.memo.tiers
    tier = tiers.get(agent.telegram_id)
    if tier is None:
        tier = tiers[agent.telegram_id] = tier_of(
            agent, situation.stats_of(agent.telegram_id), policy.tiers, today=situation.today)
    return tier


def _build_pool_index(rule: Rule, situation: Situation) -> _PoolIndex:
    """Index who on the roster is in *rule*'s pool, whatever the lead and the tiers."""
    fixed_territories = {fold(t) for t in rule.pool.territories if t != "$region"}
    fixed_specialties = {fold(s) for s in rule.pool.specialties if s != "$product"}
    index = _PoolIndex()
    untiered = rule.pool.model_copy(update={"tiers": []})
    for position, agent in enumerate(situation.roster):
        labels = Folded.of(agent)
        if not in_static_pool(agent, labels, untiered, Tier.B):
            continue
        index.members.append(position)
        for territory in labels.territories:
            index.by_territory.setdefault(territory, set()).add(position)
        for specialty in labels.specialties:
            index.by_specialty.setdefault(specialty, set()).add(position)
        if fixed_territories & set(labels.territories):
            index.fixed_territory.add(position)
        if fixed_specialties & labels.specialties:
            index.fixed_specialty.add(position)
    return index
