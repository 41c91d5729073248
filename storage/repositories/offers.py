"""Offers of a lead to agents, where the status column decides every race."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from core.model import DeclineReason, Offer, OfferKind, OfferStatus
from core.ports import OfferCounts
from storage.repositories import reporting
from storage.repositories._rows import _aware, _insert_returning_ids, fits
from storage.tables import offers


def _offer(row: Row[Any]) -> Offer:
    return Offer(
        lead_id=row.lead_id, agent_id=row.agent_id, token=row.token,
        created_at=row.created_at, deadline=row.deadline, sequence=row.sequence,
        status=OfferStatus(row.status), decided_at=row.decided_at,
        decline_reason=DeclineReason(row.decline_reason) if row.decline_reason else None,
        trace=row.trace, kind=OfferKind(row.kind), delivered_at=row.delivered_at, id=row.id,
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
        if not fits(offers.c.id, offer_id):
            return None
        row = (await self._conn.execute(_GET, {"offer_id": offer_id})).first()
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
            status=status.value, decided_at=at, decline_reason=reason.value if reason else None,
            answered_after_us=self._after(at)))
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
            status=status.value, decided_at=at, answered_after_us=self._after(at))
            .returning(offers.c.id))
        return {row.id for row in rows}

    def _after(self, at: datetime) -> ColumnElement[int]:
        """The microseconds from an offer to *at*, for the numbers' time to Accept."""
        return reporting._micros(self._conn, offers.c.created_at,
                                 bindparam("decided", at, type_=offers.c.decided_at.type))

    async def start_clock(self, offer_id: int, *, delivered_at: datetime,
                          deadline: datetime) -> bool:
        """Record delivery of a pending offer and its new deadline; False if already done."""
        result = await self._conn.execute(_START_CLOCK, {
            "offer_id": offer_id, "at": delivered_at, "new_deadline": deadline})
        return bool(result.rowcount == 1)

    async def for_lead(self, lead_id: int) -> list[Offer]:
        """Every offer made for one lead, first first."""
        if not fits(offers.c.lead_id, lead_id):
            return []
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

    async def pending_of(self, agent_id: int) -> list[Offer]:
        """The offers still waiting for *agent_id*'s answer, first first."""
        if not fits(offers.c.agent_id, agent_id):
            return []
        rows = await self._conn.execute(select(offers).where(
            offers.c.agent_id == agent_id, offers.c.status == OfferStatus.PENDING.value,
        ).order_by(offers.c.id))
        return [_offer(r) for r in rows]

    async def offer_counts(self, *, since: datetime) -> dict[int, OfferCounts]:
        """Per agent: pending offers, the latest since *since*, and missed deadlines."""
        return await reporting.offer_counts(self._conn, since=since)


# Every delivered offer runs these: built once, as building one costs more than running it.
_GET = select(offers).where(offers.c.id == bindparam("offer_id"))
_START_CLOCK = update(offers).where(
    offers.c.id == bindparam("offer_id"), offers.c.status == OfferStatus.PENDING.value,
    offers.c.delivered_at.is_(None)).values(
    delivered_at=bindparam("at", type_=offers.c.delivered_at.type),
    deadline=bindparam("new_deadline", type_=offers.c.deadline.type))
