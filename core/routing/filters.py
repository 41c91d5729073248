"""The filters every rule applies before its strategy, each with the reason it gives."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from core.config import RoutingPolicy
from core.model import Agent, Lead, Temperature
from core.routing.base import AgentStats, RuleState, Situation, Skip


@dataclass(frozen=True)
class Standing:
    """What keeps an agent from leads whatever the lead is, worked out once per read."""

    unreachable: Skip | None  # inactive, away, no chat
    off_duty: Skip | None  # outside working hours
    penalty: Skip | None  # no hot leads for now
    ramp: Ramp | None


@dataclass(frozen=True)
class Ramp:
    """The ramp-up step a new agent is on: every `every`-th lead, and how far along they are."""

    every: int
    reason: str  # "ramping_days" or "ramping_leads": the /why catalog key says which
    detail: dict[str, int]


def standing(agent: Agent, stats: AgentStats, *, policy: RoutingPolicy,
             situation: Situation) -> Standing:
    """The lead-independent part of the filters for one agent."""
    me, profile = agent.telegram_id, agent.profile
    unreachable = None
    if not agent.active:
        unreachable = Skip(me, "inactive")
    elif agent.away:
        unreachable = Skip(me, "away")
    elif profile.away_until is not None and situation.today <= profile.away_until:
        unreachable = Skip(me, "away_until", {"until": profile.away_until.isoformat()})
    elif agent.chat_id is None:
        unreachable = Skip(me, "no_chat")
    off_duty = None
    if profile.hours is not None and not profile.hours.covers(situation.local(profile.timezone)):
        off_duty = Skip(me, "outside_hours")
    until = penalty_until(stats, policy, situation.now)
    penalty = Skip(me, "penalty", {"until": until.isoformat()}) if until else None
    return Standing(unreachable, off_duty, penalty,
                    ramp_of(agent, stats, policy, today=situation.today))


def standing_of(agent: Agent, *, policy: RoutingPolicy, situation: Situation) -> Standing:
    """The agent's Standing, cached for the rest of this read."""
    memo = situation.memo.standing
    found = memo.get(agent.telegram_id)
    if found is None:
        found = memo[agent.telegram_id] = standing(
            agent, situation.stats_of(agent.telegram_id), policy=policy, situation=situation)
    return found


def availability_skip(agent: Agent, stats: AgentStats, lead: Lead, *, policy: RoutingPolicy,
                      situation: Situation, tried: set[int]) -> Skip | None:
    """Why *agent* cannot take *lead* now, or None if nothing stands in the way."""
    gate = standing_of(agent, policy=policy, situation=situation)
    if gate.unreachable is not None:
        return gate.unreachable
    if agent.telegram_id in tried:
        return Skip(agent.telegram_id, "already_offered")
    if gate.off_duty is not None:
        return gate.off_duty
    capacity = agent.profile.capacity
    if capacity is not None and stats.open_leads >= capacity:
        return Skip(agent.telegram_id, "at_capacity", {"open": stats.open_leads, "cap": capacity})
    if lead.temperature is Temperature.HOT and gate.penalty is not None:
        return gate.penalty
    return None


def penalty_until(stats: AgentStats, policy: RoutingPolicy, now: datetime) -> datetime | None:
    """When an agent's hot-lead penalty ends, if one is running now (the latest end wins)."""
    rule = policy.penalty
    misses = sorted(stats.misses)
    ends = [window[-1] + rule.length
            for i in range(len(misses) - rule.misses + 1)
            if (window := misses[i:i + rule.misses])[-1] - window[0] <= rule.within]
    latest = max(ends, default=None)
    return latest if latest is not None and latest > now else None


def ramp_of(agent: Agent, stats: AgentStats, policy: RoutingPolicy, *,
            today: date) -> Ramp | None:
    """The ramp-up step a new agent is on; None without a start date or once it is over.

    By leads, the count is AgentStats.received: leads the agent owns (open or closed) that
    they took, by accepting an offer or claim or by a manager's assignment, since the start
    of their start date; offers still waiting or declined do not count.
    """
    start = agent.profile.start_date
    if start is None:
        return None
    if policy.ramp_by_leads:
        received = stats.received
        for step in policy.ramp:  # sorted by length when the config was read
            if received < step.length:
                return Ramp(step.every, "ramping_leads",
                            {"every": step.every, "leads": step.length, "received": received})
        return None
    days = (today - start).days
    for step in policy.ramp:
        if days < step.length:
            return Ramp(step.every, "ramping_days",
                        {"every": step.every, "days": step.length,
                         "day": max(days, 0) + 1})  # a start date ahead counts as day 1
    return None


def ramp_skip(agent: Agent, state: RuleState, ramp: Ramp) -> Skip | None:
    """Let a ramping agent through on every `every`-th eligible lead; count the ones skipped."""
    key = str(agent.telegram_id)
    waited = state.ramp.get(key, 0)
    if waited >= ramp.every - 1:
        return None
    state.ramp[key] = waited + 1
    return Skip(agent.telegram_id, ramp.reason, ramp.detail)


def reset_ramp(agent_id: int, state: RuleState) -> None:
    """A ramping agent who got a lead starts counting again."""
    state.ramp.pop(str(agent_id), None)


# What a manager's assign buttons say of someone routing would skip now; any other skip
# (a hot-lead penalty) does not keep a manager from choosing them.
ASSIGN_MARKS = {"away": "away", "away_until": "away", "outside_hours": "outside_hours",
                "at_capacity": "at_capacity"}


def assign_mark(agent: Agent, lead: Lead, *, policy: RoutingPolicy,
                situation: Situation) -> str | None:
    """Why routing would pass *agent* over for *lead* now, as an assign button's marker
    (away, outside_hours, at_capacity, or manager for a manager), or None if available."""
    skip = availability_skip(agent, situation.stats_of(agent.telegram_id), lead, policy=policy,
                             situation=situation, tried=set())
    mark = ASSIGN_MARKS.get(skip.reason) if skip is not None else None
    if mark is None and agent.is_manager:
        return "manager"
    return mark
