"""The counts behind `/report`'s charts (core.ports.report.ReportSeries): speed to lead in
buckets and the SLAs, span by span, for the leads that arrived in a period."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    and_,
    bindparam,
    case,
    false,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from core.config import MANUAL_SOURCE
from core.model import OfferStatus
from core.numbers.report import SPEED_BUCKETS, SPEED_LIMITS_S, DaySeries
from storage.repositories.reporting import OFFER_COUNTS_FOR_AGENT
from storage.tables import leads, offers

_MOMENT = leads.c.received_at.type
_NEVER = SPEED_BUCKETS.index("never")
_SLOWEST = _NEVER - 1  # contacted, later than the last limit
_SKEW = timedelta(days=1)


class SqlReportSeries:
    """The chart counts of one transaction."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def by_span(self, bounds: Sequence[datetime], *, now: datetime) -> list[DaySeries]:
        """See core.ports.report.ReportSeries.by_span.

        Each span is a number the database gives a lead from the bounds passed as
        parameters, so the office's days are cut in its own zone the same way on both
        backends; one statement for the period's leads and one for their offers, grouped by
        span (and bucket): a few hundred rows reach Python, never the leads.
        """
        if len(bounds) < 2:
            return []
        conn, spans = self._conn, len(bounds) - 1
        span = _span(1, spans, bounds).label("span")
        # The cohort as the managers' numbers count it (storage/repositories/numbers.py):
        # neither a duplicate nor a lead entered with /new.
        counted = (leads.c.received_at >= _bound(0, bounds[0]),
                   leads.c.received_at < _bound(spans, bounds[-1]),
                   leads.c.duplicate == false(), leads.c.source != MANUAL_SOURCE)
        # core.stats.first_contact_judged, as reporting.period_tally judges it.
        met = and_(leads.c.contacted_at.is_not(None),
                   leads.c.contacted_at <= leads.c.contact_due_at)
        judged = and_(leads.c.contact_due_at.is_not(None), or_(
            met, leads.c.contact_due_at < bindparam("now", now, type_=_MOMENT)))
        # Speed to lead as every save keeps it (leads.to_contact_us), the numbers' own:
        # SQLite compares integers, and parses no date.
        cohort = select(
            span, leads.c.to_contact_us.label("taken"),
            _flag(judged).label("due"), _flag(met).label("met"),
        ).where(*counted).subquery()
        bucket = case((cohort.c.taken.is_(None), _number(_NEVER)),
                      *((cohort.c.taken < _number(limit * 1_000_000), _number(index))
                        for index, limit in enumerate(SPEED_LIMITS_S)),
                      else_=_number(_SLOWEST)).label("bucket")
        speed = [[0] * len(SPEED_BUCKETS) for _ in range(spans)]
        contact = [[0, 0] for _ in range(spans)]
        for r in await conn.execute(
                select(cohort.c.span, bucket, func.count().label("n"),
                       func.sum(cohort.c.met).label("met"), func.sum(cohort.c.due).label("due"))
                .group_by(cohort.c.span, bucket)):
            speed[r.span][r.bucket] += r.n
            contact[r.span][0] += r.met
            contact[r.span][1] += r.due
        # Each grouped outside a subquery: GROUP BY names its column, not the tree of
        # comparisons again (PostgreSQL would number its parameters anew).
        decided = offers.c.decided_at.is_not(None)
        answered = (select(span, _flag(and_(offers.c.status != OfferStatus.EXPIRED.value,
                                            offers.c.decided_at <= offers.c.deadline))
                           .label("met"))
                    .select_from(offers.join(leads, leads.c.id == offers.c.lead_id))
                    .where(*counted, OFFER_COUNTS_FOR_AGENT, decided,
                           # True of every offer of these leads (made once its lead is
                           # stored; a day for clocks of two instances that differ), and
                           # what keeps PostgreSQL from reading every offer ever made.
                           offers.c.created_at >= bindparam(
                               "offers_since", bounds[0] - _SKEW, type_=_MOMENT))
                    .subquery())
        accept = [[0, 0] for _ in range(spans)]
        for r in await conn.execute(
                select(answered.c.span, func.sum(answered.c.met).label("met"),
                       func.count().label("due")).group_by(answered.c.span)):
            accept[r.span] = [r.met, r.due]
        return [DaySeries(tuple(speed[i]), accept[i][0], accept[i][1],
                          contact[i][0], contact[i][1]) for i in range(spans)]

def _span(first: int, last: int, bounds: Sequence[datetime]) -> ColumnElement[int]:
    """Which of spans *first* to *last* (span k runs from bounds[k − 1] to bounds[k]) a
    lead arrived in, counted from 0: a tree of comparisons, a few for each lead however
    many days the period has."""
    if first == last:
        return _number(first - 1)
    middle = (first + last + 1) // 2  # the first span of the second half
    return case((leads.c.received_at < _bound(middle - 1, bounds[middle - 1]),
                 _span(first, middle - 1, bounds)), else_=_span(middle, last, bounds))


def _flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return case((condition, _number(1)), else_=_number(0))


def _number(value: int) -> ColumnElement[int]:
    """A number written into the statement: the same text wherever the expression is
    repeated (PostgreSQL's GROUP BY), where parameters would be numbered anew."""
    return literal_column(str(value), BigInteger if value > 2**31 else Integer)


def _bound(index: int, moment: datetime) -> ColumnElement[Any]:
    return bindparam(f"bound_{index}", moment, type_=_MOMENT)
