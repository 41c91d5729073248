"""How fast one routing turn works off a backlog: the part of intake that does not scale out.

Stores a backlog of leads without routing them (as a burst through several instances
leaves it), then routes it in turns of up to 500 leads, as the instances' routing loops do,
and prints the leads routed per second and the time per turn. Intake grows with instances;
routing is one turn at a time on the routing row, so this is the ceiling for N instances.

    python bench/routing_turns.py --database postgresql+asyncpg://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.kit.cli import add_database, bench_parser, run_bench
from bench.kit.database import engine_at, workspace
from bench.kit.figures import percentile, print_header, safe_url
from bench.kit.office import SOURCE_TOKEN, lead_payload, office_yaml, phones
from bench.kit.seed import linked_relay
from core.config import OfficeConfig
from core.lifecycle.intake import admit_lead, store_leads
from core.lifecycle.routing import ROUTING_BATCH, route_new_leads


async def run(args: argparse.Namespace) -> int:
    """Store the backlog, route it, print the figures."""
    print_header()
    async with workspace(args.database, prefix="leadrelay-bench-turns-") as (_, database):
        return await _route_backlog(args, database.url)


async def _route_backlog(args: argparse.Namespace, url: str) -> int:
    """Store the backlog on *url*, then route it in turns."""
    print(f"database  : {safe_url(url)}")
    async with engine_at(url) as engine:
        relay = await linked_relay(engine, OfficeConfig.model_validate(office_yaml()))
        numbers = phones("537")
        for start in range(0, args.backlog, 100):
            batch = [admit_lead(relay.deps, source_token=SOURCE_TOKEN,
                                         payload=lead_payload(next(numbers)))
                     for _ in range(min(100, args.backlog - start))]
            await store_leads(relay.uow(), relay.deps, batch)
        turns: list[float] = []
        routed = 0
        started = time.perf_counter()
        while True:
            began = time.perf_counter()
            n = await route_new_leads(relay.uow(), relay.deps, limit=args.turn)
            if not n:
                break
            turns.append(time.perf_counter() - began)
            routed += n
        took = time.perf_counter() - started
    print(f"backlog of {args.backlog} stored leads, turns of up to {args.turn}: "
          f"{routed} routed in {took:.2f} s = {routed / took:.0f} leads/s")
    print(f"time per turn: p50 {percentile(turns, 50) * 1000:.0f} ms, "
          f"max {max(turns) * 1000:.0f} ms over {len(turns)} turns")
    return 0 if routed == args.backlog else 1


def main() -> None:
    """Entry point."""
    parser = bench_parser(__doc__)
    add_database(parser, help_text="'sqlite' (a new file, the default) or a PostgreSQL server "
                                   "URL, where the bench makes a database of its own and drops "
                                   "it")
    parser.add_argument("--backlog", type=int, default=8000, help="leads stored (8000)")
    parser.add_argument("--turn", type=int, default=ROUTING_BATCH,
                        help=f"leads per routing turn ({ROUTING_BATCH})")
    run_bench(run, parser.parse_args())


if __name__ == "__main__":
    main()
