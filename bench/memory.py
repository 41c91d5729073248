"""Measure the resident memory of a running leadrelay with 100,000 open leads in its database.

The script seeds a fresh SQLite database directly (bulk executemany, not through intake) with
the office of bench/speed_to_lead.py (40 agents and 1 manager, every chat linked) and
--leads open leads, each with its contact, offers, history, a sent outbox row and its
sent_messages ref. Then it starts leadrelay (`python -m leadrelay.cli run`) on it against the
Bot API sandbox, posts a few leads so the normal paths run, and reads VmRSS / VmHWM of the
process from /proc. The same steps on a database with only the roster show what the leads add.

    python bench/memory.py [--leads 100000] [--posts 200] [--rate 10] [--settle 10] [--manager]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import shlex
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import yaml
from sqlalchemy import Table, func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

# Run as `python bench/memory.py`: make the project root importable for `bench.*`.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.kit.cli import run_bench
from bench.kit.figures import database_facts, machine_facts, statuses_text
from bench.kit.load import post_lead
from bench.kit.office import AGENT_IDS, BOT_TOKEN, MANAGER_ID, lead_payload, office_yaml, phones
from bench.kit.process import Leadrelay, free_port
from bench.kit.watch import OfferWatch, link_agents
from bot.sandbox import BotApiSandbox, TelegramLimits
from core.clock import SystemClock
from core.config import OfficeConfig
from core.model import LeadStatus, OfferStatus, Stage
from core.scoring import band
from leadrelay.bootstrap import bootstrap, sql_uow_factory
from leadrelay.office import load_office
from storage.db import create_engine
from storage.migrate import upgrade
from storage.tables import agents, contacts, lead_events, leads, offers, outbox, sent_messages

SEED = 20261126
TARGET_RSS_MB = 150.0
BATCH = 10_000  # leads per seeding transaction (each one brings ~9 rows in other tables)
SHARE_OWNED, SHARE_OFFERED = 0.80, 0.15  # the rest (5 %) waits for a manager
ACCEPT_WINDOW = timedelta(minutes=30)  # the office's SLA, every temperature
FIRST = ["Deniz", "Elif", "Mehmet", "Ayşe", "Can", "Zeynep", "Emre", "Selin", "Burak", "Ece",
         "Mert", "Derya", "Kerem", "Naz", "Oğuz", "Pınar"]
LAST = ["Kaya", "Yılmaz", "Demir", "Şahin", "Çelik", "Aydın", "Öztürk", "Arslan", "Doğan",
        "Koç"]
REGIONS = ["Istanbul / Kadıköy", "Istanbul / Beşiktaş", "Istanbul / Üsküdar", "Istanbul / Şişli",
           "Ankara / Çankaya", "Izmir / Karşıyaka", "Antalya / Muratpaşa", "Bursa / Nilüfer"]
PRODUCTS = ["residential", "residential", "residential", "commercial", "land", "rental"]
TIMINGS = ["this week", "this month", "in 3 months", "just looking", None]
MESSAGES = [None, None, "Is the flat still available?",
            "Looking for 3+1 with a sea view, close to the metro.",
            "Please call after 18:00.", "We need a place before the school year starts."]
_LEAD_ID = re.compile(r"#(\d+)")
MANAGER_COMMANDS = ("/pending", "/stats 30d")  # with --manager: they read many leads at once
MANAGER_TIMEOUT_S = 90.0
STAGES = [Stage.NEW] * 8 + [Stage.CONTACTED] * 7 + [Stage.APPOINTMENT] * 3 + [Stage.OFFER] * 2


# --------------------------------------------------------------------------------------------
# Seeding the database
# --------------------------------------------------------------------------------------------


@dataclass
class Rows:
    """The rows of one seeding batch, per table."""

    contacts: list[dict[str, Any]] = field(default_factory=list)
    leads: list[dict[str, Any]] = field(default_factory=list)
    offers: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    outbox: list[dict[str, Any]] = field(default_factory=list)
    sent: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Seeder:
    """Builds realistic rows for open leads as normal operation would have left them."""

    config: OfficeConfig
    now: datetime
    trace: dict[str, Any]  # a real routing trace (`routed` event) to copy per lead
    rng: random.Random = field(default_factory=lambda: random.Random(SEED))
    numbers: Iterator[str] = field(default_factory=lambda: phones("533"))
    next_offer: int = 1
    next_event: int = 1
    next_message: dict[int, int] = field(default_factory=dict)

    def batch(self, first_id: int, count: int, total: int) -> Rows:
        """Rows for leads first_id .. first_id + count - 1 (contact ids equal lead ids)."""
        rows = Rows()
        owned_until = round(total * SHARE_OWNED)
        offered_until = owned_until + round(total * SHARE_OFFERED)
        for lead_id in range(first_id, first_id + count):
            n = lead_id - 1
            status = (LeadStatus.OWNED if n < owned_until else
                      LeadStatus.OFFERED if n < offered_until else LeadStatus.WITH_MANAGERS)
            self._lead(rows, lead_id, status)
        return rows

    def _lead(self, rows: Rows, lead_id: int, status: LeadStatus) -> None:
        rng, now = self.rng, self.now
        first, last = rng.choice(FIRST), rng.choice(LAST)
        name, phone = f"{first} {last}", next(self.numbers)
        email = f"{first.lower()}.{last.lower()}{lead_id}@example.com" if rng.random() < 0.6 \
            else None
        if status is LeadStatus.OWNED:
            received = now - timedelta(seconds=rng.uniform(3600, 60 * 86400))
        elif status is LeadStatus.OFFERED:
            received = now - timedelta(seconds=rng.uniform(5, 600))
        else:
            # Escalated 15-45 days ago: the offers that expired then fall outside the penalty
            # window (2 misses in 7 days cost hot leads for 7 days), so new hot leads still
            # go to agents instead of every agent being penalised.
            received = now - timedelta(seconds=rng.uniform(15 * 86400, 45 * 86400))
        score = rng.randint(15, 95)
        temperature = band(score, self.config.scoring).value
        low = rng.choice([500_000, 1_000_000, 2_000_000, 5_000_000])
        budget = (low, low * 2) if rng.random() < 0.7 else (None, None)
        lead: dict[str, Any] = {
            "id": lead_id, "contact_id": lead_id, "source": "website",
            "external_id": f"web-{lead_id}" if rng.random() < 0.5 else None,
            "postal_code": None, "language": None, "tags": [], "company": None, "intent": None,
            "fit": None, "received_at": received, "score": score, "temperature": temperature,
            "name": name, "phone": phone, "email": email, "product": rng.choice(PRODUCTS),
            "region": rng.choice(REGIONS), "budget_min": budget[0], "budget_max": budget[1],
            "timing": rng.choice(TIMINGS), "message": rng.choice(MESSAGES),
            "missing": [] if email else ["email"], "returning_contact": False,
            "status": status.value, "stage": Stage.NEW.value, "owner_id": None,
            "accepted_at": None, "escalated_at": None, "contacted_at": None, "closed_at": None,
            "amount": None, "version": 1,
        }
        rows.contacts.append({"id": lead_id, "phone": phone, "email": email, "name": name,
                              "created_at": received})
        rows.leads.append(lead)
        summary = self._summary(lead)
        self._event(rows, lead_id, received, "received", None, {
            "source": "website", "score": score, "temperature": temperature})
        agent = AGENT_IDS[lead_id % len(AGENT_IDS)]
        if status is LeadStatus.WITH_MANAGERS:
            tried = [AGENT_IDS[(lead_id + k) % len(AGENT_IDS)] for k in range(3)]
            self._event(rows, lead_id, received, "routed", tried[0], self._trace(tried[0]))
            for seq, who in enumerate(tried, start=1):
                made = received + (seq - 1) * ACCEPT_WINDOW
                offer_id = self._offer(rows, lead_id, who, made, seq, OfferStatus.EXPIRED,
                                       decided=made + ACCEPT_WINDOW)
                self._event(rows, lead_id, made, "offered", who,
                            {"offer_id": offer_id, "why": self.trace["reason"]})
                self._event(rows, lead_id, made + ACCEPT_WINDOW, "expired", who,
                            {"offer_id": offer_id})
            escalated = received + 3 * ACCEPT_WINDOW
            lead.update(escalated_at=escalated, version=4)
            self._event(rows, lead_id, escalated, "escalated", None, {"reason": "no_accept"})
            choices = [[tid, f"Agent{k + 1}"] for k, tid in enumerate(AGENT_IDS)]
            self._message(rows, MANAGER_ID, "escalated", escalated, f"esc:{lead_id}:{MANAGER_ID}", {
                **summary, "name": name, "phone": phone, "email": email,
                "message": lead["message"], "reason": "no_accept",
                "tried": [f"Agent{AGENT_IDS.index(t) + 1}" for t in tried], "choices": choices})
            return
        self._event(rows, lead_id, received, "routed", agent, self._trace(agent))
        if status is LeadStatus.OWNED:
            accepted = received + timedelta(seconds=rng.uniform(20, 900))
            offer_id = self._offer(rows, lead_id, agent, received, 1, OfferStatus.ACCEPTED,
                                   decided=accepted)
            stage = rng.choice(STAGES)
            lead.update(owner_id=agent, accepted_at=accepted, stage=stage.value, version=2,
                        contacted_at=None if stage is Stage.NEW
                        else accepted + timedelta(hours=rng.uniform(0.1, 48)))
        else:
            # Deadlines 30-60 min ahead: nothing comes due while the bench runs.
            offer_id = self._offer(rows, lead_id, agent, received, 1, OfferStatus.PENDING,
                                   deadline=now + ACCEPT_WINDOW
                                   + timedelta(seconds=rng.uniform(0, 1800)))
        self._event(rows, lead_id, received, "offered", agent,
                    {"offer_id": offer_id, "why": self.trace["reason"]})
        if status is LeadStatus.OWNED:
            self._event(rows, lead_id, lead["accepted_at"], "accepted", agent, {
                "offer_id": offer_id,
                "seconds": (lead["accepted_at"] - received).total_seconds(), "within_sla": True})
        offer = rows.offers[-1]
        self._message(rows, agent, "offer", received, f"offer:{offer_id}", {
            **summary, "offer_id": offer_id, "token": offer["token"],
            "deadline": offer["deadline"].isoformat(),
            "window_s": int(ACCEPT_WINDOW.total_seconds()), "sequence": 1,
            "why": self.trace["reason"], "pool_size": 0})

    def _summary(self, lead: dict[str, Any]) -> dict[str, Any]:
        keys = ("temperature", "score", "product", "region", "budget_min", "budget_max",
                "timing", "source", "company", "intent")
        return {"lead_id": lead["id"], **{k: lead[k] for k in keys},
                "first_name": lead["name"].split()[0], "missing": lead["missing"],
                "returning": False, "received_at": lead["received_at"].isoformat()}

    def _trace(self, agent: int) -> dict[str, Any]:
        return {**self.trace, "agent_id": agent}

    def _offer(self, rows: Rows, lead_id: int, agent: int, made: datetime, sequence: int,
               status: OfferStatus, *, decided: datetime | None = None,
               deadline: datetime | None = None) -> int:
        offer_id, self.next_offer = self.next_offer, self.next_offer + 1
        rows.offers.append({
            "id": offer_id, "lead_id": lead_id, "agent_id": agent,
            "token": f"{self.rng.getrandbits(48):012x}", "status": status.value,
            "created_at": made, "deadline": deadline or made + ACCEPT_WINDOW,
            "decided_at": decided, "decline_reason": None, "sequence": sequence,
            "trace": {k: self.trace[k] for k in ("rule", "strategy", "reason")},
            "kind": "offer", "delivered_at": made + timedelta(milliseconds=40)})
        return offer_id

    def _event(self, rows: Rows, lead_id: int, at: datetime, kind: str, agent: int | None,
               data: dict[str, Any]) -> None:
        rows.events.append({"id": self.next_event, "lead_id": lead_id, "at": at, "kind": kind,
                            "agent_id": agent, "data": data})
        self.next_event += 1

    def _message(self, rows: Rows, chat_id: int, template: str, at: datetime, ref: str,
                 params: dict[str, Any]) -> None:
        message_id = self.next_message.get(chat_id, 10) + 1
        self.next_message[chat_id] = message_id
        rows.outbox.append({
            "id": len(rows.outbox) + 1, "chat_id": chat_id, "template": template,
            "params": {**params, "lang": self.config.language}, "ref": ref, "edit_ref": None,
            "created_at": at, "sent_at": at + timedelta(milliseconds=30), "failed_at": None,
            "attempts": 1, "next_attempt_at": None, "last_error": None, "claimed_by": None,
            "claimed_until": None})
        rows.sent.append({"ref": ref, "chat_id": chat_id, "message_id": message_id})


async def seed(engine: AsyncEngine, config_path: Path, *, total: int) -> float:
    """Migrate, store the roster with every chat linked, and add *total* open leads; seconds."""
    started = time.monotonic()
    await upgrade(engine)
    config = load_office(config_path)
    relay = bootstrap(config=config, clock=SystemClock(), uow_factory=sql_uow_factory(engine))
    await relay.sync_roster()
    for person in config.agents:  # as after each one pressed /start: chat id = user id
        await relay.link_chat(telegram_id=person.telegram_id, chat_id=person.telegram_id)
    if total <= 0:
        return time.monotonic() - started
    decision = await relay.preview_route(source_name="website",
                                         payload=lead_payload("+905320000000"))
    seeder = Seeder(config, SystemClock().now(), decision.as_trace())
    outbox_id = 0
    for first in range(1, total + 1, BATCH):
        rows = seeder.batch(first, min(BATCH, total + 1 - first), total)
        for message in rows.outbox:  # ids continue across batches
            outbox_id += 1
            message["id"] = outbox_id
        async with engine.begin() as conn:
            for table, values in ((contacts, rows.contacts), (leads, rows.leads),
                                  (offers, rows.offers), (lead_events, rows.events),
                                  (outbox, rows.outbox), (sent_messages, rows.sent)):
                await conn.execute(insert(table), values)
    return time.monotonic() - started


def mix(counts: dict[str, int]) -> str:
    """Counts by state, e.g. 'offered 15,000, owned 80,000'."""
    return ", ".join(f"{state} {n:,}" for state, n in sorted(counts.items()))


async def seeded_counts(engine: AsyncEngine) -> dict[str, str]:
    """What the database holds, by SELECT: rows per table and the state mix."""
    found: dict[str, str] = {}
    async with engine.connect() as conn:
        table: Table
        for table in (agents, contacts, leads, offers, lead_events, outbox, sent_messages):
            rows = (await conn.execute(select(func.count()).select_from(table))).scalar_one()
            found[table.name] = f"{rows:,}"
        linked = (await conn.execute(select(func.count()).select_from(agents)
                                     .where(agents.c.chat_id.is_not(None)))).scalar_one()
        found["agents"] += f" ({linked} with chat_id)"
        by_status = dict((await conn.execute(select(leads.c.status, func.count())
                                             .group_by(leads.c.status))).all())
        if by_status:
            found["leads"] += f" ({mix(by_status)})"
        by_offer = dict((await conn.execute(select(offers.c.status, func.count())
                                            .group_by(offers.c.status))).all())
        if by_offer:
            found["offers"] += f" ({mix(by_offer)})"
        deadlines = (await conn.execute(select(func.min(offers.c.deadline),
                                               func.max(offers.c.deadline))
                                        .where(offers.c.status == "pending"))).one()
        if deadlines[0] is not None:
            now = SystemClock().now()
            ahead = [(d - now).total_seconds() / 60 for d in deadlines]
            found["offers"] += f"; pending deadlines {ahead[0]:.0f}-{ahead[1]:.0f} min ahead"
        unsent = (await conn.execute(select(func.count()).select_from(outbox)
                                     .where(outbox.c.sent_at.is_(None)))).scalar_one()
        found["outbox"] += f" ({unsent} unsent)"
    return found


# --------------------------------------------------------------------------------------------
# Memory of the leadrelay process
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    """One reading of /proc/<pid>/status, in MiB, and the process's thread count."""

    label: str
    at: float  # seconds since leadrelay was started
    rss: float
    anon: float
    file: float
    hwm: float
    threads: int  # each open aiosqlite connection is one thread

    def line(self) -> str:
        """The sample as one printed line."""
        return (f"  {self.label:<28} t={self.at:6.1f}s  VmRSS {self.rss:6.1f}  "
                f"(anon {self.anon:6.1f}, file {self.file:5.1f})  VmHWM {self.hwm:6.1f}  "
                f"threads {self.threads}")


def read_memory(pid: int, label: str, since: float) -> Sample:
    """VmRSS, RssAnon, RssFile and VmHWM of *pid* in MiB, and its threads."""
    values: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "RssAnon", "RssFile", "VmHWM", "Threads"):
            values[key] = int(rest.split()[0])  # kB, or a count
    mib = {key: value / 1024 for key, value in values.items()}
    return Sample(label, time.monotonic() - since, mib["VmRSS"], mib["RssAnon"],
                  mib["RssFile"], mib["VmHWM"], values["Threads"])


def log_problems(log_path: Path, limit: int = 10) -> list[str]:
    """The distinct WARNING/ERROR/CRITICAL records leadrelay logged, first line each, counted."""
    seen: Counter[str] = Counter()
    try:
        lines = log_path.read_text(errors="replace").splitlines()
    except OSError:
        return []
    records: list[list[str]] = []  # each record: its first line, then any traceback lines
    for line in lines:
        parts = line.split(" ", 3)  # date, time, level, "logger: message"
        if len(parts) == 4 and parts[1][:2].isdigit() and parts[1][2:3] == ":":
            records.append([parts[2], parts[3].strip()])
        elif records and line.strip():
            records[-1].append(line.strip())
    for level, first, *rest in records:
        if level in ("WARNING", "ERROR", "CRITICAL"):
            raised = f" [{rest[-1][:100]}]" if rest and "Traceback" in rest[0] else ""
            seen[f"{level} {first[:140]}{raised}"] += 1
    return [f"{n}× {text}" for text, n in seen.most_common(limit)]


async def manager_command(sandbox: BotApiSandbox, command: str) -> str:
    """The manager sends *command* to the bot; how long the reply took and how it began."""
    boss = sandbox.user(MANAGER_ID, "Boss")
    last = max((m.message_id for m in boss.messages), default=0)
    sent = time.monotonic()
    await boss.send(command)
    try:  # a command's reply has no buttons; escalations to the manager do
        text = (await boss.wait_for(lambda m: m.message_id > last and not m.buttons,
                                    timeout=MANAGER_TIMEOUT_S)).text
    except TimeoutError:
        return f"manager {command}: no reply within {MANAGER_TIMEOUT_S:g}s"
    first = text.splitlines()[0] if text else ""
    return (f"manager {command}: reply after {time.monotonic() - sent:.1f}s, {len(text):,} "
            f"chars: {first[:70]!r}")


def escalated_to_manager(sandbox: BotApiSandbox, lead_ids: set[int]) -> int:
    """How many of *lead_ids* the manager was sent (with buttons), i.e. no agent took them."""
    found = {int(match.group(1)) for m in sandbox.user(MANAGER_ID, "Boss").messages
             if m.buttons and (match := _LEAD_ID.search(m.text))}
    return len(found & lead_ids)


def database_size(folder: Path) -> float:
    """MiB taken by the SQLite database files (main, WAL, shared memory) in *folder*."""
    return sum(p.stat().st_size for p in folder.glob("bench.db*")) / 2**20


@dataclass
class RunResult:
    """What one leadrelay run on one database gave."""

    name: str
    counts: dict[str, str]
    seed_s: float
    up_s: float
    samples: list[Sample]
    statuses: str
    offers: int
    created: int
    probes: list[str]
    exit_code: int | None
    problems: str

    @property
    def end(self) -> Sample:
        """The sample at the end of the run (before any --manager commands)."""
        return next(s for s in self.samples if s.label == "end")

    def after_end(self) -> list[Sample]:
        """The samples taken after the manager's commands (--manager), if any."""
        return self.samples[self.samples.index(self.end) + 1:]


async def measure(name: str, *, total: int, args: argparse.Namespace) -> RunResult:
    """Seed a fresh database, run leadrelay on it, post leads and sample its memory."""
    print(f"\n== {name}")
    with tempfile.TemporaryDirectory(prefix="leadrelay-memory-") as tmp_dir:
        tmp = Path(tmp_dir)
        url = f"sqlite+aiosqlite:///{tmp / 'bench.db'}"
        print(database_facts(url))
        config = tmp / "office.yaml"
        config.write_text(yaml.safe_dump(office_yaml(), allow_unicode=True), encoding="utf-8")
        engine = create_engine(url)
        try:
            seed_s = await seed(engine, config, total=total)
            counts = await seeded_counts(engine)
        finally:
            await engine.dispose()
        size = database_size(tmp)
        print(f"seeded    : in {seed_s:.1f}s, database files {size:.0f} MiB")
        for table, text in counts.items():
            print(f"  {table:<14}: {text}")
        sandbox = BotApiSandbox(token=BOT_TOKEN, limits=TelegramLimits())
        await sandbox.start()
        watch = OfferWatch()
        sandbox.listeners.append(watch)
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": BOT_TOKEN, "TELEGRAM_API_URL": sandbox.url,
               "DATABASE_URL": url, "HTTP_HOST": "127.0.0.1", "HTTP_PORT": str(free_port()),
               "LEADRELAY_CONFIG": str(config), "SWEEP_SECONDS": "5",
               "AUDIT_SECONDS": str(args.audit), "LOG_LEVEL": "WARNING"}
        relay = Leadrelay(env=env, log_path=tmp / "leadrelay.log", cwd=tmp)
        samples: list[Sample] = []
        probes: list[str] = []
        statuses, created, code, took = "none", 0, None, 0.0
        ids: list[int] = []
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
                launched = time.monotonic()
                up = await relay.start(session, within=120)
                await link_agents(sandbox, within=30)
                print(f"leadrelay : pid {relay.pid}, {shlex.join(relay.argv[1:])}, /healthz "
                      f"after {up:.2f}s, {len(AGENT_IDS) + 1} chats linked "
                      f"(SWEEP_SECONDS=5, AUDIT_SECONDS={args.audit:g})")
                samples.append(read_memory(relay.pid, "after start", launched))
                url_leads = f"{relay.base}/webhooks/leads"
                numbers = phones("532")
                tasks: list[asyncio.Task[Any]] = []
                begin = time.monotonic()
                for n in range(args.posts):
                    delay = begin + n / args.rate - time.monotonic()
                    if delay > 0:
                        await asyncio.sleep(delay)
                    tasks.append(asyncio.create_task(post_lead(session, url_leads,
                                                               next(numbers))))
                posted = await asyncio.gather(*tasks)
                statuses = statuses_text(Counter(p.status for p in posted))
                ids = [p.lead_id for p in posted if p.lead_id is not None]
                created = len(ids)
                await watch.wait_all(ids, time.monotonic() + 10)
                await asyncio.sleep(args.settle)
                label = f"after {args.posts} posts + {args.settle:g}s"
                samples.append(read_memory(relay.pid, label, launched))
                for path in ("/metrics", "/readyz"):
                    sent = time.monotonic()
                    async with session.get(relay.base + path) as reply:
                        body = await reply.read()
                    probes.append(f"GET {path}: {reply.status}, {len(body):,} bytes, "
                                  f"{(time.monotonic() - sent) * 1000:.0f} ms")
                samples.append(read_memory(relay.pid, "after /metrics, /readyz", launched))
                await asyncio.sleep(args.settle)
                samples.append(read_memory(relay.pid, "end", launched))
                if args.manager:
                    for command in MANAGER_COMMANDS:
                        probes.append(await manager_command(sandbox, command))
                        samples.append(read_memory(relay.pid, f"after manager {command}",
                                                   launched))
        finally:
            code, took = await relay.stop()
            await sandbox.stop()
            problems = log_problems(relay.log_path)
            problem_text = f"{len(problems)} distinct, sandbox errors {len(sandbox.errors)}"
            for problem in problems:
                problem_text += "\n    " + problem
        offers_seen = sum(1 for lead in ids if lead in watch.seen)
        escalated = escalated_to_manager(sandbox, set(ids))
        print(f"posted    : {args.posts} leads at {args.rate:g}/s: {statuses}; first message "
              f"(offer or escalation) delivered for {offers_seen} of the {created} by the end "
              f"of the run; {escalated} went to the manager")
        for probe in probes:
            print(f"probe     : {probe}")
        print("memory (MiB):")
        for sample in samples:
            print(sample.line())
        print(f"leadrelay : stopped with SIGTERM, exit code {code}, in {took:.2f}s")
        print(f"warnings  : in leadrelay's log: {problem_text}")
        return RunResult(name, counts, seed_s, up, samples, statuses, offers_seen, created,
                         probes, code, problem_text)


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def report(empty: RunResult, full: RunResult, *, total: int) -> None:
    """Print the comparison and the summary table against the target."""
    def peak_rss(run: RunResult) -> float:
        return max(s.rss for s in run.samples[:run.samples.index(run.end) + 1])

    added = full.end.rss - empty.end.rss
    rows = [
        ("", "empty database", f"{total:,} open leads", "target", ""),
        ("/healthz after", f"{empty.up_s:.2f} s", f"{full.up_s:.2f} s", "", ""),
        ("VmRSS after start", f"{empty.samples[0].rss:.1f} MiB",
         f"{full.samples[0].rss:.1f} MiB", "", ""),
        ("VmRSS at end", f"{empty.end.rss:.1f} MiB", f"{full.end.rss:.1f} MiB",
         f"≤ {TARGET_RSS_MB:g} MiB", "met" if full.end.rss <= TARGET_RSS_MB else "MISSED"),
        ("highest VmRSS sampled", f"{peak_rss(empty):.1f} MiB", f"{peak_rss(full):.1f} MiB",
         f"≤ {TARGET_RSS_MB:g} MiB", "met" if peak_rss(full) <= TARGET_RSS_MB else "MISSED"),
        ("peak VmHWM (at end)", f"{empty.end.hwm:.1f} MiB", f"{full.end.hwm:.1f} MiB",
         f"≤ {TARGET_RSS_MB:g} MiB", "met" if full.end.hwm <= TARGET_RSS_MB else "MISSED"),
        ("added by the leads (end)", "", f"{added:+.1f} MiB", "", ""),
        *((f"VmRSS {a.label}", f"{a.rss:.1f} MiB", f"{b.rss:.1f} MiB",
           f"≤ {TARGET_RSS_MB:g} MiB", "met" if b.rss <= TARGET_RSS_MB else "MISSED")
          for a, b in zip(empty.after_end(), full.after_end(), strict=True)),
        *((f"peak VmHWM {a.label}", f"{a.hwm:.1f} MiB", f"{b.hwm:.1f} MiB",
           f"≤ {TARGET_RSS_MB:g} MiB", "met" if b.hwm <= TARGET_RSS_MB else "MISSED")
          for a, b in zip(empty.after_end()[-1:], full.after_end()[-1:], strict=True)),
        ("posted leads with a message by the end", f"{empty.offers}/{empty.created}",
         f"{full.offers}/{full.created}", "", ""),
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    print("\n== summary (MiB = 2^20 bytes; VmHWM is the highest RSS since the process started)")
    for row in rows:
        print("  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
              .rstrip())


async def run(args: argparse.Namespace) -> int:
    """Measure on an empty database, then on one with --leads open leads, and print both."""
    print("command   : " + shlex.join([Path(sys.executable).name, *sys.argv]))
    for line in machine_facts():
        print(line)
    empty = await measure("empty database (roster only)", total=0, args=args)
    full = await measure(f"{args.leads:,} open leads", total=args.leads, args=args)
    report(empty, full, total=args.leads)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\nload avg after the run: {load}")
    return 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--leads", type=int, default=100_000,
                        help="open leads to seed (default 100000)")
    parser.add_argument("--posts", type=int, default=200,
                        help="leads posted through the webhook once it runs (default 200)")
    parser.add_argument("--rate", type=float, default=10.0,
                        help="leads per second for those posts (default 10)")
    parser.add_argument("--settle", type=float, default=10.0,
                        help="seconds to wait after the posts and before the end (default 10)")
    parser.add_argument("--audit", type=float, default=10.0,
                        help="AUDIT_SECONDS for leadrelay, so the auditor runs (default 10)")
    parser.add_argument("--manager", action="store_true",
                        help="at the end, the manager also sends " + " and ".join(
                            MANAGER_COMMANDS) + ", each sampled after (default off)")
    args = parser.parse_args(argv)
    if args.leads < 0 or args.posts <= 0 or args.rate <= 0 or args.settle < 0:
        parser.error("--leads must be ≥ 0, --posts and --rate positive, --settle ≥ 0")
    return args


def main() -> None:
    """Entry point."""
    run_bench(run, parse_args())


if __name__ == "__main__":
    main()
