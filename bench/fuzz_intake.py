"""Fuzzing a running leadrelay's intake with many more hostile requests than the tests send.

Starts `python -m leadrelay.cli run` on a fresh database against the Bot API sandbox and
sends it --examples requests, one at a time, drawn by hypothesis (bench/kit/fuzz.py: JSON
and form bodies from nearly right to plain hostile, headers, content types, framing). Each
answer is held to the intake's rules: never a 5xx; a 201 is a new lead stored whole (with
its contact and its `received` event), a 200 a lead stored before; a 4xx stores nothing.
It prints how many answers of each status it saw and what leadrelay logged at WARNING and
above. The first broken rule stops the run; hypothesis shrinks the request that broke it and
prints it, and the bench exits 1 (--seed repeats a run).

    python bench/fuzz_intake.py [--examples 20000] [--kinds json,form] [--database sqlite]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import aiohttp
from hypothesis import settings

# Run as `python bench/fuzz_intake.py`: make the project root importable for `bench.*`.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.kit.cli import add_database, bench_parser, check_database, run_bench
from bench.kit.database import engine_at, workspace
from bench.kit.figures import database_facts, print_header, print_load_after, print_table
from bench.kit.fuzz import FORM, FUZZ_SETTINGS, JSON, Judge, RuleBroken, fuzz, probes
from bench.kit.hostile import Probe, Reply
from bench.kit.office import BOT_TOKEN, SOURCE_TOKEN, write_office
from bench.kit.process import Leadrelay, distinct_problems, relay_env
from sandbox import BotApiSandbox

KINDS = {"json": JSON, "form": FORM}


async def run(args: argparse.Namespace) -> int:
    """Fuzz one leadrelay; print the statuses seen and what it logged."""
    print_header()
    kinds = tuple(KINDS[kind] for kind in args.kinds.split(","))
    async with workspace(args.database, prefix="leadrelay-bench-fuzz-") as (tmp, database):
        print(database_facts(database.url))
        config = write_office(tmp / "office.yaml")
        async with BotApiSandbox(token=BOT_TOKEN) as sandbox, \
                aiohttp.ClientSession() as session, engine_at(database.url) as engine:
            relay = Leadrelay(env=relay_env(sandbox.url, database.url, config),
                              log_path=tmp / "leadrelay.log", cwd=tmp)
            await relay.start(session, within=30)
            judge = Judge(engine)
            sent = 0
            started = time.monotonic()

            def progress(_probe: Probe, _reply: Reply) -> None:
                nonlocal sent
                sent += 1
                if sent % 1000 == 0:
                    print(f"  {sent} requests, {time.monotonic() - started:.0f} s: "
                          f"{dict(sorted(judge.statuses.items()))}", flush=True)

            broken: RuleBroken | None = None
            try:
                await fuzz(relay.port, judge, probes(SOURCE_TOKEN, kinds), on_reply=progress,
                           config=settings(FUZZ_SETTINGS, max_examples=args.examples,
                                           database=None), seed=args.seed)
            except RuleBroken as exc:
                broken = exc
            finally:
                took = time.monotonic() - started
                torn = await judge.torn()
                code, _ = await relay.stop()
        print_table(f"== {sent} requests in {took:.0f} s ({sent / max(took, 1e-9):.0f}/s), "
                    f"{await judge.leads()} leads stored",
                    [["status", "answers"]] +
                    [[str(status), str(n)] for status, n in sorted(judge.statuses.items())])
        print(f"\nleadrelay : exit code {code}; leads stored without their contact or "
              f"their received event: {len(torn)}")
        for line in distinct_problems(relay.log_path):
            print(f"  log: {line}")
    print_load_after()
    if broken is not None:
        print(f"\nRULE BROKEN: {broken}", file=sys.stderr)
        return 1
    return 1 if torn else 0


def main() -> None:
    """Entry point."""
    parser = bench_parser(__doc__)
    add_database(parser)
    parser.add_argument("--examples", type=int, default=20_000,
                        help="requests to send (default 20000)")
    parser.add_argument("--kinds", default="json,form",
                        help="bodies to draw: json, form or json,form (the default)")
    parser.add_argument("--seed", type=int, default=None, help="repeat the run of this seed")
    args = parser.parse_args()
    check_database(parser, args.database)
    if not set(args.kinds.split(",")) <= set(KINDS):
        parser.error("--kinds must be json, form or json,form")
    run_bench(run, args)


if __name__ == "__main__":
    main()
