"""Measure speed to lead (webhook to Telegram offer) and intake rate of a running leadrelay.

The bench process hosts the Bot API sandbox and the load generator; leadrelay runs as a
separate process (`python -m leadrelay.cli run`) against a fresh database, exactly as it would
in production except that "Telegram" is the sandbox. Both timestamps of a latency sample (the
request about to be sent, the sandbox receiving the offer's sendMessage) are taken with
time.monotonic() in this process, so they share one clock.

    python bench/speed_to_lead.py [--rate 20] [--seconds 15] [--burst 2000] [--database sqlite|URL]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import platform
import re
import resource
import shlex
import signal
import socket
import sqlite3
import string
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import yaml
from sqlalchemy.engine import make_url

from sandbox import ApiCall, BotApiSandbox, TelegramLimits
from storage.scratch import ScratchDatabase

# A fake token: 7 digits before the colon so it never looks like a real bot's.
BOT_TOKEN = "7000000:" + "".join(string.ascii_letters[i % 52] for i in range(35))
SOURCE_TOKEN = "bench-source-token-0123456789"
# 40 agents: at 20 leads/s round robin gives each one a lead every 2 s, inside Telegram's
# one message per second per chat, so the pacing never holds an offer back.
AGENT_IDS = [8_100_001 + n for n in range(40)]
MANAGER_ID = 8_100_099
OFFER_TIMEOUT_S = 5.0  # a lead without its offer after this long counts as "no offer"
WARMUP_LEADS = 10
TARGET_P99_MS = 50.0
TARGET_INTAKE_PER_S = 500.0
TARGET_DELIVERY_PER_S = 28.0
_LEAD_ID = re.compile(r"#(\d+)")
_CLK_TCK = os.sysconf("SC_CLK_TCK")


# --------------------------------------------------------------------------------------------
# Observing the sandbox
# --------------------------------------------------------------------------------------------


@dataclass
class OfferWatch:
    """A sandbox listener that records when each lead's offer (sendMessage #id) arrived."""

    seen: dict[int, float] = field(default_factory=dict)
    rejected: int = 0

    def __call__(self, call: ApiCall) -> None:
        """Record the monotonic arrival time of the first offer for each lead id."""
        if call.method != "sendMessage" or "reply_markup" not in call.params:
            return
        text = call.params.get("text")
        match = _LEAD_ID.search(text) if isinstance(text, str) else None
        if match is None:
            return
        if call.status != 200:
            self.rejected += 1
            return
        self.seen.setdefault(int(match.group(1)), call.at)

    async def wait_all(self, lead_ids: list[int], deadline: float) -> None:
        """Return once every lead in *lead_ids* has its offer, or at *deadline* (monotonic)."""
        pending = [lead for lead in lead_ids if lead not in self.seen]
        while pending and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
            pending = [lead for lead in pending if lead not in self.seen]


# --------------------------------------------------------------------------------------------
# Resource use
# --------------------------------------------------------------------------------------------


def child_cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) the process *pid* has used so far, from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _CLK_TCK  # utime, stime


def own_cpu_seconds() -> float:
    """CPU seconds (user + system) this bench process has used so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass
class CpuMeter:
    """CPU use of leadrelay and of the bench process over one phase, as % of one core."""

    pid: int
    wall0: float = field(default_factory=time.monotonic)
    child0: float = 0.0
    own0: float = field(default_factory=own_cpu_seconds)

    def __post_init__(self) -> None:
        """Take the starting reading of the child's CPU time."""
        self.child0 = child_cpu_seconds(self.pid)

    def read(self) -> tuple[float, float]:
        """Return (leadrelay %, bench %) of one core since the meter was created."""
        wall = max(time.monotonic() - self.wall0, 1e-9)
        child = (child_cpu_seconds(self.pid) - self.child0) / wall * 100
        own = (own_cpu_seconds() - self.own0) / wall * 100
        return child, own


# --------------------------------------------------------------------------------------------
# The office and the leadrelay process
# --------------------------------------------------------------------------------------------


def office_yaml() -> dict[str, Any]:
    """An office of 40 agents and 1 manager whose SLAs outlast any bench run."""
    agents: list[dict[str, Any]] = [
        {"telegram_id": tid, "name": f"Agent{n + 1}"} for n, tid in enumerate(AGENT_IDS)]
    agents.append({"telegram_id": MANAGER_ID, "name": "Boss", "role": "manager"})
    return {
        "name": "Bench Realty", "timezone": "Europe/Istanbul", "default_region": "TR",
        "agents": agents,
        "sources": [{"name": "website", "token": SOURCE_TOKEN, "channel": "web_form"}],
        "sla": {temp: {"accept_within": "30m", "offers_before_managers": 3}
                for temp in ("hot", "warm", "cold")},
    }


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def lead_payload(phone: str) -> dict[str, Any]:
    """A hot lead with the given (unique) phone, like a website form would post it."""
    return {"phone": phone, "name": "Deniz Kaya", "product": "residential",
            "region": "Istanbul / Kadıköy", "budget_min": 1_000_000, "budget_max": 2_000_000,
            "timing": "this week"}


def phones(prefix: str) -> Iterator[str]:
    """Distinct valid Turkish mobile numbers under *prefix* (e.g. 532)."""
    for n in range(10_000_000):
        yield f"+90{prefix}{n:07d}"


def safe_url(url: str) -> str:
    """The database URL with any password masked."""
    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", url)


class BenchDatabase:
    """The database one bench run works in: its own, emptied between phases, never another's."""

    def __init__(self, url: str, scratch: ScratchDatabase | None = None) -> None:
        self.url = url
        self._scratch = scratch

    async def empty(self) -> None:
        """Leave the database as new: drop the scratch database's tables, or the SQLite file."""
        if self._scratch is not None:
            await self._scratch.empty()
            return
        path = make_url(self.url).database
        for suffix in ("", "-wal", "-shm"):
            await asyncio.to_thread(Path(f"{path}{suffix}").unlink, missing_ok=True)


@contextlib.asynccontextmanager
async def bench_database(choice: str, folder: Path, *,
                         label: str = "bench") -> AsyncIterator[BenchDatabase]:
    """'sqlite' (a new file in *folder*), a SQLite URL, or a PostgreSQL server URL on which
    the run makes a database of its own and drops it at the end.

    Another run on the same server (a test suite, a second bench) keeps its own tables.
    """
    if choice == "sqlite":
        yield BenchDatabase(f"sqlite+aiosqlite:///{folder / 'bench.db'}")
        return
    if choice.startswith("sqlite"):
        yield BenchDatabase(choice)
        return
    scratch = ScratchDatabase(choice, label=label)
    url = await scratch.create()
    try:
        yield BenchDatabase(url, scratch)
    finally:
        await scratch.drop()


class Leadrelay:
    """The leadrelay process under test, started with `python -m leadrelay.cli run`."""

    def __init__(self, *, env: dict[str, str], log_path: Path, cwd: Path) -> None:
        """Remember how to start it; nothing runs until start()."""
        self.env, self.log_path, self.cwd = env, log_path, cwd
        self.process: asyncio.subprocess.Process | None = None
        self.port = int(env["HTTP_PORT"])
        self.argv = [sys.executable, "-m", "leadrelay.cli", "run"]

    @property
    def base(self) -> str:
        """The root URL of its intake server."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        """Its process id."""
        assert self.process is not None
        return self.process.pid

    async def start(self, session: aiohttp.ClientSession, *, within: float) -> float:
        """Start it and return the seconds until /healthz answered 200."""
        started = time.monotonic()
        with self.log_path.open("wb") as log:
            self.process = await asyncio.create_subprocess_exec(
                *self.argv, env=self.env, cwd=self.cwd, stdin=asyncio.subprocess.DEVNULL,
                stdout=log, stderr=log)
        deadline = started + within
        while time.monotonic() < deadline:
            if self.process.returncode is not None:
                raise RuntimeError(f"leadrelay exited with {self.process.returncode} on start\n"
                                   f"{self.log_tail()}")
            with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                async with session.get(f"{self.base}/healthz",
                                       timeout=aiohttp.ClientTimeout(total=1)) as reply:
                    if reply.status == 200:
                        return time.monotonic() - started
            await asyncio.sleep(0.05)
        raise RuntimeError(f"leadrelay did not answer /healthz within {within}s\n"
                           f"{self.log_tail()}")

    async def stop(self, *, grace: float = 15.0) -> tuple[int | None, float]:
        """SIGTERM, wait up to *grace* s, SIGKILL if needed; return (exit code, seconds)."""
        process, started = self.process, time.monotonic()
        if process is None:
            return None, 0.0
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), grace)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                await process.wait()
        return process.returncode, time.monotonic() - started

    def log_tail(self, lines: int = 15) -> str:
        """The last lines leadrelay logged."""
        try:
            text = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return "(no log)"
        return "\n".join(text[-lines:]) or "(log is empty)"

    def log_problems(self) -> Counter[str]:
        """How many WARNING/ERROR/CRITICAL lines it logged, by level."""
        counts: Counter[str] = Counter()
        with contextlib.suppress(OSError):
            for line in self.log_path.read_text(errors="replace").splitlines():
                for level in ("WARNING", "ERROR", "CRITICAL"):
                    if f" {level} " in line:
                        counts[level] += 1
        return counts


# --------------------------------------------------------------------------------------------
# Posting leads
# --------------------------------------------------------------------------------------------


@dataclass
class Posted:
    """One lead post: when it was sent, how it was answered, and the lead id if created."""

    sent_at: float
    status: str
    lead_id: int | None = None
    answered_at: float = 0.0


async def post_lead(session: aiohttp.ClientSession, url: str, phone: str) -> Posted:
    """POST one lead and time it from just before the request is sent."""
    payload = lead_payload(phone)
    headers = {"Authorization": f"Bearer {SOURCE_TOKEN}"}
    sent_at = time.monotonic()
    try:
        async with session.post(url, json=payload, headers=headers) as reply:
            body = await reply.read()
            answered_at = time.monotonic()
            if reply.status != 201:
                return Posted(sent_at, str(reply.status), answered_at=answered_at)
            lead_id = int(json.loads(body)["lead_id"])
            return Posted(sent_at, "201", lead_id, answered_at)
    except (aiohttp.ClientError, TimeoutError) as exc:
        return Posted(sent_at, type(exc).__name__, answered_at=time.monotonic())


def percentile(values: list[float], pct: float) -> float:
    """The nearest-rank *pct* percentile of *values* (nan when there are none)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def spread(values: list[float]) -> str:
    """p50 / p90 / p99 / max of millisecond values, formatted."""
    return " / ".join(f"{percentile(values, p):.1f}" for p in (50, 90, 99, 100))


# --------------------------------------------------------------------------------------------
# Phase 1: speed to lead at a fixed rate
# --------------------------------------------------------------------------------------------


@dataclass
class SpeedResult:
    """Figures of the fixed-rate phase."""

    planned: int
    created: int
    offer_ms: list[float]
    answer_ms: list[float]
    no_offer: int
    statuses: Counter[str]
    send_span: float
    cpu: tuple[float, float]


async def warm_up(session: aiohttp.ClientSession, url: str, watch: OfferWatch,
                  numbers: Iterator[str]) -> None:
    """Post a few leads one by one and wait for their offers, so pools and caches are warm."""
    ids = []
    for _ in range(WARMUP_LEADS):
        posted = await post_lead(session, url, next(numbers))
        if posted.lead_id is None:
            raise RuntimeError(f"warm-up lead was refused with {posted.status}")
        ids.append(posted.lead_id)
    await watch.wait_all(ids, time.monotonic() + OFFER_TIMEOUT_S)
    missing = [lead for lead in ids if lead not in watch.seen]
    if missing:
        raise RuntimeError(f"warm-up leads {missing} got no offer within {OFFER_TIMEOUT_S}s")


async def speed_to_lead(session: aiohttp.ClientSession, relay: Leadrelay, watch: OfferWatch,
                        numbers: Iterator[str], *, rate: float, seconds: float) -> SpeedResult:
    """Post leads on a fixed schedule (open loop) and time each one to its offer."""
    url = f"{relay.base}/webhooks/leads"
    planned = max(1, round(rate * seconds))
    meter = CpuMeter(relay.pid)
    tasks: list[asyncio.Task[Posted]] = []
    start = time.monotonic() + 0.01
    for n in range(planned):
        delay = start + n / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(post_lead(session, url, next(numbers))))
    async with asyncio.timeout(OFFER_TIMEOUT_S + 30):
        results = await asyncio.gather(*tasks)
    send_span = results[-1].sent_at - results[0].sent_at
    created = [r for r in results if r.lead_id is not None]
    ids = [r.lead_id for r in created if r.lead_id is not None]
    await watch.wait_all(ids, max(r.sent_at for r in results) + OFFER_TIMEOUT_S)
    cpu = meter.read()
    offer_ms, no_offer = [], 0
    for posted in created:
        assert posted.lead_id is not None
        seen = watch.seen.get(posted.lead_id)
        if seen is None or seen - posted.sent_at > OFFER_TIMEOUT_S:
            no_offer += 1
        if seen is not None:
            offer_ms.append((seen - posted.sent_at) * 1000)
    return SpeedResult(
        planned=planned, created=len(created), offer_ms=offer_ms,
        answer_ms=[(r.answered_at - r.sent_at) * 1000 for r in created], no_offer=no_offer,
        statuses=Counter(r.status for r in results), send_span=send_span, cpu=cpu)


# --------------------------------------------------------------------------------------------
# Phase 2: intake burst and outbox drain
# --------------------------------------------------------------------------------------------


@dataclass
class BurstResult:
    """Figures of the burst phase."""

    planned: int
    concurrency: int
    statuses: Counter[str]
    intake_s: float
    created_ids: list[int]
    offers_at_intake_end: int
    offers_seen: int
    delivery_s: float | None
    drain_after_intake_s: float | None
    first_offer_to_last_s: float | None
    offer_ms: list[float]
    answer_ms: list[float]
    cpu_intake: tuple[float, float]
    cpu_drain: tuple[float, float]
    complete: bool

    @property
    def created(self) -> int:
        """Leads answered 201."""
        return len(self.created_ids)

    @property
    def intake_rate(self) -> float:
        """Leads answered 201 per second of the intake window."""
        return self.created / self.intake_s if self.intake_s > 0 else math.nan

    @property
    def delivery_rate(self) -> float:
        """Offers delivered per second, from the first offer of the burst to its last."""
        if not self.first_offer_to_last_s:
            return math.nan
        return (self.offers_seen - 1) / self.first_offer_to_last_s


async def intake_burst(relay: Leadrelay, watch: OfferWatch, numbers: Iterator[str], *,
                       total: int, concurrency: int, intake_timeout: float,
                       drain_timeout: float) -> BurstResult:
    """Fire *total* leads with *concurrency* in flight, then wait for the outbox to drain."""
    url = f"{relay.base}/webhooks/leads"
    phone_list = [next(numbers) for _ in range(total)]
    queue = iter(phone_list)
    results: list[Posted] = []
    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=30)
    complete = True

    async def worker(session: aiohttp.ClientSession) -> None:
        for phone in queue:
            results.append(await post_lead(session, url, phone))

    meter = CpuMeter(relay.pid)
    started = time.monotonic()
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        try:
            async with asyncio.timeout(intake_timeout):
                await asyncio.gather(*(worker(session) for _ in range(concurrency)))
        except TimeoutError:
            complete = False
    first_sent = min((r.sent_at for r in results), default=started)
    intake_end = max((r.answered_at for r in results), default=time.monotonic())
    cpu_intake = meter.read()
    created = [r for r in results if r.lead_id is not None]
    ids = [r.lead_id for r in created if r.lead_id is not None]
    drain_meter = CpuMeter(relay.pid)
    await watch.wait_all(ids, time.monotonic() + drain_timeout)
    cpu_drain = drain_meter.read()
    seen = [watch.seen[lead] for lead in ids if lead in watch.seen]
    last = max(seen, default=None)
    first = min(seen, default=None)
    complete = complete and len(seen) == len(ids)
    return BurstResult(
        planned=total, concurrency=concurrency, statuses=Counter(r.status for r in results),
        intake_s=intake_end - first_sent, created_ids=ids,
        offers_at_intake_end=sum(1 for at in seen if at <= intake_end), offers_seen=len(seen),
        delivery_s=None if last is None else last - first_sent,
        drain_after_intake_s=None if last is None else max(0.0, last - intake_end),
        first_offer_to_last_s=None if last is None or first is None else last - first,
        offer_ms=[(watch.seen[r.lead_id] - r.sent_at) * 1000 for r in created
                  if r.lead_id is not None and r.lead_id in watch.seen],
        answer_ms=[(r.answered_at - r.sent_at) * 1000 for r in created],
        cpu_intake=cpu_intake, cpu_drain=cpu_drain, complete=complete)


# --------------------------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------------------------


def machine_facts() -> list[str]:
    """Lines describing the machine and interpreter."""
    model = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return [
        f"machine   : nproc={os.cpu_count()} (usable {len(os.sched_getaffinity(0))}), {model}",
        f"os        : {platform.platform()}",
        f"python    : {platform.python_version()} ({sys.executable})",
        f"load avg  : {load} (1/5/15 min, before the run)",
    ]


def database_facts(url: str) -> str:
    """One line naming the database kind and where it is."""
    if url.startswith("sqlite"):
        return f"database  : SQLite {sqlite3.sqlite_version} (WAL), {safe_url(url)}"
    return f"database  : PostgreSQL, {safe_url(url)}"


def statuses_text(statuses: Counter[str]) -> str:
    """HTTP statuses and client errors, most common first."""
    return ", ".join(f"{status}×{n}" for status, n in statuses.most_common()) or "none"


def report(speed: SpeedResult, burst: BurstResult, *, rate: float, kind: str,
           limited: int | None) -> None:
    """Print both phases and the summary table against the issue's targets."""
    print()
    print(f"== speed to lead: {speed.planned} leads at {rate:g}/s "
          f"(sent over {speed.send_span:.2f}s; {WARMUP_LEADS} warm-up leads not counted)")
    print(f"  answered         : {statuses_text(speed.statuses)}")
    print(f"  201 answer ms    : p50/p90/p99/max = {spread(speed.answer_ms)}")
    print(f"  offers measured  : {len(speed.offer_ms)} of {speed.created}")
    print(f"  to offer ms      : p50/p90/p99/max = {spread(speed.offer_ms)}")
    print(f"  no offer in {OFFER_TIMEOUT_S:g}s  : {speed.no_offer}")
    print(f"  CPU (% of 1 core): leadrelay {speed.cpu[0]:.0f}%, bench+sandbox {speed.cpu[1]:.0f}%")
    print()
    print(f"== intake burst: {burst.planned} leads, {burst.concurrency} in flight"
          + ("" if burst.complete else " (INCOMPLETE: timed out)"))
    print(f"  answered         : {statuses_text(burst.statuses)}")
    print(f"  intake           : {burst.created} answered 201 in {burst.intake_s:.2f}s "
          f"= {burst.intake_rate:.0f} leads/s")
    print(f"  201 answer ms    : p50/p90/p99/max = {spread(burst.answer_ms)}")
    print(f"  offers delivered : {burst.offers_at_intake_end} by the end of intake, "
          f"{burst.offers_seen} of {burst.created} in all")
    if burst.delivery_s is not None and burst.drain_after_intake_s is not None:
        print(f"  outbox drained   : {burst.delivery_s:.2f}s after the first request "
              f"({burst.drain_after_intake_s:.2f}s after the last 201); "
              f"{burst.delivery_rate:.1f} offers/s from the first offer to the last")
    print(f"  to offer ms      : p50/p90/p99/max = {spread(burst.offer_ms)}")
    print(f"  CPU (% of 1 core): intake: leadrelay {burst.cpu_intake[0]:.0f}%, "
          f"bench+sandbox {burst.cpu_intake[1]:.0f}%; drain: leadrelay "
          f"{burst.cpu_drain[0]:.0f}%, bench+sandbox {burst.cpu_drain[1]:.0f}%")
    p99 = percentile(speed.offer_ms, 99)
    rows = [
        ("database", kind, "", ""),
        (f"speed to lead p50 @ {rate:g}/s", f"{percentile(speed.offer_ms, 50):.1f} ms", "", ""),
        (f"speed to lead p99 @ {rate:g}/s", f"{p99:.1f} ms", f"≤ {TARGET_P99_MS:g} ms",
         "met" if p99 <= TARGET_P99_MS and speed.no_offer == 0 else "MISSED"),
        (f"no offer within {OFFER_TIMEOUT_S:g}s", str(speed.no_offer), "0",
         "met" if speed.no_offer == 0 else "MISSED"),
        ("intake (201/s, burst)", f"{burst.intake_rate:.0f} leads/s",
         f"≥ {TARGET_INTAKE_PER_S:g} leads/s",
         "met" if burst.intake_rate >= TARGET_INTAKE_PER_S else "MISSED"),
        ("intake errors", str(sum(n for s, n in burst.statuses.items() if s != "201")), "0", ""),
    ]
    if limited is None:
        rows.append(("outbox delivery (no limits)", f"{burst.delivery_rate:.1f} msgs/s", "", ""))
    else:
        rows += [
            ("outbox delivery (Telegram limits)", f"{burst.delivery_rate:.1f} msgs/s",
             f"≥ {TARGET_DELIVERY_PER_S:g} msgs/s",
             "met" if burst.delivery_rate >= TARGET_DELIVERY_PER_S else "MISSED"),
            ("429 answered by the sandbox", str(limited), "0", "met" if limited == 0 else "MISSED"),
        ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    print()
    print("== summary")
    for row in rows:
        print("  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
              .rstrip())


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


async def link_agents(sandbox: BotApiSandbox, *, within: float) -> None:
    """Every agent and the manager press /start and see the welcome."""
    names = {tid: f"Agent{n + 1}" for n, tid in enumerate(AGENT_IDS)} | {MANAGER_ID: "Boss"}
    users = [sandbox.user(tid, name) for tid, name in names.items()]
    for user in users:
        await user.send("/start")
    await asyncio.gather(*(user.wait_for(lambda m: "Hi " in m.text, timeout=within)
                           for user in users))


async def run(args: argparse.Namespace) -> int:
    """Start the sandbox and leadrelay, run both phases, print, and stop everything."""
    print("command   : " + shlex.join([Path(sys.executable).name, *sys.argv]))
    for line in machine_facts():
        print(line)
    with tempfile.TemporaryDirectory(prefix="leadrelay-bench-") as tmp_dir:
        tmp = Path(tmp_dir)
        async with bench_database(args.database, tmp) as database:
            return await _run_on(args, tmp, database.url)


async def _run_on(args: argparse.Namespace, tmp: Path, url: str) -> int:
    """Both phases against leadrelay on the database at *url*."""
    kind = "SQLite" if url.startswith("sqlite") else "PostgreSQL"
    print(database_facts(url))
    config = tmp / "office.yaml"
    config.write_text(yaml.safe_dump(office_yaml(), allow_unicode=True), encoding="utf-8")
    sandbox = BotApiSandbox(token=BOT_TOKEN,
                            limits=TelegramLimits() if args.limits else None)
    await sandbox.start()
    print(f"sandbox   : {sandbox.url} (validating against the Bot API spec: "
          f"{'yes' if sandbox.validating else 'no'}; Telegram's rate limits: "
          f"{'on' if args.limits else 'off'})")
    watch = OfferWatch()
    sandbox.listeners.append(watch)
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": BOT_TOKEN, "TELEGRAM_API_URL": sandbox.url,
           "DATABASE_URL": url, "HTTP_HOST": "127.0.0.1", "HTTP_PORT": str(free_port()),
           "LEADRELAY_CONFIG": str(config), "SWEEP_SECONDS": "5", "LOG_LEVEL": "WARNING"}
    relay = Leadrelay(env=env, log_path=tmp / "leadrelay.log", cwd=tmp)
    numbers = phones("532")
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
            up = await relay.start(session, within=30)
            await link_agents(sandbox, within=15)
            print(f"leadrelay : pid {relay.pid}, {shlex.join(relay.argv[1:])}, "
                  f"/healthz after {up:.2f}s, {len(AGENT_IDS) + 1} chats linked")
            await warm_up(session, f"{relay.base}/webhooks/leads", watch, numbers)
            speed = await speed_to_lead(session, relay, watch, numbers,
                                        rate=args.rate, seconds=args.seconds)
        burst = await intake_burst(relay, watch, numbers, total=args.burst,
                                   concurrency=args.concurrency,
                                   intake_timeout=args.intake_timeout,
                                   drain_timeout=args.drain_timeout)
    finally:
        code, took = await relay.stop()
        await sandbox.stop()
        print(f"leadrelay : stopped with SIGTERM, exit code {code}, in {took:.2f}s")
        problems = relay.log_problems()
        if problems or sandbox.errors or watch.rejected:
            print(f"warnings  : leadrelay log {dict(problems)}, sandbox errors "
                  f"{len(sandbox.errors)}, refused offers {watch.rejected}; log tail:")
            print("  " + relay.log_tail(8).replace("\n", "\n  "))
    report(speed, burst, rate=args.rate, kind=kind,
           limited=len(sandbox.rate_limited) if args.limits else None)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\nload avg after the run: {load}")
    return 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=20.0,
                        help="leads per second in the speed-to-lead phase (default 20)")
    parser.add_argument("--seconds", type=float, default=15.0,
                        help="length of the speed-to-lead phase in seconds (default 15)")
    parser.add_argument("--burst", type=int, default=2000,
                        help="leads fired in the intake burst (default 2000)")
    parser.add_argument("--concurrency", type=int, default=64,
                        help="requests in flight during the burst (default 64)")
    parser.add_argument("--intake-timeout", type=float, default=45.0,
                        help="give up on the burst's requests after this many s (default 45)")
    parser.add_argument("--drain-timeout", type=float, default=120.0,
                        help="seconds to wait for the outbox after the burst (default 120)")
    parser.add_argument("--limits", action=argparse.BooleanOptionalAction, default=True,
                        help="the sandbox enforces Telegram's rate limits (default on)")
    parser.add_argument("--database", default="sqlite",
                        help="'sqlite' (a fresh file in a temp dir) or a database URL; on "
                             "a PostgreSQL server, e.g. postgresql+asyncpg://postgres@"
                             "127.0.0.1:5432/postgres, the bench makes a database of its own "
                             "and drops it at the end")
    args = parser.parse_args(argv)
    if args.rate <= 0 or args.seconds <= 0 or args.burst <= 0 or args.concurrency <= 0:
        parser.error("--rate, --seconds, --burst and --concurrency must be positive")
    if args.database != "sqlite" and not args.database.startswith(
            ("sqlite+aiosqlite://", "postgresql+asyncpg://")):
        parser.error("--database must be 'sqlite' or a sqlite+aiosqlite:// or "
                     "postgresql+asyncpg:// URL")
    return args


def run_bench(run: Callable[[argparse.Namespace], Awaitable[int]],
              args: argparse.Namespace) -> None:
    """Run a bench's `run(args)` and exit with its code: 130 on Ctrl-C, 1 with the reason."""
    try:
        code = asyncio.run(run(args))
    except KeyboardInterrupt:
        code = 130
    except Exception as exc:
        print(f"bench failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        code = 1
    raise SystemExit(code)


def main() -> None:
    """Entry point."""
    run_bench(run, parse_args())


if __name__ == "__main__":
    main()
