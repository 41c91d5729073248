"""Properties of the routing engine over random rosters, stats, policies and lead streams.

Concurrency (two writers taking the same turn) is covered by the storage tests, not here.
"""

from __future__ import annotations

import copy
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate, pairwise
from math import ceil, floor
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from core.config import MANAGERS, NURTURE, RoutingPolicy, Rule, StrategyName
from core.model import Agent, AgentProfile, Lead, Role, Temperature, Tier, Weekday, WorkingHours
from core.routing import AgentStats, Decision, RuleState, Situation, decide

ZONE = ZoneInfo("Europe/Istanbul")
START = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)  # a Monday; `now` falls within its week
PRODUCTS = ["residential", "commercial", "land"]
REGIONS = ["Istanbul / Kadıköy / Moda", "istanbul / besiktas", "Ankara / Çankaya", "İzmir"]
TERRITORIES = ["istanbul / kadikoy", "Istanbul", "ankara", "izmir / bornova"]
TEAMS = ["sales", "rentals"]
TAGS = ["vip", "investor", "x"]
ZONES = [None, "Europe/Istanbul", "America/New_York", "Asia/Tokyo", "UTC"]
SETTINGS = settings(max_examples=200, deadline=None)


@dataclass
class World:
    """One random office at one moment: who is on the roster and what they have on."""

    roster: list[Agent]
    stats: dict[int, AgentStats]
    now: datetime

    def situation(self) -> Situation:
        return Situation(copy.deepcopy(self.roster), copy.deepcopy(self.stats), {}, self.now,
                         ZONE)


@dataclass
class Arrival:
    """A lead with who was already offered it and whose contact it is."""

    lead: Lead
    tried: set[int]
    prefer: int | None


# --- generators -------------------------------------------------------------------------
# Strategies are built once here: building them inside every draw costs more than the test.


def subset(options: list[Any], min_size: int = 0) -> st.SearchStrategy[list[Any]]:
    return st.lists(st.sampled_from(options), min_size=min_size, max_size=2, unique=True)


@st.composite
def working_hours(draw: st.DrawFn) -> WorkingHours:
    start = draw(st.integers(0, 22))
    end = draw(st.integers(start + 1, 23))
    days = draw(st.lists(st.sampled_from(list(Weekday)), min_size=1, max_size=7, unique=True))
    return WorkingHours(days=days, start=time(start), end=time(end, 59))


MOSTLY_TRUE = st.sampled_from([True] * 7 + [False])
ONE_IN = {n: st.integers(1, n).map(lambda roll: roll == 1) for n in (3, 4, 8)}
INDEXES = st.lists(st.integers(0, 11), min_size=1, max_size=4)
MINUTES_AGO = st.integers(0, 20 * 24 * 60)
PROFILE: dict[str, st.SearchStrategy[Any]] = {
    "team": st.none() | st.sampled_from(TEAMS),
    "territories": subset(TERRITORIES),
    "specialties": subset(PRODUCTS),
    "weight": st.integers(1, 3),
    "capacity": st.none() | st.integers(1, 4),
    "tier": st.none() | st.sampled_from(list(Tier)),
    "timezone": st.sampled_from(ZONES),
}
START_DAYS_AGO = st.none() | st.integers(0, 90)
AWAY_DAYS_AHEAD = st.integers(-3, 3)
ROLE = st.sampled_from([Role.AGENT] * 5 + [Role.MANAGER])
CONDITIONS: dict[str, st.SearchStrategy[Any]] = {
    "product": subset(PRODUCTS, min_size=1),
    "region": subset(["istanbul", "ankara", "izmir"], min_size=1),
    "temperature": subset(list(Temperature), min_size=1),
    "score": st.integers(0, 100).map(lambda low: {"min": low}),
    "budget": st.integers(0, 3_000_000).map(lambda top: {"max": top}),
    "tags": subset(TAGS, min_size=1),
    "business_hours": st.booleans(),
    "returning": st.booleans(),
}
CONDITION_KEYS = subset(sorted(CONDITIONS), min_size=1)
SELECTORS: dict[str, st.SearchStrategy[list[Any]]] = {
    "teams": subset(TEAMS),
    "specialties": subset([*PRODUCTS, "$product"]),
    "territories": subset([*TERRITORIES, "$region"]),
    "tiers": subset(list(Tier)),
}
# The strategies that pick one agent (claim posts a lead to many, and is not covered here).
ONE_AGENT = st.sampled_from([StrategyName.ROUND_ROBIN, StrategyName.WEIGHTED,
                             StrategyName.LEAST_LOADED, StrategyName.TIERS,
                             StrategyName.AVAILABILITY])
SHARE = st.integers(1, 50)
LEAD: dict[str, st.SearchStrategy[Any]] = {
    "score": st.integers(0, 100),
    "temperature": st.sampled_from(list(Temperature)),
    "product": st.none() | st.sampled_from([*PRODUCTS, "Commercial"]),
    "region": st.none() | st.sampled_from(REGIONS),
    "tags": subset(TAGS),
    "returning": st.booleans(),
}
BUDGET = st.none() | st.integers(0, 3_000_000)


def ramp_steps(measure: str) -> st.SearchStrategy[list[dict[str, int]]]:
    """One to three ramp steps, all measured in *measure* (days or leads)."""
    return st.lists(st.tuples(st.integers(1, 30), st.integers(2, 4)), min_size=1, max_size=3,
                    unique_by=lambda step: step[0]).map(
        lambda steps: [{measure: length, "every": every} for length, every in steps])


RAMPS: st.SearchStrategy[list[dict[str, int]]] = (
    st.just([]) | ramp_steps("days") | ramp_steps("leads"))
TRIED = st.lists(st.integers(0, 11), max_size=3)
PREFER = st.none() | st.integers(0, 12)  # 12: someone who left the roster


def draw_profile(draw: st.DrawFn, today: date) -> AgentProfile:
    started = draw(START_DAYS_AGO)
    back = draw(AWAY_DAYS_AHEAD) if draw(ONE_IN[4]) else None
    return AgentProfile(
        **{field: draw(strategy) for field, strategy in PROFILE.items()},
        hours=draw(working_hours()) if draw(ONE_IN[3]) else None,
        start_date=None if started is None else today - timedelta(days=started),
        away_until=None if back is None else today + timedelta(days=back),
    )


def draw_stats(draw: st.DrawFn, now: datetime) -> AgentStats:
    reviewed = draw(st.integers(0, 30))
    last = draw(st.none() | MINUTES_AGO)
    return AgentStats(
        open_leads=draw(st.integers(0, 5)),
        last_offered_at=None if last is None else now - timedelta(minutes=last),
        misses=[now - timedelta(minutes=m) for m in draw(st.lists(MINUTES_AGO, max_size=3))],
        reviewed_leads=reviewed,
        reviewed_won=draw(st.integers(0, reviewed)),
        received=draw(st.integers(0, 30)),
    )


def draw_world(draw: st.DrawFn) -> World:
    now = START + timedelta(minutes=draw(st.integers(0, 7 * 24 * 60 - 1)))
    today = now.astimezone(ZONE).date()
    roster = [
        Agent(100 + i, f"A{i}", role=draw(ROLE), active=draw(MOSTLY_TRUE),
              away=draw(ONE_IN[8]), position=i,
              chat_id=100 + i if draw(MOSTLY_TRUE) else None,
              profile=draw_profile(draw, today))
        for i in range(draw(st.integers(1, 12)))
    ]
    stats = {a.telegram_id: draw_stats(draw, now) for a in roster if draw(MOSTLY_TRUE)}
    return World(roster, stats, now)


def draw_pool(draw: st.DrawFn, roster: list[Agent]) -> dict[str, Any]:
    """Any mix of selectors; by name or id, possibly managers, possibly nobody at all."""
    pool: dict[str, Any] = {}
    if draw(ONE_IN[4]):
        people = [roster[i % len(roster)] for i in draw(INDEXES)]
        pool["agents"] = [a.name if draw(st.booleans()) else a.telegram_id for a in people]
    for selector, strategy in SELECTORS.items():
        if draw(ONE_IN[4]):
            pool[selector] = draw(strategy)
    return pool


def draw_policy(draw: st.DrawFn, roster: list[Agent]) -> RoutingPolicy:
    count = draw(st.integers(1, 5))
    names = [f"r{i}" for i in range(count - 1)] + ["default"]
    rules = []
    for i, name in enumerate(names):
        later = names[i + 1:]  # falling back only forwards can never go round in a circle
        last = i == count - 1
        rules.append({
            "name": name,
            "when": {} if last else {k: draw(CONDITIONS[k]) for k in draw(CONDITION_KEYS)},
            "pool": draw_pool(draw, roster),
            "strategy": draw(ONE_AGENT),
            "fallback": draw(st.sampled_from([*later, MANAGERS, NURTURE])),
            "tier_split": {t: draw(SHARE) for t in Tier},
        })
    return RoutingPolicy.model_validate({"rules": rules, "ramp": draw(RAMPS)})


def draw_arrival(draw: st.DrawFn, world: World) -> Arrival:
    ids = [a.telegram_id for a in world.roster]
    budget = draw(BUDGET)
    lead = Lead(contact_id=1, source="website", received_at=world.now,
                budget_min=budget, budget_max=budget if draw(st.booleans()) else None,
                **{field: draw(strategy) for field, strategy in LEAD.items()})
    prefer = draw(PREFER)
    return Arrival(lead, {ids[i % len(ids)] for i in draw(TRIED)},
                   None if prefer is None else 999 if prefer == 12 else ids[prefer % len(ids)])


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[World, RoutingPolicy, list[Arrival]]:
    world = draw_world(draw)
    rules = draw_policy(draw, world.roster)
    stream = [draw_arrival(draw, world) for _ in range(draw(st.integers(1, 12)))]
    return world, rules, stream


# --- oracles ----------------------------------------------------------------------------


def on_penalty(stats: AgentStats, now: datetime) -> bool:
    """Two misses within 7 days put an agent off hot leads for 7 days after the later one."""
    missed = sorted(stats.misses)
    return any(later - earlier <= timedelta(days=7) and later + timedelta(days=7) > now
               for i, earlier in enumerate(missed) for later in missed[i + 1:])


def why_not(agent: Agent, stats: AgentStats, arrival: Arrival, now: datetime) -> str | None:
    """The first reason *agent* must not be offered the lead, worked out independently."""
    profile = agent.profile
    today = now.astimezone(ZONE).date()
    local = now.astimezone(ZoneInfo(profile.timezone) if profile.timezone else ZONE)
    checks = {
        "inactive": not agent.active,
        "away": agent.away,
        "away_until": profile.away_until is not None and today <= profile.away_until,
        "no_chat": agent.chat_id is None,
        "tried": agent.telegram_id in arrival.tried,
        "outside_hours": profile.hours is not None and not profile.hours.covers(local),
        "capacity": profile.capacity is not None and stats.open_leads >= profile.capacity,
        "penalty": arrival.lead.temperature is Temperature.HOT and on_penalty(stats, now),
    }
    return next((reason for reason, failed in checks.items() if failed), None)


def run(rules: RoutingPolicy, where: Situation, stream: list[Arrival]
        ) -> list[tuple[Decision, dict[int, AgentStats]]]:
    """Decide every lead in turn, each with the stats as they stood before it."""
    results = []
    for arrival in stream:
        before = copy.deepcopy(where.stats)
        decision = decide(rules, arrival.lead, where, tried=set(arrival.tried),
                          prefer=arrival.prefer)
        results.append((decision, before))
    return results


# --- properties -------------------------------------------------------------------------


def assert_nobody_unfit_is_offered(world: World, stream: list[Arrival],
                                   results: list[tuple[Decision, dict[int, AgentStats]]]) -> None:
    """Property 1: no offer above capacity, while away, without a chat, outside working
    hours, on penalty for a hot lead, or to someone who already had it."""
    agents = {a.telegram_id: a for a in world.roster}
    for arrival, (decision, before) in zip(stream, results, strict=True):
        if decision.agent_id is not None:
            stats = before.get(decision.agent_id, AgentStats())
            unfit = why_not(agents[decision.agent_id], stats, arrival, world.now)
            assert unfit is None, (unfit, decision.as_trace())


def assert_one_agent_or_the_fallback(world: World, rules: RoutingPolicy, stream: list[Arrival],
                                     decisions: list[Decision]) -> None:
    """Property 2: an offer to one rostered candidate of the deciding rule, or else the
    managers or nurture, as the last rule of the fallback chain says."""
    ids = {a.telegram_id for a in world.roster}
    for arrival, decision in zip(stream, decisions, strict=True):
        assert decision.steps, "every decision tries at least one rule"
        assert decision.rule == decision.steps[-1].rule
        if decision.outcome == "offer":
            assert decision.agent_id in ids
            assert decision.agent_id in decision.candidates
            if decision.strategy == "continuity":
                assert decision.agent_id == arrival.prefer
        else:
            assert decision.outcome in (MANAGERS, NURTURE)
            assert decision.agent_id is None
            assert all(not step.candidates for step in decision.steps)
            assert rules.rule(decision.rule).fallback == decision.outcome
        chain = [step.rule for step in decision.steps]
        assert all(rules.rule(a).fallback == b for a, b in pairwise(chain))
        assert len(set(chain)) == len(chain), "no rule is tried twice"


@SETTINGS
@given(scenarios())
def test_random_offices_route_every_lead_safely_and_reproducibly(
    scenario: tuple[World, RoutingPolicy, list[Arrival]],
) -> None:
    # One generated office serves the three properties: generating it is the slow part.
    world, rules, stream = scenario
    first, second = world.situation(), world.situation()
    results = run(rules, first, stream)
    assert_nobody_unfit_is_offered(world, stream, results)
    assert_one_agent_or_the_fallback(world, rules, stream, [d for d, _ in results])
    # Property 3: the same inputs (deep copies) give the same decisions and the same memory.
    again = run(rules, second, stream)
    assert [d.as_trace() for d, _ in results] == [d.as_trace() for d, _ in again]
    assert ({k: s.to_json() for k, s in first.states.items()}
            == {k: s.to_json() for k, s in second.states.items()})


EXCLUSIONS: dict[str, dict[str, Any]] = {
    "away": {"away": True}, "inactive": {"active": False}, "no_chat": {"chat_id": None},
    "manager": {"role": Role.MANAGER},
    "away_until": {"profile": AgentProfile(away_until=date(2026, 12, 31))},
}


@st.composite
def fixed_teams(draw: st.DrawFn, *, weighted: bool) -> tuple[list[Agent], set[int]]:
    """A roster where some can always take a lead and the rest never can, interleaved."""
    reasons = draw(st.lists(st.none() | st.sampled_from(sorted(EXCLUSIONS)), min_size=1,
                            max_size=8).filter(lambda r: None in r))
    roster = []
    for i, reason in enumerate(reasons):
        weight = draw(st.integers(1, 3)) if weighted else 1
        fields: dict[str, Any] = {"position": i, "chat_id": 100 + i,
                                  "profile": AgentProfile(weight=weight)}
        roster.append(Agent(100 + i, f"A{i}", **{**fields, **EXCLUSIONS.get(reason or "", {})}))
    return roster, {a.telegram_id for a, r in zip(roster, reasons, strict=True) if r is None}


NOON = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def plain_lead() -> Lead:
    return Lead(contact_id=1, source="website", received_at=NOON, score=50,
                temperature=Temperature.WARM)


@SETTINGS
@given(fixed_teams(weighted=True))
def test_weighted_keeps_every_window_within_one_lead_of_its_share(
    team: tuple[list[Agent], set[int]],
) -> None:
    roster, able = team
    rules = RoutingPolicy(rules=[Rule(name="default", strategy=StrategyName.WEIGHTED)])
    where = Situation(roster, {}, {}, NOON, ZONE)
    owners = [decide(rules, plain_lead(), where).agent_id for _ in range(60)]
    weights = {a.telegram_id: a.profile.weight for a in roster if a.telegram_id in able}
    assert set(owners) <= set(weights)
    total = sum(weights.values())
    for agent_id, weight in weights.items():
        so_far = [0, *accumulate(owner == agent_id for owner in owners)]  # leads before i
        for start in range(len(owners)):
            for end in range(start + 1, len(owners) + 1):
                share = weight / total * (end - start)
                got = so_far[end] - so_far[start]
                assert floor(share) - 1 <= got <= ceil(share) + 1, (agent_id, start, end, owners)


@SETTINGS
@given(fixed_teams(weighted=False), st.data())
def test_round_robin_gives_each_agent_one_lead_in_every_window_of_n(
    team: tuple[list[Agent], set[int]], data: st.DataObject,
) -> None:
    roster, able = team
    last = data.draw(st.none() | st.sampled_from([a.telegram_id for a in roster]))
    rules = RoutingPolicy(rules=[Rule(name="default")])
    where = Situation(roster, {}, {"default": RuleState(last_agent_id=last)}, NOON, ZONE)
    n = len(able)
    owners = [decide(rules, plain_lead(), where).agent_id for _ in range(3 * n + 1)]
    for start in range(len(owners) - n + 1):
        assert Counter(owners[start:start + n]) == dict.fromkeys(able, 1), (start, owners)


@SETTINGS
@given(ramp_steps("leads"), st.integers(0, 35), st.integers(1, 3), st.integers(1, 24))
def test_a_new_agent_gets_one_lead_in_every_of_the_step_their_received_count_is_on(
    steps: list[dict[str, int]], received: int, veterans: int, count: int,
) -> None:
    newcomer = Agent(100, "New", position=0, chat_id=100,
                     profile=AgentProfile(start_date=NOON.date() - timedelta(days=500)))
    roster = [newcomer, *(Agent(101 + i, f"V{i}", position=1 + i, chat_id=101 + i)
                          for i in range(veterans))]
    rules = RoutingPolicy(rules=[Rule(name="default", strategy=StrategyName.AVAILABILITY)],
                          ramp=steps)
    where = Situation(roster, {100: AgentStats(received=received)}, {}, NOON, ZONE)
    decisions = [decide(rules, plain_lead(), where) for _ in range(count)]
    # The oracle: the first step (shortest first) whose lead count is not reached yet.
    on = next((step for step in sorted(steps, key=lambda s: s["leads"])
               if received < step["leads"]), None)
    every = on["every"] if on else 1
    got = [i for i, d in enumerate(decisions) if d.agent_id == 100]
    assert got == [i for i in range(count) if (i + 1) % every == 0], (steps, received)
    for i, decision in enumerate(decisions):
        if i not in got:
            assert on is not None
            assert (decision.steps[-1].skipped[0].reason,
                    decision.steps[-1].skipped[0].detail) == (
                "ramping_leads", {"every": every, "leads": on["leads"], "received": received})
