"""The phases `speed_to_lead.py` runs against each server it compares (leadrelay, the baseline).

`measure_server` takes a started server with its sandbox's `OfferWatch` and runs, in order:
its idle CPU after a warm-up, speed to lead at a fixed rate (open loop, each lead timed to
its offer), an open-loop burst at a high rate (every lead answered? how fast?) and a
closed-loop burst with a fixed number in flight (the sustained intake rate). The same code
measures both servers, so their figures differ only by the server.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from bench.kit.figures import spread, statuses_text
from bench.kit.load import Posted, fire, open_loop, post_lead
from bench.kit.meters import CpuMeter
from bench.kit.office import AGENT_IDS, BOT_TOKEN, SOURCE_TOKEN
from bench.kit.process import Leadrelay, free_port
from bench.kit.profile import py_spy
from bench.kit.speed import OFFER_TIMEOUT_S, WARMUP_LEADS, SpeedResult, speed_to_lead, warm_up
from bench.kit.watch import OfferWatch
from sandbox import BotApiSandbox, TelegramLimits

ROOT = Path(__file__).resolve().parent.parent.parent
IDLE_S = 5.0  # the server's CPU with no lead coming in is measured this long
PAUSE_S = 1.0  # between the two bursts, so the first one's last answers are not the second's
POST_TIMEOUT_S = 30.0  # a post of a burst not answered by then counts as not answered
BURST_PROFILE_S = 2  # py-spy on the closed burst this long: most of a 2,000-lead burst


@dataclass(frozen=True)
class Plan:
    """The phases' sizes: the fixed rate, the open-loop burst and the closed-loop burst."""

    rate: float
    seconds: float
    burst_rate: float
    burst_seconds: float
    burst: int
    concurrency: int
    intake_timeout: float


@dataclass
class Burst:
    """The posts of one burst (open loop at a rate, or closed loop with some in flight)."""

    planned: int
    posted: list[Posted]
    complete: bool
    cpu: tuple[float, float]

    @property
    def statuses(self) -> Counter[str]:
        """The answers by HTTP status (or client error)."""
        return Counter(p.status for p in self.posted)

    @property
    def created_ids(self) -> list[int]:
        """The ids of the leads answered 201."""
        return [p.lead_id for p in self.posted if p.lead_id is not None]

    @property
    def answered_all(self) -> bool:
        """Whether every lead planned was answered 201 in time."""
        return self.complete and len(self.created_ids) == self.planned

    @property
    def answer_ms(self) -> list[float]:
        """Each 201's time from the request to its answer, in ms."""
        return [(p.answered_at - p.sent_at) * 1000 for p in self.posted if p.lead_id is not None]

    @property
    def span_s(self) -> float:
        """Seconds from the first request to the last answer."""
        if not self.posted:
            return 0.0
        return max(p.answered_at for p in self.posted) - min(p.sent_at for p in self.posted)

    @property
    def send_span_s(self) -> float:
        """Seconds from the first request to the last."""
        sent = [p.sent_at for p in self.posted]
        return max(sent) - min(sent) if sent else 0.0

    @property
    def rate(self) -> float:
        """Leads answered 201 per second, from the first request to the last answer."""
        return len(self.created_ids) / self.span_s if self.span_s > 0 else float("nan")


@dataclass
class ServerFigures:
    """What `measure_server` measured on one server."""

    idle_cpu: float
    speed: SpeedResult
    open_burst: Burst
    closed_burst: Burst

    @property
    def cpu_per_lead_ms(self) -> float:
        """The server's CPU per lead at the fixed rate, in ms, its idle CPU taken off."""
        speed = self.speed
        if not speed.created:
            return float("nan")
        return (speed.cpu[0] - self.idle_cpu) / 100 * speed.cpu_s * 1000 / speed.created

    def broken(self) -> list[str]:
        """What went wrong with leads: posts not answered 201, leads at the rate not offered."""
        speed, problems = self.speed, []
        if speed.created != speed.planned:
            problems.append(f"{speed.planned - speed.created} leads at the rate not answered 201")
        if len(speed.offer_ms) != speed.created:
            problems.append(f"{speed.created - len(speed.offer_ms)} leads at the rate not offered")
        for name, burst in (("open-loop", self.open_burst), ("closed-loop", self.closed_burst)):
            if not burst.answered_all:
                problems.append(f"{burst.planned - len(burst.created_ids)} leads of the "
                                f"{name} burst not answered 201")
        return problems


async def start_sandbox(*, limits: bool) -> tuple[BotApiSandbox, OfferWatch]:
    """A Bot API sandbox (Telegram's limits on unless *limits* is False) and its offer watch."""
    sandbox = BotApiSandbox(token=BOT_TOKEN, limits=TelegramLimits() if limits else None)
    await sandbox.start()
    watch = OfferWatch()
    sandbox.listeners.append(watch)
    print(f"sandbox   : {sandbox.url} (validating against the Bot API spec: "
          f"{'yes' if sandbox.validating else 'no'}; Telegram's rate limits: "
          f"{'on' if limits else 'off'})")
    return sandbox, watch


async def press_start(sandbox: BotApiSandbox) -> None:
    """The bench office's agents press Start: the Bot API writes only to people who did."""
    for agent in AGENT_IDS:
        await sandbox.user(agent, f"Agent{agent}").send("/start")


def baseline_server(tmp: Path, api_url: str) -> Leadrelay:
    """The baseline server's process (`python -m bench.kit.baseline`), a SQLite file in *tmp*."""
    port = free_port()
    env = {**os.environ, "HTTP_PORT": str(port), "BASELINE_PORT": str(port),
           "BASELINE_DATABASE": str(tmp / "baseline.db"), "BASELINE_API_URL": api_url,
           "BASELINE_BOT_TOKEN": BOT_TOKEN, "BASELINE_SOURCE_TOKEN": SOURCE_TOKEN,
           "BASELINE_AGENTS": ",".join(str(agent) for agent in AGENT_IDS),
           "PYTHONPATH": str(ROOT)}
    server = Leadrelay(env=env, log_path=tmp / "baseline.log", cwd=tmp)
    server.argv = [sys.executable, "-m", "bench.kit.baseline"]
    return server


async def idle_cpu(server: Leadrelay, seconds: float) -> float:
    """The server's CPU, % of one core, over *seconds* with nothing coming in."""
    meter = CpuMeter(server.pid)
    await asyncio.sleep(seconds)
    return meter.read()[0]


async def open_burst(server: Leadrelay, numbers: Iterator[str], *, rate: float,
                     seconds: float) -> Burst:
    """Post leads at *rate* a second for *seconds* (open loop, no cap on connections)."""
    planned = max(1, round(rate * seconds))
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=POST_TIMEOUT_S)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        meter = CpuMeter(server.pid)
        tasks = await open_loop(session, f"{server.base}/webhooks/leads", numbers,
                                count=planned, rate=rate, start=time.monotonic() + 0.01)
        posted = await asyncio.gather(*tasks)
        cpu = meter.read()
    return Burst(planned=planned, posted=list(posted), complete=True, cpu=cpu)


async def closed_burst(server: Leadrelay, numbers: Iterator[str], *, total: int,
                       concurrency: int, timeout_s: float) -> Burst:
    """Post *total* leads with *concurrency* in flight (closed loop)."""
    url = f"{server.base}/webhooks/leads"

    async def post(session: aiohttp.ClientSession, phone: str) -> Posted:
        return await post_lead(session, url, phone)

    phone_list = [next(numbers) for _ in range(total)]
    meter = CpuMeter(server.pid)
    posted, complete = await fire(phone_list, post, concurrency=concurrency, timeout_s=timeout_s)
    return Burst(planned=total, posted=posted, complete=complete, cpu=meter.read())


async def measure_server(session: aiohttp.ClientSession, server: Leadrelay, watch: OfferWatch,
                         numbers: Iterator[str], plan: Plan, *,
                         profile: Path | None = None,
                         burst_profile: Path | None = None) -> ServerFigures:
    """Warm up, then idle CPU, speed to lead at the rate, the open and the closed burst.

    *profile*: py-spy's raw stacks of the server during the fixed-rate phase go there;
    *burst_profile*: those of the closed burst's first seconds.
    """
    await warm_up(session, f"{server.base}/webhooks/leads", watch, numbers)
    idle = await idle_cpu(server, IDLE_S)
    spy = (await py_spy(server.pid, max(1, round(plan.seconds)), profile)
           if profile is not None else None)
    speed = await speed_to_lead(session, server, watch, numbers, rate=plan.rate,
                                seconds=plan.seconds)
    if spy is not None:
        await asyncio.wait_for(spy.wait(), 30)
    fast = await open_burst(server, numbers, rate=plan.burst_rate, seconds=plan.burst_seconds)
    await asyncio.sleep(PAUSE_S)
    spy = (await py_spy(server.pid, BURST_PROFILE_S, burst_profile)
           if burst_profile is not None else None)
    closed = await closed_burst(server, numbers, total=plan.burst, concurrency=plan.concurrency,
                                timeout_s=plan.intake_timeout)
    if spy is not None:
        await asyncio.wait_for(spy.wait(), 30)
    return ServerFigures(idle_cpu=idle, speed=speed, open_burst=fast, closed_burst=closed)


def print_phases(name: str, figures: ServerFigures, plan: Plan) -> None:
    """Print the figures of each phase measured on the server called *name*."""
    speed, fast, closed = figures.speed, figures.open_burst, figures.closed_burst
    print(f"\n== {name}: idle for {IDLE_S:g}s after {WARMUP_LEADS} warm-up leads")
    print(f"  CPU (% of 1 core): {figures.idle_cpu:.1f}%")
    print(f"\n== {name}: speed to lead, {speed.planned} leads at {plan.rate:g}/s "
          f"(sent over {speed.send_span:.2f}s)")
    print(f"  answered         : {statuses_text(speed.statuses)}")
    print(f"  201 answer ms    : p50/p90/p99/max = {spread(speed.answer_ms)}")
    print(f"  offers measured  : {len(speed.offer_ms)} of {speed.created}")
    print(f"  to offer ms      : p50/p90/p99/max = {spread(speed.offer_ms)}")
    print(f"  no offer in {OFFER_TIMEOUT_S:g}s  : {speed.no_offer}")
    print(f"  CPU (% of 1 core): server {speed.cpu[0]:.1f}% over {speed.cpu_s:.1f}s, "
          f"bench+sandbox {speed.cpu[1]:.0f}%; per lead, idle taken off: "
          f"{figures.cpu_per_lead_ms:.2f} ms")
    print(f"\n== {name}: open-loop burst, {fast.planned} leads at {plan.burst_rate:g}/s "
          f"(sent over {fast.send_span_s:.2f}s)")
    print(f"  answered         : {statuses_text(fast.statuses)}"
          + ("" if fast.answered_all else " (NOT ALL ANSWERED 201)"))
    print(f"  201 answer ms    : p50/p90/p99/max = {spread(fast.answer_ms)}")
    print(f"  CPU (% of 1 core): server {fast.cpu[0]:.0f}%, bench+sandbox {fast.cpu[1]:.0f}%")
    print(f"\n== {name}: closed-loop burst, {closed.planned} leads, {plan.concurrency} in flight"
          + ("" if closed.complete else " (INCOMPLETE: timed out)"))
    print(f"  answered         : {statuses_text(closed.statuses)}")
    print(f"  intake           : {len(closed.created_ids)} answered 201 in {closed.span_s:.2f}s "
          f"= {closed.rate:.0f} leads/s")
    print(f"  201 answer ms    : p50/p90/p99/max = {spread(closed.answer_ms)}")
    print(f"  CPU (% of 1 core): server {closed.cpu[0]:.0f}%, "
          f"bench+sandbox {closed.cpu[1]:.0f}%")

