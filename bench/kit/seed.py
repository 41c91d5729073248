"""A stored roster with every chat linked, and open leads written straight in with SQL."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.kit.office import AGENT_IDS, MANAGER_ID, lead_payload, phones
from core.app import App
from core.config import OfficeConfig
from core.lifecycle.roster_import import sync_roster
from core.model import LeadStatus, OfferStatus, Stage
from core.queries import preview_route
from core.roster import link_chat
from core.scoring import band
from leadrelay.bootstrap import bootstrap, sql_uow_factory
from leadrelay.clock import SystemClock
from leadrelay.office import load_office
from storage.migrate import upgrade
from storage.tables import agents, contacts, lead_events, leads, offers, outbox, sent_messages

SEED = 20261126
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
STAGES = [Stage.NEW] * 8 + [Stage.CONTACTED] * 7 + [Stage.APPOINTMENT] * 3 + [Stage.OFFER] * 2


async def linked_relay(engine: AsyncEngine, config: OfficeConfig) -> App:
    """Migrate, store the roster and link every chat (as after each person pressed /start:
    chat id = user id); the in-process leadrelay on *engine*, nothing running."""
    await upgrade(engine)
    relay = bootstrap(config=config, clock=SystemClock(), uow_factory=sql_uow_factory(engine))
    await relay.run(sync_roster)
    for person in config.agents:
        await relay.run(link_chat, telegram_id=person.telegram_id, chat_id=person.telegram_id)
    return relay


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
    shares: tuple[float, float] = (SHARE_OWNED, SHARE_OFFERED)  # owned, offered; the rest escalated

    def batch(self, first_id: int, count: int, total: int) -> Rows:
        """Rows for leads first_id .. first_id + count - 1 (contact ids equal lead ids)."""
        rows = Rows()
        owned_until = round(total * self.shares[0])
        offered_until = owned_until + round(total * self.shares[1])
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
            "attempts": 1, "next_attempt_at": None, "last_error": None, "error_kind": None,
            "claimed_by": None, "claimed_until": None})
        rows.sent.append({"ref": ref, "chat_id": chat_id, "message_id": message_id})


async def seed_open_leads(
    engine: AsyncEngine, config_path: Path, *, total: int,
    shares: tuple[float, float] = (SHARE_OWNED, SHARE_OFFERED),
    more: Callable[[Rows], Iterable[tuple[Table, list[dict[str, Any]]]]] | None = None,
) -> float:
    """Migrate, store the roster with every chat linked, and add *total* open leads (*shares*
    owned and offered, the rest waiting for a manager), with the rows *more* adds to each
    batch (tasks, say) in its transaction; seconds."""
    started = time.monotonic()
    config = load_office(config_path)
    relay = await linked_relay(engine, config)
    if total <= 0:
        return time.monotonic() - started
    decision = await relay.run(preview_route, source_name="website",
                                         payload=lead_payload("+905320000000"))
    seeder = Seeder(config, SystemClock().now(), decision.as_trace(), shares=shares)
    outbox_id = 0
    written: dict[str, Table] = {}
    for first in range(1, total + 1, BATCH):
        rows = seeder.batch(first, min(BATCH, total + 1 - first), total)
        for message in rows.outbox:  # ids continue across batches
            outbox_id += 1
            message["id"] = outbox_id
        async with engine.begin() as conn:
            for table, values in ((contacts, rows.contacts), (leads, rows.leads),
                                  (offers, rows.offers), (lead_events, rows.events),
                                  (outbox, rows.outbox), (sent_messages, rows.sent),
                                  *(more(rows) if more is not None else ())):
                if values:
                    await conn.execute(insert(table), values)
                    if "id" in table.c:
                        written[table.name] = table
    if engine.dialect.name == "postgresql":  # the ids were given: move each sequence past them
        async with engine.begin() as conn:
            for name in sorted(written):
                await conn.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"(SELECT max(id) FROM {name}))"))
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
        by_status: dict[str, int] = dict((await conn.execute(
            select(leads.c.status, func.count()).group_by(leads.c.status))).tuples().all())
        if by_status:
            found["leads"] += f" ({mix(by_status)})"
        by_offer: dict[str, int] = dict((await conn.execute(
            select(offers.c.status, func.count()).group_by(offers.c.status))).tuples().all())
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

