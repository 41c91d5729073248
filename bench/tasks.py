"""Task sweep lateness: how long after its time a task's reminder goes out, and the memory the
sweep takes, with 100,000 open leads and their tasks.

Seeds a SQLite (or PostgreSQL) database, in a child process so that its memory is not this
process's, with N owned open leads (bench/kit/seed.py) and their tasks: the system's clocks
(first contact for leads not reached yet, reclaim and outcome on every lead) and the owners'
reminders, appointments, next tries and follow-ups, all due hours to days ahead, plus tasks
already done. Then it adds a trickle of reminders coming due at --rate a second over
--seconds, and a pile of --pile due at the same instant in the middle of it (everyone's
"tomorrow 10:00"). In this process it runs the real timers (leadrelay/timers.py: the periodic
sweep and a wake-up at each reminder's time, as the process that made a task asks for one)
on the app with the wall clock, the sweep sending each reminder through
core/lifecycle/reminders.py `send_due_reminders`. Lateness is `tasks.reminded_at -
tasks.remind_at`, read from the database; peak RSS is this process's VmHWM.

    python bench/tasks.py [--leads 100000] [--seconds 60] [--rate 10] [--pile 500]
                          [--unplanned]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import time
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Table, func, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.kit.cli import add_database, bench_parser, run_bench
from bench.kit.database import engine_at, read_only, workspace
from bench.kit.figures import database_facts, percentile, print_header, print_table, spread
from bench.kit.meters import Sample, read_memory
from bench.kit.office import write_office
from bench.kit.seed import Rows, seed_open_leads
from core.app import Signals
from core.model import Stage, TaskKind
from leadrelay.bootstrap import bootstrap, sql_uow_factory
from leadrelay.clock import SystemClock
from leadrelay.office import load_office
from leadrelay.timers import Timers
from storage.repositories.work import _REMINDERS_DUE
from storage.tables import leads, tasks

CLOCK = SystemClock()  # wall time: the timers' wake-ups are wall time too
TARGET_P99_S = 1.0
TARGET_RSS_MIB = 150.0
AHEAD = timedelta(hours=2)  # the seeded tasks' reminders fall after this: none in the run
TRICKLE_KINDS = (TaskKind.REMINDER, TaskKind.APPOINTMENT, TaskKind.NEXT_TRY, TaskKind.FOLLOW_UP)
TASK_IDS_FROM = 10_000_000  # the trickle's ids, after every seeded task's


class TaskRows:
    """The tasks of each seeded batch of owned leads, as their owners and clocks left them."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.rng = random.Random(20261207)
        self.next_id = 1

    def __call__(self, rows: Rows) -> Iterable[tuple[Table, list[dict[str, Any]]]]:
        made: list[dict[str, Any]] = []
        for lead in rows.leads:
            self._tasks(made, lead)
        return [(tasks, made)]

    def _tasks(self, made: list[dict[str, Any]], lead: dict[str, Any]) -> None:
        rng, owner, stage = self.rng, lead["owner_id"], Stage(lead["stage"])
        accepted: datetime = lead["accepted_at"]

        def ahead(low_h: float, high_h: float) -> datetime:
            return self.now + AHEAD + timedelta(hours=rng.uniform(low_h, high_h))

        def task(kind: TaskKind, remind_at: datetime | None, *, due: datetime | None = None,
                 done: datetime | None = None) -> None:
            made.append({
                "id": self.next_id, "lead_id": lead["id"], "agent_id": owner,
                "kind": kind.value, "due_at": due or remind_at or self.now,
                "created_at": accepted, "done_at": done, "remind_at": remind_at,
                "reminded_at": done if done is not None and remind_at is not None else None,
                "reminders": 1 if done is not None and remind_at is not None else 0})
            self.next_id += 1

        if stage is Stage.NEW:
            task(TaskKind.FIRST_CONTACT, ahead(0, 1))
        task(TaskKind.RECLAIM, ahead(0, 7 * 24))
        task(TaskKind.OUTCOME, ahead(24, 14 * 24))
        if rng.random() < 0.5:
            task(TaskKind.FOLLOW_UP, ahead(0, 5 * 24))
        if rng.random() < 0.3:
            task(TaskKind.REMINDER, ahead(0, 3 * 24))
        if stage in (Stage.NEW, Stage.CONTACTED) and rng.random() < 0.3:
            task(TaskKind.NEXT_TRY, ahead(0, 3 * 24))
        if stage is Stage.APPOINTMENT:
            meeting = ahead(1, 7 * 24)
            task(TaskKind.APPOINTMENT, meeting - timedelta(hours=1), due=meeting)
        # What was done before: a follow-up and a reminder, closed since.
        done = accepted + timedelta(hours=rng.uniform(1, 24))
        task(TaskKind.FOLLOW_UP, done - timedelta(minutes=5), done=done)
        if rng.random() < 0.5:
            task(TaskKind.REMINDER, None, due=done, done=done)


async def seed_child(url: str, office: Path, total: int) -> None:
    """The child's work: the leads and their tasks, the counts printed."""
    async with engine_at(url) as engine:
        took = await seed_open_leads(engine, office, total=total, shares=(1.0, 0.0),
                                     more=TaskRows(CLOCK.now()))
        async with engine.connect() as conn:
            open_tasks = (await conn.execute(select(tasks.c.kind, func.count())
                                             .where(tasks.c.done_at.is_(None))
                                             .group_by(tasks.c.kind))).tuples().all()
            done = (await conn.execute(select(func.count()).select_from(tasks)
                                       .where(tasks.c.done_at.is_not(None)))).scalar_one()
    mix = ", ".join(f"{kind} {n:,}" for kind, n in sorted(open_tasks))
    print(f"seeded    : {total:,} owned open leads in {took:.1f}s; open tasks: {mix}; "
          f"done tasks {done:,}", flush=True)


async def seed(url: str, office: Path, total: int) -> None:
    """Seed in a child process: what building the rows costs is not the sweep's memory."""
    child = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--seed-into", url, "--office", str(office),
        "--leads", str(total))
    if await child.wait() != 0:
        raise RuntimeError(f"seeding failed (exit {child.returncode})")


def pile_time(args: argparse.Namespace, start: datetime) -> datetime:
    """When the pile comes due: halfway, a hair off any of the trickle's times."""
    return start + timedelta(seconds=args.seconds / 2, microseconds=1_357)


async def add_trickle(url: str, args: argparse.Namespace, start: datetime) -> list[datetime]:
    """The reminders coming due in the run, on random open leads: --rate a second over
    --seconds from *start*, and --pile at once halfway; their times."""
    rng = random.Random(7)
    count = round(args.rate * args.seconds)
    times = [start + timedelta(seconds=args.seconds * n / max(count, 1)) for n in range(count)]
    times += [pile_time(args, start)] * args.pile
    async with engine_at(url) as engine, engine.begin() as conn:
        # The seeded leads' ids run from 1; only the chosen ones are read, so that this
        # process's peak memory is the sweep's, not a list of every lead.
        picked = rng.sample(range(1, args.leads + 1), min(len(times), args.leads))
        owners: dict[int, int] = {}
        for start_at in range(0, len(picked), 500):
            owners.update((await conn.execute(select(leads.c.id, leads.c.owner_id).where(
                leads.c.id.in_(picked[start_at:start_at + 500])))).tuples().all())
        chosen = [lead_id for lead_id in picked if owners.get(lead_id) is not None]
        now = CLOCK.now()
        await conn.execute(insert(tasks), [
            {"id": TASK_IDS_FROM + n, "lead_id": lead_id, "agent_id": owners[lead_id],
             "kind": rng.choice(TRICKLE_KINDS).value, "due_at": at, "created_at": now,
             "remind_at": at, "reminders": 0}
            for n, (lead_id, at) in enumerate(zip(chosen * (len(times) // len(chosen) + 1),
                                                  times, strict=False))])
    return times


async def sent_times(url: str) -> list[tuple[datetime, datetime | None]]:
    """(remind_at, reminded_at) of each trickle task."""
    async with read_only(url) as conn:
        rows = await conn.execute(select(tasks.c.remind_at, tasks.c.reminded_at)
                                  .where(tasks.c.id >= TASK_IDS_FROM))
        return [(r.remind_at, r.reminded_at) for r in rows]


async def unsent(url: str) -> int:
    """How many trickle tasks wait for their reminder."""
    async with read_only(url) as conn:
        return int((await conn.execute(select(func.count()).select_from(tasks).where(
            tasks.c.id >= TASK_IDS_FROM, tasks.c.reminded_at.is_(None)))).scalar_one())


async def stray_reminders(url: str) -> int:
    """Seeded open tasks reminded in the run: none should be, as none came due."""
    async with read_only(url) as conn:
        return int((await conn.execute(select(func.count()).select_from(tasks).where(
            tasks.c.id < TASK_IDS_FROM, tasks.c.done_at.is_(None),
            tasks.c.reminded_at.is_not(None)))).scalar_one())


async def query_plan(url: str) -> str:
    """How SQLite reads the sweep's statement (the reminders due), on one line."""
    if not url.startswith("sqlite"):
        return "(PostgreSQL: not shown)"
    async with read_only(url) as conn:
        statement = str(_REMINDERS_DUE.compile(conn.sync_connection))
        rows = await conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}",
                                          (CLOCK.now().isoformat(), 200, 0))
        return "; ".join(str(r[-1]) for r in rows)


async def run(args: argparse.Namespace) -> int:
    """Seed, sweep, measure, print."""
    print_header()
    async with workspace(args.database, prefix="leadrelay-bench-tasks-") as (tmp, database):
        print(database_facts(database.url))
        office = write_office(tmp / "office.yaml")
        started = time.monotonic()
        await seed(database.url, office, args.leads)
        print(f"  seeding took {time.monotonic() - started:.1f}s (child process)")
        return await _measure(args, database.url, office)


async def _measure(args: argparse.Namespace, url: str, office: Path) -> int:
    print(f"plan      : {await query_plan(url)}")
    memory_from = time.monotonic()
    async with engine_at(url) as engine:
        timers: Timers
        signals = Signals(on_wakeup=lambda when: timers.wake_at(when))
        relay = bootstrap(config=load_office(office), clock=CLOCK,
                          uow_factory=sql_uow_factory(engine), signals=signals)
        timers = Timers(lambda: relay, sweep_seconds=args.sweep_seconds)
        first = CLOCK.now() + timedelta(seconds=3)
        times = await add_trickle(url, args, first)
        if not args.unplanned:
            for at in times:  # as the transaction that made each task asks
                timers.wake_at(at)
        timers.start()
        print(f"run       : {len(times) - args.pile:,} reminders due over {args.seconds:g}s "
              f"({args.rate:g}/s) and {args.pile:,} at once halfway; sweep every "
              f"{args.sweep_seconds:g}s" + (" and at the wake-ups the sweeps plan"
                                            if args.unplanned else
                                            " and at each reminder's time"))
        until = time.monotonic() + 3 + args.seconds + args.grace
        while time.monotonic() < until:
            await asyncio.sleep(0.5)
            if CLOCK.now() > max(times) and not await unsent(url):
                break
        await timers.shutdown()
        sample = read_memory_now(memory_from)
    found = await sent_times(url)
    lateness = sorted((s - r).total_seconds() for r, s in found if s is not None)
    pile_at = pile_time(args, first)
    trickle = [(s - r).total_seconds() for r, s in found if s is not None and r != pile_at]
    pile = [(s - r).total_seconds() for r, s in found if s is not None and r == pile_at]
    pile_sent = sorted(s for r, s in found if s is not None and r == pile_at)
    rate = (len(pile_sent) - 1) / (pile_sent[-1] - pile_sent[0]).total_seconds() \
        if len(pile_sent) > 1 and pile_sent[-1] > pile_sent[0] else float("nan")
    stray = await stray_reminders(url)
    print(f"  sent             : {len(lateness):,} of {len(found):,}; seeded tasks reminded "
          f"by mistake: {stray}")
    print(f"  lateness s       : p50/p90/p99/max = {spread(lateness, '.3f')}")
    print(f"    the trickle    : p50/p90/p99/max = {spread(trickle, '.3f')}")
    if pile:
        print(f"    the pile       : p50/p90/p99/max = {spread(pile, '.3f')}")
        print(f"  the pile's rate  : {rate:,.0f} reminders (rows) sent a second")
    print(f"  memory MiB       : VmRSS {sample.rss:.1f} now, VmHWM (peak) {sample.hwm:.1f}")
    p50, p99 = percentile(lateness, 50), percentile(lateness, 99)
    every = len(lateness) == len(found) and stray == 0
    rows = [
        ("lateness p50", f"{p50:.3f} s", "", ""),
        ("lateness p99, the trickle alone", f"{percentile(trickle, 99):.3f} s", "", ""),
        (f"lateness p99, {args.leads:,} open leads", f"{p99:.3f} s", f"≤ {TARGET_P99_S:g} s",
         "met" if p99 <= TARGET_P99_S and every else "MISSED"),
        *([("reminders (rows) sent/s, the pile", f"{rate:,.0f}", "", "")] if pile else []),
        ("peak RSS (VmHWM)", f"{sample.hwm:.1f} MiB", f"≤ {TARGET_RSS_MIB:g} MiB",
         "met" if sample.hwm <= TARGET_RSS_MIB else "MISSED"),
    ]
    print_table("== summary", rows, rstrip=False)
    return 0 if every else 1


def read_memory_now(since: float) -> Sample:
    """This process's VmRSS and VmHWM (and the rest) in MiB."""
    return read_memory(os.getpid(), "now", since)


def parse_args() -> argparse.Namespace:
    """The bench's flags."""
    parser = bench_parser(__doc__)
    parser.add_argument("--leads", type=int, default=100_000,
                        help="owned open leads, each with its tasks (default 100000)")
    parser.add_argument("--seconds", type=float, default=60.0,
                        help="seconds the trickle of reminders comes due over (default 60)")
    parser.add_argument("--rate", type=float, default=10.0,
                        help="reminders coming due a second (default 10)")
    parser.add_argument("--pile", type=int, default=500,
                        help="reminders due at the same instant halfway (default 500)")
    parser.add_argument("--sweep-seconds", type=float, default=5.0,
                        help="the periodic sweep's interval (leadrelay's default, 5)")
    parser.add_argument("--grace", type=float, default=60.0,
                        help="seconds to wait for the last reminders after the trickle")
    parser.add_argument("--unplanned", action="store_true",
                        help="plan no wake-up for the reminders, as for those made before a "
                             "restart or by another instance: only the sweeps plan them")
    parser.add_argument("--seed-into", help=argparse.SUPPRESS)
    parser.add_argument("--office", help=argparse.SUPPRESS)
    add_database(parser, help_text="'sqlite' (a fresh file) or a PostgreSQL server URL, where "
                                   "the bench makes a database of its own and drops it at the "
                                   "end")
    return parser.parse_args()


def main() -> None:
    """Entry point (and the seeding child's, with --seed-into)."""
    args = parse_args()
    if args.seed_into:
        asyncio.run(seed_child(args.seed_into, Path(args.office), args.leads))
        return
    run_bench(run, args)


if __name__ == "__main__":
    main()
