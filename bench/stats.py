"""How fast the managers' numbers come out of a year of a large office: 1,000,000 leads.

Seeds a year (bench/kit/year.py: 60 agents in 6 teams, 8 sources, the funnel with its
drop-off, offers, escalations, first contacts, amounts won, the events each step leaves)
into a migrated database, then times each measurement of MEASUREMENTS through the real
bootstrap() App on the clock of the year's end: one warm-up, then --runs runs; it prints the
median and the max, the target and the load average. A measurement whose function this
checkout does not have yet is skipped with a line saying so. On SQLite the seeded file is
kept in bench/.cache under a key of the migrations and the seeder (--reseed seeds anew); on
a PostgreSQL server URL the run seeds a database of its own and drops it at the end.
--statements lists each call's slowest SQL statements, --explain adds their plans.

    python bench/stats.py [--leads 1000000] [--runs 5] [--only "/stats 30d" ...]
                          [--statements] [--explain] [--reseed] [--database sqlite|URL]
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import statistics
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.kit.cli import add_database, bench_parser, check_database, run_bench
from bench.kit.database import engine_at, workspace
from bench.kit.figures import (
    database_facts,
    load_average,
    print_header,
    print_load_after,
    print_table,
)
from bench.kit.statements import plan_of, statements_of
from bench.kit.stats_measures import MEASUREMENTS, Context, Measurement, run_child
from bench.kit.year_office import AGENT_IDS, MANAGER_IDS
from bench.kit.year_seed import FixedClock, Seeded, cached_year, describe, office_of, seed_year
from core.app import App
from leadrelay.bootstrap import bootstrap, sql_uow_factory
from leadrelay.clock import SystemClock


def available(m: Measurement) -> Any | None:
    """The function *m* times, or None when this checkout does not have it."""
    module, _, name = m.where.partition(":")
    if importlib.util.find_spec(module.rsplit(".", 1)[0]) is None \
            or importlib.util.find_spec(module) is None:
        return None
    found = importlib.import_module(module)
    return getattr(found, name, None) if name else found


async def measure_all(args: argparse.Namespace, url: str, seeded: Seeded, folder: Path) -> int:
    """Time every measurement asked for; print a line each and the table at the end."""
    now = seeded.end
    config = office_of(now, folder, seed=seeded.seed)
    table: list[tuple[str, ...]] = [
        ("measurement", "runs", "median ms", "max ms", "target", "", "load avg")]
    failed = 0
    with tempfile.TemporaryDirectory(prefix="leadrelay-bench-stats-") as scratch:
        ctx = Context(manager_id=MANAGER_IDS[0], agent_id=AGENT_IDS[0], url=url, now=now,
                      config_path=folder / "year.yaml", scratch=Path(scratch), zone=config.zone)
        async with engine_at(url) as engine:
            app = bootstrap(config=config, clock=FixedClock(now),
                            uow_factory=sql_uow_factory(engine))
            for m in MEASUREMENTS:
                if args.only and m.name not in args.only:
                    continue
                found = available(m)
                if found is None:
                    print(f"skipped   : {m.name} — {m.where} is not in this checkout")
                    table.append((m.name, "-", "-", "-", m.target_text(), "not built", ""))
                    continue
                if m.child is not None:
                    row = await _child(m, found, ctx)
                else:
                    row = await _timed(args, m, found, app, ctx, engine)
                failed += row[5] == "MISSED"
                table.append(row)
            for kept in ctx.kept.values():
                await kept.close()
    print_table(f"The managers' numbers on {seeded.leads:,} leads over a year (year ends "
                f"{now:%Y-%m-%d %H:%M} UTC):", table)
    return 1 if failed and args.strict else 0


async def _timed(args: argparse.Namespace, m: Measurement, found: Any, app: App,
                 ctx: Context, engine: Any) -> tuple[str, ...]:
    """One warm-up and --runs timed calls; the statements of the last one."""
    await m.call(app, found, ctx)
    times = []
    for n in range(args.runs):
        if n == args.runs - 1 and (args.statements or args.explain):
            with statements_of(engine) as log:
                started = time.perf_counter()
                await m.call(app, found, ctx)
                times.append((time.perf_counter() - started) * 1000)
        else:
            started = time.perf_counter()
            await m.call(app, found, ctx)
            times.append((time.perf_counter() - started) * 1000)
    median, worst = statistics.median(times), max(times)
    verdict = m.verdict(median)
    print(f"measured  : {m.name}: median {median:,.0f} ms, max {worst:,.0f} ms "
          f"({', '.join(f'{t:.0f}' for t in times)}) {verdict} [load {load_average()}]")
    if args.statements or args.explain:
        async with engine.connect() as conn:
            for s in log.slowest(args.statements_shown):
                print(f"    {s.ms:8.1f} ms  {s.title()}")
                if args.explain:
                    for line in await plan_of(conn, s, analyze=args.analyze):
                        print(f"                 {line}")
    return (m.name, str(len(times)), f"{median:,.0f}", f"{worst:,.0f}", m.target_text(),
            verdict, load_average())


async def _child(m: Measurement, found: Any, ctx: Context) -> tuple[str, ...]:
    """A command in a process of its own: its seconds and its peak resident memory."""
    assert m.child is not None
    argv = m.child(found, ctx)
    seconds, peak, out = run_child(argv, ctx)
    verdict = m.verdict(peak)
    print(f"measured  : {m.name}: {seconds:.1f} s, peak RSS {peak:.0f} MiB {verdict} "
          f"[load {load_average()}]")
    for line in out.strip().splitlines()[-3:]:
        print(f"    {line}")
    return (m.name, "1", f"{seconds * 1000:,.0f}", f"peak {peak:.0f} MiB", m.target_text(),
            verdict, load_average())


async def run(args: argparse.Namespace) -> int:
    """Seed (or find the cached seed), then measure."""
    print_header()
    named = args.database.startswith("sqlite+")  # a file: its seed's figures kept beside it
    kept = Path(args.database.partition(":///")[2] if named else "x").with_suffix(".json")
    if args.database == "sqlite" or (named and kept.exists()):
        if args.database == "sqlite":
            url, seeded, fresh = await cached_year(leads=args.leads, reseed=args.reseed)
        else:  # a seeded file named (one of bench/.cache, say): measured as it is
            url, seeded, fresh = args.database, Seeded(**json.loads(kept.read_text())), False
        print(database_facts(url) + ("" if fresh else " (cached seed)"))
        for key, value in describe(seeded).items():
            print(f"{key:<10}: {value}")
        code = await measure_all(args, url, seeded, Path(url.split(":///", 1)[1]).parent)
        print_load_after()
        return code
    async with workspace(args.database, prefix="leadrelay-bench-stats-") as (tmp, db):
        print(database_facts(db.url))
        now = SystemClock().now().replace(second=0, microsecond=0)
        seeded = await seed_year(db.url, tmp, leads=args.leads, now=now)
        if named:
            kept.write_text(json.dumps(asdict(seeded), indent=1))
        for key, value in describe(seeded).items():
            print(f"{key:<10}: {value}")
        code = await measure_all(args, db.url, seeded, tmp)
    print_load_after()
    return code


def parse_args() -> argparse.Namespace:
    """The bench's flags."""
    parser = bench_parser(__doc__)
    parser.add_argument("--leads", type=int, default=1_000_000,
                        help="leads over the year (default 1,000,000)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs after a warm-up")
    parser.add_argument("--only", nargs="+", metavar="NAME",
                        help="only these measurements (their names as printed)")
    parser.add_argument("--reseed", action="store_true", help="seed again, cached or not")
    parser.add_argument("--statements", action="store_true",
                        help="list the slowest SQL statements of each call's last run")
    parser.add_argument("--statements-shown", type=int, default=6, metavar="N")
    parser.add_argument("--explain", action="store_true",
                        help="with their plans (implies --statements)")
    parser.add_argument("--analyze", action="store_true",
                        help="PostgreSQL: EXPLAIN (ANALYZE, BUFFERS), running each again")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    add_database(parser, help_text="'sqlite' (the cached seed in bench/.cache), a seeded "
                 "SQLite file's sqlite+aiosqlite:/// URL (with its .json beside it: measured "
                 "as it is), or a postgresql+asyncpg:// server URL, on which the run seeds a "
                 "database of its own and drops it at the end")
    args = parser.parse_args()
    check_database(parser, args.database)
    return args


def main() -> None:
    """Run the bench."""
    run_bench(run, parse_args())


if __name__ == "__main__":
    main()
