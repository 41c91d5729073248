"""The managers' numbers in SQL: a period's cohort of leads, their offers, speed and money,
for the office and by a slice (what each figure counts: core/lifecycle/numbers.py).

Five statements a period: the cohort's leads (funnel, first contacts, lost reasons), their
speed to lead, their offers (the accept SLA), the time to Accept, and the leads won in it
(on the stage and close time index). A median or p90 is picked out by row_number over the
sorted values, so only a few dozen rows reach Python whatever the period; the values are the
durations each save keeps in microseconds (`leads.to_contact_us`, `offers.answered_after_us`),
so SQLite sorts integers instead of parsing two dates a row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Integer,
    Select,
    and_,
    case,
    cast,
    false,
    func,
    null,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from core.config import MANUAL_SOURCE
from core.model import STAGE_ORDER, OfferStatus, Stage
from core.numbers.figures import Slice
from core.ports.numbers import PeriodFigures
from storage.repositories.numbers_tally import Tally
from storage.repositories.reporting import (
    OFFER_COUNTS_FOR_AGENT,
    by_period,
    middle_ranks,
    p90_rank,
)
from storage.tables import leads, offers

_MANUAL = leads.c.source == MANUAL_SOURCE


def _reached(stage: Stage) -> ColumnElement[bool]:
    """The lead's furthest stage is *stage* or one after it."""
    return leads.c.furthest_stage.in_(
        [s.value for s in STAGE_ORDER[STAGE_ORDER.index(stage):]])


# Each step counts the leads that reached it or any later one, so the funnel never widens.
_CONTACTED = or_(leads.c.contacted_at.is_not(None), _reached(Stage.CONTACTED))
_STEPS = {
    "accepted": or_(leads.c.accepted_at.is_not(None), _CONTACTED),
    "contacted": _CONTACTED,
    "appointment": _reached(Stage.APPOINTMENT),
    "offer": _reached(Stage.OFFER),
    "won": _reached(Stage.WON),
    "lost": leads.c.stage == Stage.LOST.value,
}
# Taken by an agent, not entered by one: speed and first contact are measured on these.
_TAKEN = and_(leads.c.accepted_at.is_not(None), ~_MANUAL)
_MET = and_(_TAKEN, leads.c.contacted_at.is_not(None),
            leads.c.contacted_at <= leads.c.contact_due_at)
_ACCEPTED_OFFER = (offers.c.status == OfferStatus.ACCEPTED.value,
                   offers.c.decided_at.is_not(None))
_DECIDED = offers.c.status.in_([s.value for s in (
    OfferStatus.ACCEPTED, OfferStatus.DECLINED, OfferStatus.EXPIRED)])
_IN_TIME = and_(offers.c.decided_at.is_not(None), offers.c.status != OfferStatus.EXPIRED.value,
                offers.c.decided_at <= offers.c.deadline)
_OF_LEADS = offers.join(leads, leads.c.id == offers.c.lead_id)


def _key(by: Slice | None) -> ColumnElement[Any] | None:
    """What a lead is grouped by for *by*."""
    if by is None:
        return None
    campaign: ColumnElement[Any] = leads.c.campaign["utm_campaign"].as_string()
    columns: dict[Slice, ColumnElement[Any]] = {
        Slice.CAMPAIGN: campaign,
        Slice.AGENT: leads.c.owner_id, Slice.TEAM: leads.c.team, Slice.SOURCE: leads.c.source,
        Slice.RULE: leads.c.rule, Slice.STRATEGY: leads.c.strategy,
        Slice.TEMPERATURE: leads.c.temperature, Slice.LEAD_TYPE: leads.c.lead_type}
    return columns[by]


def _grouped(key: ColumnElement[Any] | None) -> list[ColumnElement[Any]]:
    """What to group by besides: the slice's key, if any (PostgreSQL refuses a NULL)."""
    return [] if key is None else [key]


def _ranks(value: ColumnElement[int], source: FromClause, where: Sequence[ColumnElement[bool]],
           key: ColumnElement[Any] | None) -> Select[Any]:
    """The rows of *value* (over *where*, which leaves out the rows with none) at the ranks
    of a median or a p90, in the slice of *key* and over all: each with grp, v, its rank rn
    and count n in its slice, and rn_all and n_all over all."""
    # The value made once a row, in a subquery of its own: in the window's ORDER BY and the
    # select both, SQLite would work it out again.
    measured = by_period(select((key if key is not None else null()).label("grp"),
                                 value.label("v")).select_from(source).where(*where)
                          ).subquery()
    windows: list[ColumnElement[Any]] = []
    for suffix, partition in (("", measured.c.grp), ("_all", None)):
        if key is None and suffix == "":
            windows += [cast(null(), Integer).label("rn"), cast(null(), Integer).label("n")]
            continue
        over: dict[str, Any] = {"partition_by": partition, "order_by": measured.c.v}
        windows += [func.row_number().over(**over).label(f"rn{suffix}"),
                    func.count().over(partition_by=partition).label(f"n{suffix}")]
    rows = select(measured.c.grp, measured.c.v, *windows).subquery()
    picked = [rows.c[f"rn{suffix}"] == rank for suffix in ("", "_all")
              for rank in (*middle_ranks(rows.c[f"n{suffix}"]), p90_rank(rows.c[f"n{suffix}"]))]
    return select(rows).where(or_(*picked))


def _lead_statement(cohort: Sequence[ColumnElement[bool]], key: ColumnElement[Any] | None,
                    now: datetime) -> Select[Any]:
    """The cohort's funnel, first contacts and lost reasons, per manual or not, slice and
    lost reason."""
    judged = and_(_TAKEN, leads.c.contact_due_at.is_not(None),
                  or_(_MET, leads.c.contact_due_at < now))
    lost = case((leads.c.stage == Stage.LOST.value,
                 func.coalesce(leads.c.lost_reason, "other"))).label("reason")
    manual = _MANUAL.label("manual")
    flags = {**_STEPS, "contact_due": judged, "contact_met": _MET}
    return by_period(
        select(manual, (key if key is not None else null()).label("grp"), lost,
               func.count().label("leads"),
               *(func.count().filter(flag).label(name) for name, flag in flags.items()))
        .where(*cohort).group_by(manual, *_grouped(key), lost))


def _offer_statement(cohort: Sequence[ColumnElement[bool]],
                     key: ColumnElement[Any] | None) -> Select[Any]:
    """The cohort's offers that were their agent's to answer, decided and answered in time,
    per slice (by agent: the offer's)."""
    return by_period(select((key if key is not None else null()).label("grp"),
                             func.count().filter(_DECIDED).label("due"),
                             func.count().filter(_IN_TIME).label("met"))
                      .select_from(_OF_LEADS).where(*cohort, ~_MANUAL, OFFER_COUNTS_FOR_AGENT)
                      .group_by(*_grouped(key)))


def _money_statement(start: datetime, end: datetime,
                     key: ColumnElement[Any] | None) -> Select[Any]:
    """The leads won in [start, end), whenever they arrived, per manual or not, slice and
    product: how many and for how much."""
    manual = _MANUAL.label("manual")
    grp = (key if key is not None else null()).label("grp")
    return (select(manual, grp, leads.c.product, func.count().label("won"),
                   func.coalesce(func.sum(leads.c.amount), 0).label("revenue"))
            .where(leads.c.stage == Stage.WON.value, leads.c.closed_at >= start,
                   leads.c.closed_at < end)
            .group_by(manual, *_grouped(key), leads.c.product))


async def period_figures(conn: AsyncConnection, start: datetime, end: datetime, *,
                         by: Slice | None, now: datetime,
                         rate: Callable[[str | None], Decimal],
                         offers_too: bool = True) -> PeriodFigures:
    """The figures of [start, end) by *by*: the cohort's funnel, first contacts and offers,
    its speed, the money won in the period and the cohort's lost reasons."""
    cohort = (leads.c.received_at >= start, leads.c.received_at < end,
              leads.c.duplicate == false())
    key = _key(by)
    offer_key = offers.c.agent_id if by is Slice.AGENT else key
    # An offer is made after its lead came: on PostgreSQL its creation time keeps the plan
    # to the period's offers (ix_offers_created_agent), not every offer ever made. A day's
    # margin for clocks that disagree.
    offered = (*cohort, offers.c.created_at >= start - timedelta(days=1))
    tally = Tally(sliced=by is not None)
    for r in await conn.execute(_lead_statement(cohort, key, now)):
        tally.leads(r, steps=(*_STEPS, "contact_due", "contact_met"))
    for r in await conn.execute(_ranks(
            leads.c.to_contact_us, leads, (*cohort, _TAKEN, leads.c.to_contact_us.is_not(None)),
            key)):
        tally.pick("to_contact", r)
    if offers_too:
        for r in await conn.execute(_offer_statement(offered, offer_key)):
            tally.offers(r)
        for r in await conn.execute(_ranks(
                offers.c.answered_after_us, _OF_LEADS,
                (*offered, ~_MANUAL, OFFER_COUNTS_FOR_AGENT, *_ACCEPTED_OFFER,
                 offers.c.answered_after_us.is_not(None)), offer_key)):
            tally.pick("to_accept", r)
    for r in await conn.execute(_money_statement(start, end, key)):
        tally.money(r, commission=rate(r.product) * int(r.revenue))
    return tally.figures()


class SqlNumbers:
    """The managers' numbers, added up by the database."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def figures(self, start: datetime, end: datetime, *, by: Slice | None,
                      now: datetime, rate: Callable[[str | None], Decimal],
                      offers: bool = True) -> PeriodFigures:
        """The figures of [start, end), by *by* if given, with the offers' or without."""
        return await period_figures(self._conn, start, end, by=by, now=now, rate=rate,
                                    offers_too=offers)
