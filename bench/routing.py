"""Measure routing with a big office: 500 agents and a policy of 100 rules.

Part 1 calls `core.routing.RoutingRules.decide` in-process on random leads, reusing one
Situation the way an intake batch does (so load and rotation state accumulate), and times
every decision with time.perf_counter_ns(). It also times the worst cases: a lead only the
last (default) rule takes, and a lead that falls back through a chain of rules whose pools
are all empty.

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
import math
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp

# Run as `python bench/routing.py`: make the project root importable for `bench.*`.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.kit.big_office import (
    MANAGER_ID,
    N_AGENTS,
    PRODUCTS,
    SEED,
    SOURCES,
    UNCOVERED_REGION,
    lead_payload,
    office_dict,
    random_lead,
    roster_of,
    situation_of,
)
from bench.kit.cli import add_burst, bench_parser, run_bench
from bench.kit.database import sqlite_url
from bench.kit.figures import (
    TARGET_INTAKE_PER_S,
    database_facts,
    percentile,
    print_header,
    print_load_after,
    print_table,
    spread,
    statuses_text,
)
from bench.kit.load import Posted, fire, post_json
from bench.kit.meters import CpuMeter
from bench.kit.office import BOT_TOKEN, phones, write_office
from bench.kit.process import Leadrelay, relay_env, stop_and_report
from bench.kit.profile import py_spy, summarize_profile
from bench.kit.watch import FirstMessage, link_everyone
from core.config import OfficeConfig, Pool, RoutingPolicy, Rule, When
from core.model import Lead, Temperature
from core.routing import Decision, RoutingRules, Situation
from sandbox import BotApiSandbox

TARGET_P99_US = 1000.0  # p99 ≤ 1 ms per lead in core/
CHAIN_TAG = "chain-worst"
CHAIN_REPEATS = 10


# --------------------------------------------------------------------------------------------
# Part 1: decisions in core/
# --------------------------------------------------------------------------------------------


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


def route_many(routing: RoutingRules, situation: Situation, leads: Sequence[Lead], *,
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
        decision = routing.decide(lead, situation, tried=set(), prefer=None)
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


def time_one(rules: RoutingRules, situation: Situation, lead: Lead,
             repeats: int) -> tuple[list[float], Decision]:
    """Decide the same lead *repeats* times (each on the accumulated situation)."""
    times: list[float] = []
    decision: Decision | None = None
    for _ in range(repeats):
        t0 = time.perf_counter_ns()
        decision = rules.decide(lead, situation, tried=set(), prefer=None)
        times.append((time.perf_counter_ns() - t0) / 1000)
    assert decision is not None
    return times, decision


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
    rules = RoutingRules(policy)  # as Deps holds it: pools indexed once per config
    roster = roster_of(config)
    situation = situation_of(roster, now, config, random.Random(SEED + 2))
    lead_list = [random_lead(rng, now, n) for n in range(leads)]
    for lead in lead_list[:200]:  # warm-up: imports, caches; not counted
        rules.decide(lead, situation_of(roster, now, config, random.Random(SEED + 2)))
    print(f"\n== part 1: decide() in core/, {len(roster) - 1} agents + 1 manager, "
          f"{len(policy.rules)} rules, {leads} random leads on one Situation (gc enabled)")
    main = route_many(rules, situation, lead_list, budget_s=budget_s)
    print_core(main, leads)
    nogc = None
    if nogc_leads:
        situation2 = situation_of(roster, now, config, random.Random(SEED + 2))
        gc.collect()
        gc.disable()
        try:
            nogc = route_many(rules, situation2, lead_list[:nogc_leads], budget_s=budget_s)
        finally:
            gc.enable()
        print(f"  same, first {len(nogc.times_us)} leads with gc disabled: p50/p90/p99/max µs = "
              f"{spread(nogc.times_us, ',.0f')}, {nogc.rate:,.0f} decisions/s")

    # Worst case A: a lead only the default rule takes (all 99 `when`s evaluated and failed).
    fresh = situation_of(roster, now, config, random.Random(SEED + 2))
    loner = Lead(contact_id=1, source="website", received_at=now, score=10,
                 temperature=Temperature.COLD, product="yacht", region=UNCOVERED_REGION,
                 id=1)
    default_times, default_decision = time_one(rules, fresh, loner, 200)
    assert default_decision.rule == "default", default_decision.rule
    # Worst case B: matched by the first rule, then every fallback's pool is empty.
    chain = chain_policy(policy)
    fresh = situation_of(roster, now, config, random.Random(SEED + 2))
    walker = Lead(contact_id=2, source="website", received_at=now, score=90,
                  temperature=Temperature.HOT, product=PRODUCTS[0], region=UNCOVERED_REGION,
                  budget_min=1_000_000, budget_max=2_000_000, tags=[CHAIN_TAG], id=2)
    chain_times, chain_decision = time_one(RoutingRules(chain), fresh, walker, CHAIN_REPEATS)
    print("  worst case A, only the default matches (99 `when`s fail, then 500 agents): "
          f"p50/p90/p99/max µs = {spread(default_times, ',.0f')} over 200 decisions, "
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
    print(f"  per decision µs  : p50/p90/p99/max = {spread(result.times_us, ',.0f')}")
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
    work = [(rng.choice(tokens), lead_payload(rng, next(numbers))) for _ in range(total)]

    async def post(session: aiohttp.ClientSession, job: tuple[str, dict[str, Any]]) -> Posted:
        return await post_json(session, url, *job)

    return await fire(work, post, concurrency=concurrency, timeout_s=timeout_s)


async def run_e2e(args: argparse.Namespace, office: dict[str, Any], config: OfficeConfig,
                  tmp: Path) -> E2eResult:
    """Part 2: leadrelay with the big office, 501 chats linked, a burst of varied leads."""
    url = sqlite_url(tmp)
    print(f"\n== part 2: end-to-end intake, {len(config.agents)} people, "
          f"{len(config.routing.rules)} rules")
    print(database_facts(url))
    path = write_office(tmp / "office.yaml", office, sort_keys=False)
    sandbox = BotApiSandbox(token=BOT_TOKEN)
    await sandbox.start()
    for rule in config.routing.rules:
        if rule.claim_chat is not None:  # the bot is in each pool's group; nobody presses
            sandbox.group(rule.claim_chat, f"Pool {rule.name}", [])
    watch = FirstMessage()
    sandbox.listeners.append(watch)
    relay = Leadrelay(env=relay_env(sandbox.url, url, path), log_path=tmp / "leadrelay.log",
                      cwd=tmp)
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
                await post_json(session, f"{relay.base}/webhooks/leads",
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
        await stop_and_report(relay, sandbox)
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
    print(f"  201 answer ms    : p50/p90/p99/max = {spread(result.answer_ms, '.0f')}")
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
    print_table("== summary", rows)


async def run(args: argparse.Namespace) -> int:
    """Both parts, printed."""
    print_header()
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
    print_load_after()
    return 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = bench_parser(__doc__)
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
    add_burst(parser)
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
