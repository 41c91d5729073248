"""The filters every rule applies before its strategy, each with the reason it gives."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from core.config import RoutingPolicy, Temperature
from core.model import Agent, Lead
from core.routing.base import AgentStats, RuleState, Skip


def availability_skip(agent: Agent, stats: AgentStats, lead: Lead, *, policy: RoutingPolicy,
                      now: datetime, zone: ZoneInfo, tried: set[int]) -> Skip | None:
    """Why *agent* cannot take *lead* now, or None if nothing stands in the way."""
    me = agent.telegram_id
    profile = agent.profile
    if not agent.active:
        return Skip(me, "inactive")
    today = now.astimezone(zone).date()
    if agent.away:
        return Skip(me, "away")
    if profile.away_until is not None and today <= profile.away_until:
        return Skip(me, "away_until", {"until": profile.away_until.isoformat()})
    if agent.chat_id is None:
        return Skip(me, "no_chat")
    if me in tried:
        return Skip(me, "already_offered")
    if profile.hours is not None:
        local = now.astimezone(ZoneInfo(profile.timezone) if profile.timezone else zone)
        if not profile.hours.covers(local):
            return Skip(me, "outside_hours")
    if profile.capacity is not None and stats.open_leads >= profile.capacity:
        return Skip(me, "at_capacity", {"open": stats.open_leads, "cap": profile.capacity})
    if lead.temperature is Temperature.HOT and (until := penalty_until(stats, policy, now)):
        return Skip(me, "penalty", {"until": until.isoformat()})
    return None


def penalty_until(stats: AgentStats, policy: RoutingPolicy, now: datetime) -> datetime | None:
    """When an agent's hot-lead penalty ends, if one is running now."""
    rule = policy.penalty
    misses = sorted(stats.misses)
    for i in range(len(misses) - rule.misses + 1):
        window = misses[i:i + rule.misses]
        if window[-1] - window[0] <= rule.within:
            ends = window[-1] + rule.length
            if ends > now:
                return ends
    return None


def ramp_every(agent: Agent, policy: RoutingPolicy, *, now: datetime,
               zone: ZoneInfo) -> int | None:
    """A new agent takes every n-th lead; None once their ramp-up is over."""
    start = agent.profile.start_date
    if start is None:
        return None
    days = (now.astimezone(zone).date() - start).days
    for step in sorted(policy.ramp, key=lambda s: s.days):
        if days < step.days:
            return step.every
    return None


def ramp_skip(agent: Agent, state: RuleState, every: int) -> Skip | None:
    """Let a ramping agent through on every `every`-th eligible lead; count the ones skipped."""
    key = str(agent.telegram_id)
    waited = state.ramp.get(key, 0)
    if waited >= every - 1:
        return None
    state.ramp[key] = waited + 1
    return Skip(agent.telegram_id, "ramping", {"every": every})


def reset_ramp(agent_id: int, state: RuleState) -> None:
    """A ramping agent who got a lead starts counting again."""
    state.ramp.pop(str(agent_id), None)
