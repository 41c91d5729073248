"""The morning digest's figures in SQL (core.digest.count_digest is the reference)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from core.digest import DigestCounts
from core.model import LeadStatus, OfferStatus, TaskKind
from storage.repositories.reporting import OFFER_COUNTS_FOR_AGENT
from storage.tables import lead_events, leads, offers, tasks

_SHOWN = [kind.value for kind in TaskKind if kind.shown]


async def digest_counts(conn: AsyncConnection, start: datetime, end: datetime, *,
                        now: datetime) -> DigestCounts:
    """The figures of [start, end) and of *now*, in three statements: the period's leads
    (on the received_at index), its events, and the open leads and tasks now."""
    in_period = and_(leads.c.received_at >= start, leads.c.received_at < end)
    offered = select(offers.c.id).where(offers.c.lead_id == leads.c.id).exists()
    in_time = select(offers.c.id).where(
        offers.c.lead_id == leads.c.id, offers.c.status == OfferStatus.ACCEPTED.value,
        OFFER_COUNTS_FOR_AGENT, offers.c.decided_at.is_not(None),
        offers.c.decided_at <= offers.c.deadline).exists()
    head = (await conn.execute(select(
        func.count().label("leads_in"), func.count().filter(offered).label("offered"),
        func.count().filter(in_time).label("in_time")).where(in_period))).one()
    when = and_(lead_events.c.at >= start, lead_events.c.at < end)
    happened = (await conn.execute(select(
        func.count(lead_events.c.lead_id.distinct()).filter(
            lead_events.c.kind == "escalated").label("escalated"),
        func.count().filter(lead_events.c.kind == "contact_missed").label("missed"))
        .where(when, lead_events.c.kind.in_(["escalated", "contact_missed"])))).one()
    open_now = (await conn.execute(select(
        select(func.count()).where(leads.c.status == LeadStatus.WITH_MANAGERS.value)
        .scalar_subquery().label("with_managers"),
        select(func.count()).where(leads.c.status == LeadStatus.OFFERED.value)
        .scalar_subquery().label("on_offer"),
        select(func.count()).where(tasks.c.done_at.is_(None), tasks.c.kind.in_(_SHOWN),
                                   tasks.c.due_at < now)
        .scalar_subquery().label("overdue")))).one()
    return DigestCounts(
        leads_in=head.leads_in, offered=head.offered, accepted_in_time=head.in_time,
        escalated=happened.escalated or 0, contact_missed=happened.missed or 0,
        with_managers=open_now.with_managers, on_offer=open_now.on_offer,
        overdue_tasks=open_now.overdue)
