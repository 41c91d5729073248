"""A kill -9 in the middle of a burst of leads: nothing that was answered 201 is lost.

leadrelay runs as a real subprocess (`python -m leadrelay.cli run`, as in production) against
the Bot API sandbox hosted by the test. While leads pour in, 16 at a time, the process gets
SIGKILL with requests in flight and offers half sent; it is started again on the same
database and the load goes on. Once the outbox has drained, the database and the sandbox are
read directly: every acknowledged lead is stored and held by someone, its offer reached the
agent (at most one duplicate per crash), and no outbox row is left behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml
from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bench.kit.office import BOT_TOKEN, SOURCE_TOKEN, lead_payload, office_yaml, phones
from bench.kit.process import Leadrelay, free_port
from bench.kit.watch import link_agents
from sandbox import ApiCall, BotApiSandbox
from storage.tables import leads, offers, outbox

pytestmark = pytest.mark.slow  # a whole leadrelay runs: see README, Tests

LEADS = 300
IN_FLIGHT = 16
# Leads per second until some chat has had 2 offers; then as fast as IN_FLIGHT allows. The
# burst so outlasts the first offers and the kill finds the outbox mid-stream (sends in
# flight, chats waiting on Telegram's pace), not still idle.
WARM_UP_RATE = 50.0
SEND_REPLY_DELAY = 0.4  # s: Telegram's answer to a send is held back this long (see SlowReplies)
# A kill waits until a send is held in SlowReplies and some chat has had 2 offers (so chats
# are waiting on Telegram's pace too), for at most this many more acknowledged leads.
WAIT_FOR_A_SEND = 60
HELD = {"offered", "with_managers", "owned"}  # where a lead nobody lost can be
_LEAD_ID = re.compile(r"#(\d+)")
_CONNECTION_LOST = (aiohttp.ClientError, TimeoutError, ConnectionError)


# --------------------------------------------------------------------------------------------
# The office, the process and the load
# --------------------------------------------------------------------------------------------


def long_sla_office() -> dict[str, Any]:
    """The bench office (40 agents, a manager) with SLAs no test run comes near."""
    data = office_yaml()
    data["sla"] = {temp: {"accept_within": "2h", "offers_before_managers": 3}
                   for temp in ("hot", "warm", "cold")}
    return data


def offer_lead_id(call: ApiCall) -> int | None:
    """The lead id of an offer message (sendMessage "#<id>" with an Accept button), else None."""
    if call.method != "sendMessage":
        return None
    markup = call.params.get("reply_markup")
    rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
    buttons = [b.get("text") for row in rows or [] if isinstance(row, list)
               for b in row if isinstance(b, dict)]
    if not any(isinstance(text, str) and "Accept" in text for text in buttons):
        return None
    text = call.params.get("text")
    match = _LEAD_ID.search(text) if isinstance(text, str) else None
    return int(match.group(1)) if match else None


@dataclass
class Load:
    """Leads posted by IN_FLIGHT workers, paused while leadrelay is down."""

    url: str
    numbers: Iterator[str]
    crash_after: list[int]  # kill once this many leads have been answered 201 in all
    telegram: SlowReplies
    acknowledged: dict[str, int] = field(default_factory=dict)  # phone -> lead id
    refused: Counter[str] = field(default_factory=Counter)  # answers other than 201
    lost_in_flight: list[str] = field(default_factory=list)  # connection errors: not acked
    posted: list[str] = field(default_factory=list)
    up: asyncio.Event = field(default_factory=asyncio.Event)
    crashed: asyncio.Event = field(default_factory=asyncio.Event)
    in_flight_at_kill: list[int] = field(default_factory=list)
    sends_at_kill: list[int] = field(default_factory=list)
    acked_at_kill: list[int] = field(default_factory=list)
    in_flight: int = 0
    next_at: float = 0.0
    offers_per_chat: Counter[int] = field(default_factory=Counter)

    def saw(self, call: ApiCall) -> None:
        """A sandbox listener: count the offers each chat has received."""
        if call.status == 200 and offer_lead_id(call) is not None:
            self.offers_per_chat[int(call.params["chat_id"])] += 1

    @property
    def streaming(self) -> bool:
        """Whether the outbox is mid-stream: some chat already had its second offer."""
        return max(self.offers_per_chat.values(), default=0) >= 2

    def time_to_kill(self) -> bool:
        """Whether the next kill is due: enough leads in, and sends in flight."""
        if not self.crash_after or len(self.acknowledged) < self.crash_after[0]:
            return False
        sending = self.streaming and self.telegram.holding > 0
        return sending or len(self.acknowledged) >= self.crash_after[0] + WAIT_FOR_A_SEND

    async def worker(self, session: aiohttp.ClientSession, relay_box: list[Leadrelay]) -> None:
        """Post leads one after another until the phones run out."""
        headers = {"Authorization": f"Bearer {SOURCE_TOKEN}"}
        while True:
            await self.up.wait()
            if not self.streaming:
                now = time.monotonic()
                self.next_at = max(self.next_at, now) + 1 / WARM_UP_RATE
                await asyncio.sleep(self.next_at - 1 / WARM_UP_RATE - now)
                if not self.up.is_set():
                    continue
            phone = next(self.numbers, None)
            if phone is None:
                return
            self.posted.append(phone)
            self.in_flight += 1
            try:
                async with session.post(self.url, json=lead_payload(phone),
                                        headers=headers) as reply:
                    body = await reply.json(content_type=None)
                    status = reply.status
            except _CONNECTION_LOST:
                self.lost_in_flight.append(phone)
                continue
            finally:
                self.in_flight -= 1
            if status != 201:
                self.refused[f"{status} {body}"] += 1
                continue
            self.acknowledged[phone] = int(body["lead_id"])
            if self.time_to_kill():
                # SIGKILL right now, from inside the load: the other workers are mid-request,
                # and (as a rule) an offer has reached Telegram without leadrelay knowing it.
                self.crash_after.pop(0)
                self.up.clear()
                self.in_flight_at_kill.append(self.in_flight)
                self.sends_at_kill.append(self.telegram.holding)
                self.acked_at_kill.append(len(self.acknowledged))
                process = relay_box[-1].process
                assert process is not None
                process.kill()
                self.crashed.set()


@contextlib.asynccontextmanager
async def reader(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine of the test's own, to read what leadrelay stored."""
    engine = create_async_engine(database_url)
    try:
        yield engine
    finally:
        await engine.dispose()


async def unsent_rows(engine: AsyncEngine) -> int:
    """Outbox rows neither sent nor given up on."""
    async with engine.connect() as conn:
        rows = await conn.execute(select(outbox.c.id).where(
            outbox.c.sent_at.is_(None), outbox.c.failed_at.is_(None)))
        return len(rows.all())


async def stored_lead_ids(engine: AsyncEngine) -> set[int]:
    """Every lead in the database."""
    async with engine.connect() as conn:
        return {row.id for row in await conn.execute(select(leads.c.id))}


def offered_ids(sandbox: BotApiSandbox) -> Counter[int]:
    """How many offer messages per lead id the sandbox accepted (status 200)."""
    return Counter(lead for call in sandbox.calls("sendMessage")
                   if call.status == 200 and (lead := offer_lead_id(call)) is not None)


async def wait_for_drain(engine: AsyncEngine, sandbox: BotApiSandbox, *,
                         within: float, settle: float = 2.0) -> None:
    """Return once the outbox is empty and every stored lead's offer reached the sandbox.

    An outbox that stays empty for *settle* seconds with offers still missing will send
    nothing more: return then too, and let the checks say what was lost.
    """
    deadline = time.monotonic() + within
    empty_since: float | None = None
    while True:
        unsent = await unsent_rows(engine)
        missing = await stored_lead_ids(engine) - set(offered_ids(sandbox))
        now = time.monotonic()
        if unsent == 0 and (not missing or (empty_since and now - empty_since > settle)):
            return
        empty_since = (empty_since or now) if unsent == 0 else None
        if now > deadline:
            pytest.fail(f"after {within}s the outbox still holds {unsent} unsent row(s) and "
                        f"{len(missing)} stored lead(s) have no offer in the sandbox "
                        f"(e.g. {sorted(missing)[:10]})")
        await asyncio.sleep(0.2)


class SlowReplies:
    """A proxy in front of the sandbox that holds each sendMessage reply back for *delay* s.

    The sandbox has recorded (delivered) the message by then, but leadrelay does not know it
    yet: a kill in that window leaves offers sent but not marked sent, the case that must
    end in one duplicate, never in a loss.
    """

    def __init__(self, upstream: str, *, delay: float) -> None:
        self.upstream, self.delay = upstream, delay
        self.holding = 0  # sends Telegram has made that leadrelay has not heard back about
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None
        self.url = ""

    async def __aenter__(self) -> SlowReplies:
        self._client = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None))
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._client is not None:
            await self._client.close()

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._client is not None
        headers = {k: v for k, v in request.headers.items() if k.lower() == "content-type"}
        async with self._client.request(request.method, self.upstream + request.path_qs,
                                        data=await request.read(), headers=headers) as reply:
            body, status = await reply.read(), reply.status
            content_type = reply.headers.get("Content-Type", "application/json")
        if request.path.lower().endswith("/sendmessage"):
            self.holding += 1
            try:
                await asyncio.sleep(self.delay)
            finally:
                self.holding -= 1
        return web.Response(body=body, status=status, headers={"Content-Type": content_type})


# --------------------------------------------------------------------------------------------
# The scenario
# --------------------------------------------------------------------------------------------


@dataclass
class CrashRun:
    """What a run saw: the load, the processes it started, and the sandbox's calls."""

    load: Load
    relays: list[Leadrelay]
    sandbox: BotApiSandbox
    started: float = field(default_factory=time.monotonic)
    phases: list[str] = field(default_factory=list)

    def mark(self, phase: str) -> None:
        """Note that *phase* ended now, for the summary."""
        self.phases.append(f"{phase} {time.monotonic() - self.started:.1f}s")

    async def post_all(self, session: aiohttp.ClientSession) -> None:
        """Post every lead of the load, IN_FLIGHT at a time."""
        await asyncio.gather(*(self.load.worker(session, self.relays)
                               for _ in range(IN_FLIGHT)))

    def logs(self) -> str:
        """The tail of every leadrelay log, for failure messages."""
        return "\n".join(
            f"--- leadrelay #{n + 1} (exit {r.process.returncode if r.process else '-'})\n"
            f"{r.log_tail(10)}" for n, r in enumerate(self.relays))


Check = Callable[[CrashRun, str], Awaitable[None]]


async def burst_with_crashes(database_url: str, tmp_path: Path, *, crash_after: list[int],
                             check: Check) -> None:
    """Run the burst, SIGKILL leadrelay at each threshold, restart it, drain, then *check*."""
    config = tmp_path / "office.yaml"
    config.write_text(yaml.safe_dump(long_sla_office(), allow_unicode=True), encoding="utf-8")
    crashes = len(crash_after)
    async with (BotApiSandbox(token=BOT_TOKEN) as sandbox,
                SlowReplies(sandbox.url, delay=SEND_REPLY_DELAY) as telegram):
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": BOT_TOKEN, "TELEGRAM_API_URL": telegram.url,
               "DATABASE_URL": database_url, "HTTP_HOST": "127.0.0.1",
               "HTTP_PORT": str(free_port()), "LEADRELAY_CONFIG": str(config),
               "SWEEP_SECONDS": "5", "LOG_LEVEL": "WARNING"}
        relays: list[Leadrelay] = []

        def new_relay() -> Leadrelay:
            relay = Leadrelay(env=env, log_path=tmp_path / f"leadrelay-{len(relays) + 1}.log",
                              cwd=tmp_path)
            relays.append(relay)
            return relay

        numbers = iter([phone for _, phone in zip(range(LEADS), phones("533"), strict=False)])
        load = Load(url="", numbers=numbers, crash_after=list(crash_after), telegram=telegram)
        sandbox.listeners.append(load.saw)
        run = CrashRun(load, relays, sandbox)
        timeout = aiohttp.ClientTimeout(total=30)
        try:
            async with aiohttp.ClientSession(timeout=timeout) as control:
                await new_relay().start(control, within=30)
                run.mark("up")
                await link_agents(sandbox, within=15)
                run.mark("linked")
            load.url = f"{relays[-1].base}/webhooks/leads"
            # A fresh connection per request: none is reused across a kill and a restart.
            connector = aiohttp.TCPConnector(limit=IN_FLIGHT, force_close=True)
            async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
                load.up.set()
                workers = asyncio.create_task(run.post_all(session))
                try:
                    for _ in range(crashes):
                        crashed = asyncio.create_task(load.crashed.wait())
                        await asyncio.wait({crashed, workers}, timeout=30,
                                           return_when=asyncio.FIRST_COMPLETED)
                        crashed.cancel()
                        if not load.crashed.is_set():
                            break  # the load ended (or hung) before the threshold
                        load.crashed.clear()
                        killed = relays[-1].process
                        assert killed is not None
                        code = await asyncio.wait_for(killed.wait(), 10)
                        assert code == -9, f"leadrelay ended with {code}, not by SIGKILL"
                        run.mark("killed")
                        await new_relay().start(session, within=30)
                        run.mark("restarted")
                        load.up.set()
                    await asyncio.wait_for(asyncio.shield(workers), 60)
                    run.mark("posted")
                finally:
                    workers.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await workers
            assert load.posted, "nothing was posted"
            assert len(relays) == crashes + 1, (
                f"only {len(relays) - 1} of {crashes} kills happened: "
                f"{len(load.acknowledged)} leads acknowledged\n{run.logs()}")
            async with reader(database_url) as engine:
                await wait_for_drain(engine, sandbox, within=45)
            run.mark("drained")
            await relays[-1].stop()
            run.mark("stopped")
            await check(run, database_url)
        except BaseException:
            print(run.logs())
            raise
        finally:
            for relay in relays:
                if relay.process is not None and relay.process.returncode is None:
                    await relay.stop(grace=5)


# --------------------------------------------------------------------------------------------
# What must hold afterwards
# --------------------------------------------------------------------------------------------


async def nothing_acknowledged_is_lost(run: CrashRun, database_url: str) -> None:
    """The checks of the brief, on the database and the sandbox, after leadrelay stopped."""
    load, sandbox, crashes = run.load, run.sandbox, len(run.relays) - 1
    assert not load.refused, f"intake refused leads: {dict(load.refused)}"
    # The kill must have hit requests in flight, or this test would prove nothing about them.
    assert load.lost_in_flight, (
        f"no request was in flight at the kill(s) (in flight: {load.in_flight_at_kill})")
    assert len(load.acknowledged) + len(load.lost_in_flight) == len(load.posted) == LEADS

    async with reader(database_url) as engine, engine.connect() as conn:
        lead_rows = {r.id: r for r in await conn.execute(
            select(leads.c.id, leads.c.phone, leads.c.status, leads.c.owner_id))}
        offer_rows = list(await conn.execute(
            select(offers.c.id, offers.c.lead_id, offers.c.agent_id, offers.c.status,
                   offers.c.delivered_at)))
        outbox_rows = list(await conn.execute(
            select(outbox.c.id, outbox.c.ref, outbox.c.template, outbox.c.sent_at,
                   outbox.c.failed_at, outbox.c.last_error)))

    # Every acknowledged lead is stored, under the id it was acknowledged with.
    ids = Counter(load.acknowledged.values())
    assert max(ids.values()) == 1, (
        f"one lead id acknowledged for several phones: {[i for i, n in ids.items() if n > 1][:10]}"
        " (ids restart when the database is emptied under a running leadrelay, e.g. by another"
        " test resetting the shared PostgreSQL schema)")
    missing = {phone: lead for phone, lead in load.acknowledged.items() if lead not in lead_rows}
    assert not missing, (f"{len(missing)} acknowledged lead(s) are not in the database, e.g. "
                         f"{dict(list(missing.items())[:10])}")
    wrong = {lead: (phone, lead_rows[lead].phone) for phone, lead in load.acknowledged.items()
             if lead_rows[lead].phone != phone}
    assert not wrong, f"acknowledged ids point at other leads' phones: {wrong}"
    # Nothing was stored that was never posted, and no phone was stored twice.
    stored_phones = Counter(r.phone for r in lead_rows.values())
    assert set(stored_phones) <= set(load.posted), "leads nobody posted are in the database"
    assert max(stored_phones.values()) == 1, (
        f"phones stored twice: {[p for p, n in stored_phones.items() if n > 1]}")

    # Every stored lead (acknowledged or caught by the kill after commit) is held by someone.
    pending = {o.lead_id: o for o in offer_rows if o.status == "pending"}
    adrift = {}
    for lead in lead_rows.values():
        if lead.status not in HELD:
            adrift[lead.id] = f"status {lead.status}"
        elif lead.status == "offered" and lead.id not in pending:
            adrift[lead.id] = "offered with no pending offer"
        elif lead.status == "owned" and lead.owner_id is None:
            adrift[lead.id] = "owned by nobody"
    assert not adrift, f"{len(adrift)} lead(s) held by nobody: {dict(list(adrift.items())[:10])}"

    # Each offer message reached its agent, with its Accept button; duplicates stay bounded.
    delivered: dict[int, set[int]] = {}
    for call in sandbox.calls("sendMessage"):
        lead_id = offer_lead_id(call)
        if lead_id is not None and call.status == 200:
            delivered.setdefault(lead_id, set()).add(int(call.params["chat_id"]))
    undelivered = {lead: offer.agent_id for lead, offer in pending.items()
                   if offer.agent_id not in delivered.get(lead, set())}
    assert not undelivered, (
        f"{len(undelivered)} pending offer(s) never reached their agent: "
        f"{dict(list(undelivered.items())[:10])}")
    acked_undelivered = sorted(set(load.acknowledged.values()) - set(delivered))
    assert not acked_undelivered, f"acknowledged leads without an offer: {acked_undelivered}"
    per_lead = offered_ids(sandbox)
    duplicated = {lead: n for lead, n in per_lead.items() if n > 1 + crashes}
    assert not duplicated, (
        f"offer messages sent more than {1 + crashes} times after {crashes} crash(es): "
        f"{duplicated}")
    refused = [c for c in sandbox.calls("sendMessage") if c.status != 200]
    assert not refused, f"the sandbox refused sends: {[(c.status, c.params) for c in refused]}"
    assert not sandbox.errors, f"sandbox errors: {sandbox.errors}"

    # The outbox is empty: nothing unsent, nothing given up on.
    unsent = [r.id for r in outbox_rows if r.sent_at is None and r.failed_at is None]
    assert not unsent, f"{len(unsent)} outbox row(s) were never sent: {unsent[:20]}"
    failed = [(r.id, r.template, r.last_error) for r in outbox_rows if r.failed_at is not None]
    assert not failed, f"outbox rows given up on: {failed[:20]}"
    offer_rows_out = Counter(r.ref for r in outbox_rows if r.ref and r.ref.startswith("offer:"))
    assert all(n == 1 for n in offer_rows_out.values()), "an offer was queued twice"

    unacked_stored = set(lead_rows) - set(load.acknowledged.values())
    clockless = sum(1 for o in offer_rows if o.status == "pending" and o.delivered_at is None)
    print(f"{crashes} kill(s) after {load.acked_at_kill} 201s, with {load.in_flight_at_kill} "
          f"requests and {load.sends_at_kill} sends in flight; "
          f"{len(load.acknowledged)} acknowledged, {len(load.lost_in_flight)} lost in flight "
          f"({len(unacked_stored)} of those stored anyway); offers sent twice: "
          f"{sum(1 for n in per_lead.values() if n > 1)}; pending offers without "
          f"delivered_at: {clockless}; {', '.join(run.phases)}")


async def test_a_kill_9_during_a_burst_loses_no_acknowledged_lead(
    database_url: str, tmp_path: Path,
) -> None:
    await burst_with_crashes(database_url, tmp_path, crash_after=[100],
                             check=nothing_acknowledged_is_lost)


async def test_two_kills_during_one_burst_lose_no_acknowledged_lead(
    database_url: str, tmp_path: Path,
) -> None:
    await burst_with_crashes(database_url, tmp_path, crash_after=[80, 180],
                             check=nothing_acknowledged_is_lost)
