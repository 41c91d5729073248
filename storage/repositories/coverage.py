"""Capacity, coverage and automation health in SQL (`uow.coverage`): each a few rows per
agent, hour or rule, whatever the number of leads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    bindparam,
    case,
    cast,
    extract,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from core.config import MANUAL_SOURCE
from core.model import OfferKind, OfferStatus, Stage
from core.numbers.coverage import MissCount, MissKind, OwnedTime, RuleAutomation
from storage.repositories.reporting import _micros, owner_counts, sqlite_seconds
from storage.tables import lead_events, leads, offers

# The human touches of core.numbers.coverage.RuleAutomation, by their event's kind.
_TOUCHES = ("assigned", "reassigned", "returned")


# Offers waiting for their agent's answer, on the pending index: routing counts them as load.
_PENDING_BY_AGENT = (select(offers.c.agent_id, func.count().label("n"))
                     .where(offers.c.status == OfferStatus.PENDING.value)
                     .group_by(offers.c.agent_id))


def rule_of_lead() -> ColumnElement[Any]:
    """The routing rule that placed a lead: its first routing decision's, which the lead
    keeps (`Lead.settle`), also when that decision sent it straight to the managers."""
    return leads.c.rule


class SqlCoverage:
    """core.ports.CoverageRepository on one connection."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def owned_time(self, start: datetime, end: datetime) -> dict[int, OwnedTime]:
        """Per owner: each lead's [accepted_at, closed_at, moved to nurture or the period's
        end) clipped to the period, summed to the microsecond."""
        when = leads.c.accepted_at.type
        period_start = bindparam("start", start, type_=when)
        period_end = bindparam("end", end, type_=when)
        nurtured = case((leads.c.stage == Stage.NURTURE.value, leads.c.stage_at))
        stop = func.coalesce(leads.c.closed_at, nurtured, period_end)
        since = case((leads.c.accepted_at > period_start, leads.c.accepted_at),
                     else_=period_start)
        until = case((stop < period_end, stop), else_=period_end)
        # Grouped by an expression, not the column: SQLite would otherwise walk the owner
        # index and fetch every lead by it, five times slower than reading the table once.
        owner = (leads.c.owner_id + 0).label("owner")
        rows = await self._conn.execute(
            select(owner, func.sum(_micros(self._conn, since, until)).label("us"),
                   func.count().label("n"))
            .where(leads.c.owner_id.is_not(None), leads.c.accepted_at.is_not(None),
                   leads.c.accepted_at < period_end, stop > period_start)
            .group_by(owner))
        return {int(r.owner): OwnedTime(int(r.us), r.n) for r in rows}

    async def open_now(self) -> dict[int, int]:
        """Routing's own counts: owned open leads and pending offers per agent."""
        owned = await owner_counts(self._conn, review_since=None)
        counts = {agent: c.open for agent, c in owned.items()}
        for r in await self._conn.execute(_PENDING_BY_AGENT):
            counts[r.agent_id] = counts.get(r.agent_id, 0) + r.n
        return counts

    async def misses(self, start: datetime, end: datetime, *,
                     shift_s: int) -> list[MissCount]:
        """Offers let lapse by deadline (on the status-and-deadline index) and first contacts
        missed (on the kind-and-time index), grouped by kind and shifted hour."""
        shift = bindparam("shift", shift_s, type_=Integer)

        def hour(moment: ColumnElement[Any]) -> ColumnElement[int]:
            return (_epoch_seconds(self._conn, moment) + shift) // 3600

        lapsed_hour = hour(offers.c.deadline).label("hour")
        missed_hour = hour(lead_events.c.at).label("hour")
        lapsed = (select(literal(MissKind.OFFER.value).label("kind"), lapsed_hour,
                         func.count().label("n"))
                  .where(offers.c.status == OfferStatus.EXPIRED.value,
                         offers.c.kind == OfferKind.OFFER.value,
                         offers.c.deadline >= start, offers.c.deadline < end)
                  .group_by(lapsed_hour))
        missed = (select(literal(MissKind.CONTACT.value), missed_hour, func.count())
                  .where(lead_events.c.kind == "contact_missed",
                         lead_events.c.at >= start, lead_events.c.at < end)
                  .group_by(missed_hour))
        rows = await self._conn.execute(union_all(lapsed, missed))
        return [MissCount(MissKind(r.kind), int(r.hour), r.n) for r in rows]

    async def automation(self, start: datetime, end: datetime) -> Sequence[RuleAutomation]:
        """Two statements: the period's routed leads per rule and escalation (on the
        received_at index), then those of them a person moved, found from the other end,
        the touches since the period began (on the events' kind-and-time index: a touch
        comes after the lead's arrival), with their kinds as bits. A few rows per rule."""
        rule = rule_of_lead().label("rule")
        escalated = leads.c.escalated_at.is_not(None).label("escalated")
        offered = select(offers.c.id).where(offers.c.lead_id == leads.c.id).exists()
        cohort = (leads.c.received_at >= start, leads.c.received_at < end,
                  leads.c.source != MANUAL_SOURCE, or_(offered, leads.c.escalated_at.is_not(None)))
        bit = case(*((lead_events.c.kind == kind, 1 << n) for n, kind in enumerate(_TOUCHES)))
        touches = select(func.sum(bit.distinct())).where(
            lead_events.c.lead_id == leads.c.id, lead_events.c.kind.in_(_TOUCHES)
        ).scalar_subquery().label("touches")
        touched = select(lead_events.c.lead_id).where(
            lead_events.c.kind.in_(_TOUCHES), lead_events.c.at >= start)
        counted: dict[str | None, dict[str, int]] = {}

        def tally(rule_name: str | None) -> dict[str, int]:
            return counted.setdefault(rule_name, dict.fromkeys(
                ("routed", "untouched", *_TOUCHES, "escalated"), 0))

        for r in await self._conn.execute(
                select(rule, escalated, func.count().label("n")).where(*cohort)
                .group_by(rule, escalated)):
            row = tally(r.rule)
            row["routed"] += r.n
            row["escalated" if r.escalated else "untouched"] += r.n
        for r in await self._conn.execute(
                select(rule, escalated, touches, func.count().label("n"))
                .where(*cohort, leads.c.id.in_(touched)).group_by(rule, escalated, touches)):
            row = tally(r.rule)
            row["untouched"] -= 0 if r.escalated else r.n
            for n, kind in enumerate(_TOUCHES):
                row[kind] += r.n if int(r.touches) & (1 << n) else 0
        return [RuleAutomation(rule_name, **row) for rule_name, row in counted.items()]


def _epoch_seconds(conn: AsyncConnection, moment: ColumnElement[Any]) -> ColumnElement[int]:
    """Whole seconds since 1970 UTC of a stored moment, as an integer on both backends."""
    if conn.dialect.name == "postgresql":
        return cast(func.floor(extract("epoch", moment)), BigInteger)
    return sqlite_seconds(moment)
