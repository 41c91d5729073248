"""The leads of a period a page at a time for an export, and the exports table (its log)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from core.model import OfferStatus
from core.ports.exports import ExportChannel, ExportEntry, ExportRow
from storage.report_tables import exports
from storage.repositories.reporting import OFFER_COUNTS_FOR_AGENT
from storage.tables import agents, leads, offers

_LEAD_COLUMNS = (
    leads.c.id, leads.c.received_at, leads.c.source, leads.c.name, leads.c.phone,
    leads.c.email, leads.c.product, leads.c.region, leads.c.budget_min, leads.c.budget_max,
    leads.c.temperature, leads.c.score, leads.c.lead_type, leads.c.status, leads.c.stage,
    leads.c.owner_id, leads.c.accepted_at, leads.c.contacted_at, leads.c.amount,
    leads.c.offer_amount, leads.c.lost_reason, leads.c.closed_at, leads.c.campaign,
    leads.c.team.label("team_then"),
)


class SqlExports:
    """core.ports.exports.ExportRepository on one connection."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def page(self, start: datetime, end: datetime, *,
                   after: tuple[datetime, int] | None, limit: int) -> list[ExportRow]:
        """One page of leads by (received_at, id), their owners and offers counted in the
        same statement."""
        return [_row(r) for r in await self._conn.execute(_page(start, end, after, limit))]

    async def record(self, entry: ExportEntry) -> int:
        """Log *entry*; its new id."""
        return int((await self._conn.execute(insert(exports).values(
            by_id=entry.by_id, by_name=None if entry.by_name is None else entry.by_name[:64],
            at=entry.at, period_start=entry.period_start, period_end=entry.period_end,
            row_count=entry.rows, size_bytes=entry.size, channel=entry.channel.value,
        ).returning(exports.c.id))).scalar_one())

    async def latest(self, limit: int) -> list[ExportEntry]:
        """The last *limit* exports, newest first."""
        rows = await self._conn.execute(select(exports).order_by(exports.c.id.desc())
                                        .limit(limit))
        return [ExportEntry(
            by_id=r.by_id, by_name=r.by_name, at=r.at, period_start=r.period_start,
            period_end=r.period_end, rows=r.row_count, size=r.size_bytes,
            channel=ExportChannel(r.channel), id=r.id) for r in rows]


def _page(start: datetime, end: datetime, after: tuple[datetime, int] | None,
          limit: int) -> Select[Any]:
    """The page after *after*: received_at's index gives (received_at, id) in order (SQLite
    keeps the rowid in every index; PostgreSQL sorts each run of equal times), and only the
    page's leads' offers are counted, through their lead_id index."""
    where: list[ColumnElement[bool]] = [leads.c.received_at >= start, leads.c.received_at < end]
    if after is not None:
        at, lead_id = after
        # The plain bound keeps the index range; the OR alone would not on PostgreSQL.
        where += [leads.c.received_at >= at,
                  or_(leads.c.received_at > at, and_(leads.c.received_at == at,
                                                     leads.c.id > lead_id))]
    page = (select(*_LEAD_COLUMNS).where(*where)
            .order_by(leads.c.received_at, leads.c.id).limit(limit).cte("page"))
    counted = (select(offers.c.lead_id, func.count().label("offers"),
                      func.count().filter(offers.c.status == OfferStatus.DECLINED.value)
                      .label("declines"),
                      func.count().filter(offers.c.status == OfferStatus.EXPIRED.value)
                      .label("lapses"))
               .where(offers.c.lead_id.in_(select(page.c.id)), OFFER_COUNTS_FOR_AGENT)
               .group_by(offers.c.lead_id).subquery())
    return (select(page, agents.c.name.label("owner"),
                   # The owner's team when they took the lead, as the numbers count it;
                   # their team now for a lead taken before leads kept it.
                   func.coalesce(page.c.team_then, agents.c.profile["team"].as_string())
                   .label("team"),
                   func.coalesce(counted.c.offers, 0).label("offers"),
                   func.coalesce(counted.c.declines, 0).label("declines"),
                   func.coalesce(counted.c.lapses, 0).label("lapses"))
            .select_from(page.outerjoin(agents, agents.c.telegram_id == page.c.owner_id)
                         .outerjoin(counted, counted.c.lead_id == page.c.id))
            .order_by(page.c.received_at, page.c.id))


def _row(r: Any) -> ExportRow:
    # By position: a Row's attributes by name cost more than the query, row after row.
    (lead_id, received_at, source, name, phone, email, product, region, budget_min,
     budget_max, temperature, score, lead_type, status, stage, _, accepted_at, contacted_at,
     amount, offer_amount, lost_reason, closed_at, campaign, _, owner, team, offered,
     declines, lapses) = r
    return ExportRow(
        id=lead_id, received_at=received_at, source=source, name=name, phone=phone,
        email=email, product=product, region=region, budget_min=budget_min,
        budget_max=budget_max, temperature=temperature, score=score, lead_type=lead_type,
        status=status, stage=stage, owner=owner, team=team, accepted_at=accepted_at,
        contacted_at=contacted_at, offers=offered, declines=declines, lapses=lapses,
        amount=amount, offer_amount=offer_amount, lost_reason=lost_reason,
        closed_at=closed_at,
        campaign={key: str(value) for key, value in (campaign or {}).items()})
