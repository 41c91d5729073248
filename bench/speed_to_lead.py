"""Measure leadrelay's speed to lead and intake next to the baseline's, in one run (issue 13).

One run measures, on this machine and one after the other, first the baseline server
(`bench/kit/baseline.py`: token, parse, one SQLite commit, 201, one unpaced `sendMessage`)
and then leadrelay (`python -m leadrelay.cli run` on a fresh database), each in a process of
its own against a Bot API sandbox of its own (Telegram's limits on) with the bench office's
40 agents, and each through the same phases (`bench/kit/measure.py`):

1. idle CPU for 5 s after 10 warm-up leads;
2. speed to lead at `--rate` for `--seconds` (open loop): each lead timed from its request
   to the sandbox receiving its offer, and to its 201; CPU, and CPU per lead idle taken off;
3. an open-loop burst at `--burst-rate` for `--burst-seconds`: every lead answered 201? how
   fast?
4. a closed-loop burst of `--burst` leads, `--concurrency` in flight: leads answered 201 a
   second;
5. leadrelay only: its outbox drain after the bursts (offers a second, 429s, all delivered).

It prints each server's phases, then one table: each figure for the baseline and leadrelay,
the ratio (leadrelay ÷ baseline) and the target. Both timestamps of a latency sample are
taken with time.monotonic() in this process, which also hosts the sandboxes and the load.
Exit 0 when the run completed (a missed target is a figure), 1 when leads were not answered
201 or not offered. A whole default run takes about 3 minutes, mostly leadrelay's drain.

    python bench/speed_to_lead.py [--rate 20] [--seconds 15] [--burst-rate 600]
        [--burst-seconds 2] [--burst 2000] [--concurrency 64] [--database sqlite|URL]
        [--no-baseline] [--no-limits] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import shlex
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import aiohttp

# Run as `python bench/speed_to_lead.py`: make the project root importable for `bench.*`.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.kit.cli import (
    DATABASE_HELP,
    add_burst,
    add_database,
    bench_parser,
    check_database,
    run_bench,
)
from bench.kit.database import workspace
from bench.kit.figures import (
    database_facts,
    percentile,
    print_header,
    print_load_after,
    print_table,
)
from bench.kit.measure import (
    BURST_PROFILE_S,
    Plan,
    ServerFigures,
    baseline_server,
    measure_server,
    press_start,
    print_phases,
    start_sandbox,
)
from bench.kit.meters import CpuMeter
from bench.kit.office import AGENT_IDS, phones, write_office
from bench.kit.process import Leadrelay, relay_env, stop_and_report
from bench.kit.profile import summarize_by_part, summarize_profile
from bench.kit.speed import OFFER_TIMEOUT_S
from bench.kit.watch import OfferWatch, link_agents

# The 41 welcomes went out as one burst: never more than 30 in any second, and each chat's
# next message a window after its welcome. Measuring starts once those windows have passed,
# or the first offers would wait for the welcomes, not for leadrelay.
SETTLE_S = 2.5
TARGET_P50_RATIO = 5.0  # leadrelay's to-offer p50 at most this many times the baseline's
TARGET_P99_RATIO = 10.0
TARGET_INTAKE_RATIO = 0.5  # leadrelay's intake at least this share of the baseline's
TARGET_BURST_P99_MS = 250.0
TARGET_DELIVERY_PER_S = 28.0
NONE = "—"

Row = list[str]


# --------------------------------------------------------------------------------------------
# Phase 5, leadrelay only: the outbox drain after the bursts
# --------------------------------------------------------------------------------------------


@dataclass
class Drain:
    """leadrelay's offers of the two bursts' leads: when each reached the sandbox."""

    leads: int
    seen: list[float]
    intake_end: float
    limited: int | None
    cpu: tuple[float, float]

    @property
    def delivered_all(self) -> bool:
        """Whether every lead of the bursts got its offer."""
        return len(self.seen) == self.leads

    @property
    def rate(self) -> float:
        """Offers delivered per second, from the bursts' first offer to their last."""
        if len(self.seen) < 2:
            return math.nan
        return (len(self.seen) - 1) / (max(self.seen) - min(self.seen))


async def drain(watch: OfferWatch, relay: Leadrelay, figures: ServerFigures, *,
                timeout_s: float, limited: list[object] | None) -> Drain:
    """Wait for the offers of both bursts' leads (the open loop's backlog goes first)."""
    ids = figures.open_burst.created_ids + figures.closed_burst.created_ids
    meter = CpuMeter(relay.pid)
    await watch.wait_all(ids, time.monotonic() + timeout_s)
    intake_end = max((p.answered_at for p in figures.closed_burst.posted), default=math.nan)
    return Drain(leads=len(ids), seen=[watch.seen[lead] for lead in ids if lead in watch.seen],
                 intake_end=intake_end, limited=None if limited is None else len(limited),
                 cpu=meter.read())


def print_drain(outbox: Drain) -> None:
    """Print the drain's figures."""
    print(f"\n== leadrelay: outbox drain, the offers of both bursts' {outbox.leads} leads"
          + ("" if outbox.delivered_all else " (INCOMPLETE: timed out)"))
    last = f"; the last {max(outbox.seen) - outbox.intake_end:.1f}s after the last 201" \
        if outbox.seen else ""
    print(f"  offers delivered : {len(outbox.seen)} of {outbox.leads}{last}")
    print(f"  delivery         : {outbox.rate:.1f} offers/s from the first offer to the last")
    if outbox.limited is not None:
        print(f"  429 answered     : {outbox.limited} (in the whole run)")
    print(f"  CPU (% of 1 core): leadrelay {outbox.cpu[0]:.0f}%, "
          f"bench+sandbox {outbox.cpu[1]:.0f}%")


# --------------------------------------------------------------------------------------------
# The servers
# --------------------------------------------------------------------------------------------


def session() -> aiohttp.ClientSession:
    """The session for starting a server, its warm-up and the fixed-rate phase."""
    return aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))


async def measure_baseline(args: argparse.Namespace, plan: Plan) -> ServerFigures:
    """Start a sandbox and the baseline, measure it, print its phases, and stop both."""
    print("\n### baseline (SQLite)")
    with tempfile.TemporaryDirectory(prefix="leadrelay-baseline-") as tmp:
        sandbox, watch = await start_sandbox(limits=args.limits)
        await press_start(sandbox)
        server = baseline_server(Path(tmp), sandbox.url)
        try:
            async with session() as client:
                up = await server.start(client, within=30)
                print(f"baseline  : pid {server.pid}, {shlex.join(server.argv[1:])}, "
                      f"/healthz after {up:.2f}s, {len(AGENT_IDS)} agents pressed Start")
                figures = await measure_server(client, server, watch, phones("534"), plan)
        finally:
            await stop_and_report(server, sandbox, name="baseline")
    print_phases("baseline", figures, plan)
    return figures


async def measure_leadrelay(args: argparse.Namespace, plan: Plan) -> tuple[ServerFigures, Drain,
                                                                            str]:
    """Start a sandbox and leadrelay on its own database, measure it, drain, print, stop."""
    print("\n### leadrelay")
    async with workspace(args.database, prefix="leadrelay-bench-") as (tmp, database):
        print(database_facts(database.url))
        config = write_office(tmp / "office.yaml")
        sandbox, watch = await start_sandbox(limits=args.limits)
        relay = Leadrelay(env=relay_env(sandbox.url, database.url, config),
                          log_path=tmp / "leadrelay.log", cwd=tmp)
        spy_out = tmp / "py-spy.txt" if args.profile else None
        burst_out = tmp / "py-spy-burst.txt" if args.profile_burst else None
        try:
            async with session() as client:
                up = await relay.start(client, within=30)
                await link_agents(sandbox, within=15)
                await asyncio.sleep(SETTLE_S)
                print(f"leadrelay : pid {relay.pid}, {shlex.join(relay.argv[1:])}, "
                      f"/healthz after {up:.2f}s, {len(AGENT_IDS) + 1} chats linked")
                figures = await measure_server(client, relay, watch, phones("532"), plan,
                                               profile=spy_out, burst_profile=burst_out)
            outbox = await drain(watch, relay, figures, timeout_s=args.drain_timeout,
                                 limited=list(sandbox.rate_limited) if args.limits else None)
        finally:
            await stop_and_report(relay, sandbox, refused=watch.rejected)
        print_phases("leadrelay", figures, plan)
        print_drain(outbox)
        if spy_out is not None:
            print("\n== leadrelay: py-spy during the fixed-rate phase")
            print("\n".join(summarize_profile(spy_out, top=40)))
        if burst_out is not None and burst_out.exists():
            leads = min(len(figures.closed_burst.created_ids),
                        round(figures.closed_burst.rate * BURST_PROFILE_S))
            print_table(f"leadrelay: where the closed burst's CPU went (py-spy over its first "
                        f"{BURST_PROFILE_S} s, ~{leads} leads)",
                        summarize_by_part(burst_out, leads))
        kind = "SQLite" if database.url.startswith("sqlite") else "PostgreSQL"
    return figures, outbox, kind


# --------------------------------------------------------------------------------------------
# The summary
# --------------------------------------------------------------------------------------------


def cell(value: float | None, fmt: str, unit: str = "") -> str:
    """A figure formatted with *fmt* and *unit*, or a dash when there is none."""
    if value is None or math.isnan(value):
        return NONE
    return f"{value:{fmt}}{unit}"


def ratio_of(base: float | None, relay: float) -> float | None:
    """leadrelay's figure divided by the baseline's, or None when that means nothing."""
    if base is None or math.isnan(base) or math.isnan(relay) or base <= 0:
        return None
    return relay / base


def ratio_cell(ratio: float | None) -> str:
    """A ratio as ×N, two decimals below 10."""
    if ratio is None:
        return NONE
    return f"×{ratio:.2f}" if ratio < 10 else f"×{ratio:.1f}"


def verdict(ok: bool | None) -> str:
    """met, MISSED, or a dash when it cannot be judged (no baseline)."""
    return NONE if ok is None else "met" if ok else "MISSED"


def compared(figure: str, base: float | None, relay: float, fmt: str, unit: str = "", *,
             target: str = "", ok: bool | None = None, judged: bool = False) -> Row:
    """One row: the figure, both values, their ratio, and the target with its verdict."""
    return [figure, cell(base, fmt, unit), cell(relay, fmt, unit),
            ratio_cell(ratio_of(base, relay)), target, verdict(ok) if judged else ""]


def at_most(base: float | None, relay: float, times: float) -> bool | None:
    """Whether *relay* is at most *times* the baseline's (None without a baseline)."""
    ratio = ratio_of(base, relay)
    return None if ratio is None else ratio <= times


def at_least(base: float | None, relay: float, times: float) -> bool | None:
    """Whether *relay* is at least *times* the baseline's (None without a baseline)."""
    ratio = ratio_of(base, relay)
    return None if ratio is None else ratio >= times


def summary_rows(base: ServerFigures | None, relay: ServerFigures, outbox: Drain, *,
                 kind: str, plan: Plan) -> list[Row]:
    """The summary table: each figure of both servers, the ratio and the target."""

    def both(read: Callable[[ServerFigures], float]) -> tuple[float | None, float]:
        return (None if base is None else read(base)), read(relay)

    at, fast = f"@ {plan.rate:g}/s", f"@ {plan.burst_rate:g}/s"
    p50 = both(lambda f: percentile(f.speed.offer_ms, 50))
    p99 = both(lambda f: percentile(f.speed.offer_ms, 99))
    burst_p99 = both(lambda f: percentile(f.open_burst.answer_ms, 99))
    intake = both(lambda f: f.closed_burst.rate)
    no_offer = both(lambda f: float(f.speed.no_offer))
    fast_answered = [NONE if f is None else
                     f"{len(f.open_burst.created_ids)} of {f.open_burst.planned}"
                     for f in (base, relay)]
    rows: list[Row] = [
        ["figure", "baseline", "leadrelay", "ratio", "target", ""],
        ["database", NONE if base is None else "SQLite", kind, "", "", ""],
        compared(f"to offer p50 {at}", *p50, ".1f", " ms", judged=True,
                 target=f"≤ {TARGET_P50_RATIO:g}× baseline",
                 ok=at_most(*p50, TARGET_P50_RATIO)),
        compared(f"to offer p99 {at}", *p99, ".1f", " ms", judged=True,
                 target=f"≤ {TARGET_P99_RATIO:g}× baseline",
                 ok=at_most(*p99, TARGET_P99_RATIO)),
        compared(f"no offer within {OFFER_TIMEOUT_S:g} s {at}", *no_offer, ".0f", judged=True,
                 target="0", ok=relay.speed.no_offer == 0),
        compared(f"201 answer p50 {at}", *both(lambda f: percentile(f.speed.answer_ms, 50)),
                 ".1f", " ms"),
        compared(f"201 answer p99 {at}", *both(lambda f: percentile(f.speed.answer_ms, 99)),
                 ".1f", " ms"),
        compared("idle CPU, % of a core", *both(lambda f: f.idle_cpu), ".1f", " %"),
        compared(f"CPU {at}, % of a core", *both(lambda f: f.speed.cpu[0]), ".1f", " %"),
        compared(f"CPU per lead {at} (idle off)", *both(lambda f: f.cpu_per_lead_ms), ".2f",
                 " ms"),
        [f"answered 201 {fast}", *fast_answered, "", "all",
         verdict(relay.open_burst.answered_all)],
        compared(f"201 answer p50 {fast}", *both(lambda f: percentile(f.open_burst.answer_ms, 50)),
                 ".1f", " ms"),
        compared(f"201 answer p99 {fast}", *burst_p99, ".1f", " ms", judged=True,
                 target=f"≤ {TARGET_BURST_P99_MS:g} ms",
                 ok=burst_p99[1] <= TARGET_BURST_P99_MS),
        compared(f"intake, 201/s, {plan.concurrency} in flight", *intake, ".0f", " leads/s",
                 judged=True, target=f"≥ {TARGET_INTAKE_RATIO:g}× baseline",
                 ok=at_least(*intake, TARGET_INTAKE_RATIO)),
    ]
    return rows + delivery_rows(outbox)


def delivery_rows(outbox: Drain) -> list[Row]:
    """leadrelay's outbox drain against its targets (the baseline does not pace: no figure)."""
    rate = cell(outbox.rate, ".1f", " msgs/s")
    everything = ["offers of the bursts delivered", NONE, f"{len(outbox.seen)} of {outbox.leads}",
                  "", "all", verdict(outbox.delivered_all)]
    if outbox.limited is None:
        return [["outbox delivery (no limits)", NONE, rate, "", "", ""], everything]
    return [
        ["outbox delivery (Telegram limits)", NONE, rate, "", f"≥ {TARGET_DELIVERY_PER_S:g} msgs/s",
         verdict(outbox.rate >= TARGET_DELIVERY_PER_S)],
        ["429 answered by the sandbox", NONE, str(outbox.limited), "", "0",
         verdict(outbox.limited == 0)],
        everything,
    ]


def broken(base: ServerFigures | None, relay: ServerFigures, outbox: Drain) -> list[str]:
    """What went wrong with leads, by server; empty when the run completed."""
    problems = [] if base is None else [f"baseline: {p}" for p in base.broken()]
    problems += [f"leadrelay: {p}" for p in relay.broken()]
    if not outbox.delivered_all:
        problems.append(f"leadrelay: {outbox.leads - len(outbox.seen)} offers of the bursts "
                        f"not delivered")
    return problems


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def plan_of(args: argparse.Namespace) -> Plan:
    """The phases' sizes from the flags."""
    return Plan(rate=args.rate, seconds=args.seconds, burst_rate=args.burst_rate,
                burst_seconds=args.burst_seconds, burst=args.burst,
                concurrency=args.concurrency, intake_timeout=args.intake_timeout)


async def run(args: argparse.Namespace) -> int:
    """Measure the baseline (unless --no-baseline), then leadrelay; print the comparison."""
    print_header()
    plan = plan_of(args)
    base = await measure_baseline(args, plan) if args.baseline else None
    relay, outbox, kind = await measure_leadrelay(args, plan)
    print_table("== summary (ratio: leadrelay ÷ baseline)",
                summary_rows(base, relay, outbox, kind=kind, plan=plan))
    problems = broken(base, relay, outbox)
    for problem in problems:
        print(f"broken    : {problem}")
    print_load_after()
    return 1 if problems else 0


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = bench_parser(__doc__)
    parser.add_argument("--rate", type=float, default=20.0,
                        help="leads per second in the speed-to-lead phase (default 20)")
    parser.add_argument("--seconds", type=float, default=15.0,
                        help="length of the speed-to-lead phase in seconds (default 15)")
    parser.add_argument("--burst-rate", type=float, default=600.0,
                        help="leads per second in the open-loop burst (default 600)")
    parser.add_argument("--burst-seconds", type=float, default=2.0,
                        help="length of the open-loop burst in seconds (default 2)")
    add_burst(parser, burst_help="leads fired in the closed-loop intake burst (default 2000)")
    parser.add_argument("--intake-timeout", type=float, default=45.0,
                        help="give up on the closed-loop burst after this many s (default 45)")
    parser.add_argument("--drain-timeout", type=float, default=180.0,
                        help="seconds to wait for leadrelay's outbox after the bursts "
                             "(default 180)")
    parser.add_argument("--baseline", action=argparse.BooleanOptionalAction, default=True,
                        help="measure the baseline server first (default on)")
    parser.add_argument("--limits", action=argparse.BooleanOptionalAction, default=True,
                        help="the sandboxes enforce Telegram's rate limits (default on)")
    parser.add_argument("--profile-burst", action="store_true",
                        help="py-spy on leadrelay during the closed burst: its CPU by part")
    parser.add_argument("--profile", action="store_true",
                        help="py-spy on leadrelay during the fixed-rate phase")
    add_database(parser, help_text="leadrelay's database (the baseline's is always a SQLite "
                                   "file): " + DATABASE_HELP)
    args = parser.parse_args(argv)
    numbers = ("rate", "seconds", "burst_rate", "burst_seconds", "burst", "concurrency",
               "intake_timeout", "drain_timeout")
    if any(getattr(args, name) <= 0 for name in numbers):
        parser.error("--" + ", --".join(n.replace("_", "-") for n in numbers)
                     + " must be positive")
    check_database(parser, args.database)
    return args


def main() -> None:
    """Entry point."""
    run_bench(run, parse_args())


if __name__ == "__main__":
    main()
