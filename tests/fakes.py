"""In-memory fakes of the repository Protocols, for unit tests of core/ through bootstrap()."""

from __future__ import annotations

import copy
import itertools
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from types import TracebackType
from typing import Any, Self

from core.app import Signals
from core.digest import DigestCounts, count_digest
from core.errors import Conflict
from core.model import (
    OPEN_STATUSES,
    Agent,
    AvailabilityChange,
    Contact,
    DeclineReason,
    Invite,
    Lead,
    LeadEvent,
    LeadStatus,
    LiveCard,
    Offer,
    OfferStatus,
    OutgoingMessage,
    Prompt,
    PromptKind,
    Stage,
    Task,
)
from core.model.chat_imports import ImportStatus, PendingImport
from core.model.failures import FailedIntake
from core.model.fetches import FetchState, LeadFetch
from core.numbers.coverage import MissCount, OwnedTime, RuleAutomation
from core.numbers.fairness import FairShare, SharedDecision
from core.numbers.figures import Slice
from core.numbers.report import DaySeries
from core.ports import (
    HeldMessage,
    OfferCounts,
    OwnerCounts,
    PoolGroup,
    QueuedMessage,
    UnitOfWork,
    WaitingRow,
)
from core.ports.exports import ExportEntry, ExportRow
from core.ports.numbers import PeriodFigures
from core.stats import PeriodTally, tally


@dataclass
class FakeDatabase:
    """Committed state, shared by every fake unit of work."""

    agents: dict[int, Agent] = field(default_factory=dict)
    contacts: dict[int, Contact] = field(default_factory=dict)
    leads: dict[int, Lead] = field(default_factory=dict)
    offers: dict[int, Offer] = field(default_factory=dict)
    rotations: dict[str, dict[str, Any]] = field(default_factory=dict)
    events: list[LeadEvent] = field(default_factory=list)
    outbox: list[OutgoingMessage] = field(default_factory=list)
    sent: dict[int, datetime] = field(default_factory=dict)  # outbox row id -> sent at
    sent_messages: dict[str, tuple[int, int]] = field(default_factory=dict)
    tasks: dict[int, Task] = field(default_factory=dict)
    reminded: dict[int, datetime] = field(default_factory=dict)  # task id -> reminded at
    cards: dict[tuple[int, int], LiveCard] = field(default_factory=dict)
    prompts: dict[int, Prompt] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    invites: dict[str, Invite] = field(default_factory=dict)
    availability: list[AvailabilityChange] = field(default_factory=list)
    failed_intake: dict[int, FailedIntake] = field(default_factory=dict)
    chat_imports: dict[int, PendingImport] = field(default_factory=dict)
    lead_fetches: dict[int, LeadFetch] = field(default_factory=dict)
    inbound: dict[str, int] = field(default_factory=dict)  # message key -> lead id
    routing_decisions: list[SharedDecision] = field(default_factory=list)
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    # Tasks number on their own, as a table's own sequence does: the clocks a lead gets
    # on Accept must not shift the ids of the leads and offers after it.
    task_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    commits: int = 0


class _Repo:
    def __init__(self, db: FakeDatabase) -> None:
        self.db = db


class FakeAgents(_Repo):
    async def list(self) -> list[Agent]:
        return sorted((copy.copy(a) for a in self.db.agents.values()), key=lambda a: a.position)

    async def get(self, telegram_id: int) -> Agent | None:
        agent = self.db.agents.get(telegram_id)
        return copy.copy(agent) if agent else None

    async def save(self, agent: Agent) -> None:
        self.db.agents[agent.telegram_id] = copy.copy(agent)


class FakeContacts(_Repo):
    async def find_any(self, *, phones: Sequence[str], emails: Sequence[str]) -> list[Contact]:
        found = [c for c in self.db.contacts.values()
                 if (c.phone and c.phone in phones) or (c.email and c.email in emails)]
        return [copy.copy(c) for c in sorted(found, key=lambda c: c.id)]

    async def add_all(self, contacts: Sequence[Contact]) -> None:
        for contact in contacts:
            contact.id = next(self.db.ids)
            self.db.contacts[contact.id] = copy.copy(contact)

    async def update(self, contact: Contact) -> None:
        self.db.contacts[contact.id] = copy.copy(contact)


class FakeLeads(_Repo):
    async def add_all(self, leads: Sequence[Lead]) -> None:
        for lead in leads:
            lead.id = next(self.db.ids)
            self.db.leads[lead.id] = copy.deepcopy(lead)

    async def get(self, lead_id: int) -> Lead | None:
        lead = self.db.leads.get(lead_id)
        return copy.deepcopy(lead) if lead else None

    async def lock(self, lead_id: int) -> Lead | None:
        return await self.get(lead_id)

    async def lock_all(self, lead_ids: Sequence[int]) -> dict[int, Lead]:
        return {i: copy.deepcopy(self.db.leads[i]) for i in sorted(set(lead_ids))
                if i in self.db.leads}

    async def by_external_ids(
        self, keys: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str], Lead]:
        return {(v.source, v.external_id): copy.deepcopy(v)
                for v in self.db.leads.values()
                if v.external_id is not None and (v.source, v.external_id) in set(keys)}

    async def owners_of(self, contact_ids: Sequence[int]) -> dict[int, int]:
        owned = sorted((v for v in self.db.leads.values()
                        if v.contact_id in contact_ids and v.status is LeadStatus.OWNED
                        and v.owner_id is not None), key=lambda v: v.id)
        return {v.contact_id: v.owner_id for v in owned if v.owner_id is not None}

    async def with_open_lead(self, contact_ids: Sequence[int]) -> set[int]:
        return {v.contact_id for v in self.db.leads.values()
                if v.contact_id in contact_ids and v.status in OPEN_STATUSES}

    async def orphaned(self) -> list[int]:
        held = {o.lead_id for o in self.db.offers.values() if o.status is OfferStatus.PENDING}
        return sorted(i for i, v in self.db.leads.items()
                      if v.status is LeadStatus.OFFERED and i not in held)

    async def any_new(self) -> bool:
        return any(v.status is LeadStatus.NEW for v in self.db.leads.values())

    async def take_new(self, *, limit: int, ids: Sequence[int] | None = None) -> list[Lead]:
        return [copy.deepcopy(v) for i, v in sorted(self.db.leads.items())
                if v.status is LeadStatus.NEW and (ids is None or i in ids)][:limit]

    async def nurtured_of(self, contact_ids: Sequence[int]) -> list[Lead]:
        return [copy.deepcopy(v) for _, v in sorted(self.db.leads.items())
                if v.contact_id in contact_ids and v.status is LeadStatus.NURTURE]

    async def revive(self, lead_id: int) -> bool:
        stored = self.db.leads.get(lead_id)
        if stored is None or stored.status is not LeadStatus.NURTURE:
            return False
        stored.status = LeadStatus.REVIVED
        stored.version += 1
        return True

    async def update(self, lead: Lead) -> None:
        stored = self.db.leads.get(lead.id)
        if stored is None or stored.version != lead.version:
            raise Conflict()
        lead.version += 1
        self.db.leads[lead.id] = copy.deepcopy(lead)

    async def settle_all(self, leads: Sequence[Lead]) -> None:
        for lead in leads:
            stored = self.db.leads[lead.id]
            if stored.version != lead.version:
                raise Conflict(f"lead {lead.id} changed underneath us")
            settled = copy.deepcopy(stored)
            settled.status, settled.escalated_at = lead.status, lead.escalated_at
            settled.closed_at, settled.version = lead.closed_at, lead.version + 1
            settled.lead_type = lead.lead_type
            settled.rule, settled.strategy = lead.rule, lead.strategy
            self.db.leads[lead.id] = settled
            lead.version += 1

    async def owner_counts(self, *, review_since: datetime | None) -> dict[int, OwnerCounts]:
        counts: dict[int, list[int]] = {}
        for v in self.db.leads.values():
            if v.owner_id is None:
                continue
            row = counts.setdefault(v.owner_id, [0, 0, 0])
            row[0] += v.status is LeadStatus.OWNED and v.stage is not Stage.NURTURE
            reviewed = review_since is not None and v.received_at >= review_since
            row[1] += reviewed
            row[2] += reviewed and v.stage is Stage.WON
        return {owner: OwnerCounts(*row) for owner, row in counts.items()}

    async def received_since(self, starts: Mapping[int, datetime]) -> dict[int, int]:
        counts: dict[int, int] = {}
        for v in self.db.leads.values():
            owner, taken = v.owner_id, v.accepted_at
            since = starts.get(owner) if owner is not None else None
            if owner is not None and since is not None and taken is not None and taken >= since:
                counts[owner] = counts.get(owner, 0) + 1
        return counts

    async def open_of(self, agent_id: int, *, offset: int, limit: int) -> tuple[list[Lead], int]:
        mine = sorted((lead for lead in self.db.leads.values() if lead.owner_id == agent_id
                       and lead.status is LeadStatus.OWNED), key=lambda x: -x.id)
        return [copy.copy(lead) for lead in mine[offset:offset + limit]], len(mine)

    async def of_contacts(self, contact_ids: Sequence[int]) -> list[Lead]:
        return [copy.copy(lead) for lead in sorted(self.db.leads.values(), key=lambda x: x.id)
                if lead.contact_id in set(contact_ids)]

    async def by_phone(self, phone: str) -> list[Lead]:
        people = {c.id for c in self.db.contacts.values() if c.phone == phone}
        return [copy.copy(lead) for lead in sorted(self.db.leads.values(), key=lambda x: -x.id)
                if lead.phone == phone or lead.contact_id in people]

    async def waiting(self, *, limit: int) -> list[WaitingRow]:
        newest: dict[int, Offer] = {}
        for offer in sorted(self.db.offers.values(), key=lambda o: o.id):
            if offer.status is OfferStatus.PENDING:
                newest[offer.lead_id] = offer
        rows = [WaitingRow(copy.deepcopy(v), newest[i].agent_id if i in newest else None,
                           newest[i].deadline if i in newest else None)
                for i, v in self.db.leads.items() if v.status in _WAITING]
        rows.sort(key=lambda r: (_URGENCY.get(r.lead.status, 1),
                                 r.deadline or r.lead.escalated_at or r.lead.received_at,
                                 r.lead.id))
        return rows[:limit]

    async def count_waiting(self) -> int:
        return sum(v.status in _WAITING for v in self.db.leads.values())

    async def any_queued(self) -> bool:
        return any(v.status is LeadStatus.QUEUED for v in self.db.leads.values())

    async def released_since(self, since: datetime) -> int:
        return sum(v.released_at is not None and v.released_at > since
                   for v in self.db.leads.values())

    async def release_queued(self, *, limit: int, at: datetime) -> list[int]:
        pooled = sorted(i for i, v in self.db.leads.items() if v.status is LeadStatus.QUEUED)
        for lead_id in pooled[:max(limit, 0)]:
            self.db.leads[lead_id].status = LeadStatus.NEW
            self.db.leads[lead_id].released_at = at
        return pooled[:max(limit, 0)]

    async def pool_groups(self) -> list[PoolGroup]:
        counts: dict[tuple[str, str | None], int] = {}
        for v in self.db.leads.values():
            if v.status is LeadStatus.QUEUED:
                counts[(v.source, v.import_file)] = counts.get((v.source, v.import_file), 0) + 1
        return [PoolGroup(source, file, n) for (source, file), n in
                sorted(counts.items(), key=lambda item: (-item[1], item[0][0], item[0][1] or ""))]

    async def period_tally(self, start: datetime, end: datetime, *,
                           now: datetime | None = None) -> PeriodTally:
        leads = [v for v in self.db.leads.values() if start <= v.received_at < end]
        ids = {v.id for v in leads}
        return tally(copy.deepcopy(leads),
                     [copy.deepcopy(o) for o in self.db.offers.values() if o.lead_id in ids],
                     [copy.deepcopy(e) for e in self.db.events if start <= e.at < end], now=now)

    async def digest_counts(self, start: datetime, end: datetime, *,
                            now: datetime) -> DigestCounts:
        return count_digest(list(self.db.leads.values()), list(self.db.offers.values()),
                            self.db.events, list(self.db.tasks.values()),
                            start=start, end=end, now=now)


_WAITING = (LeadStatus.OFFERED, LeadStatus.WITH_MANAGERS, LeadStatus.NURTURE)
_URGENCY = {LeadStatus.WITH_MANAGERS: 0, LeadStatus.NURTURE: 2}


class FakeOffers(_Repo):
    async def add_all(self, offers: Sequence[Offer]) -> list[Offer]:
        for offer in offers:
            offer.id = next(self.db.ids)
            self.db.offers[offer.id] = copy.deepcopy(offer)
        return list(offers)

    async def get(self, offer_id: int) -> Offer | None:
        offer = self.db.offers.get(offer_id)
        return copy.deepcopy(offer) if offer else None

    async def decide(
        self, offer_id: int, *, status: OfferStatus, at: datetime,
        reason: DeclineReason | None = None, due_by: datetime | None = None,
    ) -> bool:
        offer = self.db.offers.get(offer_id)
        if offer is None or offer.status is not OfferStatus.PENDING:
            return False
        if due_by is not None and offer.deadline > due_by:
            return False
        offer.status, offer.decided_at, offer.decline_reason = status, at, reason
        return True

    async def decide_all(self, offer_ids: Sequence[int], *, status: OfferStatus, at: datetime,
                         due_by: datetime | None = None) -> set[int]:
        return {i for i in offer_ids
                if await self.decide(i, status=status, at=at, due_by=due_by)}

    async def start_clock(self, offer_id: int, *, delivered_at: datetime,
                          deadline: datetime) -> bool:
        offer = self.db.offers.get(offer_id)
        if offer is None or offer.status is not OfferStatus.PENDING or offer.delivered_at:
            return False
        offer.delivered_at, offer.deadline = delivered_at, deadline
        return True

    async def for_lead(self, lead_id: int) -> list[Offer]:
        return [copy.deepcopy(o) for o in self.db.offers.values() if o.lead_id == lead_id]

    async def for_leads(self, lead_ids: Sequence[int]) -> list[Offer]:
        wanted = set(lead_ids)
        return [copy.deepcopy(o) for o in self.db.offers.values() if o.lead_id in wanted]

    async def overdue(self, now: datetime, *, limit: int) -> list[Offer]:
        due = [o for o in self.db.offers.values()
               if o.status is OfferStatus.PENDING and o.deadline <= now]
        return [copy.deepcopy(o) for o in sorted(due, key=lambda o: o.deadline)[:limit]]

    async def pending_deadlines(self) -> list[datetime]:
        return sorted(o.deadline for o in self.db.offers.values()
                      if o.status is OfferStatus.PENDING)

    async def pending_of(self, agent_id: int) -> list[Offer]:
        return [copy.deepcopy(o) for o in sorted(self.db.offers.values(), key=lambda o: o.id)
                if o.agent_id == agent_id and o.status is OfferStatus.PENDING]

    async def offer_counts(self, *, since: datetime) -> dict[int, OfferCounts]:
        result: dict[int, OfferCounts] = {}
        for agent in {o.agent_id for o in self.db.offers.values()}:
            mine = [o for o in self.db.offers.values() if o.agent_id == agent]
            misses = sorted([*(o.decided_at for o in mine if o.status is OfferStatus.EXPIRED
                               and o.kind != "claim"
                               and o.decided_at is not None and o.decided_at >= since),
                             *(e.at for e in self.db.events if e.kind == "contact_missed"
                               and e.agent_id == agent and e.at >= since)])
            recent = [o.created_at for o in mine if o.created_at >= since]
            result[agent] = OfferCounts(
                sum(o.status is OfferStatus.PENDING for o in mine),
                max(recent, default=None), tuple(misses))
        return result


class FakeRotations(_Repo):
    async def lock(self, key: str) -> dict[str, Any]:
        return copy.deepcopy(self.db.rotations.setdefault(key, {}))

    async def try_lock(self, key: str) -> dict[str, Any] | None:
        return await self.lock(key)  # one process, one transaction at a time: always free

    async def read(self, key: str) -> dict[str, Any]:
        return copy.deepcopy(self.db.rotations.get(key, {}))

    async def save(self, key: str, state: dict[str, Any]) -> None:
        self.db.rotations[key] = copy.deepcopy(state)


class FakeEvents(_Repo):
    async def add(self, event: LeadEvent) -> None:
        self.db.events.append(copy.deepcopy(event))

    async def add_all(self, events: Sequence[LeadEvent]) -> None:
        self.db.events.extend(copy.deepcopy(list(events)))

    async def recent(self, lead_id: int, *, kinds: Sequence[str], limit: int) -> list[LeadEvent]:
        found = [e for e in self.db.events if e.lead_id == lead_id and e.kind in kinds]
        return [copy.deepcopy(e) for e in reversed(found)][:limit]

    async def for_leads(self, lead_ids: Sequence[int]) -> list[LeadEvent]:
        return [e for e in self.db.events if e.lead_id in set(lead_ids)]


class FakeTasks(_Repo):
    async def add(self, task: Task) -> None:
        task.id = next(self.db.task_ids)
        self.db.tasks[task.id] = copy.copy(task)

    async def open_for(self, lead_ids: Sequence[int]) -> list[Task]:
        return sorted((copy.copy(t) for t in self.db.tasks.values()
                       if t.lead_id in set(lead_ids) and t.done_at is None),
                      key=lambda t: (t.due_at, t.id))

    async def due_for(self, agent_id: int, *, until: datetime) -> list[Task]:
        return sorted((copy.copy(t) for t in self.db.tasks.values()
                       if t.agent_id == agent_id and t.done_at is None and t.due_at < until
                       and t.kind.shown),
                      key=lambda t: (t.due_at, t.id))

    async def get(self, task_id: int) -> Task | None:
        task = self.db.tasks.get(task_id)
        return copy.copy(task) if task else None

    async def reminders_due(self, now: datetime, *, limit: int) -> list[Task]:
        due = [t for t in self.db.tasks.values() if t.done_at is None
               and t.remind_at is not None and t.remind_at <= now
               and t.id not in self.db.reminded]
        return [copy.copy(t) for t in sorted(due, key=lambda t: (t.remind_at, t.id))][:limit]

    async def mark_reminded(self, task_id: int, *, at: datetime) -> bool:
        task = self.db.tasks.get(task_id)
        if (task is None or task.done_at is not None or task_id in self.db.reminded
                or task.remind_at is None or task.remind_at > at):
            return False
        self.db.reminded[task_id] = at
        task.reminders += 1
        return True

    async def mark_reminded_all(self, task_ids: Sequence[int], *, at: datetime) -> list[Task]:
        return [copy.copy(self.db.tasks[i]) for i in dict.fromkeys(task_ids)
                if await self.mark_reminded(i, at=at)]

    async def snooze(self, task_id: int, *, until: datetime, due: bool) -> bool:
        task = self.db.tasks.get(task_id)
        if task is None or task.done_at is not None:
            return False
        task.remind_at = until
        if due:
            task.due_at = until
        self.db.reminded.pop(task_id, None)
        return True

    async def next_reminders(self, *, limit: int,
                             after: datetime | None = None) -> list[datetime]:
        return sorted(t.remind_at for t in self.db.tasks.values() if t.done_at is None
                      and t.remind_at is not None and t.id not in self.db.reminded
                      and (after is None or t.remind_at > after))[:limit]

    async def close(self, task_ids: Sequence[int], *, at: datetime) -> int:
        closed = 0
        for task_id in set(task_ids):
            task = self.db.tasks.get(task_id)
            if task is not None and task.done_at is None:
                task.done_at, closed = at, closed + 1
        return closed

    async def hand_over(self, lead_id: int, *, to: int) -> int:
        handed = [t for t in self.db.tasks.values() if t.lead_id == lead_id and t.done_at is None]
        for task in handed:
            task.agent_id = to
        return len(handed)


class FakeCards(_Repo):
    async def of_lead(self, lead_id: int) -> list[LiveCard]:
        return sorted((c for (lead, _), c in self.db.cards.items() if lead == lead_id),
                      key=lambda c: c.chat_id)

    async def of_chat(self, lead_id: int, chat_id: int) -> LiveCard | None:
        return self.db.cards.get((lead_id, chat_id))

    async def put(self, card: LiveCard) -> None:
        self.db.cards[(card.lead_id, card.chat_id)] = card

    async def in_chat(self, chat_id: int) -> list[LiveCard]:
        return sorted((c for (_, chat), c in self.db.cards.items() if chat == chat_id and c.ref),
                      key=lambda c: c.lead_id)

    async def drop(self, lead_id: int, chat_id: int) -> None:
        card = self.db.cards.get((lead_id, chat_id))
        if card is not None:
            self.db.cards[(lead_id, chat_id)] = LiveCard(lead_id, chat_id, "", card.seq)

    async def ref_of_message(self, chat_id: int, message_id: int) -> str | None:
        return next((ref for ref, sent in self.db.sent_messages.items()
                     if sent == (chat_id, message_id)), None)


class FakePrompts(_Repo):
    async def ask(self, prompt: Prompt) -> None:
        self.db.prompts[prompt.chat_id] = prompt

    async def pending(self, chat_id: int) -> Prompt | None:
        return self.db.prompts.get(chat_id)

    async def clear(self, chat_id: int, *, asked_at: datetime | None = None) -> bool:
        prompt = self.db.prompts.get(chat_id)
        if prompt is None or (asked_at is not None and prompt.asked_at != asked_at):
            return False
        del self.db.prompts[chat_id]
        return True

    async def forget_before(self, moment: datetime) -> int:
        stale = [chat for chat, p in self.db.prompts.items() if p.asked_at < moment]
        for chat in stale:
            del self.db.prompts[chat]
        return len(stale)


class FakeOutbox(_Repo):
    """Rows are numbered from 1 in the order queued, as the table's ids are."""

    async def add(self, message: OutgoingMessage) -> None:
        self.db.outbox.append(copy.deepcopy(message))

    async def add_all(self, messages: Sequence[OutgoingMessage]) -> None:
        self.db.outbox.extend(copy.deepcopy(list(messages)))

    async def mark_sent(self, message: QueuedMessage, *, at: datetime,
                        message_id: int | None, hold: timedelta) -> None:
        if 1 <= message.id <= len(self.db.outbox):
            self.db.sent[message.id] = at
        if message.ref is not None and message_id is not None:
            self.db.sent_messages[message.ref] = (message.chat_id, message_id)  # the newest


_LEAD_PERSONAL = ("name", "phone", "email", "message", "company", "postal_code")
_MESSAGE_PERSONAL = ("name", "phone", "email", "message", "company", "first_name", "notes",
                     "earlier")  # as storage/repositories/personal.py empties them


class FakePersonalData(_Repo):
    async def leads_of(self, contact_ids: Sequence[int]) -> list[Lead]:
        return [copy.copy(lead) for lead in sorted(self.db.leads.values(), key=lambda x: x.id)
                if lead.contact_id in contact_ids]

    async def messages_about(self, lead_ids: Sequence[int]) -> list[HeldMessage]:
        return [HeldMessage(m.chat_id, str(m.template), copy.deepcopy(m.params), m.created_at,
                            self.db.sent.get(row_id))
                for row_id, m in enumerate(self.db.outbox, start=1)
                if m.params.get("lead_id") in lead_ids]

    async def erase_contacts(self, contact_ids: Sequence[int]) -> None:
        for contact_id in contact_ids:
            contact = self.db.contacts[contact_id]
            contact.phone = contact.email = contact.name = None

    async def erase_leads(self, lead_ids: Sequence[int]) -> None:
        for lead_id in lead_ids:
            lead = self.db.leads[lead_id]
            for name in _LEAD_PERSONAL:
                setattr(lead, name, None)
            lead.tags, lead.version = [], lead.version + 1
            lead.extras, lead.consent = {}, None

    async def erase_history(self, lead_ids: Sequence[int]) -> None:
        for event in self.db.events:
            if event.lead_id in lead_ids:
                event.data.pop("note", None)

    async def erase_messages(self, lead_ids: Sequence[int]) -> None:
        for message in self.db.outbox:
            if message.params.get("lead_id") in lead_ids:
                message.params = {key: None if key in _MESSAGE_PERSONAL else value
                                  for key, value in message.params.items()}

    async def erase_entries(self, phones: Sequence[str]) -> None:
        self.db.prompts = {chat: p for chat, p in self.db.prompts.items()
                           if p.kind is not PromptKind.NEW_LEAD
                           or p.data.get("answers", {}).get("phone") not in phones}

    async def closed_before(self, moment: datetime, *, limit: int) -> list[Lead]:
        due = [lead for lead in self.db.leads.values()
               if lead.status in (LeadStatus.CLOSED, LeadStatus.DISQUALIFIED)
               and lead.closed_at is not None and lead.closed_at < moment
               and any(getattr(lead, name) is not None for name in _LEAD_PERSONAL)]
        due.sort(key=lambda lead: (lead.closed_at or moment, lead.id))
        return [copy.copy(lead) for lead in due[:limit]]


class FakeFailedIntake(_Repo):
    async def add(self, failure: FailedIntake) -> int:
        failure.id = next(self.db.ids)
        self.db.failed_intake[failure.id] = copy.deepcopy(failure)
        return failure.id

    async def get(self, failure_id: int) -> FailedIntake | None:
        return copy.deepcopy(self.db.failed_intake.get(failure_id))

    async def recent(self, *, source: str | None = None, limit: int = 50,
                     unreplayed: bool = False) -> list[FailedIntake]:
        rows = [f for f in self.db.failed_intake.values()
                if (source is None or f.source == source)
                and not (unreplayed and f.replayed_at is not None)]
        rows.sort(key=lambda f: (f.received_at, f.id), reverse=True)
        return copy.deepcopy(rows[:limit])

    async def count_kept(self, *, source: str | None, since: datetime) -> int:
        return sum(1 for f in self.db.failed_intake.values()
                   if (f.source == source if source else not f.authenticated)
                   and f.received_at >= since)

    async def mark_replayed(self, failure_id: int, *, lead_id: int, at: datetime) -> bool:
        failure = self.db.failed_intake.get(failure_id)
        if failure is None or failure.replayed_at is not None:
            return False
        failure.replayed_at, failure.lead_id = at, lead_id
        return True

    async def forget_unauthenticated(self, *, before: datetime) -> dict[str, int]:
        counts: dict[str, int] = {}
        for key, failure in list(self.db.failed_intake.items()):
            if not failure.authenticated and failure.received_at < before:
                del self.db.failed_intake[key]
                counts[failure.reason.value] = counts.get(failure.reason.value, 0) + 1
        return counts


class FakeChatImports(_Repo):
    async def add(self, pending: PendingImport) -> int:
        pending.id = next(self.db.ids)
        self.db.chat_imports[pending.id] = copy.deepcopy(pending)
        return pending.id

    async def get(self, import_id: int) -> PendingImport | None:
        return copy.deepcopy(self.db.chat_imports.get(import_id))

    async def move(self, import_id: int, *, expect: ImportStatus, to: ImportStatus,
                   at: datetime, created_after: datetime | None = None,
                   held: bool | None = None, result: Mapping[str, int] | None = None) -> bool:
        pending = self.db.chat_imports.get(import_id)
        if pending is None or pending.status is not expect or (
                created_after is not None and pending.created_at <= created_after):
            return False
        pending.status = to
        if held is not None:
            pending.held = held
        if result is not None:
            pending.result = dict(result)
        if to in (ImportStatus.DONE, ImportStatus.FAILED, ImportStatus.CANCELLED):
            pending.finished_at = at
        return True


class FakeLeadFetches(_Repo):
    async def add(self, fetch: LeadFetch) -> bool:
        key = (fetch.platform, fetch.external_id)
        if any((f.platform, f.external_id) == key for f in self.db.lead_fetches.values()):
            return False
        fetch.id = next(self.db.ids)
        self.db.lead_fetches[fetch.id] = copy.deepcopy(fetch)
        return True

    async def get(self, fetch_id: int) -> LeadFetch | None:
        return copy.deepcopy(self.db.lead_fetches.get(fetch_id))

    async def due(self, now: datetime, *, limit: int) -> Sequence[LeadFetch]:
        due = sorted((f for f in self.db.lead_fetches.values()
                      if f.state is FetchState.WAITING and f.next_try_at is not None
                      and f.next_try_at <= now), key=lambda f: (f.next_try_at or now, f.id))
        return [copy.deepcopy(f) for f in due[:limit]]

    async def next_due(self) -> datetime | None:
        return min((f.next_try_at for f in self.db.lead_fetches.values()
                    if f.state is FetchState.WAITING and f.next_try_at is not None),
                   default=None)

    async def claim(self, fetch: LeadFetch, *, until: datetime) -> bool:
        stored = self.db.lead_fetches.get(fetch.id)
        if (stored is None or stored.state is not FetchState.WAITING
                or stored.attempts != fetch.attempts):
            return False
        fetch.attempts = stored.attempts = fetch.attempts + 1
        fetch.next_try_at = stored.next_try_at = until
        return True

    async def settle(self, fetch: LeadFetch, *, state: FetchState,
                     next_try_at: datetime | None, error: str = "",
                     lead_id: int | None = None, failure_id: int | None = None) -> bool:
        stored = self.db.lead_fetches.get(fetch.id)
        if (stored is None or stored.state is not FetchState.WAITING
                or stored.attempts != fetch.attempts):
            return False
        stored.state, stored.next_try_at, stored.last_error = state, next_try_at, error
        stored.lead_id, stored.failure_id = lead_id, failure_id
        return True


class FakeInbound(_Repo):
    async def seen(self, key: str) -> int | None:
        return self.db.inbound.get(key)

    async def add(self, key: str, *, lead_id: int, at: datetime) -> None:
        if key in self.db.inbound:
            raise Conflict("this message was taken already")
        self.db.inbound[key] = lead_id


class FakeCoverage:
    """Capacity, coverage and automation health are tested on the real databases only."""

    async def owned_time(self, start: datetime, end: datetime) -> Mapping[int, OwnedTime]:
        raise NotImplementedError("coverage needs a real database")

    async def open_now(self) -> Mapping[int, int]:
        raise NotImplementedError("coverage needs a real database")

    async def misses(self, start: datetime, end: datetime, *,
                     shift_s: int) -> Sequence[MissCount]:
        raise NotImplementedError("coverage needs a real database")

    async def automation(self, start: datetime, end: datetime) -> Sequence[RuleAutomation]:
        raise NotImplementedError("coverage needs a real database")


class FakeNumbers(_Repo):
    async def figures(self, start: datetime, end: datetime, *, by: Slice | None,
                      now: datetime, rate: Callable[[str | None], Decimal],
                      offers: bool = True) -> PeriodFigures:
        raise NotImplementedError("the managers' numbers need a real database")


class FakeFairness(_Repo):
    async def record(self, decisions: Sequence[SharedDecision]) -> None:
        self.db.routing_decisions.extend(decisions)

    async def tallies(self, start: datetime, end: datetime) -> list[FairShare]:
        raise NotImplementedError("the fairness audit needs a real database")

    async def since(self) -> datetime | None:
        return min((d.decided_at for d in self.db.routing_decisions), default=None)


class FakeExports(_Repo):
    async def page(self, start: datetime, end: datetime, *,
                   after: tuple[datetime, int] | None, limit: int) -> list[ExportRow]:
        raise NotImplementedError("an export needs a real database (tests/test_export.py)")

    async def record(self, entry: ExportEntry) -> int:
        raise NotImplementedError("an export needs a real database (tests/test_export.py)")

    async def latest(self, limit: int) -> list[ExportEntry]:
        raise NotImplementedError("an export needs a real database (tests/test_export.py)")


class FakeReportSeries(_Repo):
    async def by_span(self, bounds: Sequence[datetime], *, now: datetime) -> list[DaySeries]:
        raise NotImplementedError("the report's counts need a real database")


class FakeTeam(_Repo):
    async def setting(self, key: str) -> Any:
        return copy.deepcopy(self.db.settings.get(key))

    async def put_setting(self, key: str, value: Any, *, at: datetime) -> None:
        self.db.settings[key] = copy.deepcopy(value)

    async def claim_setting(self, key: str, *, expect: Any, value: Any, at: datetime) -> bool:
        if self.db.settings.get(key) != expect:
            return False
        self.db.settings[key] = copy.deepcopy(value)
        return True

    async def add_invite(self, invite: Invite) -> None:
        self.db.invites[invite.code_hash] = copy.copy(invite)

    async def invite(self, code_hash: str) -> Invite | None:
        invite = self.db.invites.get(code_hash)
        return copy.copy(invite) if invite else None

    async def use_invite(self, code_hash: str, *, by: int, at: datetime) -> bool:
        invite = self.db.invites.get(code_hash)
        if invite is None or invite.used_by is not None or invite.expires_at <= at:
            return False
        invite.used_by, invite.used_at = by, at
        return True

    async def record_availability(self, change: AvailabilityChange) -> None:
        self.db.availability.append(change)

    async def availability(self, *, agent_id: int | None = None,
                           since: datetime | None = None) -> Sequence[AvailabilityChange]:
        return sorted((c for c in self.db.availability
                       if (agent_id is None or c.agent_id == agent_id)
                       and (since is None or c.at >= since)), key=lambda c: c.at)


class FakeUnitOfWork:
    """Works on the shared FakeDatabase and restores it unless commit() was called."""

    def __init__(self, db: FakeDatabase, signals: Signals) -> None:
        self.db = db
        self._signals = signals
        self._snapshot: FakeDatabase | None = None
        self._wakeups: list[datetime] = []
        self.agents, self.contacts = FakeAgents(db), FakeContacts(db)
        self.leads, self.offers = FakeLeads(db), FakeOffers(db)
        self.rotations, self.events = FakeRotations(db), FakeEvents(db)
        self.outbox, self.personal = FakeOutbox(db), FakePersonalData(db)
        self.tasks, self.cards, self.prompts = FakeTasks(db), FakeCards(db), FakePrompts(db)
        self.team = FakeTeam(db)
        self.failed_intake = FakeFailedIntake(db)
        self.chat_imports = FakeChatImports(db)
        self.lead_fetches = FakeLeadFetches(db)
        self.inbound = FakeInbound(db)
        self.coverage = FakeCoverage()
        self.numbers = FakeNumbers(db)
        self.fairness = FakeFairness(db)
        self.exports = FakeExports(db)
        self.report_series = FakeReportSeries(db)
        self._read_only = False

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[Self]:
        """Itself, but commit() fails: a service that only reads must never commit."""
        self._read_only = True
        try:
            async with self:
                yield self
        finally:
            self._read_only = False

    async def __aenter__(self) -> Self:
        ids = self.db.ids
        self.db.ids = itertools.count(0)  # deepcopy cannot copy a live counter
        self._snapshot = copy.deepcopy(self.db)
        self.db.ids = self._snapshot.ids = ids
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._snapshot is not None:  # not committed: put everything back
            for name in ("agents", "contacts", "leads", "offers", "rotations", "events",
                         "outbox", "sent", "sent_messages", "tasks", "reminded", "cards",
                         "prompts", "settings", "invites", "availability",
                         "failed_intake", "chat_imports",
                         "lead_fetches", "inbound", "routing_decisions"):
                setattr(self.db, name, getattr(self._snapshot, name))
            self._rebind()
        self._snapshot = None

    def _rebind(self) -> None:
        for repo in (self.agents, self.contacts, self.leads, self.offers, self.rotations,
                     self.events, self.outbox, self.personal, self.tasks, self.cards,
                     self.prompts, self.team, self.failed_intake, self.chat_imports,
                     self.lead_fetches, self.inbound, self.fairness, self.report_series):
            repo.db = self.db

    async def commit(self) -> None:
        if self._read_only:
            raise RuntimeError("a unit of work opened for reading cannot commit")
        self._snapshot = None
        self.db.commits += 1
        wakeups, self._wakeups = self._wakeups, []
        self._signals.after_commit(wakeups, frozenset(m.chat_id for m in self.db.outbox))

    def wake_at(self, when: datetime) -> None:
        self._wakeups.append(when)


def fake_uow_factory(db: FakeDatabase) -> Callable[[Signals], Callable[[], UnitOfWork]]:
    """Bind fake units of work to one in-memory database, like sql_uow_factory does."""

    def bind(signals: Signals) -> Callable[[], UnitOfWork]:
        return lambda: FakeUnitOfWork(db, signals)

    return bind


@dataclass(frozen=True)
class FakeHolidays:
    """The Holidays port over a fixed table of dates and their names."""

    days: Mapping[date, str] = field(default_factory=dict)

    def is_holiday(self, day: date) -> bool:
        return day in self.days

    def names(self, day: date) -> list[str]:
        return [self.days[day]] if day in self.days else []
