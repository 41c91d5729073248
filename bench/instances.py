"""Intake with one leadrelay instance and with two sharing one PostgreSQL database.

Each phase starts from an empty schema, starts the instance(s) against the Bot API sandbox
(Telegram's limits on; two instances take half of the per-bot message budget each), links
the office's chats, fires a burst of leads spread over the instances, and prints the leads
answered 201 per second. On a 2-core machine both instances and PostgreSQL share the same
cores, so two cannot take in more than one; the question is that they take in no less.

    python bench/instances.py --database postgresql+asyncpg://postgres@127.0.0.1:5432/postgres

The bench makes a database of its own on that server and drops it at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections import Counter
from pathlib import Path

import aiohttp
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.kit.cli import add_burst, add_database, bench_parser, check_database, run_bench
from bench.kit.database import BenchDatabase, engine_at, workspace
from bench.kit.figures import TARGET_INTAKE_PER_S, print_header, safe_url
from bench.kit.load import post_lead
from bench.kit.office import BOT_TOKEN, phones, write_office
from bench.kit.process import Leadrelay, free_port, relay_env
from bench.kit.watch import link_agents
from sandbox import BotApiSandbox, TelegramLimits


async def phase(database: BenchDatabase, tmp: Path, *, instances: int, burst: int,
                concurrency: int, prefix: str) -> tuple[float, float, Counter[str]]:
    """Run *instances* processes, fire the burst across them; (leads/s answered 201, leads/s
    routed — from the first request until no lead waits to be routed —, statuses)."""
    await database.empty()
    url = database.url
    config = write_office(tmp / "office.yaml")
    async with BotApiSandbox(token=BOT_TOKEN, limits=TelegramLimits()) as sandbox:
        env = relay_env(sandbox.url, url, config,
                        TELEGRAM_MESSAGES_PER_SECOND=f"{30 // instances}")
        relays = [Leadrelay(env={**env, "HTTP_PORT": str(free_port())},
                            log_path=tmp / f"leadrelay-{instances}-{n}.log", cwd=tmp)
                  for n in range(instances)]
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
            try:
                await relays[0].start(session, within=30)
                await link_agents(sandbox, within=60)  # one poller while people press Start
                for relay in relays[1:]:
                    await relay.start(session, within=30)
                numbers = phones(prefix)
                queue = iter([next(numbers) for _ in range(burst)])
                results = []

                async def worker(n: int) -> None:
                    target = relays[n % instances]
                    for phone in queue:
                        results.append(await post_lead(
                            session, f"{target.base}/webhooks/leads", phone))

                started = time.monotonic()
                await asyncio.gather(*(worker(n) for n in range(concurrency)))
                took = time.monotonic() - started
                routed = await until_routed(url, within=120) - started
            finally:
                for relay in relays:
                    await relay.stop()
    statuses = Counter(r.status for r in results)
    return statuses["201"] / took, statuses["201"] / routed, statuses


async def until_routed(url: str, *, within: float) -> float:
    """The monotonic time at which no stored lead waits to be routed any more."""
    async with engine_at(url) as engine:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            async with engine.connect() as conn:
                waiting = (await conn.execute(text(
                    "SELECT count(*) FROM leads WHERE status = 'new'"))).scalar_one()
            if not waiting:
                return time.monotonic()
            await asyncio.sleep(0.01)
        raise TimeoutError(f"{waiting} lead(s) still waiting to be routed after {within} s")


async def run(args: argparse.Namespace) -> int:
    """Both phases, printed."""
    print_header()
    rates, routed = {}, {}
    async with workspace(args.database, prefix="leadrelay-bench-instances-") as (tmp, database):
        print(f"database  : {safe_url(database.url)}")
        for count, prefix in ((1, "535"), (2, "536")):
            rate, routing, statuses = await phase(
                database, tmp, instances=count, burst=args.burst,
                concurrency=args.concurrency, prefix=prefix)
            rates[count], routed[count] = rate, routing
            print(f"{count} instance(s): {args.burst} leads, {args.concurrency} in "
                  f"flight: {rate:.0f} leads/s answered 201, {routing:.0f} leads/s "
                  f"routed ({dict(statuses)})")
    print("\n== summary")
    print(f"  one instance     {rates[1]:.0f} leads/s taken in, {routed[1]:.0f} routed   "
          f"target ≥ {TARGET_INTAKE_PER_S:g}")
    for what, figures in (("taken in", rates), ("routed", routed)):
        verdict = "met" if figures[2] >= 0.95 * figures[1] else "MISSED"
        print(f"  two instances    {figures[2]:.0f} leads/s {what}   no lower than one "
              f"(±5 %): {verdict}")
    return 0


def main() -> None:
    """Entry point."""
    parser = bench_parser(__doc__)
    add_database(parser, required=True,
                 help_text="a postgresql+asyncpg:// URL of the server; the bench makes a "
                           "database of its own there and drops it at the end")
    add_burst(parser, burst_help="leads per phase (2000)",
              concurrency_help="requests in flight (default 64)")
    args = parser.parse_args()
    check_database(parser, args.database, postgresql_only=True)
    run_bench(run, args)


if __name__ == "__main__":
    main()
