"""Telegram pacing under a strict reading of the limits: a burst of offers, and presses.

A running leadrelay (`python -m leadrelay.cli run`) on a fresh database sends offers to the
bench office's 40 agents through the Bot API sandbox, whose limits are sliding windows: at
most 30 messages of the bot in any second, 3 to one chat in any 3 s, 20 to a group in any
minute; one more is a 429. The bench fires `--burst` leads at the intake and, while their
offers go out, has an agent press Decline on an offer every `--press-every` seconds; once
they are all out and the chats' windows have emptied, as many presses again. It prints how
fast messages went out (offers, and the edits answering presses, which share the bot's
rate), how many requests the sandbox refused with 429, and how long
each press waited for its reason buttons (from the press until the sandbox had the edit),
with the targets of the pacing issue beside them.

    python bench/pacing.py [--burst 500] [--press-every 0.25] [--database sqlite]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.kit.cli import add_database, bench_parser, check_database, run_bench
from bench.kit.database import workspace
from bench.kit.figures import percentile, print_header, print_load_after, print_table
from bench.kit.load import fire, post_lead
from bench.kit.office import AGENT_IDS, BOT_TOKEN, phones, write_office
from bench.kit.process import Leadrelay, relay_env, stop_and_report
from bench.kit.watch import OfferWatch, link_agents
from sandbox import ApiCall, BotApiSandbox, SandboxMessage, TelegramLimits

TARGET_MSGS_PER_S = 28.0
TARGET_PRESS_P99_MS = 300.0
QUIET_S = 3.5  # longer than a chat's window of three messages in any 3 s
DECLINE = "✖️ Decline"
MESSAGES = {"sendMessage", "editMessageText", "editMessageReplyMarkup"}


class Edits:
    """A sandbox listener: when each message got its keyboard edited, by (chat, message)."""

    def __init__(self) -> None:
        self.at: dict[tuple[int, int], float] = {}
        self.changed = asyncio.Event()

    def __call__(self, call: ApiCall) -> None:
        """Record a successful editMessageReplyMarkup."""
        if call.method == "editMessageReplyMarkup" and call.status == 200:
            key = (int(call.params.get("chat_id", 0)), int(call.params.get("message_id", 0)))
            self.at.setdefault(key, call.at)
            self.changed.set()

    async def wait(self, key: tuple[int, int], within: float) -> float | None:
        """The monotonic time the message *key* was edited, or None if not *within* s."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(within):
                while key not in self.at:
                    self.changed.clear()
                    await self.changed.wait()
        return self.at.get(key)


class Presser:
    """Agents pressing Decline on offers they got, each offer once, agents in turn."""

    def __init__(self, sandbox: BotApiSandbox, edits: Edits) -> None:
        self.sandbox, self.edits = sandbox, edits
        self._pressed: set[tuple[int, int]] = set()
        self._turn = 0

    def press_one(self) -> asyncio.Task[float | None] | None:
        """Press Decline on the next agent's latest offer not pressed yet; the task's result
        is the milliseconds until its reason buttons (None: none came)."""
        for n in range(len(AGENT_IDS)):
            agent = AGENT_IDS[(self._turn + n) % len(AGENT_IDS)]
            offer = next((m for m in reversed(self.sandbox.user(agent, "").messages)
                          if DECLINE in m.button_texts()
                          and (agent, m.message_id) not in self._pressed), None)
            if offer is not None:
                self._pressed.add((agent, offer.message_id))
                self._turn += n + 1
                return asyncio.create_task(self._press(agent, offer))
        return None

    async def _press(self, agent: int, offer: SandboxMessage) -> float | None:
        began = time.monotonic()
        await self.sandbox.user(agent, "").press(offer, DECLINE, timeout=30)
        edited = await self.edits.wait((agent, offer.message_id), within=30)
        return None if edited is None else (edited - began) * 1000

    async def press(self, every: float, *, until: asyncio.Event | None = None,
                    count: int = 0) -> list[float]:
        """Press every *every* seconds until *until* is set (or *count* presses); return the
        milliseconds from each press to its reason buttons."""
        presses: list[asyncio.Task[float | None]] = []
        while not until.is_set() if until is not None else len(presses) < count:
            task = self.press_one()
            if task is not None:
                presses.append(task)
            await asyncio.sleep(every)
        return [ms for ms in await asyncio.gather(*presses) if ms is not None]


async def run(args: argparse.Namespace) -> int:
    """Fire the burst, press while it goes out, print the figures."""
    print_header()
    async with workspace(args.database, prefix="leadrelay-pacing-") as (tmp, database):
        config = write_office(tmp / "office.yaml")
        sandbox = BotApiSandbox(token=BOT_TOKEN, limits=TelegramLimits())
        await sandbox.start()
        relay = Leadrelay(env=relay_env(sandbox.url, database.url, config),
                          log_path=tmp / "leadrelay.log", cwd=tmp)
        offers, edits = OfferWatch(), Edits()
        sandbox.listeners.extend([offers, edits])
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
                await relay.start(session, within=30)
                await link_agents(sandbox, within=60)
                sandbox.rate_limited.clear()
                numbers = phones("533")
                done, presser = asyncio.Event(), Presser(sandbox, edits)
                pressing = asyncio.create_task(presser.press(args.press_every, until=done))
                posted, complete = await fire(
                    [next(numbers) for _ in range(args.burst)],
                    lambda s, phone: post_lead(s, f"{relay.base}/webhooks/leads", phone),
                    concurrency=args.concurrency, timeout_s=120)
                lead_ids = [p.lead_id for p in posted if p.lead_id is not None]
                await offers.wait_all(lead_ids, deadline=time.monotonic() + 180)
                done.set()
                presses = await pressing
                await asyncio.sleep(QUIET_S)  # every chat's window empties
                quiet = await presser.press(args.press_every, count=len(presses))
        finally:
            await stop_and_report(relay, sandbox)
    arrived = sorted(offers.seen[lead] for lead in lead_ids if lead in offers.seen)
    span = arrived[-1] - arrived[0] if len(arrived) > 1 else 0.0
    # The edits that answer presses share the bot's 30 a second with the offers.
    sent = [c for c in sandbox.requests if c.status == 200 and c.method in MESSAGES
            and arrived and arrived[0] <= c.at <= arrived[-1]]
    rate = (len(sent) - 1) / span if span else 0.0
    limited = len(sandbox.rate_limited)
    print_table("Pacing under sliding-window limits", [
        ("figure", "value", "target", ""),
        ("leads posted / answered 201", f"{args.burst} / {len(lead_ids)}",
         str(args.burst), "met" if complete and len(lead_ids) == args.burst else "MISSED"),
        ("offers delivered", f"{len(arrived)}", str(len(lead_ids)),
         "met" if len(arrived) == len(lead_ids) else "MISSED"),
        ("messages per second, first offer to last", f"{rate:.1f}",
         f">= {TARGET_MSGS_PER_S:g}", "met" if rate >= TARGET_MSGS_PER_S else "MISSED"),
        ("  of them offers per second", f"{(len(arrived) - 1) / span if span else 0:.1f}",
         "", ""),
        ("429 answered by the sandbox", str(limited), "0", "met" if limited == 0 else "MISSED"),
        ("Decline presses during the burst / after it", f"{len(presses)} / {len(quiet)}",
         "", ""),
        ("press to reasons during the burst p50 / p99 (ms)", latency(presses), "", ""),
        ("press to reasons after the burst p50 / p99 (ms)", latency(quiet),
         f"p99 <= {TARGET_PRESS_P99_MS:g}", "met" if quiet and percentile(quiet, 99)
         <= TARGET_PRESS_P99_MS else "MISSED"),
    ])
    print_load_after()
    return 0


def latency(presses: list[float]) -> str:
    """p50 / p99 of *presses* in ms, or a dash without any."""
    return (f"{percentile(presses, 50):.0f} / {percentile(presses, 99):.0f}" if presses
            else "-")


def parse_args() -> argparse.Namespace:
    """The bench's flags."""
    parser = bench_parser(__doc__)
    parser.add_argument("--burst", type=int, default=500, help="leads fired at once (500)")
    parser.add_argument("--concurrency", type=int, default=32,
                        help="requests in flight during the burst (32)")
    parser.add_argument("--press-every", type=float, default=0.25,
                        help="seconds between two Decline presses while offers go out (0.25)")
    add_database(parser)
    args = parser.parse_args()
    if args.burst <= 0 or args.concurrency <= 0 or args.press_every <= 0:
        parser.error("--burst, --concurrency and --press-every must be positive")
    check_database(parser, args.database)
    return args


def main() -> None:
    """Run the bench and exit with its code."""
    run_bench(run, parse_args())


if __name__ == "__main__":
    main()
