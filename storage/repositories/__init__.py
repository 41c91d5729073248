"""SQLAlchemy implementations of the repository Protocols in core/ports.py."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Row,
    and_,
    bindparam,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from core.errors import Conflict
from core.model import (
    DeclineReason,
    Lead,
    LeadEvent,
    LeadStatus,
    Offer,
    OfferStatus,
    OutgoingMessage,
)
from core.ports import OfferCounts, OwnerCounts, WaitingRow
from core.stats import PeriodTally
from storage.repositories import reporting
from storage.repositories._rows import _aware, _insert_returning_ids, _lead, _lead_values
from storage.repositories.agents import SqlAgents
from storage.repositories.contacts import SqlContacts
from storage.repositories.reporting import OFFER_COUNTS_FOR_AGENT
from storage.tables import lead_events, leads, offers, outbox, rotations

__all__ = [
    "OFFER_COUNTS_FOR_AGENT",
    "SqlAgents",
    "SqlContacts",
    "SqlEvents",
    "SqlLeads",
    "SqlOffers",
    "SqlOutbox",
    "SqlRotations",
]


class SqlLeads:
    """Leads; updates are conditional on the version read."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add_all(self, new: Sequence[Lead]) -> None:
        """Store new leads and give each its id; a duplicate external id raises Conflict."""
        rows = [{**_lead_values(lead), "version": lead.version} for lead in new]
        try:
            ids = await _insert_returning_ids(self._conn, leads, rows)
        except IntegrityError as exc:
            # Two deliveries of one webhook raced past the lookup; the retry will find it.
            raise Conflict("a lead with this source and external id is already stored") from exc
        for lead, lead_id in zip(new, ids, strict=True):
            lead.id = lead_id

    async def get(self, lead_id: int) -> Lead | None:
        """One lead by id."""
        row = (await self._conn.execute(select(leads).where(leads.c.id == lead_id))).first()
        return _lead(row) if row else None

    async def lock(self, lead_id: int) -> Lead | None:
        """One lead by id, its row held until the transaction ends (SQLite: the write lock)."""
        row = (await self._conn.execute(
            select(leads).where(leads.c.id == lead_id).with_for_update())).first()
        return _lead(row) if row else None

    async def lock_all(self, lead_ids: Sequence[int]) -> dict[int, Lead]:
        """Several leads by id, each row held until the transaction ends (taken in id order)."""
        if not lead_ids:
            return {}
        rows = await self._conn.execute(
            select(leads).where(leads.c.id.in_(sorted(set(lead_ids))))
            .order_by(leads.c.id).with_for_update())
        return {row.id: _lead(row) for row in rows}

    async def by_external_ids(
        self, keys: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str], Lead]:
        """The leads sources already sent, by (source, external_id)."""
        if not keys:
            return {}
        rows = await self._conn.execute(select(leads).where(
            leads.c.external_id.in_(sorted({ext for _, ext in keys}))))
        wanted = set(keys)
        found = {}
        for row in rows:
            if (row.source, row.external_id) in wanted:
                found[(row.source, row.external_id)] = _lead(row)
        return found

    async def owners_of(self, contact_ids: Sequence[int]) -> dict[int, int]:
        """For each contact, the agent who owns its newest open lead."""
        if not contact_ids:
            return {}
        rows = await self._conn.execute(
            select(leads.c.contact_id, leads.c.owner_id).where(
                leads.c.contact_id.in_(sorted(set(contact_ids))),
                leads.c.status == LeadStatus.OWNED.value,
            ).order_by(leads.c.id))
        return {row.contact_id: row.owner_id for row in rows}  # newest wins: ordered by id

    async def orphaned(self) -> list[int]:
        """Leads marked as offered that have no pending offer: nobody holds them."""
        live = select(offers.c.id).where(offers.c.lead_id == leads.c.id,
                                         offers.c.status == OfferStatus.PENDING.value)
        rows = await self._conn.execute(select(leads.c.id).where(
            leads.c.status == LeadStatus.OFFERED.value, ~live.exists()).order_by(leads.c.id))
        return [r.id for r in rows]

    async def any_new(self) -> bool:
        """Whether a stored lead waits to be routed."""
        row = (await self._conn.execute(select(leads.c.id).where(
            leads.c.status == LeadStatus.NEW.value).limit(1))).first()
        return row is not None

    async def take_new(self, *, limit: int, ids: Sequence[int] | None = None) -> list[Lead]:
        """The oldest leads waiting to be routed (of *ids*, if given), each row held until
        the transaction ends; rows another transaction holds are passed over, not waited for."""
        query = select(leads).where(leads.c.status == LeadStatus.NEW.value)
        if ids is not None:
            query = query.where(leads.c.id.in_(sorted(set(ids))))
        # SKIP LOCKED: the router holds the routing row while it takes these, so waiting
        # here for a lead another transaction holds could close a circle of waits.
        rows = await self._conn.execute(
            query.order_by(leads.c.id).limit(limit).with_for_update(skip_locked=True))
        return [_lead(r) for r in rows]

    async def nurtured_of(self, contact_ids: Sequence[int]) -> list[Lead]:
        """The leads of these contacts that sit in nurture, oldest first."""
        if not contact_ids:
            return []
        rows = await self._conn.execute(select(leads).where(
            leads.c.contact_id.in_(sorted(set(contact_ids))),
            leads.c.status == LeadStatus.NURTURE.value).order_by(leads.c.id))
        return [_lead(r) for r in rows]

    async def revive(self, lead_id: int) -> bool:
        """Take a lead out of nurture because its contact came back; False if it had left."""
        result = await self._conn.execute(
            update(leads)
            .where(leads.c.id == lead_id, leads.c.status == LeadStatus.NURTURE.value)
            .values(status=LeadStatus.REVIVED.value, version=leads.c.version + 1))
        return bool(result.rowcount == 1)

    async def update(self, lead: Lead) -> None:
        """Save *lead* if nobody changed it since it was read, else raise Conflict."""
        result = await self._conn.execute(
            update(leads)
            .where(leads.c.id == lead.id, leads.c.version == lead.version)
            .values(**_lead_values(lead), version=lead.version + 1))
        if result.rowcount != 1:
            raise Conflict(f"lead {lead.id} changed underneath us")
        lead.version += 1

    async def update_all(self, new: Sequence[Lead]) -> None:
        """Save several leads locked in this transaction, each conditional on its version.

        One executemany; where the driver cannot count the rows it changed (asyncpg), the
        row locks taken by `lock_all` are what keeps anyone else from changing them.
        """
        if not new:
            return
        result = await self._conn.execute(
            update(leads).where(leads.c.id == bindparam("lead_id"),
                                leads.c.version == bindparam("old_version"))
            .values(version=bindparam("new_version")),
            [{**_lead_values(lead), "lead_id": lead.id, "old_version": lead.version,
              "new_version": lead.version + 1} for lead in new])
        if self._conn.dialect.supports_sane_multi_rowcount and result.rowcount != len(new):
            raise Conflict("a lead changed underneath us")
        for lead in new:
            lead.version += 1

    async def owner_counts(self, *, review_since: datetime | None) -> dict[int, OwnerCounts]:
        """Per owner: open leads, and leads received since *review_since* and won of them."""
        return await reporting.owner_counts(self._conn, review_since=review_since)

    async def received_since(self, starts: Mapping[int, datetime]) -> dict[int, int]:
        """Per agent in *starts*: leads they own, taken at or after their start."""
        return await reporting.received_since(self._conn, starts)

    async def owned_by(self, agent_id: int) -> list[Lead]:
        """Leads *agent_id* owns and has not closed, oldest first."""
        rows = await self._conn.execute(select(leads).where(
            leads.c.owner_id == agent_id, leads.c.status == LeadStatus.OWNED.value,
        ).order_by(leads.c.id))
        return [_lead(r) for r in rows]

    async def waiting(self, *, limit: int) -> list[WaitingRow]:
        """The *limit* most urgent leads nobody owns yet, with their newest pending offer."""
        return await reporting.waiting(self._conn, limit=limit)

    async def count_waiting(self) -> int:
        """How many leads are offered to someone, waiting for a manager or in nurture."""
        return await reporting.count_waiting(self._conn)

    async def period_tally(self, start: datetime, end: datetime) -> PeriodTally:
        """Figures of the leads received in [start, end) and of every offer made for them."""
        return await reporting.period_tally(self._conn, start, end)


def _offer(row: Row[Any]) -> Offer:
    return Offer(
        lead_id=row.lead_id, agent_id=row.agent_id, token=row.token,
        created_at=row.created_at, deadline=row.deadline, sequence=row.sequence,
        status=OfferStatus(row.status), decided_at=row.decided_at,
        decline_reason=DeclineReason(row.decline_reason) if row.decline_reason else None,
        trace=row.trace, kind=row.kind, delivered_at=row.delivered_at, id=row.id,
    )


class SqlOffers:
    """Offers; the status column decides every race."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add_all(self, new: Sequence[Offer]) -> list[Offer]:
        """Store new offers, give each its id, and return them."""
        rows = [{"lead_id": o.lead_id, "agent_id": o.agent_id, "token": o.token,
                 "status": o.status.value, "created_at": o.created_at, "deadline": o.deadline,
                 "sequence": o.sequence, "trace": o.trace, "kind": o.kind} for o in new]
        for offer, offer_id in zip(new, await _insert_returning_ids(
                self._conn, offers, rows), strict=True):
            offer.id = offer_id
        return list(new)

    async def get(self, offer_id: int) -> Offer | None:
        """One offer by id."""
        row = (await self._conn.execute(select(offers).where(offers.c.id == offer_id))).first()
        return _offer(row) if row else None

    async def decide(
        self, offer_id: int, *, status: OfferStatus, at: datetime,
        reason: DeclineReason | None = None, due_by: datetime | None = None,
    ) -> bool:
        """Close a pending offer; False if it was no longer pending (or not due by *due_by*)."""
        condition = and_(offers.c.id == offer_id, offers.c.status == OfferStatus.PENDING.value)
        if due_by is not None:
            condition = and_(condition, offers.c.deadline <= due_by)
        result = await self._conn.execute(update(offers).where(condition).values(
            status=status.value, decided_at=at, decline_reason=reason.value if reason else None))
        return result.rowcount == 1

    async def decide_all(self, offer_ids: Sequence[int], *, status: OfferStatus, at: datetime,
                         due_by: datetime | None = None) -> set[int]:
        """Close those of *offer_ids* still pending (and due by *due_by*); the ids closed."""
        if not offer_ids:
            return set()
        condition = and_(offers.c.id.in_(sorted(set(offer_ids))),
                         offers.c.status == OfferStatus.PENDING.value)
        if due_by is not None:
            condition = and_(condition, offers.c.deadline <= due_by)
        rows = await self._conn.execute(update(offers).where(condition).values(
            status=status.value, decided_at=at).returning(offers.c.id))
        return {row.id for row in rows}

    async def start_clock(self, offer_id: int, *, delivered_at: datetime,
                          deadline: datetime) -> bool:
        """Record delivery of a pending offer and its new deadline; False if already done."""
        result = await self._conn.execute(update(offers).where(
            offers.c.id == offer_id, offers.c.status == OfferStatus.PENDING.value,
            offers.c.delivered_at.is_(None)).values(delivered_at=delivered_at,
                                                    deadline=deadline))
        return bool(result.rowcount == 1)

    async def for_lead(self, lead_id: int) -> list[Offer]:
        """Every offer made for one lead, first first."""
        rows = await self._conn.execute(
            select(offers).where(offers.c.lead_id == lead_id).order_by(offers.c.id))
        return [_offer(r) for r in rows]

    async def for_leads(self, lead_ids: Sequence[int]) -> list[Offer]:
        """Every offer made for any of *lead_ids*."""
        found: list[Offer] = []
        ids = list(lead_ids)
        for start in range(0, len(ids), 500):  # stay under SQLite's bound-parameter limit
            rows = await self._conn.execute(select(offers).where(
                offers.c.lead_id.in_(ids[start:start + 500])).order_by(offers.c.id))
            found.extend(_offer(r) for r in rows)
        return found

    async def overdue(self, now: datetime, *, limit: int) -> list[Offer]:
        """Pending offers whose deadline has passed, earliest first."""
        rows = await self._conn.execute(select(offers).where(
            offers.c.status == OfferStatus.PENDING.value, offers.c.deadline <= now,
        ).order_by(offers.c.deadline).limit(limit))
        return [_offer(r) for r in rows]

    async def pending_deadlines(self) -> list[datetime]:
        """The deadline of every offer still waiting for an answer, soonest first."""
        rows = await self._conn.execute(
            select(offers.c.deadline).where(offers.c.status == OfferStatus.PENDING.value)
            .order_by(offers.c.deadline))
        return [_aware(r.deadline) for r in rows]

    async def offer_counts(self, *, since: datetime) -> dict[int, OfferCounts]:
        """Per agent: pending offers, the latest since *since*, and missed deadlines."""
        return await reporting.offer_counts(self._conn, since=since)


class SqlRotations:
    """Round-robin pointers, locked for the length of the transaction."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def lock(self, key: str) -> dict[str, Any]:
        """Lock the row (FOR UPDATE; SQLite already holds the write lock) and read it."""
        query = select(rotations.c.state).where(rotations.c.key == key).with_for_update()
        row = (await self._conn.execute(query)).first()
        if row is None:
            dialect = postgresql if self._conn.dialect.name == "postgresql" else sqlite
            await self._conn.execute(
                dialect.insert(rotations).values(key=key, state={})
                .on_conflict_do_nothing(index_elements=["key"]))
            row = (await self._conn.execute(query)).first()
        assert row is not None
        return dict(row.state or {})

    async def read(self, key: str) -> dict[str, Any]:
        """What the row holds, without locking or creating it."""
        query = select(rotations.c.state).where(rotations.c.key == key)
        state = (await self._conn.execute(query)).scalar()
        return dict(state or {})

    async def save(self, key: str, state: dict[str, Any]) -> None:
        """Replace what the row holds."""
        await self._conn.execute(
            update(rotations).where(rotations.c.key == key).values(state=state))


class SqlEvents:
    """A lead's history."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, event: LeadEvent) -> None:
        """Record one event."""
        await self.add_all([event])

    async def add_all(self, events: Sequence[LeadEvent]) -> None:
        """Record several events."""
        if events:
            await self._conn.execute(insert(lead_events), [
                {"lead_id": e.lead_id, "at": e.at, "kind": e.kind, "agent_id": e.agent_id,
                 "data": e.data} for e in events])

    async def for_leads(self, lead_ids: Sequence[int]) -> list[LeadEvent]:
        """The history of any of *lead_ids*, oldest first."""
        rows = await self._conn.execute(select(lead_events).where(
            lead_events.c.lead_id.in_(list(lead_ids))).order_by(lead_events.c.id))
        return [LeadEvent(r.lead_id, r.at, r.kind, r.agent_id, r.data, r.id) for r in rows]


class SqlOutbox:
    """The outbox, written in the same transaction as the change that causes it."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn
        self.chats: set[int] = set()  # who has new mail once this transaction commits

    async def add(self, message: OutgoingMessage) -> None:
        """Queue one message in the current transaction."""
        await self.add_all([message])

    async def add_all(self, messages: Sequence[OutgoingMessage]) -> None:
        """Queue several messages in the current transaction."""
        if messages:
            await self._conn.execute(insert(outbox), [
                {"chat_id": m.chat_id, "template": m.template, "params": m.params,
                 "ref": m.ref, "edit_ref": m.edit_ref, "created_at": m.created_at,
                 "attempts": 0} for m in messages])
            self.chats.update(m.chat_id for m in messages)
