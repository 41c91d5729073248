"""Measure routing with a big office: 500 agents and a policy of 100 rules.

Part 1 calls `core.routing.decide` in-process on random leads, reusing one Situation the way an
intake batch does (so load and rotation state accumulate), and times every decision with
time.perf_counter_ns(). It also times the worst cases: a lead only the last (default) rule
takes, and a lead that falls back through a chain of rules whose pools are all empty.

Part 2 runs the intake burst of bench/speed_to_lead.py against a separate leadrelay process
configured with the same office (written to a temporary YAML), after all 500 agents and the
manager pressed /start in the Bot API sandbox. If intake is below target (or with --profile)
it records the leadrelay process with py-spy during the burst and prints where the time went.

    python bench/routing.py [--leads 20000] [--burst 2000] [--concurrency 64] [--no-e2e]
                            [--claim-groups]

With --claim-groups every claim rule names a Telegram group (`claim_chat`), so a pool lead is
one group message instead of one private message per member; the sandbox holds those groups.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import math
import os
import random
import re
import shlex
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import yaml

# Run as `python bench/routing.py`: make the project root importable for `bench.*`.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.kit.cli import run_bench
from bench.kit.figures import database_facts, machine_facts, percentile, statuses_text
from bench.kit.load import Posted
from bench.kit.meters import CpuMeter
from bench.kit.office import BOT_TOKEN, phones
from bench.kit.process import Leadrelay, free_port
from bot.sandbox import ApiCall, BotApiSandbox
from core.config import (
    OfficeConfig,
    Pool,
    Role,
    RoutingPolicy,
    Rule,
    StrategyName,
    Temperature,
    When,
)
from core.model import Agent, Lead
from core.routing import AgentStats, Decision, Situation, decide

SEED = 20261125
N_AGENTS = 500
N_RULES = 100
AGENT_BASE_ID = 9_000_001
MANAGER_ID = 8_999_999
# --claim-groups: claim rule rNN posts to supergroup GROUP_BASE - NN (the -100… id form)
GROUP_BASE = -1_000_000_000_000
TARGET_P99_US = 1000.0  # p99 ≤ 1 ms per lead in core/
TARGET_INTAKE_PER_S = 500.0
TEAMS = ["north", "south", "east", "west", "central", "coast", "valley", "metro"]
PRODUCTS = ["residential", "commercial", "land", "rental", "luxury", "new_build", "farm",
            "office"]
CITIES: dict[str, list[str]] = {
    "Istanbul": ["Kadıköy", "Beşiktaş", "Üsküdar", "Şişli", "Sarıyer", "Ataşehir"],
    "Ankara": ["Çankaya", "Keçiören", "Yenimahalle", "Etimesgut"],
    "İzmir": ["Karşıyaka", "Bornova", "Konak", "Çeşme"],
    "Bursa": ["Nilüfer", "Osmangazi", "Mudanya"],
    "Antalya": ["Muratpaşa", "Konyaaltı", "Alanya", "Kaş"],
    "Muğla": ["Bodrum", "Fethiye", "Marmaris"],
    "Adana": ["Seyhan", "Çukurova"],
    "Eskişehir": ["Tepebaşı", "Odunpazarı"],
}
STREETS = ["Moda", "Merkez", "Sahil", "Çarşı", "Yalı", "Bahçelievler"]
TAGS = ["vip", "investor", "foreign", "cash", "mortgage", "relocation", "first_home", "urgent"]
SOURCES = {  # name -> (channel, token)
    "website": ("web_form", "bench-routing-website-0001"),
    "meta_ads": ("meta", "bench-routing-meta-ads-0002"),
    "google_ads": ("google_ads", "bench-routing-google-0003"),
    "referral": ("referral", "bench-routing-referral-004"),
    "whatsapp": ("whatsapp", "bench-routing-whatsapp-005"),
    "fair": ("fair", "bench-routing-fair-stand-06"),
}
TIMINGS = ["this week", "asap", "next week", "this month", "next month", "6 months",
           "just looking", None]
STRATEGIES = list(StrategyName)
UNCOVERED_REGION = "Hakkari / Yüksekova"  # nobody's territory
CHAIN_TAG = "chain-worst"
CHAIN_REPEATS = 10
_LINE_NO = re.compile(r":\d+\)$")
_PROJECT_DIRS = ("core", "storage", "leadrelay", "webhooks", "bot")


# --------------------------------------------------------------------------------------------
# The office: 500 agents, 1 manager, 6 sources, 100 rules
# --------------------------------------------------------------------------------------------


def territory_names() -> list[str]:
    """Every city and "city / district", as agents write their territories."""
    names = list(CITIES)
    names += [f"{city} / {district}" for city, districts in CITIES.items()
              for district in districts]
    return names


def agent_dicts(rng: random.Random, today: date) -> list[dict[str, Any]]:
    """500 agents with varied teams, territories, specialties, tiers, weights and limits."""
    territories = territory_names()
    agents: list[dict[str, Any]] = []
    for n in range(N_AGENTS):
        agent: dict[str, Any] = {
            "telegram_id": AGENT_BASE_ID + n, "name": f"Agent{n + 1:03d}",
            "team": TEAMS[n % len(TEAMS)],
            "territories": rng.sample(territories, rng.randint(1, 3)),
            "specialties": rng.sample(PRODUCTS, rng.randint(1, 3)),
            "languages": ["tr"] + (["en"] if rng.random() < 0.4 else []),
            "weight": rng.choice([0.5, 1.0, 1.0, 1.0, 1.5, 2.0, 3.0]),
        }
        if rng.random() < 0.8:
            agent["tier"] = rng.choice(["A", "B", "B", "C"])
        if rng.random() < 0.6:
            agent["capacity"] = rng.randint(10, 60)
        if rng.random() < 0.2:  # some keep working hours, a few in another zone
            days = ["mon", "tue", "wed", "thu", "fri", "sat"][: rng.randint(5, 6)]
            agent["hours"] = {"days": days, "start": "08:00",
                              "end": rng.choice(["18:00", "20:00", "23:00"])}
            if rng.random() < 0.3:
                agent["timezone"] = rng.choice(["Europe/Berlin", "Europe/London", "Asia/Dubai"])
        if rng.random() < 0.1:  # new starters ramp up
            agent["start_date"] = (today - timedelta(days=rng.randint(1, 80))).isoformat()
        if rng.random() < 0.02:
            agent["away_until"] = (today + timedelta(days=rng.randint(1, 10))).isoformat()
        if rng.random() < 0.02:
            agent["away"] = True
        agents.append(agent)
    return agents


def random_when(rng: random.Random) -> dict[str, Any]:
    """One to three conditions: product, region prefix, budget, tags; temperature, source."""
    # At least one condition on what the lead is about; temperature and source only narrow.
    kinds = rng.sample(["product", "region", "budget", "tags"], rng.randint(1, 2))
    kinds += rng.sample(["temperature", "source"], rng.randint(0, 1))
    when: dict[str, Any] = {}
    for kind in kinds:
        if kind == "product":
            when["product"] = rng.sample(PRODUCTS, rng.randint(1, 2))
        elif kind == "region":
            city = rng.choice(list(CITIES))
            when["region"] = ([city] if rng.random() < 0.5
                              else [f"{city} / {d}" for d in rng.sample(CITIES[city], 2)])
        elif kind == "budget":
            low = rng.choice([0, 500_000, 1_000_000, 2_000_000, 5_000_000])
            when["budget"] = {"min": low} if rng.random() < 0.5 else {"min": low,
                                                                        "max": low * 3 + 500_000}
        elif kind == "temperature":
            when["temperature"] = rng.sample(["hot", "warm", "cold"], rng.randint(1, 2))
        elif kind == "tags":
            when["tags"] = rng.sample(TAGS, rng.randint(1, 2))
        else:
            when["source"] = rng.sample(list(SOURCES), rng.randint(1, 2))
    return when


def random_pool(rng: random.Random, territories: list[str]) -> dict[str, Any]:
    """Pools by team, specialty, territory, `$region`, `$product` and tier, alone or combined."""
    shape = rng.randrange(8)
    if shape == 0:
        return {"teams": rng.sample(TEAMS, rng.randint(1, 3))}
    if shape == 1:
        return {"specialties": ["$product"]}
    if shape == 2:
        return {"territories": ["$region"]}
    if shape == 3:
        return {"specialties": ["$product"], "territories": ["$region"]}
    if shape == 4:
        return {"tiers": rng.sample(["A", "B", "C"], rng.randint(1, 2)),
                "territories": ["$region"]}
    if shape == 5:
        return {"teams": rng.sample(TEAMS, 2), "specialties": rng.sample(PRODUCTS, 2)}
    if shape == 6:
        return {"territories": rng.sample(territories, 3), "tiers": ["A", "B"]}
    return {"teams": [rng.choice(TEAMS)], "specialties": ["$product"]}


def rule_dicts(rng: random.Random, *, claim: bool = True,
               claim_groups: bool = False) -> list[dict[str, Any]]:
    """100 rules: conditions, pools, all five strategies, fallbacks to later rules, a default."""
    territories = territory_names()
    names = [f"r{i:02d}" for i in range(N_RULES - 1)] + ["default"]
    rules: list[dict[str, Any]] = []
    for i in range(N_RULES - 1):
        roll = rng.random()
        if roll < 0.6:
            fallback = names[i + 1]
        elif roll < 0.85:
            fallback = names[rng.randint(i + 1, N_RULES - 1)]
        elif roll < 0.97:
            fallback = "managers"
        else:
            fallback = "nurture"
        rule: dict[str, Any] = {
            "name": names[i], "when": random_when(rng), "pool": random_pool(rng, territories),
            "strategy": STRATEGIES[i % len(STRATEGIES)].value, "fallback": fallback}
        if not claim and rule["strategy"] == "claim":
            rule["strategy"] = "round_robin"  # --no-claim: no fan-out of one lead to a pool
        if claim_groups and rule["strategy"] == "claim":
            rule["claim_chat"] = GROUP_BASE - i  # takes no random number: same policy
        if rule["strategy"] == "tiers" and rng.random() < 0.5:
            rule["tier_split"] = {"A": 50, "B": 30, "C": 20}
        rules.append(rule)
    rules.append({"name": "default", "strategy": "least_loaded", "fallback": "managers"})
    return rules


def office_dict(today: date, *, claim: bool = True,
                claim_groups: bool = False) -> dict[str, Any]:
    """The whole office as the YAML config would hold it."""
    rng = random.Random(SEED)
    agents = agent_dicts(rng, today)
    agents.append({"telegram_id": MANAGER_ID, "name": "Boss", "role": "manager"})
    return {
        "name": "Bench Big Realty", "timezone": "Europe/Istanbul", "default_region": "TR",
        "agents": agents,
        "sources": [{"name": name, "token": token, "channel": channel}
                    for name, (channel, token) in SOURCES.items()],
        "sla": {temp: {"accept_within": "30m", "offers_before_managers": 3}
                for temp in ("hot", "warm", "cold")},
        "routing": {"rules": rule_dicts(rng, claim=claim, claim_groups=claim_groups)},
    }


def chain_policy(policy: RoutingPolicy) -> RoutingPolicy:
    """The same 100 rules, rewired so one lead walks all of them: every pool empty for it.

    Rule 0 also takes leads tagged `chain-worst`; every rule falls back to the next; each pool
    asks for `$region`, which nobody covers for that lead's region, so every
    agent is checked against every pool and none is left until the default. (Pools that named
    territories now ask for `$region` instead, so they are empty too.)
    """
    rules: list[Rule] = []
    for i, rule in enumerate(policy.rules[:-1]):
        when = When(tags=[CHAIN_TAG]) if i == 0 else rule.when
        pool = Pool.model_validate({**rule.pool.model_dump(), "territories": ["$region"]})
        rules.append(rule.model_copy(update={"when": when, "pool": pool,
                                             "fallback": policy.rules[i + 1].name}))
    rules.append(policy.rules[-1])
    return RoutingPolicy(rules=rules)


# --------------------------------------------------------------------------------------------
# Part 1: decisions in core/
# --------------------------------------------------------------------------------------------


def roster_of(config: OfficeConfig) -> list[Agent]:
    """The stored roster as leadrelay builds it (sync_roster), every chat linked."""
    return [Agent(p.telegram_id, p.name, role=p.role, active=p.active, away=p.away,
                  language=p.language, position=n, chat_id=p.telegram_id, profile=p.profile)
            for n, p in enumerate(config.agents)]


def situation_of(roster: list[Agent], now: datetime, config: OfficeConfig,
                 rng: random.Random) -> Situation:
    """Realistic load: open leads, recent offers, some missed SLAs, tier history."""
    stats: dict[int, AgentStats] = {}
    for agent in roster:
        if agent.role is Role.MANAGER:
            continue
        cap = agent.profile.capacity or 40
        misses = []
        if rng.random() < 0.15:
            misses = sorted(now - timedelta(hours=rng.uniform(1, 24 * 12))
                            for _ in range(rng.randint(1, 3)))
        reviewed = rng.randint(0, 80)
        stats[agent.telegram_id] = AgentStats(
            open_leads=rng.randint(0, cap), misses=misses,
            last_offered_at=now - timedelta(minutes=rng.uniform(1, 600)),
            reviewed_leads=reviewed, reviewed_won=int(reviewed * rng.uniform(0.05, 0.45)))
    return Situation(roster, stats, {}, now, config.zone)


def region_of(rng: random.Random) -> str | None:
    """A lead's region as forms send it: a city, a district, sometimes a street; or none."""
    roll = rng.random()
    if roll < 0.05:
        return None
    if roll < 0.08:
        return UNCOVERED_REGION
    city = rng.choice(list(CITIES))
    if roll < 0.25:
        return city
    district = rng.choice(CITIES[city])
    if roll < 0.7:
        return f"{city} / {district}"
    return f"{city} / {district} / {rng.choice(STREETS)}"


def random_lead(rng: random.Random, now: datetime, n: int) -> Lead:
    """A lead with random product, region, budget, temperature, tags and source."""
    temperature = rng.choice(list(Temperature))
    score = {Temperature.HOT: rng.randint(70, 100), Temperature.WARM: rng.randint(40, 69),
             Temperature.COLD: rng.randint(0, 39)}[temperature]
    budget_min = rng.choice([None, 300_000, 800_000, 1_500_000, 3_000_000, 8_000_000])
    budget_max = None if budget_min is None or rng.random() < 0.3 else budget_min * 2
    product = rng.choice(PRODUCTS) if rng.random() < 0.93 else rng.choice([None, "yacht"])
    return Lead(contact_id=n + 1, source=rng.choice(list(SOURCES)), received_at=now,
                score=score, temperature=temperature, name="Deniz Kaya",
                phone=f"+90532{n:07d}", product=product, region=region_of(rng),
                budget_min=budget_min, budget_max=budget_max,
                tags=rng.sample(TAGS, rng.choice([0, 0, 1, 1, 2])),
                returning=rng.random() < 0.05, id=n + 1)


@dataclass
class CoreResult:
    """Decision times (µs) and what the decisions were."""

    times_us: list[float]
    wall_s: float
    outcomes: Counter[str]
    steps: Counter[int]
    rules: Counter[str]
    budget_hit: bool
    pool_sizes: list[int] = field(default_factory=list)

    @property
    def rate(self) -> float:
        """Decisions per second of pure decide() time."""
        total = sum(self.times_us) / 1e6
        return len(self.times_us) / total if total else math.nan


def route_many(policy: RoutingPolicy, situation: Situation, leads: Sequence[Lead], *,
               budget_s: float) -> CoreResult:
    """decide() every lead on one Situation, timing each call."""
    times: list[float] = []
    outcomes: Counter[str] = Counter()
    steps: Counter[int] = Counter()
    rules: Counter[str] = Counter()
    pool_sizes: list[int] = []
    started = time.perf_counter()
    budget_hit = False
    clock = time.perf_counter_ns
    for lead in leads:
        t0 = clock()
        decision = decide(policy, lead, situation, tried=set(), prefer=None)
        t1 = clock()
        times.append((t1 - t0) / 1000)
        outcomes[decision.outcome] += 1
        steps[len(decision.steps)] += 1
        rules[decision.rule] += 1
        if decision.outcome == "pool":
            pool_sizes.append(len(decision.pool))
        if time.perf_counter() - started > budget_s:
            budget_hit = True
            break
    return CoreResult(times, time.perf_counter() - started, outcomes, steps, rules, budget_hit,
                      pool_sizes)


def time_one(policy: RoutingPolicy, situation: Situation, lead: Lead,
             repeats: int) -> tuple[list[float], Decision]:
    """Decide the same lead *repeats* times (each on the accumulated situation)."""
    times: list[float] = []
    decision: Decision | None = None
    for _ in range(repeats):
        t0 = time.perf_counter_ns()
        decision = decide(policy, lead, situation, tried=set(), prefer=None)
        times.append((time.perf_counter_ns() - t0) / 1000)
    assert decision is not None
    return times, decision


def us_spread(values: list[float]) -> str:
    """p50 / p90 / p99 / max of µs values."""
    return " / ".join(f"{percentile(values, p):,.0f}" for p in (50, 90, 99, 100))


@dataclass
class CoreReport:
    """Part 1's figures, for the summary."""

    main: CoreResult
    nogc: CoreResult | None
    default_only: list[float]
    default_steps: int
    chain: list[float]
    chain_steps: int


def run_core(config: OfficeConfig, *, leads: int, budget_s: float, nogc_leads: int,
             now: datetime) -> CoreReport:
    """Part 1: decide() on random leads, then the worst cases."""
    rng = random.Random(SEED + 1)
    policy = config.routing
    roster = roster_of(config)
    situation = situation_of(roster, now, config, random.Random(SEED + 2))
    lead_list = [random_lead(rng, now, n) for n in range(leads)]
    for lead in lead_list[:200]:  # warm-up: imports, caches; not counted
        decide(policy, lead, situation_of(roster, now, config, random.Random(SEED + 2)))
    print(f"\n== part 1: decide() in core/, {len(roster) - 1} agents + 1 manager, "
          f"{len(policy.rules)} rules, {leads} random leads on one Situation (gc enabled)")
    main = route_many(policy, situation, lead_list, budget_s=budget_s)
    print_core(main, leads)
    nogc = None
    if nogc_leads:
        situation2 = situation_of(roster, now, config, random.Random(SEED + 2))
        gc.collect()
        gc.disable()
        try:
            nogc = route_many(policy, situation2, lead_list[:nogc_leads], budget_s=budget_s)
        finally:
            gc.enable()
        print(f"  same, first {len(nogc.times_us)} leads with gc disabled: p50/p90/p99/max µs = "
              f"{us_spread(nogc.times_us)}, {nogc.rate:,.0f} decisions/s")

    # Worst case A: a lead only the default rule takes (all 99 `when`s evaluated and failed).
    fresh = situation_of(roster, now, config, random.Random(SEED + 2))
    loner = Lead(contact_id=1, source="website", received_at=now, score=10,
                 temperature=Temperature.COLD, product="yacht", region=UNCOVERED_REGION,
                 id=1)
    default_times, default_decision = time_one(policy, fresh, loner, 200)
    assert default_decision.rule == "default", default_decision.rule
    # Worst case B: matched by the first rule, then every fallback's pool is empty.
    chain = chain_policy(policy)
    fresh = situation_of(roster, now, config, random.Random(SEED + 2))
    walker = Lead(contact_id=2, source="website", received_at=now, score=90,
                  temperature=Temperature.HOT, product=PRODUCTS[0], region=UNCOVERED_REGION,
                  budget_min=1_000_000, budget_max=2_000_000, tags=[CHAIN_TAG], id=2)
    chain_times, chain_decision = time_one(chain, fresh, walker, CHAIN_REPEATS)
    print("  worst case A, only the default matches (99 `when`s fail, then 500 agents): "
          f"p50/p90/p99/max µs = {us_spread(default_times)} over 200 decisions, "
          f"{len(default_decision.steps)} step(s), outcome {default_decision.outcome}")
    print(f"  worst case B, rule 0 matches and its pool and all {len(chain.rules) - 2} "
          f"fallbacks' pools are empty: p50/max µs = {percentile(chain_times, 50):,.0f} / "
          f"{max(chain_times):,.0f} over {CHAIN_REPEATS} decisions, "
          f"{len(chain_decision.steps)} steps, outcome {chain_decision.outcome} "
          f"via {chain_decision.rule!r}")
    return CoreReport(main, nogc, default_times, len(default_decision.steps), chain_times,
                      len(chain_decision.steps))


def print_core(result: CoreResult, planned: int) -> None:
    """Part 1's main figures."""
    done = len(result.times_us)
    if result.budget_hit:
        print(f"  STOPPED by --core-seconds after {done} of {planned} leads")
    print(f"  per decision µs  : p50/p90/p99/max = {us_spread(result.times_us)}")
    print(f"  throughput       : {result.rate:,.0f} decisions/s (sum of decide() time); "
          f"{done} decisions in {result.wall_s:.2f}s wall")
    print(f"  outcomes         : {statuses_text(result.outcomes)}")
    if result.pool_sizes:
        sizes = sorted(result.pool_sizes)
        print(f"  claim pool size  : p50/max = {sizes[len(sizes) // 2]} / {sizes[-1]} agents; "
              f"{sum(sizes) / len(result.times_us):.1f} claim offers per lead on average")
    print("  rules tried      : " + ", ".join(f"{k} step(s)×{v}"
                                             for k, v in sorted(result.steps.items())))
    top = ", ".join(f"{r}×{n}" for r, n in result.rules.most_common(6))
    print(f"  deciding rules   : {len(result.rules)} distinct; most used {top}")


# --------------------------------------------------------------------------------------------
# Part 2: end-to-end intake with the big office
# --------------------------------------------------------------------------------------------


@dataclass
class FirstMessage:
    """A sandbox listener: the chat of the first buttoned message naming each lead (#id)."""

    chat_of: dict[int, int] = field(default_factory=dict)
    at: dict[int, float] = field(default_factory=dict)

    def __call__(self, call: ApiCall) -> None:
        """Record offers (to agents) and escalations (to the manager) by lead id."""
        if call.method != "sendMessage" or "reply_markup" not in call.params:
            return
        text = call.params.get("text")
        if not isinstance(text, str) or call.status != 200:
            return
        start = text.find("#")
        digits = ""
        while start >= 0:
            end = start + 1
            while end < len(text) and text[end].isdigit():
                end += 1
            digits = text[start + 1:end]
            if digits:
                break
            start = text.find("#", end)
        if not digits:
            return
        lead = int(digits)
        if lead not in self.chat_of:
            self.chat_of[lead] = int(call.params.get("chat_id", 0))
            self.at[lead] = call.at


def lead_payload(rng: random.Random, phone: str) -> dict[str, Any]:
    """A varied web lead: product, region, budget, timing, tags."""
    budget_min = rng.choice([None, 300_000, 800_000, 1_500_000, 3_000_000, 8_000_000])
    payload: dict[str, Any] = {"phone": phone, "name": "Deniz Kaya",
                               "product": rng.choice(PRODUCTS), "region": region_of(rng),
                               "timing": rng.choice(TIMINGS)}
    if budget_min is not None:
        payload["budget_min"] = budget_min
        if rng.random() < 0.7:
            payload["budget_max"] = budget_min * 2
    tags = rng.sample(TAGS, rng.choice([0, 0, 1, 1, 2]))
    if tags:
        payload["tags"] = tags
    return {k: v for k, v in payload.items() if v is not None}


async def post_lead(session: aiohttp.ClientSession, url: str, token: str,
                    payload: dict[str, Any]) -> Posted:
    """POST one lead and time it from just before the request is sent."""
    sent_at = time.monotonic()
    try:
        async with session.post(url, json=payload,
                                headers={"Authorization": f"Bearer {token}"}) as reply:
            body = await reply.read()
            answered_at = time.monotonic()
            if reply.status != 201:
                return Posted(sent_at, str(reply.status), answered_at=answered_at)
            return Posted(sent_at, "201", int(json.loads(body)["lead_id"]), answered_at)
    except (aiohttp.ClientError, TimeoutError) as exc:
        return Posted(sent_at, type(exc).__name__, answered_at=time.monotonic())


async def link_everyone(sandbox: BotApiSandbox, config: OfficeConfig, *, concurrency: int,
                        within: float) -> float:
    """Every agent and the manager press /start, *concurrency* at a time; wait for welcomes."""
    started = time.monotonic()
    gate = asyncio.Semaphore(concurrency)

    async def one(telegram_id: int, name: str) -> None:
        async with gate:
            user = sandbox.user(telegram_id, name)
            await user.send("/start")
            await user.wait_for(lambda m: "Hi " in m.text, timeout=within)

    async with asyncio.timeout(within):
        await asyncio.gather(*(one(a.telegram_id, a.name) for a in config.agents))
    return time.monotonic() - started


@dataclass
class E2eResult:
    """Part 2's figures."""

    linked: int
    link_s: float
    statuses: Counter[str]
    intake_s: float
    created: int
    answer_ms: list[float]
    cpu: tuple[float, float]
    to_agents: int
    to_managers: int
    delivered_within: float
    complete: bool
    profile: list[str]

    @property
    def rate(self) -> float:
        """Leads answered 201 per second of the burst."""
        return self.created / self.intake_s if self.intake_s > 0 else math.nan


async def burst(relay: Leadrelay, *, total: int, concurrency: int, timeout_s: float,
                rng: random.Random) -> tuple[list[Posted], bool]:
    """Fire *total* varied leads from the six sources with *concurrency* in flight."""
    url = f"{relay.base}/webhooks/leads"
    numbers = phones("533")
    tokens = [token for _, token in SOURCES.values()]
    work = iter([(rng.choice(tokens), lead_payload(rng, next(numbers))) for _ in range(total)])
    results: list[Posted] = []

    async def worker(session: aiohttp.ClientSession) -> None:
        for token, payload in work:
            results.append(await post_lead(session, url, token, payload))

    complete = True
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector,
                                     timeout=aiohttp.ClientTimeout(total=30)) as session:
        try:
            async with asyncio.timeout(timeout_s):
                await asyncio.gather(*(worker(session) for _ in range(concurrency)))
        except TimeoutError:
            complete = False
    return results, complete


async def py_spy(pid: int, seconds: int, out: Path) -> asyncio.subprocess.Process | None:
    """Start py-spy recording *pid* (raw folded stacks), or None if it is not installed."""
    exe = Path(sys.executable).parent / "py-spy"
    if not exe.exists():
        return None
    return await asyncio.create_subprocess_exec(
        str(exe), "record", "-p", str(pid), "-d", str(seconds), "-r", "200", "-f", "raw",
        "-o", str(out), "--nonblocking", stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL)


def summarize_profile(path: Path, top: int = 12) -> list[str]:
    """Where the samples went: own time by function, and project functions inclusive."""
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return ["(no py-spy output)"]
    total = 0
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    for line in lines:
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [_LINE_NO.sub(")", frame) for frame in stack.split(";")]
        total += count
        own[frames[-1]] += count
        for frame in set(frames):
            if any(f"({d}/" in frame or f"/{d}/" in frame for d in _PROJECT_DIRS):
                inclusive[frame] += count
    if not total:
        return ["(py-spy recorded no samples)"]
    out = [f"{total} samples of busy threads (200/s)", "own time by function:"]
    out += [f"  {100 * n / total:5.1f}%  {frame}" for frame, n in own.most_common(top)]
    out.append("project functions, inclusive:")
    out += [f"  {100 * n / total:5.1f}%  {frame}" for frame, n in inclusive.most_common(top + 4)
            if "leadrelay/cli.py" not in frame]
    return out


async def run_e2e(args: argparse.Namespace, office: dict[str, Any], config: OfficeConfig,
                  tmp: Path) -> E2eResult:
    """Part 2: leadrelay with the big office, 501 chats linked, a burst of varied leads."""
    url = f"sqlite+aiosqlite:///{tmp / 'bench.db'}"
    print(f"\n== part 2: end-to-end intake, {len(config.agents)} people, "
          f"{len(config.routing.rules)} rules")
    print(database_facts(url))
    path = tmp / "office.yaml"
    path.write_text(yaml.safe_dump(office, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")
    sandbox = BotApiSandbox(token=BOT_TOKEN)
    await sandbox.start()
    for rule in config.routing.rules:
        if rule.claim_chat is not None:  # the bot is in each pool's group; nobody presses
            sandbox.group(rule.claim_chat, f"Pool {rule.name}", [])
    watch = FirstMessage()
    sandbox.listeners.append(watch)
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": BOT_TOKEN, "TELEGRAM_API_URL": sandbox.url,
           "DATABASE_URL": url, "HTTP_HOST": "127.0.0.1", "HTTP_PORT": str(free_port()),
           "LEADRELAY_CONFIG": str(path), "SWEEP_SECONDS": "5", "LOG_LEVEL": "WARNING"}
    relay = Leadrelay(env=env, log_path=tmp / "leadrelay.log", cwd=tmp)
    profile: list[str] = []
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
            up = await relay.start(session, within=30)
        link_s = await link_everyone(sandbox, config, concurrency=args.link_concurrency,
                                     within=args.link_timeout)
        print(f"leadrelay : pid {relay.pid}, /healthz after {up:.2f}s; "
              f"{len(config.agents)} people pressed /start ({args.link_concurrency} at a time), "
              f"all welcomed after {link_s:.2f}s")
        await asyncio.sleep(0.5)  # let the welcome replies' outbox settle
        rng = random.Random(SEED + 3)
        # Warm-up: a few leads one at a time, not counted.
        async with aiohttp.ClientSession() as session:
            for phone in list(zip(range(10), phones("534"), strict=False)):
                await post_lead(session, f"{relay.base}/webhooks/leads",
                                SOURCES["website"][1], lead_payload(rng, phone[1]))
        spy_out = tmp / "py-spy.txt"
        spy = await py_spy(relay.pid, args.profile_seconds, spy_out) if args.profile else None
        meter = CpuMeter(relay.pid)
        results, complete = await burst(relay, total=args.burst, concurrency=args.concurrency,
                                        timeout_s=args.intake_timeout, rng=rng)
        cpu = meter.read()
        first = min((r.sent_at for r in results), default=0.0)
        last = max((r.answered_at for r in results), default=0.0)
        ids = [r.lead_id for r in results if r.lead_id is not None]
        deadline = time.monotonic() + args.drain_timeout
        pending = [i for i in ids if i not in watch.chat_of]
        while pending and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
            pending = [i for i in pending if i not in watch.chat_of]
        delivered = sum(1 for i in ids if i in watch.chat_of)
        to_managers = sum(1 for i in ids if watch.chat_of.get(i) == MANAGER_ID)
        if spy is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(spy.wait(), args.profile_seconds + 10)
            profile = summarize_profile(spy_out)
    finally:
        code, took = await relay.stop()
        await sandbox.stop()
        print(f"leadrelay : stopped with SIGTERM, exit code {code}, in {took:.2f}s")
        problems = relay.log_problems()
        if problems or sandbox.errors:
            print(f"warnings  : leadrelay log {dict(problems)}, sandbox errors "
                  f"{len(sandbox.errors)}; log tail:")
            print("  " + relay.log_tail(8).replace("\n", "\n  "))
    return E2eResult(
        linked=len(config.agents), link_s=link_s, statuses=Counter(r.status for r in results),
        intake_s=last - first, created=len(ids),
        answer_ms=[(r.answered_at - r.sent_at) * 1000 for r in results if r.lead_id],
        cpu=cpu, to_agents=delivered - to_managers, to_managers=to_managers,
        delivered_within=args.drain_timeout, complete=complete, profile=profile)


def print_e2e(result: E2eResult, args: argparse.Namespace) -> None:
    """Part 2's figures."""
    print(f"  burst            : {args.burst} varied leads from {len(SOURCES)} sources, "
          f"{args.concurrency} in flight" + ("" if result.complete else " (INCOMPLETE)"))
    print(f"  answered         : {statuses_text(result.statuses)}")
    print(f"  intake           : {result.created} answered 201 in {result.intake_s:.2f}s "
          f"= {result.rate:.0f} leads/s")
    print("  201 answer ms    : p50/p90/p99/max = "
          + " / ".join(f"{percentile(result.answer_ms, p):.0f}" for p in (50, 90, 99, 100)))
    print(f"  first message    : {result.to_agents} offers to agents, {result.to_managers} "
          f"escalations to the manager, {result.created - result.to_agents - result.to_managers}"
          f" not seen within {result.delivered_within:g}s after the burst (nurture, or outbox "
          f"still draining)")
    print(f"  CPU (% of 1 core): leadrelay {result.cpu[0]:.0f}%, bench+sandbox {result.cpu[1]:.0f}%"
          " during the burst")
    if result.profile:
        print(f"  py-spy on leadrelay for {args.profile_seconds}s from the start of the burst:")
        for line in result.profile:
            print("    " + line)


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def summary(core: CoreReport, e2e: E2eResult | None) -> None:
    """The table against the issue's targets."""
    p99 = percentile(core.main.times_us, 99)
    rows = [
        ("decide() p50", f"{percentile(core.main.times_us, 50):,.0f} µs", "", ""),
        ("decide() p99", f"{p99:,.0f} µs", f"≤ {TARGET_P99_US:,.0f} µs",
         "met" if p99 <= TARGET_P99_US else "MISSED"),
        ("decide() max", f"{max(core.main.times_us):,.0f} µs", "", ""),
        ("decisions/s (core)", f"{core.main.rate:,.0f}", f"≥ {TARGET_INTAKE_PER_S:g}",
         "met" if core.main.rate >= TARGET_INTAKE_PER_S else "MISSED"),
        ("worst A: default only, p50", f"{percentile(core.default_only, 50):,.0f} µs",
         f"≤ {TARGET_P99_US:,.0f} µs",
         "met" if percentile(core.default_only, 50) <= TARGET_P99_US else "MISSED"),
        (f"worst B: {core.chain_steps}-rule fallback chain, p50",
         f"{percentile(core.chain, 50):,.0f} µs", f"≤ {TARGET_P99_US:,.0f} µs",
         "met" if percentile(core.chain, 50) <= TARGET_P99_US else "MISSED"),
    ]
    if e2e is not None:
        rows.append(("intake (201/s, burst, SQLite)", f"{e2e.rate:.0f} leads/s",
                     f"≥ {TARGET_INTAKE_PER_S:g} leads/s",
                     "met" if e2e.rate >= TARGET_INTAKE_PER_S else "MISSED"))
        rows.append(("intake errors", str(sum(n for s, n in e2e.statuses.items() if s != "201")),
                     "0", ""))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    print("\n== summary")
    for row in rows:
        print("  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
              .rstrip())


async def run(args: argparse.Namespace) -> int:
    """Both parts, printed."""
    print("command   : " + shlex.join([Path(sys.executable).name, *sys.argv]))
    for line in machine_facts():
        print(line)
    now = datetime.fromtimestamp(time.time(), UTC)
    office = office_dict(now.date(), claim=args.claim, claim_groups=args.claim_groups)
    config = OfficeConfig.model_validate(office)
    strategies = Counter(rule.strategy.value for rule in config.routing.rules)
    print(f"office    : {N_AGENTS} agents + 1 manager, {len(config.routing.rules)} rules "
          f"({', '.join(f'{s}×{n}' for s, n in sorted(strategies.items()))}), seed {SEED}, "
          f"now {now:%Y-%m-%d %H:%M} UTC")
    groups = sum(1 for rule in config.routing.rules if rule.claim_chat is not None)
    if groups:
        print(f"groups    : the {groups} claim rules post to {groups} Telegram groups, one "
              "message per lead (Telegram allows about 20 messages a minute per group)")
    core = run_core(config, leads=args.leads, budget_s=args.core_seconds,
                    nogc_leads=args.nogc_leads, now=now)
    e2e = None
    if not args.no_e2e:
        with tempfile.TemporaryDirectory(prefix="leadrelay-bench-routing-") as tmp:
            e2e = await run_e2e(args, office, config, Path(tmp))
        print_e2e(e2e, args)
    summary(core, e2e)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\nload avg after the run: {load}")
    return 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--leads", type=int, default=20_000,
                        help="random leads routed in part 1 (default 20000)")
    parser.add_argument("--core-seconds", type=float, default=40.0,
                        help="stop part 1 after this many seconds (default 40)")
    parser.add_argument("--nogc-leads", type=int, default=2000,
                        help="leads routed again with gc disabled (default 2000, 0 = skip)")
    parser.add_argument("--no-e2e", action="store_true", help="skip part 2 (leadrelay)")
    parser.add_argument("--claim", action=argparse.BooleanOptionalAction, default=True,
                        help="keep the claim-pool rules (default); --no-claim makes them "
                             "round robin, to see intake without the fan-out")
    parser.add_argument("--claim-groups", action="store_true",
                        help="claim rules post each lead once to a Telegram group "
                             "(claim_chat) instead of to every pool member privately")
    parser.add_argument("--burst", type=int, default=2000,
                        help="leads fired in the intake burst (default 2000)")
    parser.add_argument("--concurrency", type=int, default=64,
                        help="requests in flight during the burst (default 64)")
    parser.add_argument("--link-concurrency", type=int, default=32,
                        help="people pressing /start at the same time (default 32)")
    parser.add_argument("--link-timeout", type=float, default=60.0,
                        help="seconds for all 501 people to be welcomed (default 60)")
    parser.add_argument("--intake-timeout", type=float, default=60.0,
                        help="give up on the burst after this many s (default 60)")
    parser.add_argument("--drain-timeout", type=float, default=5.0,
                        help="seconds to wait for first messages after the burst (default 5)")
    parser.add_argument("--profile", action=argparse.BooleanOptionalAction, default=True,
                        help="record leadrelay with py-spy during the burst (default on)")
    parser.add_argument("--profile-seconds", type=int, default=8,
                        help="py-spy duration in seconds (default 8)")
    args = parser.parse_args(argv)
    if args.claim_groups and not args.claim:
        parser.error("--claim-groups needs the claim rules; it cannot go with --no-claim")
    if min(args.leads, args.burst, args.concurrency, args.link_concurrency) <= 0:
        parser.error("--leads, --burst, --concurrency and --link-concurrency must be positive")
    return args


def main() -> None:
    """Entry point."""
    run_bench(run, parse_args())


if __name__ == "__main__":
    main()
