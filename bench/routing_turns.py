"""How fast one routing turn works off a backlog: the part of intake that does not scale out.

Stores a backlog of leads without routing them (as a burst through several instances
leaves it), then routes it in turns of up to 500 leads, as the instances' routing loops do,
and prints the leads routed per second and the time per turn. Intake grows with instances;
routing is one turn at a time on the routing row, so this is the ceiling for N instances.

    python bench/routing_turns.py --database postgresql+asyncpg://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import shlex
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.kit.cli import run_bench
from bench.kit.database import bench_database
from bench.kit.figures import machine_facts, percentile, safe_url
from bench.kit.office import SOURCE_TOKEN, lead_payload, office_yaml, phones
from core import services
from core.clock import SystemClock
from core.config import OfficeConfig
from leadrelay.bootstrap import bootstrap, sql_uow_factory
from storage.db import create_engine
from storage.migrate import upgrade


async def run(args: argparse.Namespace) -> int:
    """Store the backlog, route it, print the figures."""
    print("command   : " + shlex.join([Path(sys.executable).name, *sys.argv]))
    for line in machine_facts():
        print(line)
    with tempfile.TemporaryDirectory(prefix="leadrelay-bench-turns-") as tmp:
        async with bench_database(args.database, Path(tmp)) as database:
            return await _route_backlog(args, database.url)


async def _route_backlog(args: argparse.Namespace, url: str) -> int:
    """Store the backlog on *url*, then route it in turns."""
    print(f"database  : {safe_url(url)}")
    engine = create_engine(url)
    try:
        await upgrade(engine)
        config = OfficeConfig.model_validate(office_yaml())
        relay = bootstrap(config=config, clock=SystemClock(),
                          uow_factory=sql_uow_factory(engine))
        await relay.sync_roster()
        for person in config.agents:
            await relay.link_chat(telegram_id=person.telegram_id,
                                  chat_id=person.telegram_id)
        numbers = phones("537")
        for start in range(0, args.backlog, 100):
            batch = [services.admit_lead(relay.deps, source_token=SOURCE_TOKEN,
                                         payload=lead_payload(next(numbers)))
                     for _ in range(min(100, args.backlog - start))]
            await services.store_leads(relay.uow(), relay.deps, batch)
        turns: list[float] = []
        routed = 0
        started = time.perf_counter()
        while True:
            began = time.perf_counter()
            n = await services.route_new_leads(relay.uow(), relay.deps, limit=args.turn)
            if not n:
                break
            turns.append(time.perf_counter() - began)
            routed += n
        took = time.perf_counter() - started
    finally:
        await engine.dispose()
    print(f"backlog of {args.backlog} stored leads, turns of up to {args.turn}: "
          f"{routed} routed in {took:.2f} s = {routed / took:.0f} leads/s")
    print(f"time per turn: p50 {percentile(turns, 50) * 1000:.0f} ms, "
          f"max {max(turns) * 1000:.0f} ms over {len(turns)} turns")
    return 0 if routed == args.backlog else 1


def main() -> None:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="sqlite",
                        help="'sqlite' (a new file, the default) or a PostgreSQL server URL, "
                             "where the bench makes a database of its own and drops it")
    parser.add_argument("--backlog", type=int, default=8000, help="leads stored (8000)")
    parser.add_argument("--turn", type=int, default=services.ROUTING_BATCH,
                        help=f"leads per routing turn ({services.ROUTING_BATCH})")
    run_bench(run, parser.parse_args())


if __name__ == "__main__":
    main()
