"""Escalation lateness: how long after its deadline an unanswered offer moves on.

Seeds a SQLite (or PostgreSQL) database with N pending offers whose deadlines are spread
over a window that starts after leadrelay is up, runs the real `leadrelay run` process
against the Bot API sandbox, and reads from the database when each offer was moved on
(`offers.decided_at - offers.deadline`). Then it stops leadrelay, seeds offers whose
deadlines pass while it is down, starts it again and measures how soon after the start
each of those moves on.

The offers are seeded with SQL, not posted: what is measured is the timers and the sweep,
and posting 10,000 leads would spend most of the run on Telegram's 30 messages/s.

    python bench/escalation.py [--offers 10000] [--window 120] [--overdue 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import aiohttp
from sqlalchemy import func, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.kit.cli import add_database, bench_parser, run_bench
from bench.kit.database import engine_at, read_only, workspace
from bench.kit.figures import database_facts, percentile, print_header, print_table, spread
from bench.kit.office import AGENT_IDS, BOT_TOKEN, write_office
from bench.kit.process import Leadrelay, relay_env
from bench.kit.watch import link_agents
from core.model import LeadStatus, OfferStatus
from leadrelay.clock import SystemClock
from sandbox import BotApiSandbox
from storage.migrate import upgrade
from storage.tables import contacts, leads, offers

CLOCK = SystemClock()  # wall time: leadrelay's deadlines are wall time too
TARGET_P99_S = 1.0
TARGET_RESTART_S = 5.0


@dataclass
class Lateness:
    """How late each offer of one phase moved on, in seconds."""

    seconds: list[float]
    wall_s: float

    def line(self) -> str:
        """p50 / p90 / p99 / max in seconds."""
        return spread(self.seconds, ".3f")


async def seed(url: str, *, count: int, first: datetime, step: timedelta,
               start_id: int) -> list[int]:
    """Insert *count* offered leads, each with one pending offer, deadlines *step* apart."""
    now = CLOCK.now()
    ids = list(range(start_id, start_id + count))
    async with engine_at(url) as engine, engine.begin() as conn:
            await conn.execute(insert(contacts), [
                {"id": i, "phone": f"+90534{i:07d}", "created_at": now} for i in ids])
            await conn.execute(insert(leads), [
                {"id": i, "contact_id": i, "source": "website", "received_at": now,
                 "score": 80, "temperature": "hot", "name": "Bench Lead",
                 "phone": f"+90534{i:07d}", "product": "residential", "missing": [],
                 "returning_contact": False, "status": LeadStatus.OFFERED.value,
                 "stage": "new", "version": 1, "tags": []} for i in ids])
            await conn.execute(insert(offers), [
                {"id": i, "lead_id": i, "agent_id": AGENT_IDS[i % len(AGENT_IDS)],
                 "token": secrets.token_urlsafe(6), "status": OfferStatus.PENDING.value,
                 "created_at": now, "delivered_at": now, "deadline": first + n * step,
                 "sequence": 1, "trace": {"rule": "bench"}, "kind": "offer"}
                for n, i in enumerate(ids)])
    return ids


async def moved_on(url: str, ids: list[int]) -> list[tuple[datetime, datetime]]:
    """(deadline, decided_at) of each of these offers that has expired."""
    async with read_only(url) as conn:
        rows = await conn.execute(select(offers.c.deadline, offers.c.decided_at).where(
            offers.c.id.in_(ids), offers.c.status == OfferStatus.EXPIRED.value))
        return [(r.deadline, r.decided_at) for r in rows]


async def count_expired(url: str, ids: list[int]) -> int:
    """How many of these offers have expired so far."""
    async with read_only(url) as conn:
        return int((await conn.execute(select(func.count()).select_from(offers).where(
            offers.c.id.in_(ids), offers.c.status == OfferStatus.EXPIRED.value))
        ).scalar_one())


async def wait_expired(url: str, ids: list[int], *, within: float) -> bool:
    """Poll until every offer in *ids* expired; False on time-out."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if await count_expired(url, ids) == len(ids):
            return True
        await asyncio.sleep(0.5)
    return False


async def run(args: argparse.Namespace) -> int:
    """Seed, run, measure both phases, print."""
    print_header()
    async with workspace(args.database, prefix="leadrelay-bench-esc-") as (tmp, database):
        return await _measure(args, tmp, database.url)


async def _measure(args: argparse.Namespace, tmp: Path, url: str) -> int:
    """Both phases against leadrelay on the database at *url*."""
    print(database_facts(url))
    async with engine_at(url) as engine:
        await upgrade(engine)
    # The office's SLAs (30 min) are long, so re-offers never come due in the run.
    config = write_office(tmp / "office.yaml")
    sandbox = BotApiSandbox(token=BOT_TOKEN)
    await sandbox.start()
    relay = Leadrelay(env=relay_env(sandbox.url, url, config), log_path=tmp / "leadrelay.log",
                      cwd=tmp)
    try:
        async with aiohttp.ClientSession() as session:
            await relay.start(session, within=30)
            await link_agents(sandbox, within=30)
            await relay.stop()
            # Phase 1: deadlines spread over a window that opens once leadrelay is up.
            step = timedelta(seconds=args.window / args.offers)
            first = CLOCK.now() + timedelta(seconds=15)
            live = await seed(url, count=args.offers, first=first, step=step,
                              start_id=1_000_000)
            up = await relay.start(session, within=30)
            print(f"phase 1   : {args.offers} pending offers, deadlines every "
                  f"{step.total_seconds() * 1000:.1f} ms over {args.window:g} s; "
                  f"leadrelay up in {up:.2f}s")
            started = time.monotonic()
            done = await wait_expired(url, live, within=args.window + 120)
            phase1 = [(d - dl).total_seconds() for dl, d in await moved_on(url, live)]
            result1 = Lateness(phase1, time.monotonic() - started)
            print(f"  moved on         : {len(phase1)} of {args.offers}"
                  + ("" if done else " (TIMED OUT)"))
            print(f"  lateness s       : p50/p90/p99/max = {result1.line()}")
            code, took = await relay.stop()
            print(f"  stopped          : exit {code} in {took:.2f}s")
            # Phase 2: deadlines pass while leadrelay is down.
            past = CLOCK.now() - timedelta(seconds=60)
            overdue = await seed(url, count=args.overdue, first=past,
                                 step=timedelta(seconds=55 / args.overdue),
                                 start_id=3_000_000)
            restart_at = CLOCK.now()
            up = await relay.start(session, within=30)
            await wait_expired(url, overdue, within=120)
            after = [(d - restart_at).total_seconds() for _, d in await moved_on(url,
                                                                                 overdue)]
            print(f"phase 2   : {args.overdue} offers overdue while leadrelay was down; "
                  f"up in {up:.2f}s after the start command")
            print(f"  moved on         : {len(after)} of {args.overdue}")
            print(f"  after the start s: p50/p90/p99/max = {spread(after, '.3f')}")
    finally:
        await relay.stop()
        await sandbox.stop()
        problems = relay.log_problems()
        if problems:
            print(f"warnings  : leadrelay log {dict(problems)}; the first:")
            lines = relay.log_path.read_text(errors="replace").splitlines()
            begin = next((n for n, line in enumerate(lines) if " ERROR " in line),
                         next((n for n, line in enumerate(lines) if " WARNING " in line), 0))
            print("  " + "\n  ".join(lines[begin:begin + 12]))
    p99 = percentile(phase1, 99)
    worst = max(after, default=float("nan"))
    rows = [
        (f"lateness p99, {args.offers} pending", f"{p99:.3f} s", f"≤ {TARGET_P99_S:g} s",
         "met" if p99 <= TARGET_P99_S and len(phase1) == args.offers else "MISSED"),
        (f"overdue at restart, last of {args.overdue}", f"{worst:.2f} s after start",
         f"≤ {TARGET_RESTART_S:g} s",
         "met" if worst <= TARGET_RESTART_S and len(after) == args.overdue else "MISSED"),
    ]
    print_table("== summary", rows, rstrip=False)
    return 0


def main() -> None:
    """Entry point."""
    parser = bench_parser(__doc__)
    parser.add_argument("--offers", type=int, default=10_000,
                        help="pending offers in phase 1 (default 10000)")
    parser.add_argument("--window", type=float, default=120.0,
                        help="seconds their deadlines are spread over (default 120)")
    parser.add_argument("--overdue", type=int, default=2_000,
                        help="offers that come due while leadrelay is down (default 2000)")
    add_database(parser, help_text="'sqlite' (a fresh file) or a PostgreSQL server URL, where "
                                   "the bench makes a database of its own and drops it at the "
                                   "end")
    run_bench(run, parser.parse_args())


if __name__ == "__main__":
    main()
