"""A year of a large office's leads as rows, per table: arrivals by weekday and hour, routing
by the year office's rules, offers answered or let lapse, escalations, first contacts, the
funnel with its drop-off, amounts won and the events each step leaves.

Every row of a table is a dict with the same keys (column names), built in one place per
table: a column a migration adds is one more key there (bench/kit/bulk.py writes the keys the
table has and says which of its columns no key fills). Times are epoch seconds until
`stamp` turns them into what the database's driver takes.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from bench.kit.year_office import (
    CAMPAIGNS,
    DISTRICT,
    MANAGER_IDS,
    RESIDENTIAL,
    SOURCES,
    Member,
)
from bench.kit.year_office import absences as absence_rows
from bench.kit.year_parts import (
    ACCEPT_WINDOW,
    CONTACT_WINDOW,
    DECLINES,
    HOURS,
    LOST_REASONS,
    PRODUCTS,
    REGIONS_ELSEWHERE,
    TEMPERATURES,
    After,
    Lead,
    amount_for,
    lognormal,
    micros,
    work_after_accept,
)

SEED = 20261207
dumps = json.JSONEncoder(check_circular=False).encode  # the rows' JSON: plain data only
Row = dict[str, Any]
Stamp = Callable[[float | None], Any]


@dataclass
class Rows:
    """The rows of one batch of leads, per table name, in the order they are written."""

    tables: dict[str, list[Row]] = field(default_factory=lambda: {
        name: [] for name in ("contacts", "leads", "offers", "lead_events",
                              "routing_pools", "routing_decisions")})

    def count(self) -> int:
        """Rows in the batch, every table."""
        return sum(len(rows) for rows in self.tables.values())


@dataclass
class Year:
    """*leads* leads received over *days* days up to *now* (epoch seconds), ids from 1 in
    the order they arrived."""

    people: list[Member]
    leads: int
    now: float
    stamp: Stamp  # epoch seconds (or None) as the driver takes a timestamp
    day: Callable[[Any], Any]  # a date as the driver takes it
    days: int = 365
    seed: int = SEED
    tables: frozenset[str] | None = None  # the tables the schema has (None: every one)
    rng: random.Random = field(init=False)
    next_offer: int = 1
    next_event: int = 1
    next_contact: int = 1
    next_decision: int = 1

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.start = self.now - self.days * 86400
        self.by_team: dict[str, list[Member]] = {}
        for m in self.people:
            self.by_team.setdefault(m.team, []).append(m)
        self.residential = [m for m in self.people if m.team in RESIDENTIAL]
        self.tier_a = [m for m in self.residential if m.weight > 1]
        self.member = {m.telegram_id: m for m in self.people}
        self._sources = [s[0] for s in SOURCES], [s[3] for s in SOURCES]
        self._source = {s[0]: s for s in SOURCES}
        # Absences are whole days of the year: who is away, day by day, looked up once.
        self._away: list[frozenset[int]] = [frozenset(
            m.telegram_id for m in self.people if m.is_away(self.start + d * 86400 + 1))
            for d in range(self.days + 1)]
        self._decisions_wanted = self.tables is None or "routing_decisions" in self.tables
        self._pools: dict[tuple[tuple[int, float, str | None], ...], str] = {}

    def away(self, moment: float) -> frozenset[int]:
        """The agents away at *moment*."""
        return self._away[min(self.days, max(0, int((moment - self.start) // 86400)))]

    def availability(self) -> list[Row]:
        """The availability history of the agents' absences (`availability_changes`)."""
        return [{"agent_id": agent, "at": self.stamp(at), "away": away,
                 "until": None if until is None else self.day(until), "by_id": None,
                 "reason": "away" if away else "back"}
                for agent, at, away, until in absence_rows(self.people)]

    def arrivals(self) -> Iterator[float]:
        """Each lead's arrival, in order: more on weekdays and in spring and autumn, by the
        hour of an Istanbul day (UTC+3) with peaks late morning and evening."""
        weights = []
        for d in range(self.days):
            moment = self.start + d * 86400
            weekday = int((moment // 86400 + 3) % 7)  # 1970-01-01 was a Thursday
            season = 1 + 0.25 * math.sin(2 * math.pi * (d / self.days) * 2)
            weights.append(season * (0.5 if weekday == 6 else 0.8 if weekday == 5 else 1.0))
        total, given, cumulative = sum(weights), 0, 0.0
        hours, hour_weights = list(range(24)), HOURS
        for d, w in enumerate(weights):
            cumulative += w
            count = round(self.leads * cumulative / total) - given
            given += count
            midnight = self.start - self.start % 86400 + d * 86400 - 3 * 3600
            picks = self.rng.choices(hours, hour_weights, k=count)
            times = sorted(midnight + h * 3600 + self.rng.random() * 3600 for h in picks)
            for t in times:
                yield min(max(t, self.start), self.now - 1)

    def batches(self, size: int) -> Iterator[Rows]:
        """The year's rows, *size* leads a batch."""
        rows = Rows()
        for lead_id, received in enumerate(self.arrivals(), start=1):
            self._lead(rows, lead_id, received)
            if lead_id % size == 0:
                yield rows
                rows = Rows()
        if rows.tables["leads"]:
            yield rows

    # -- one lead ------------------------------------------------------------------------

    def _lead(self, rows: Rows, lead_id: int, received: float) -> None:
        rng = self.rng
        name, _, _, _, lead_type, campaign_kind = self._source[
            rng.choices(*self._sources)[0]]
        temperature = rng.choices(TEMPERATURES, (25, 45, 30))[0]
        product = rng.choices(PRODUCTS, (60, 14, 10, 8))[0]
        team_region = rng.choice(RESIDENTIAL)
        region = DISTRICT[team_region] if rng.random() < 0.85 else rng.choice(REGIONS_ELSEWHERE)
        low = rng.choice((1, 2, 3, 5, 8, 12, 25)) * 1_000_000 if product != "rental" else 25_000
        budget = (low, low * 2) if rng.random() < 0.7 else (None, None)
        lead = Lead(lead_id, received, name, temperature, product, lead_type)
        lead.data = {
            "id": lead_id, "contact_id": 0, "source": name,
            "external_id": f"{name}-{lead_id}" if name != "manual" else None,
            "postal_code": None, "language": None, "tags": "[]", "company": None,
            "intent": None, "fit": None, "received_at": self.stamp(received),
            "score": rng.randint(*{"hot": (70, 98), "warm": (40, 69), "cold": (10, 39)}[
                temperature]),
            "temperature": temperature, "name": None, "phone": None, "email": None,
            "product": product, "region": region, "budget_min": budget[0],
            "budget_max": budget[1], "timing": rng.choice(("this week", "this month", None)),
            "message": rng.choice((None, None, "Is it still available?", "Call after 18:00.")),
            "missing": "[]", "returning_contact": False, "status": "new", "stage": "new",
            "owner_id": None, "accepted_at": None, "escalated_at": None, "contacted_at": None,
            "closed_at": None, "amount": None, "offer_amount": None, "lost_reason": None,
            "attempts": 0, "stage_at": None, "lead_type": lead_type, "contact_due_at": None,
            "extras": None, "campaign": self._campaign(campaign_kind, lead_id),
            "consent": None, "flags": None, "import_file": None, "released_at": None,
            "version": 1, "team": None, "rule": None, "strategy": None,
            "furthest_stage": "new", "duplicate": False, "to_contact_us": None,
        }
        self._contact(rows, lead)
        rows.tables["leads"].append(lead.data)
        self.event(rows, lead, received, "received", None, {
            "source": name, "score": lead.data["score"], "temperature": temperature})
        if name == "manual":
            away = self.away(received)
            owner = rng.choice([m for m in self.residential if m.telegram_id not in away]
                               or self.residential)
            self.event(rows, lead, received, "entered", owner.telegram_id, {"kept": True})
            self.own(lead, owner, received)
        else:
            self._route(rows, lead, team_region, budget[1])
        if lead.owner is not None:
            work_after_accept(After(self, rows, lead))
        lead.finish(self.stamp)

    def _contact(self, rows: Rows, lead: Lead) -> None:
        contacts = rows.tables["contacts"]
        if contacts and self.rng.random() < 0.05:  # someone met before (this batch)
            # A duplicate when their earlier lead was still open (about half of them).
            lead.data.update(contact_id=self.rng.choice(contacts)["id"], returning_contact=True,
                             duplicate=self.rng.random() < 0.5)
            return
        cid, self.next_contact = self.next_contact, self.next_contact + 1
        first = self.rng.choice(("Deniz", "Elif", "Mehmet", "Ayşe", "Can", "Zeynep", "Emre"))
        last = self.rng.choice(("Kaya", "Yılmaz", "Demir", "Şahin", "Çelik", "Aydın"))
        phone = f"+90532{cid:07d}"
        email = f"kisi{cid}@example.com" if self.rng.random() < 0.5 else None
        lead.data.update(contact_id=cid, name=f"{first} {last}", phone=phone, email=email,
                         missing="[]" if email else '["email"]')
        contacts.append({"id": cid, "phone": phone, "email": email, "name": f"{first} {last}",
                         "created_at": lead.data["received_at"]})

    def _campaign(self, kind: str | None, lead_id: int) -> str | None:
        if kind is None:
            return None
        utm = {"utm_source": {"web": "site", "meta": "facebook", "google": "google",
                              "whatsapp": "whatsapp"}[kind],
               "utm_medium": {"web": "organic", "meta": "paid_social", "google": "cpc",
                              "whatsapp": "ctwa"}[kind],
               "utm_campaign": self.rng.choice(CAMPAIGNS[kind])}
        if kind == "google":
            utm["gclid"] = f"Cj0K{lead_id:010d}"
        elif kind == "meta":
            utm["fbclid"] = f"IwAR{lead_id:010d}"
        return dumps(utm)

    # -- routing -------------------------------------------------------------------------

    def _rule(self, lead: Lead, team_region: str, budget_max: int | None
              ) -> tuple[str, str, list[Member]]:
        product = lead.product
        if product in ("land", "commercial", "rental"):
            team = {"land": "land", "commercial": "commercial", "rental": "rentals"}[product]
            return team, ("least_loaded" if team == "commercial" else "round_robin"), \
                self.by_team[team]
        if budget_max is not None and budget_max >= 20_000_000:
            return "luxury", "weighted", self.tier_a
        if lead.temperature == "hot" and lead.data["region"] in DISTRICT.values():
            return "local-hot", "least_loaded", self.by_team[team_region]
        return "default", "round_robin", self.residential

    def _route(self, rows: Rows, lead: Lead, team_region: str, budget_max: int | None) -> None:
        rng = self.rng
        rule, strategy, pool = self._rule(lead, team_region, budget_max)
        lead.data.update(rule=rule, strategy=strategy)
        window = ACCEPT_WINDOW.get(lead.lead_type or "", ACCEPT_WINDOW[lead.temperature])
        tries = 2 if lead.temperature == "cold" else 3
        at, tried = lead.received + rng.uniform(0.02, 0.3), set[int]()
        for sequence in range(1, tries + 1):
            away = self.away(at)
            eligible = [m for m in pool if m.telegram_id not in tried and m.telegram_id not in away]
            if not eligible:
                break
            agent = rng.choices(eligible, [m.weight for m in eligible])[0]
            tried.add(agent.telegram_id)
            if sequence == 1:
                self.event(rows, lead, at, "routed", agent.telegram_id, {
                    "agent_id": agent.telegram_id, "outcome": "offer", "rule": rule,
                    "strategy": strategy, "reason": strategy, "matched": [], "detail": "",
                    "pool": [m.telegram_id for m in pool], "matrix": None,
                    "steps": [{"rule": rule, "candidates": [m.telegram_id for m in eligible],
                               "skipped": []}]})
            if sequence == 1:
                self._decision(rows, lead, at, pool, eligible, self.next_offer)
            if not self._offer(rows, lead, agent, at, window, sequence):
                return  # still waiting for Accept at `now`
            if lead.owner is not None:
                return
            at = lead.last + 0.2
        # Nobody took it: the managers assign it.
        if at > self.now:
            return
        lead.data.update(escalated_at=self.stamp(at), status="with_managers")
        self.event(rows, lead, at, "escalated", None, {"reason": "no_accept"})
        assigned = at + lognormal(rng, 1500, 1.0)
        away = self.away(assigned)
        free = [m for m in pool if m.telegram_id not in away] or pool
        if assigned <= self.now:
            owner = rng.choice(free)
            self.event(rows, lead, assigned, "assigned", owner.telegram_id,
                        {"by": rng.choice(MANAGER_IDS)})
            self.own(lead, owner, assigned)

    def _offer(self, rows: Rows, lead: Lead, agent: Member, made: float, window: float,
               sequence: int) -> bool:
        """Offer the lead; False when the offer still waits at `now`."""
        rng = self.rng
        offer_id, self.next_offer = self.next_offer, self.next_offer + 1
        roll = rng.random()
        accept = 0.86 if lead.temperature == "hot" else 0.78
        if roll < accept:
            status, decided = "accepted", made + min(window * 0.97, lognormal(
                rng, window * 0.12, 0.9))
        elif roll < accept + 0.08:
            status, decided = "declined", made + min(window * 0.97, lognormal(
                rng, window * 0.1, 0.8))
        else:
            status, decided = "expired", made + window
        pending = decided > self.now
        offer = {"id": offer_id, "lead_id": lead.id, "agent_id": agent.telegram_id,
                 "token": f"{rng.getrandbits(48):012x}",
                 "status": "pending" if pending else status,
                 "created_at": self.stamp(made), "deadline": self.stamp(made + window),
                 "decided_at": None if pending else self.stamp(decided),
                 "decline_reason": rng.choice(DECLINES) if status == "declined" and not pending
                 else None,
                 "sequence": sequence,
                 "trace": dumps({"rule": lead.data["rule"],
                                      "strategy": lead.data["strategy"],
                                      "reason": lead.data["strategy"]}),
                 "kind": "offer", "delivered_at": self.stamp(made + rng.uniform(0.3, 2.0)),
                 "answered_after_us": None if pending else micros(decided) - micros(made)}
        rows.tables["offers"].append(offer)
        lead.sequence = sequence
        self.event(rows, lead, made, "offered", agent.telegram_id,
                    {"offer_id": offer_id, "why": lead.data["strategy"]})
        if pending:
            lead.data["status"] = "offered"
            return False
        lead.last = decided
        if status == "accepted":
            self.event(rows, lead, decided, "accepted", agent.telegram_id, {
                "offer_id": offer_id, "seconds": round(decided - made, 3), "within_sla": True})
            self.own(lead, agent, decided)
        elif status == "declined":
            self.event(rows, lead, decided, "declined", agent.telegram_id,
                        {"offer_id": offer_id, "reason": offer["decline_reason"]})
        else:
            self.event(rows, lead, decided, "expired", agent.telegram_id,
                        {"offer_id": offer_id})
        return True

    def _decision(self, rows: Rows, lead: Lead, at: float, pool: list[Member],
                  eligible: list[Member], offer_id: int) -> None:
        """The fairness audit's record of a lead's first routing decision: each eligible
        member's share (weight ÷ the eligible weight), the rest of the pool away; a pool is
        stored once under the digest of its members."""
        if not self._decisions_wanted:
            return
        total, ids = sum(m.weight for m in eligible), {m.telegram_id for m in eligible}
        members = tuple(sorted(
            (m.telegram_id, m.weight / total if m.telegram_id in ids else 0.0,
             None if m.telegram_id in ids else "away_until") for m in pool))
        key = self._pools.get(members)
        if key is None:
            key = self._pools[members] = hashlib.sha256(repr(members).encode()).hexdigest()[:20]
            rows.tables["routing_pools"] += [
                {"pool": key, "agent_id": agent, "share": share, "reason": reason}
                for agent, share, reason in members]
        decision_id, self.next_decision = self.next_decision, self.next_decision + 1
        rows.tables["routing_decisions"].append({
            "id": decision_id, "decided_at": self.stamp(at), "lead_id": lead.id,
            "offer_id": offer_id, "hot": lead.temperature == "hot",
            "rule": lead.data["rule"], "pool": key})

    def reroute(self, rows: Rows, lead: Lead, at: float) -> bool:
        """A lead taken back from its owner offered to another of its rule's pool (a
        manager assigns it at once if they pass); False while that offer waits at `now`."""
        former = lead.owner
        lead.owner = None
        lead.data.update(owner_id=None, team=None, status="new", accepted_at=None,
                         contact_due_at=None)
        pool = {"land": self.by_team["land"], "commercial": self.by_team["commercial"],
                "rentals": self.by_team["rentals"], "luxury": self.tier_a}.get(
            lead.data["rule"] or "", self.residential)
        away = self.away(at)
        free = [m for m in pool if m is not former and m.telegram_id not in away] or pool
        agent = self.rng.choice(free)
        window = ACCEPT_WINDOW.get(lead.lead_type or "", ACCEPT_WINDOW[lead.temperature])
        if not self._offer(rows, lead, agent, at, window, lead.sequence + 1):
            return False
        if lead.owner is None:
            when = lead.last + 600
            if when > self.now:
                lead.data["status"] = "with_managers"
                return False
            self.event(rows, lead, when, "assigned", agent.telegram_id,
                       {"by": self.rng.choice(MANAGER_IDS)})
            self.own(lead, agent, when)
        return True

    def own(self, lead: Lead, owner: Member, at: float) -> None:
        lead.owner, lead.accepted = owner, at
        window = CONTACT_WINDOW.get(lead.lead_type or "", CONTACT_WINDOW[lead.temperature])
        lead.data.update(owner_id=owner.telegram_id, team=owner.team, status="owned",
                         accepted_at=self.stamp(at),
                         contact_due_at=self.stamp(at + window))

    def event(self, rows: Rows, lead: Lead, at: float, kind: str, agent: int | None,
               data: dict[str, Any]) -> None:
        event_id, self.next_event = self.next_event, self.next_event + 1
        rows.tables["lead_events"].append({
            "id": event_id, "lead_id": lead.id, "at": self.stamp(at), "kind": kind,
            "agent_id": agent, "data": dumps(data)})


__all__ = ["LOST_REASONS", "SEED", "Rows", "Year", "amount_for"]
