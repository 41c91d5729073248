"""SQLAlchemy implementations of the repository Protocols in core/ports.py."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Row,
    and_,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from core.model import (
    DeclineReason,
    LeadEvent,
    Offer,
    OfferStatus,
    OutgoingMessage,
)
from core.ports import OfferCounts
from storage.repositories import reporting
from storage.repositories._rows import _aware, _insert_returning_ids
from storage.repositories.agents import SqlAgents
from storage.repositories.contacts import SqlContacts
from storage.repositories.leads import SqlLeads
from storage.repositories.reporting import OFFER_COUNTS_FOR_AGENT
from storage.tables import lead_events, offers, outbox, rotations

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
