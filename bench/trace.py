"""Where a lead's time goes: each stage of its path from webhook to offer, p50 and p99.

Starts leadrelay (as `speed_to_lead.py` does) with `LOG_TRACE` set, so it appends a line for
each stage a lead passes (`core/trace.py`: stored, routing, routed, claimed, sending, sent,
marked), posts leads at `--rate` for `--seconds`, and adds the bench's own three moments
(the request about to go out, its 201, the sandbox receiving the offer). Every time is the
machine's wall clock, shared by both processes. It prints, per stage, how long leads took to
get there from the stage before, p50 and p99, and with `--profile` where leadrelay's CPU went
in that time (py-spy, by part of the work: `bench/kit/profile.py`).

    python bench/trace.py [--rate 20] [--seconds 15] [--database sqlite|URL] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import time
from collections import defaultdict
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.kit.cli import add_database, bench_parser, check_database, run_bench
from bench.kit.database import workspace
from bench.kit.figures import percentile, print_header, print_load_after, print_table
from bench.kit.measure import IDLE_S, idle_cpu
from bench.kit.office import BOT_TOKEN, phones, write_office
from bench.kit.process import Leadrelay, relay_env, stop_and_report
from bench.kit.profile import py_spy, summarize_by_part
from bench.kit.speed import speed_to_lead, warm_up
from bench.kit.watch import OfferWatch, link_agents
from sandbox import BotApiSandbox, TelegramLimits

SETTLE_S = 2.5  # the welcomes' pace windows (see speed_to_lead.py)

# A lead's moments: "posted", "answered" and "offered" are the bench's; the rest are
# leadrelay's marks. Where routing joins the store's transaction, "routing" comes before
# "stored" and "routed" with it: the table goes by the order the moments came in.
STAGES = {
    "stored": "HTTP, parse, validate, the writer's turn, store, commit",
    "answered": "the 201 reaches the bench",
    "routing": "the routing row and the waiting leads taken, the roster and loads read",
    "routed": "decide; the offer, history and outbox row written; commit",
    "claimed": "the dispatcher woken, its look, the writer's turn, the claim committed",
    "sending": "a worker started for the chat, the message rendered",
    "offered": "pacing, the HTTP request; the sandbox has the sendMessage",
    "sent": "Telegram's answer parsed",
    "marked": "the offer's clock started and its row marked sent, committed",
}
# What a step holds where the path differs: routing joined to the store's transaction, and
# the outbox rows claimed for the dispatcher as that transaction commits.
STEPS = {
    ("routing", "stored"): "the routing loop kicked, its look, the writer's turn, the roster "
                           "and loads read",
    ("routing", "posted"): "HTTP, parse, validate, the writer's turn, store; then the routing "
                           "row taken, the roster and loads read (one transaction)",
    ("claimed", "routing"): "decide; the offer, history and outbox row (claimed for the "
                            "dispatcher) written; commit, rows handed over",
    ("stored", "claimed"): "the commit returns",
    ("stored", "routing"): "decide; the offer, history and outbox row written; commit",
    ("routed", "stored"): "(the same commit)",
}
_SIDE = {"answered": "stored"}  # the 201 goes back while the offer goes on its way

def read_marks(path: Path) -> dict[str, dict[int, float]]:
    """Each stage's first time per lead, from leadrelay's trace file."""
    marks: dict[str, dict[int, float]] = defaultdict(dict)
    for line in path.read_text("utf-8").splitlines():
        at, _, rest = line.partition(" ")
        stage, _, ids = rest.partition(" ")
        for lead in filter(None, ids.split(",")):
            marks[stage].setdefault(int(lead), float(at))
    return marks


def stage_rows(marks: dict[str, dict[int, float]], leads: list[int]) -> list[tuple[str, ...]]:
    """The table: per stage, the ms from the stage before, p50 / p99, and leads measured."""

    def gaps(stage: str, since: str) -> list[float]:
        return [(marks[stage][lead] - marks[since][lead]) * 1000 for lead in leads
                if lead in marks[stage] and lead in marks[since]]

    path = sorted((s for s in STAGES if s not in _SIDE and gaps(s, "posted")),
                  key=lambda s: percentile(gaps(s, "posted"), 50))
    rows: list[tuple[str, ...]] = [("stage", "since", "p50 ms", "p99 ms", "leads", "what")]
    previous = "posted"
    for stage in path + list(_SIDE):
        since = _SIDE.get(stage, previous)
        took = gaps(stage, since)
        rows.append((stage, since, f"{percentile(took, 50):.2f}", f"{percentile(took, 99):.2f}",
                     str(len(took)), STEPS.get((stage, since), STAGES[stage])))
        previous = stage
    total = gaps("offered", "posted")
    rows.append(("offered", "posted", f"{percentile(total, 50):.2f}",
                 f"{percentile(total, 99):.2f}", str(len(total)), "speed to lead"))
    return rows


async def run(args: argparse.Namespace) -> int:
    """Start the sandbox and a tracing leadrelay, post at a fixed rate, print the stages."""
    print_header()
    async with workspace(args.database, prefix="leadrelay-trace-") as (tmp, database):
        config = write_office(tmp / "office.yaml")
        trace_path = tmp / "trace.log"
        sandbox = BotApiSandbox(token=BOT_TOKEN, limits=TelegramLimits())
        await sandbox.start()
        watch = OfferWatch()
        sandbox.listeners.append(watch)
        relay = Leadrelay(env=relay_env(sandbox.url, database.url, config,
                                        LOG_TRACE=str(trace_path)),
                          log_path=tmp / "leadrelay.log", cwd=tmp)
        numbers = phones("535")
        spy_out = tmp / "py-spy.txt"
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
                await relay.start(session, within=30)
                await link_agents(sandbox, within=15)
                await asyncio.sleep(SETTLE_S)
                await warm_up(session, f"{relay.base}/webhooks/leads", watch, numbers)
                idle = await idle_cpu(relay, IDLE_S)
                spy = await py_spy(relay.pid, int(args.seconds), spy_out,
                                   native=args.native) if args.profile else None
                speed = await speed_to_lead(session, relay, watch, numbers, rate=args.rate,
                                            seconds=args.seconds)
                if spy is not None:
                    await asyncio.wait_for(spy.wait(), args.seconds + 30)
                await asyncio.sleep(0.5)  # the last leads' "marked" lines
        finally:
            await stop_and_report(relay, sandbox, refused=watch.rejected)
        marks = read_marks(trace_path)
        # The bench's moments are monotonic; the marks are wall clock, as is this offset.
        offset = time.time() - time.monotonic()
        leads = [p.lead_id for p in speed.posted if p.lead_id is not None]
        for posted in speed.posted:
            if posted.lead_id is not None:
                marks["posted"][posted.lead_id] = posted.sent_at + offset
                marks["answered"][posted.lead_id] = posted.answered_at + offset
        for lead in leads:
            if lead in watch.seen:
                marks["offered"][lead] = watch.seen[lead] + offset
        print_table(f"A lead's stages at {args.rate:g} leads/s for {args.seconds:g} s "
                    f"({len(leads)} leads)", stage_rows(marks, leads))
        busy_cpu = speed.cpu[0]
        print_table("leadrelay's CPU (% of one core)", [
            ("idle", f"{idle:.1f}"), (f"at {args.rate:g} leads/s", f"{busy_cpu:.1f}"),
            ("per lead, idle taken off", f"{(busy_cpu - idle) * 10 / args.rate:.2f} ms"),
        ])
        if args.keep_profile and spy_out.exists():
            shutil.copy(spy_out, args.keep_profile)
        if args.profile:
            if spy_out.exists():
                print_table("Where leadrelay's CPU went (py-spy)",
                            summarize_by_part(spy_out, len(leads)))
            else:
                print("(py-spy is not installed: pip install py-spy)")
    print_load_after()
    return 0


def parse_args() -> argparse.Namespace:
    """The bench's flags."""
    parser = bench_parser(__doc__)
    parser.add_argument("--rate", type=float, default=20.0, help="leads per second (20)")
    parser.add_argument("--seconds", type=float, default=15.0, help="for how long (15)")
    parser.add_argument("--profile", action="store_true",
                        help="py-spy on leadrelay: its CPU by stage")
    parser.add_argument("--native", action="store_true",
                        help="with --profile: C frames too (pauses leadrelay per sample)")
    parser.add_argument("--keep-profile", type=Path, metavar="FILE",
                        help="with --profile: copy py-spy's raw stacks to FILE")
    add_database(parser)
    args = parser.parse_args()
    if args.rate <= 0 or args.seconds <= 0:
        parser.error("--rate and --seconds must be positive")
    check_database(parser, args.database)
    return args


def main() -> None:
    """Run the bench and exit with its code."""
    run_bench(run, parse_args())


if __name__ == "__main__":
    main()
