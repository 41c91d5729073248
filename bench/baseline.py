"""Speed to lead of the baseline: the irreducible work of one lead, on this machine, now.

`bench/kit/baseline.py` is a server that does only what no lead-distribution bot can skip
(check the token, parse the body, commit one SQLite row, answer 201, send one `sendMessage`),
in its own process. This bench drives it exactly as `speed_to_lead.py` drives leadrelay —
the same warm-up, the same open-loop posts at `--rate` for `--seconds`, the same sandbox
with Telegram's limits on and the same 40 agents — and prints its speed to lead, its 201
answers and its CPU, the floor leadrelay's figures are read against.

    python bench/baseline.py [--rate 20] [--seconds 15]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.kit.cli import bench_parser, run_bench
from bench.kit.figures import percentile, print_header, print_load_after, print_table
from bench.kit.office import AGENT_IDS, BOT_TOKEN, SOURCE_TOKEN, phones
from bench.kit.process import Leadrelay, free_port, stop_and_report
from bench.kit.speed import speed_to_lead, warm_up
from bench.kit.watch import OfferWatch
from sandbox import BotApiSandbox, TelegramLimits

ROOT = Path(__file__).resolve().parent.parent


def baseline_server(tmp: Path, api_url: str) -> Leadrelay:
    """The baseline server's process, started the way the benches start leadrelay."""
    port = free_port()
    env = {**os.environ, "HTTP_PORT": str(port), "BASELINE_PORT": str(port),
           "BASELINE_DATABASE": str(tmp / "baseline.db"), "BASELINE_API_URL": api_url,
           "BASELINE_BOT_TOKEN": BOT_TOKEN, "BASELINE_SOURCE_TOKEN": SOURCE_TOKEN,
           "BASELINE_AGENTS": ",".join(str(agent) for agent in AGENT_IDS),
           "PYTHONPATH": str(ROOT)}
    server = Leadrelay(env=env, log_path=tmp / "baseline.log", cwd=tmp)
    server.argv = [sys.executable, "-m", "bench.kit.baseline"]
    return server


async def run(args: argparse.Namespace) -> int:
    """Start the sandbox and the baseline, post at a fixed rate, print the figures."""
    print_header()
    with tempfile.TemporaryDirectory(prefix="leadrelay-baseline-") as tmp_dir:
        sandbox = BotApiSandbox(token=BOT_TOKEN, limits=TelegramLimits())
        await sandbox.start()
        watch = OfferWatch()
        sandbox.listeners.append(watch)
        for agent in AGENT_IDS:  # the Bot API writes only to people who pressed Start
            await sandbox.user(agent, f"Agent{agent}").send("/start")
        server = baseline_server(Path(tmp_dir), sandbox.url)
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
                await server.start(session, within=30)
                numbers = phones("534")
                await warm_up(session, f"{server.base}/webhooks/leads", watch, numbers)
                speed = await speed_to_lead(session, server, watch, numbers, rate=args.rate,
                                            seconds=args.seconds)
        finally:
            await stop_and_report(server, sandbox)
    offers, answers = speed.offer_ms, speed.answer_ms
    print_table(f"Baseline at {args.rate:g} leads/s for {args.seconds:g} s", [
        ("figure", "value"),
        ("leads posted / answered 201 / offered", f"{speed.planned} / {speed.created} / "
                                                  f"{len(offers)}"),
        ("to offer p50 / p90 / p99 / max (ms)",
         " / ".join(f"{percentile(offers, p):.1f}" for p in (50, 90, 99, 100))),
        ("201 answer p50 / p99 (ms)",
         f"{percentile(answers, 50):.1f} / {percentile(answers, 99):.1f}"),
        ("CPU, % of one core: server / bench", f"{speed.cpu[0]:.0f} / {speed.cpu[1]:.0f}"),
    ])
    print_load_after()
    return 0 if speed.created == speed.planned and len(offers) == speed.created else 1


def parse_args() -> argparse.Namespace:
    """The bench's flags."""
    parser = bench_parser(__doc__)
    parser.add_argument("--rate", type=float, default=20.0, help="leads per second (20)")
    parser.add_argument("--seconds", type=float, default=15.0, help="for how long (15)")
    args = parser.parse_args()
    if args.rate <= 0 or args.seconds <= 0:
        parser.error("--rate and --seconds must be positive")
    return args


def main() -> None:
    """Run the bench and exit with its code."""
    run_bench(run, parse_args())


if __name__ == "__main__":
    main()
