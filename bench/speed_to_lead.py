"""Measure speed to lead (webhook to Telegram offer) and intake rate of a running leadrelay.

The bench process hosts the Bot API sandbox and the load generator; leadrelay runs as a
separate process (`python -m leadrelay.cli run`) against a fresh database, exactly as it would
in production except that "Telegram" is the sandbox. Both timestamps of a latency sample (the
request about to be sent, the sandbox receiving the offer's sendMessage) are taken with
time.monotonic() in this process, so they share one clock.

    python bench/speed_to_lead.py [--rate 20] [--seconds 15] [--burst 2000] [--database sqlite|URL]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import shlex
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp

# Run as `python bench/speed_to_lead.py`: make the project root importable for `bench.*`.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.kit.cli import add_burst, add_database, bench_parser, check_database, run_bench
from bench.kit.database import workspace
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
from bench.kit.load import Posted, fire, post_lead
from bench.kit.meters import CpuMeter
from bench.kit.office import AGENT_IDS, BOT_TOKEN, phones, write_office
from bench.kit.process import Leadrelay, relay_env, stop_and_report
from bench.kit.profile import py_spy, summarize_profile
from bench.kit.speed import OFFER_TIMEOUT_S, WARMUP_LEADS, SpeedResult, speed_to_lead, warm_up
from bench.kit.watch import OfferWatch, link_agents
from sandbox import BotApiSandbox, TelegramLimits

# The 41 welcomes went out as one burst: never more than 30 in any second, and each chat's
# next message a window after its welcome. Measuring starts once those windows have passed,
# or the first offers would wait for the welcomes, not for leadrelay.
SETTLE_S = 2.5
TARGET_P99_MS = 50.0
TARGET_DELIVERY_PER_S = 28.0


# --------------------------------------------------------------------------------------------
# Phase 1: speed to lead at a fixed rate
# --------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------
# Phase 2: intake burst and outbox drain
# --------------------------------------------------------------------------------------------


@dataclass
class BurstResult:
    """Figures of the burst phase."""

    planned: int
    concurrency: int
    statuses: Counter[str]
    intake_s: float
    created_ids: list[int]
    offers_at_intake_end: int
    offers_seen: int
    delivery_s: float | None
    drain_after_intake_s: float | None
    first_offer_to_last_s: float | None
    offer_ms: list[float]
    answer_ms: list[float]
    cpu_intake: tuple[float, float]
    cpu_drain: tuple[float, float]
    complete: bool

    @property
    def created(self) -> int:
        """Leads answered 201."""
        return len(self.created_ids)

    @property
    def intake_rate(self) -> float:
        """Leads answered 201 per second of the intake window."""
        return self.created / self.intake_s if self.intake_s > 0 else math.nan

    @property
    def delivery_rate(self) -> float:
        """Offers delivered per second, from the first offer of the burst to its last."""
        if not self.first_offer_to_last_s:
            return math.nan
        return (self.offers_seen - 1) / self.first_offer_to_last_s


async def intake_burst(relay: Leadrelay, watch: OfferWatch, numbers: Iterator[str], *,
                       total: int, concurrency: int, intake_timeout: float,
                       drain_timeout: float) -> BurstResult:
    """Fire *total* leads with *concurrency* in flight, then wait for the outbox to drain."""
    url = f"{relay.base}/webhooks/leads"
    phone_list = [next(numbers) for _ in range(total)]

    async def post(session: aiohttp.ClientSession, phone: str) -> Posted:
        return await post_lead(session, url, phone)

    meter = CpuMeter(relay.pid)
    started = time.monotonic()
    results, complete = await fire(phone_list, post, concurrency=concurrency,
                                   timeout_s=intake_timeout)
    first_sent = min((r.sent_at for r in results), default=started)
    intake_end = max((r.answered_at for r in results), default=time.monotonic())
    cpu_intake = meter.read()
    created = [r for r in results if r.lead_id is not None]
    ids = [r.lead_id for r in created if r.lead_id is not None]
    drain_meter = CpuMeter(relay.pid)
    await watch.wait_all(ids, time.monotonic() + drain_timeout)
    cpu_drain = drain_meter.read()
    seen = [watch.seen[lead] for lead in ids if lead in watch.seen]
    last = max(seen, default=None)
    first = min(seen, default=None)
    complete = complete and len(seen) == len(ids)
    return BurstResult(
        planned=total, concurrency=concurrency, statuses=Counter(r.status for r in results),
        intake_s=intake_end - first_sent, created_ids=ids,
        offers_at_intake_end=sum(1 for at in seen if at <= intake_end), offers_seen=len(seen),
        delivery_s=None if last is None else last - first_sent,
        drain_after_intake_s=None if last is None else max(0.0, last - intake_end),
        first_offer_to_last_s=None if last is None or first is None else last - first,
        offer_ms=[(watch.seen[r.lead_id] - r.sent_at) * 1000 for r in created
                  if r.lead_id is not None and r.lead_id in watch.seen],
        answer_ms=[(r.answered_at - r.sent_at) * 1000 for r in created],
        cpu_intake=cpu_intake, cpu_drain=cpu_drain, complete=complete)


# --------------------------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------------------------


def report(speed: SpeedResult, burst: BurstResult, *, rate: float, kind: str,
           limited: int | None) -> None:
    """Print both phases and the summary table against the issue's targets."""
    print()
    print(f"== speed to lead: {speed.planned} leads at {rate:g}/s "
          f"(sent over {speed.send_span:.2f}s; {WARMUP_LEADS} warm-up leads not counted)")
    print(f"  answered         : {statuses_text(speed.statuses)}")
    print(f"  201 answer ms    : p50/p90/p99/max = {spread(speed.answer_ms)}")
    print(f"  offers measured  : {len(speed.offer_ms)} of {speed.created}")
    print(f"  to offer ms      : p50/p90/p99/max = {spread(speed.offer_ms)}")
    print(f"  no offer in {OFFER_TIMEOUT_S:g}s  : {speed.no_offer}")
    print(f"  CPU (% of 1 core): leadrelay {speed.cpu[0]:.0f}%, bench+sandbox {speed.cpu[1]:.0f}%")
    print()
    print(f"== intake burst: {burst.planned} leads, {burst.concurrency} in flight"
          + ("" if burst.complete else " (INCOMPLETE: timed out)"))
    print(f"  answered         : {statuses_text(burst.statuses)}")
    print(f"  intake           : {burst.created} answered 201 in {burst.intake_s:.2f}s "
          f"= {burst.intake_rate:.0f} leads/s")
    print(f"  201 answer ms    : p50/p90/p99/max = {spread(burst.answer_ms)}")
    print(f"  offers delivered : {burst.offers_at_intake_end} by the end of intake, "
          f"{burst.offers_seen} of {burst.created} in all")
    if burst.delivery_s is not None and burst.drain_after_intake_s is not None:
        print(f"  outbox drained   : {burst.delivery_s:.2f}s after the first request "
              f"({burst.drain_after_intake_s:.2f}s after the last 201); "
              f"{burst.delivery_rate:.1f} offers/s from the first offer to the last")
    print(f"  to offer ms      : p50/p90/p99/max = {spread(burst.offer_ms)}")
    print(f"  CPU (% of 1 core): intake: leadrelay {burst.cpu_intake[0]:.0f}%, "
          f"bench+sandbox {burst.cpu_intake[1]:.0f}%; drain: leadrelay "
          f"{burst.cpu_drain[0]:.0f}%, bench+sandbox {burst.cpu_drain[1]:.0f}%")
    p99 = percentile(speed.offer_ms, 99)
    rows = [
        ("database", kind, "", ""),
        (f"speed to lead p50 @ {rate:g}/s", f"{percentile(speed.offer_ms, 50):.1f} ms", "", ""),
        (f"speed to lead p99 @ {rate:g}/s", f"{p99:.1f} ms", f"≤ {TARGET_P99_MS:g} ms",
         "met" if p99 <= TARGET_P99_MS and speed.no_offer == 0 else "MISSED"),
        (f"no offer within {OFFER_TIMEOUT_S:g}s", str(speed.no_offer), "0",
         "met" if speed.no_offer == 0 else "MISSED"),
        ("intake (201/s, burst)", f"{burst.intake_rate:.0f} leads/s",
         f"≥ {TARGET_INTAKE_PER_S:g} leads/s",
         "met" if burst.intake_rate >= TARGET_INTAKE_PER_S else "MISSED"),
        ("intake errors", str(sum(n for s, n in burst.statuses.items() if s != "201")), "0", ""),
    ]
    if limited is None:
        rows.append(("outbox delivery (no limits)", f"{burst.delivery_rate:.1f} msgs/s", "", ""))
    else:
        rows += [
            ("outbox delivery (Telegram limits)", f"{burst.delivery_rate:.1f} msgs/s",
             f"≥ {TARGET_DELIVERY_PER_S:g} msgs/s",
             "met" if burst.delivery_rate >= TARGET_DELIVERY_PER_S else "MISSED"),
            ("429 answered by the sandbox", str(limited), "0", "met" if limited == 0 else "MISSED"),
        ]
    print_table("== summary", rows)


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


async def run(args: argparse.Namespace) -> int:
    """Start the sandbox and leadrelay, run both phases, print, and stop everything."""
    print_header()
    async with workspace(args.database, prefix="leadrelay-bench-") as (tmp, database):
        return await _run_on(args, tmp, database.url)


async def _run_on(args: argparse.Namespace, tmp: Path, url: str) -> int:
    """Both phases against leadrelay on the database at *url*."""
    kind = "SQLite" if url.startswith("sqlite") else "PostgreSQL"
    print(database_facts(url))
    config = write_office(tmp / "office.yaml")
    sandbox = BotApiSandbox(token=BOT_TOKEN,
                            limits=TelegramLimits() if args.limits else None)
    await sandbox.start()
    print(f"sandbox   : {sandbox.url} (validating against the Bot API spec: "
          f"{'yes' if sandbox.validating else 'no'}; Telegram's rate limits: "
          f"{'on' if args.limits else 'off'})")
    watch = OfferWatch()
    sandbox.listeners.append(watch)
    relay = Leadrelay(env=relay_env(sandbox.url, url, config), log_path=tmp / "leadrelay.log",
                      cwd=tmp)
    numbers = phones("532")
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
            up = await relay.start(session, within=30)
            await link_agents(sandbox, within=15)
            await asyncio.sleep(SETTLE_S)
            print(f"leadrelay : pid {relay.pid}, {shlex.join(relay.argv[1:])}, "
                  f"/healthz after {up:.2f}s, {len(AGENT_IDS) + 1} chats linked")
            await warm_up(session, f"{relay.base}/webhooks/leads", watch, numbers)
            spy_out = tmp / "py-spy.txt"
            spy = await py_spy(relay.pid, int(args.seconds), spy_out) if args.profile else None
            speed = await speed_to_lead(session, relay, watch, numbers,
                                        rate=args.rate, seconds=args.seconds)
            if spy is not None:
                await asyncio.wait_for(spy.wait(), 30)
                print("\n".join(summarize_profile(spy_out, top=40)))
        burst = await intake_burst(relay, watch, numbers, total=args.burst,
                                   concurrency=args.concurrency,
                                   intake_timeout=args.intake_timeout,
                                   drain_timeout=args.drain_timeout)
    finally:
        await stop_and_report(relay, sandbox, refused=watch.rejected)
    report(speed, burst, rate=args.rate, kind=kind,
           limited=len(sandbox.rate_limited) if args.limits else None)
    print_load_after()
    return 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = bench_parser(__doc__)
    parser.add_argument("--rate", type=float, default=20.0,
                        help="leads per second in the speed-to-lead phase (default 20)")
    parser.add_argument("--seconds", type=float, default=15.0,
                        help="length of the speed-to-lead phase in seconds (default 15)")
    add_burst(parser)
    parser.add_argument("--intake-timeout", type=float, default=45.0,
                        help="give up on the burst's requests after this many s (default 45)")
    parser.add_argument("--drain-timeout", type=float, default=120.0,
                        help="seconds to wait for the outbox after the burst (default 120)")
    parser.add_argument("--limits", action=argparse.BooleanOptionalAction, default=True,
                        help="the sandbox enforces Telegram's rate limits (default on)")
    parser.add_argument("--profile", action="store_true",
                        help="py-spy on leadrelay during the fixed-rate phase")
    add_database(parser)
    args = parser.parse_args(argv)
    if args.rate <= 0 or args.seconds <= 0 or args.burst <= 0 or args.concurrency <= 0:
        parser.error("--rate, --seconds, --burst and --concurrency must be positive")
    check_database(parser, args.database)
    return args


def main() -> None:
    """Entry point."""
    run_bench(run, parse_args())


if __name__ == "__main__":
    main()
