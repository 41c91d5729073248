"""Measure the resident memory of a running leadrelay with 100,000 open leads in its database.

The script seeds a fresh SQLite database directly (bulk executemany, not through intake) with
the office of bench/speed_to_lead.py (40 agents and 1 manager, every chat linked) and
--leads open leads, each with its contact, offers, history, a sent outbox row and its
sent_messages ref. Then it starts leadrelay (`python -m leadrelay.cli run`) on it against the
Bot API sandbox, posts a few leads so the normal paths run, and reads VmRSS / VmHWM of the
process from /proc. The same steps on a database with only the roster show what the leads add.

    python bench/memory.py [--leads 100000] [--posts 200] [--rate 10] [--settle 10] [--manager]
"""

from __future__ import annotations

import argparse
import asyncio
import shlex
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import aiohttp

# Run as `python bench/memory.py`: make the project root importable for `bench.*`.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.kit.cli import bench_parser, run_bench
from bench.kit.database import database_size, engine_at, sqlite_url
from bench.kit.figures import (
    database_facts,
    print_header,
    print_load_after,
    print_table,
    statuses_text,
)
from bench.kit.load import open_loop
from bench.kit.meters import Sample, read_memory
from bench.kit.office import AGENT_IDS, BOT_TOKEN, phones, write_office
from bench.kit.process import Leadrelay, distinct_problems, relay_env
from bench.kit.seed import seed_open_leads, seeded_counts
from bench.kit.watch import OfferWatch, escalated_to_manager, link_agents, manager_command
from sandbox import BotApiSandbox, TelegramLimits

TARGET_RSS_MB = 150.0
MANAGER_COMMANDS = ("/pending", "/stats 30d")  # with --manager: they read many leads at once


# --------------------------------------------------------------------------------------------
# One leadrelay run on one database
# --------------------------------------------------------------------------------------------


@dataclass
class RunResult:
    """What one leadrelay run on one database gave."""

    name: str
    counts: dict[str, str]
    seed_s: float
    up_s: float
    samples: list[Sample]
    statuses: str
    offers: int
    created: int
    probes: list[str]
    exit_code: int | None
    problems: str

    @property
    def end(self) -> Sample:
        """The sample at the end of the run (before any --manager commands)."""
        return next(s for s in self.samples if s.label == "end")

    def after_end(self) -> list[Sample]:
        """The samples taken after the manager's commands (--manager), if any."""
        return self.samples[self.samples.index(self.end) + 1:]


async def measure(name: str, *, total: int, args: argparse.Namespace) -> RunResult:
    """Seed a fresh database, run leadrelay on it, post leads and sample its memory."""
    print(f"\n== {name}")
    with tempfile.TemporaryDirectory(prefix="leadrelay-memory-") as tmp_dir:
        tmp = Path(tmp_dir)
        url = sqlite_url(tmp)
        print(database_facts(url))
        config = write_office(tmp / "office.yaml")
        async with engine_at(url) as engine:
            seed_s = await seed_open_leads(engine, config, total=total)
            counts = await seeded_counts(engine)
        size = database_size(tmp)
        print(f"seeded    : in {seed_s:.1f}s, database files {size:.0f} MiB")
        for table, text in counts.items():
            print(f"  {table:<14}: {text}")
        sandbox = BotApiSandbox(token=BOT_TOKEN, limits=TelegramLimits())
        await sandbox.start()
        watch = OfferWatch()
        sandbox.listeners.append(watch)
        env = relay_env(sandbox.url, url, config, AUDIT_SECONDS=str(args.audit))
        relay = Leadrelay(env=env, log_path=tmp / "leadrelay.log", cwd=tmp)
        samples: list[Sample] = []
        probes: list[str] = []
        statuses, created, code, took = "none", 0, None, 0.0
        ids: list[int] = []
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
                launched = time.monotonic()
                up = await relay.start(session, within=120)
                await link_agents(sandbox, within=30)
                print(f"leadrelay : pid {relay.pid}, {shlex.join(relay.argv[1:])}, /healthz "
                      f"after {up:.2f}s, {len(AGENT_IDS) + 1} chats linked "
                      f"(SWEEP_SECONDS=5, AUDIT_SECONDS={args.audit:g})")
                samples.append(read_memory(relay.pid, "after start", launched))
                url_leads = f"{relay.base}/webhooks/leads"
                numbers = phones("532")
                tasks = await open_loop(session, url_leads, numbers, count=args.posts,
                                        rate=args.rate, start=time.monotonic())
                posted = await asyncio.gather(*tasks)
                statuses = statuses_text(Counter(p.status for p in posted))
                ids = [p.lead_id for p in posted if p.lead_id is not None]
                created = len(ids)
                await watch.wait_all(ids, time.monotonic() + 10)
                await asyncio.sleep(args.settle)
                label = f"after {args.posts} posts + {args.settle:g}s"
                samples.append(read_memory(relay.pid, label, launched))
                for path in ("/metrics", "/readyz"):
                    sent = time.monotonic()
                    async with session.get(relay.base + path) as reply:
                        body = await reply.read()
                    probes.append(f"GET {path}: {reply.status}, {len(body):,} bytes, "
                                  f"{(time.monotonic() - sent) * 1000:.0f} ms")
                samples.append(read_memory(relay.pid, "after /metrics, /readyz", launched))
                await asyncio.sleep(args.settle)
                samples.append(read_memory(relay.pid, "end", launched))
                if args.manager:
                    for command in MANAGER_COMMANDS:
                        probes.append(await manager_command(sandbox, command))
                        samples.append(read_memory(relay.pid, f"after manager {command}",
                                                   launched))
        finally:
            code, took = await relay.stop()
            await sandbox.stop()
            problems = distinct_problems(relay.log_path)
            problem_text = f"{len(problems)} distinct, sandbox errors {len(sandbox.errors)}"
            for problem in problems:
                problem_text += "\n    " + problem
        offers_seen = sum(1 for lead in ids if lead in watch.seen)
        escalated = escalated_to_manager(sandbox, set(ids))
        print(f"posted    : {args.posts} leads at {args.rate:g}/s: {statuses}; first message "
              f"(offer or escalation) delivered for {offers_seen} of the {created} by the end "
              f"of the run; {escalated} went to the manager")
        for probe in probes:
            print(f"probe     : {probe}")
        print("memory (MiB):")
        for sample in samples:
            print(sample.line())
        print(f"leadrelay : stopped with SIGTERM, exit code {code}, in {took:.2f}s")
        print(f"warnings  : in leadrelay's log: {problem_text}")
        return RunResult(name, counts, seed_s, up, samples, statuses, offers_seen, created,
                         probes, code, problem_text)


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def report(empty: RunResult, full: RunResult, *, total: int) -> None:
    """Print the comparison and the summary table against the target."""
    def peak_rss(run: RunResult) -> float:
        return max(s.rss for s in run.samples[:run.samples.index(run.end) + 1])

    added = full.end.rss - empty.end.rss
    rows = [
        ("", "empty database", f"{total:,} open leads", "target", ""),
        ("/healthz after", f"{empty.up_s:.2f} s", f"{full.up_s:.2f} s", "", ""),
        ("VmRSS after start", f"{empty.samples[0].rss:.1f} MiB",
         f"{full.samples[0].rss:.1f} MiB", "", ""),
        ("VmRSS at end", f"{empty.end.rss:.1f} MiB", f"{full.end.rss:.1f} MiB",
         f"≤ {TARGET_RSS_MB:g} MiB", "met" if full.end.rss <= TARGET_RSS_MB else "MISSED"),
        ("highest VmRSS sampled", f"{peak_rss(empty):.1f} MiB", f"{peak_rss(full):.1f} MiB",
         f"≤ {TARGET_RSS_MB:g} MiB", "met" if peak_rss(full) <= TARGET_RSS_MB else "MISSED"),
        ("peak VmHWM (at end)", f"{empty.end.hwm:.1f} MiB", f"{full.end.hwm:.1f} MiB",
         f"≤ {TARGET_RSS_MB:g} MiB", "met" if full.end.hwm <= TARGET_RSS_MB else "MISSED"),
        ("added by the leads (end)", "", f"{added:+.1f} MiB", "", ""),
        *((f"VmRSS {a.label}", f"{a.rss:.1f} MiB", f"{b.rss:.1f} MiB",
           f"≤ {TARGET_RSS_MB:g} MiB", "met" if b.rss <= TARGET_RSS_MB else "MISSED")
          for a, b in zip(empty.after_end(), full.after_end(), strict=True)),
        *((f"peak VmHWM {a.label}", f"{a.hwm:.1f} MiB", f"{b.hwm:.1f} MiB",
           f"≤ {TARGET_RSS_MB:g} MiB", "met" if b.hwm <= TARGET_RSS_MB else "MISSED")
          for a, b in zip(empty.after_end()[-1:], full.after_end()[-1:], strict=True)),
        ("posted leads with a message by the end", f"{empty.offers}/{empty.created}",
         f"{full.offers}/{full.created}", "", ""),
    ]
    print_table("== summary (MiB = 2^20 bytes; VmHWM is the highest RSS since the process "
                "started)", rows)


async def run(args: argparse.Namespace) -> int:
    """Measure on an empty database, then on one with --leads open leads, and print both."""
    print_header()
    empty = await measure("empty database (roster only)", total=0, args=args)
    full = await measure(f"{args.leads:,} open leads", total=args.leads, args=args)
    report(empty, full, total=args.leads)
    print_load_after()
    return 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = bench_parser(__doc__)
    parser.add_argument("--leads", type=int, default=100_000,
                        help="open leads to seed (default 100000)")
    parser.add_argument("--posts", type=int, default=200,
                        help="leads posted through the webhook once it runs (default 200)")
    parser.add_argument("--rate", type=float, default=10.0,
                        help="leads per second for those posts (default 10)")
    parser.add_argument("--settle", type=float, default=10.0,
                        help="seconds to wait after the posts and before the end (default 10)")
    parser.add_argument("--audit", type=float, default=10.0,
                        help="AUDIT_SECONDS for leadrelay, so the auditor runs (default 10)")
    parser.add_argument("--manager", action="store_true",
                        help="at the end, the manager also sends " + " and ".join(
                            MANAGER_COMMANDS) + ", each sampled after (default off)")
    args = parser.parse_args(argv)
    if args.leads < 0 or args.posts <= 0 or args.rate <= 0 or args.settle < 0:
        parser.error("--leads must be ≥ 0, --posts and --rate positive, --settle ≥ 0")
    return args


def main() -> None:
    """Entry point."""
    run_bench(run, parse_args())


if __name__ == "__main__":
    main()
