"""The aggregate SQL behind /stats, /pending and routing's load counts, read over many rows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    FromClause,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    case,
    cast,
    extract,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from core.config import MANUAL_SOURCE
from core.model import DeclineReason, LeadStatus, OfferStatus, Stage
from core.ports import OfferCounts, OwnerCounts, WaitingRow
from core.stats import Figures, PeriodTally, median_of_middle
from storage.repositories._rows import _aware, _lead
from storage.tables import agents, lead_events, leads, offers

_WAITING = [LeadStatus.OFFERED.value, LeadStatus.WITH_MANAGERS.value, LeadStatus.NURTURE.value]

# core.stats.counts_for_agent in SQL: the offers that were their agent's to answer.
OFFER_COUNTS_FOR_AGENT = and_(
    offers.c.status != OfferStatus.WITHDRAWN.value,
    offers.c.decline_reason.is_distinct_from(DeclineReason.UNREACHABLE.value),
    or_(offers.c.kind != "claim", offers.c.status == OfferStatus.ACCEPTED.value))


def by_period(statement: Select[Any]) -> Select[Any]:
    """*statement* read from the period's leads on SQLite, and each lead's offers by lead.

    leadrelay never runs ANALYZE, so SQLite would start from the offers' status index (every
    accepted offer of all time) or scan the leads to group them; these hints keep it on the
    period's leads, some ten times faster on a year of leads (bench/README.md). A table the
    statement does not read ignores its hint; PostgreSQL sees none.
    """
    return (statement.with_hint(leads, "INDEXED BY ix_leads_received_at", "sqlite")
            .with_hint(offers, "INDEXED BY ix_offers_lead_id", "sqlite"))


async def owner_counts(
    conn: AsyncConnection, *, review_since: datetime | None
) -> dict[int, OwnerCounts]:
    """Per owner: open leads, and leads received since *review_since* and won of them.

    Read in every routing transaction: open leads stay inside the status index; the
    review period walks every lead received in it, so it is read only when given.
    """
    open_rows = await conn.execute(_OPEN_BY_OWNER)
    counts = {r.owner_id: OwnerCounts(r.n, 0, 0) for r in open_rows}
    if review_since is None:
        return counts
    reviewed_rows = await conn.execute(
        select(leads.c.owner_id, func.count().label("n"),
               func.count().filter(leads.c.stage == Stage.WON.value).label("won"))
        .where(leads.c.received_at >= review_since, leads.c.owner_id.is_not(None))
        .group_by(leads.c.owner_id))
    for r in reviewed_rows:
        counts[r.owner_id] = OwnerCounts(counts.get(r.owner_id, OwnerCounts(0, 0, 0)).open,
                                         r.n, r.won)
    return counts


_OPEN_BY_OWNER = (select(leads.c.owner_id, func.count().label("n"))
                  .where(leads.c.status == LeadStatus.OWNED.value, leads.c.owner_id.is_not(None),
                         leads.c.stage != Stage.NURTURE.value)  # kept warm: not open load
                  .group_by(leads.c.owner_id))


async def received_since(
    conn: AsyncConnection, starts: Mapping[int, datetime]
) -> dict[int, int]:
    """Per agent in *starts*: leads they own, open or closed, taken at or after their
    start; agents with none are left out.

    One query whatever the number of agents: agents who started the same day share a
    condition, and the owner index keeps it to the leads those agents own.
    """
    by_start: dict[datetime, list[int]] = {}
    for agent_id, since in starts.items():
        by_start.setdefault(since, []).append(agent_id)
    if not by_start:
        return {}
    rows = await conn.execute(
        select(leads.c.owner_id, func.count().label("n"))
        .where(or_(*(and_(leads.c.owner_id.in_(sorted(ids)), leads.c.accepted_at >= since)
                     for since, ids in sorted(by_start.items()))))
        .group_by(leads.c.owner_id))
    return {r.owner_id: r.n for r in rows}


async def waiting(conn: AsyncConnection, *, limit: int) -> list[WaitingRow]:
    """The *limit* most urgent leads nobody owns yet, with their newest pending offer.

    `/pending` shows one Telegram message of them, so the database sorts and cuts the
    list: with tens of thousands waiting, only the rows shown reach Python.
    """
    newest = (select(offers.c.lead_id, func.max(offers.c.id).label("offer_id"))
              .where(offers.c.status == OfferStatus.PENDING.value)
              .group_by(offers.c.lead_id).subquery())
    held = offers.alias("held")
    urgency = case((leads.c.status == LeadStatus.WITH_MANAGERS.value, 0),
                   (leads.c.status == LeadStatus.NURTURE.value, 2), else_=1)
    rows = await conn.execute(
        select(leads, held.c.agent_id.label("holder_id"),
               held.c.deadline.label("held_until"))
        .select_from(leads.outerjoin(newest, newest.c.lead_id == leads.c.id)
                     .outerjoin(held, held.c.id == newest.c.offer_id))
        .where(leads.c.status.in_(_WAITING))
        .order_by(urgency, func.coalesce(held.c.deadline, leads.c.escalated_at,
                                         leads.c.received_at), leads.c.id)
        .limit(limit))
    return [WaitingRow(_lead(r), r.holder_id, r.held_until) for r in rows]


async def count_waiting(conn: AsyncConnection) -> int:
    """How many leads are offered to someone, waiting for a manager or in nurture."""
    return int((await conn.execute(
        select(func.count()).where(leads.c.status.in_(_WAITING)))).scalar_one())


async def period_tally(conn: AsyncConnection, start: datetime, end: datetime, *,
                       now: datetime | None = None) -> PeriodTally:
    """Figures of the leads received in [start, end), of every offer made for them and of
    the events of [start, end); first-contact deadlines judged at *now* (None: all passed).

    Counts are grouped by agent in SQL and each median reads only its one or two middle
    values, so a month of 60,000 leads costs a few dozen rows in Python, not 60,000
    leads and their offers.
    """
    in_period = and_(leads.c.received_at >= start, leads.c.received_at < end)
    of_period = offers.join(leads, leads.c.id == offers.c.lead_id)
    has_offer = select(offers.c.id).where(offers.c.lead_id == leads.c.id).exists()
    head = (await conn.execute(by_period(select(
        func.count().label("leads_in"), func.count().filter(has_offer).label("offered"),
        func.count(leads.c.escalated_at).label("escalated")).where(in_period)))).one()
    answered = and_(offers.c.decided_at.is_not(None),
                    offers.c.status != OfferStatus.EXPIRED.value)
    by_agent: dict[int, Figures] = {}
    for r in await conn.execute(by_period(
            select(offers.c.agent_id, func.count().label("offered"),
                   *(func.count().filter(offers.c.status == s.value).label(s.value)
                     for s in (OfferStatus.ACCEPTED, OfferStatus.DECLINED,
                               OfferStatus.EXPIRED)),
                   func.count().filter(answered).label("answered"),
                   func.count().filter(answered, offers.c.decided_at <= offers.c.deadline)
                   .label("in_time"))
            .select_from(of_period).where(in_period, OFFER_COUNTS_FOR_AGENT)
            .group_by(offers.c.agent_id))):
        by_agent[r.agent_id] = Figures(
            offered=r.offered, accepted=r.accepted, declined=r.declined,
            expired=r.expired, answered=r.answered, answered_in_time=r.in_time)
    office = Figures(**{name: sum(getattr(f, name) for f in by_agent.values()) for name in (
        "offered", "accepted", "declined", "expired", "answered", "answered_in_time")})
    for r in await conn.execute(
            select(leads.c.owner_id, leads.c.stage, func.count().label("n"))
            .where(in_period).group_by(leads.c.owner_id, leads.c.stage)):
        office.stages[r.stage] += r.n
        if r.owner_id is not None:
            by_agent.setdefault(r.owner_id, Figures()).stages[r.stage] += r.n
    accepted = (offers.c.status == OfferStatus.ACCEPTED.value,
                offers.c.decided_at.is_not(None), OFFER_COUNTS_FOR_AGENT)
    to_accept = _micros(conn, offers.c.created_at, offers.c.decided_at)
    for agent_id, middle in (await _middle(
            conn, to_accept, of_period, in_period, *accepted, by=offers.c.agent_id)).items():
        by_agent[agent_id].median_accept_s = median_of_middle(middle)
    office.median_accept_s = median_of_middle((await _middle(
        conn, to_accept, of_period, in_period, *accepted)).get(None, []))
    # Entered by their owner: nobody waited for one, and the first call is theirs at once.
    taken = (leads.c.accepted_at.is_not(None), leads.c.source != MANUAL_SOURCE)
    to_owner = await _middle(
        conn, _micros(conn, leads.c.received_at, leads.c.accepted_at), leads, in_period, *taken)
    to_contact = await _middle(
        conn, _micros(conn, leads.c.received_at, leads.c.contacted_at), leads, in_period,
        *taken, leads.c.contacted_at.is_not(None))
    # core.stats.first_contact_judged in SQL.
    met = and_(leads.c.contacted_at.is_not(None), leads.c.contacted_at <= leads.c.contact_due_at)
    judged: ColumnElement[bool] = leads.c.contact_due_at.is_not(None)
    if now is not None:
        judged = and_(judged, or_(met, leads.c.contact_due_at < bindparam(
            "now", now, type_=leads.c.contact_due_at.type)))
    reach = (await conn.execute(select(
        func.count().label("owned"), func.count(leads.c.contacted_at).label("contacted"),
        func.count().filter(judged).label("due"), func.count().filter(met).label("in_time"))
        .where(in_period, *taken))).one()
    reclaimed, nurtured = await _event_counts(conn, start, end)
    return PeriodTally(
        leads_in=head.leads_in, leads_offered=head.offered, leads_escalated=head.escalated,
        median_to_owner_s=median_of_middle(to_owner.get(None, [])),
        office=office, by_agent=by_agent, owned=reach.owned, contacted=reach.contacted,
        median_to_contact_s=median_of_middle(to_contact.get(None, [])),
        contact_due=reach.due, contacted_in_time=reach.in_time,
        reclaimed=reclaimed, nurtured=nurtured)


async def _event_counts(
    conn: AsyncConnection, start: datetime, end: datetime
) -> tuple[Counter[str], int]:
    """The events of [start, end): leads taken back from their owner, per reason, and the
    leads moved to nurture."""
    in_period = and_(lead_events.c.at >= start, lead_events.c.at < end)
    reason = func.coalesce(lead_events.c.data["reason"].as_string(), "")
    reclaimed = Counter({r.reason: r.n for r in await conn.execute(
        select(reason.label("reason"), func.count().label("n"))
        .where(in_period, lead_events.c.kind == "reclaimed").group_by(reason))})
    nurtured = (await conn.execute(
        select(func.count(lead_events.c.lead_id.distinct()))
        .where(in_period, lead_events.c.kind == "stage",
               lead_events.c.data["to"].as_string() == Stage.NURTURE.value))).scalar_one()
    return reclaimed, int(nurtured)


def _micros(
    conn: AsyncConnection, start: ColumnElement[Any], end: ColumnElement[Any]
) -> ColumnElement[int]:
    """Whole microseconds from *start* to *end*, exact on both backends.

    SQLite's julianday() keeps milliseconds only, so the stored text is read instead:
    whole epoch seconds from strftime('%s') plus the six digits after the point.
    PostgreSQL's EXTRACT(EPOCH ...) of an interval is an exact numeric.
    """
    million = literal_column("1000000", Integer)
    if conn.dialect.name == "postgresql":
        return cast(extract("epoch", end - start) * million, BigInteger)

    def sqlite_us(moment: ColumnElement[Any]) -> ColumnElement[int]:
        fraction = func.substr(cast(moment, String).concat("000000"), 21, 6)
        return sqlite_seconds(moment) * million + cast(fraction, Integer)

    return sqlite_us(end) - sqlite_us(start)


def sqlite_seconds(moment: ColumnElement[Any]) -> ColumnElement[int]:
    """Whole epoch seconds of a moment stored as text on SQLite, its fraction cut off:
    strftime('%s') would round .9995 s and more up to the next second."""
    return cast(func.strftime("%s", func.substr(cast(moment, String), 1, 19)), Integer)


async def _middle(
    conn: AsyncConnection, value: ColumnElement[int], source: FromClause,
    *where: ColumnElement[bool],
    by: ColumnElement[Any] | None = None,
) -> dict[Any, list[int]]:
    """The one or two middle values of *value* (odd or even count), per *by* or overall
    (key None): enough for a median on SQLite, which has no percentile function."""
    partition = [by] if by is not None else None
    ranked = by_period(select(
        (by if by is not None else literal_column("NULL")).label("grp"), value.label("v"),
        func.row_number().over(partition_by=partition, order_by=value).label("rn"),
        func.count().over(partition_by=partition).label("n"),
    ).select_from(source).where(*where)).subquery()
    middle: dict[Any, list[int]] = {}
    for r in await conn.execute(
            select(ranked.c.grp, ranked.c.v)
            .where(or_(*(ranked.c.rn == rank for rank in middle_ranks(ranked.c.n))))):
        middle.setdefault(r.grp, []).append(int(r.v))
    return middle


def middle_ranks(n: Any) -> list[Any]:
    """The ranks (from 1) of the one or two middle values of *n* sorted values (the same
    rank twice for an odd *n*); *n* a count or a column of counts."""
    return [(n + 1) // 2, (n + 2) // 2]


def p90_rank(n: Any) -> Any:
    """The rank of the 90th percentile of *n* sorted values by nearest rank, ⌈0.9 n⌉."""
    return (9 * n + 9) // 10


async def offer_counts(conn: AsyncConnection, *, since: datetime) -> dict[int, OfferCounts]:
    """Per agent: pending offers, the latest offer made since *since*, and the SLAs missed
    since then (accept deadlines, and first contacts after Accept); each query stays inside
    an index, not all history.

    Only one-to-one offers can be missed: claiming from a pool is optional, so a pool
    round nobody claimed costs its members nothing.
    """
    pending: dict[int, int] = {}
    latest: dict[int, datetime] = {}
    missed: dict[int, list[datetime]] = {}
    for r in await conn.execute(_OFFER_COUNTS, {"since": since}):
        if r.kind == "pending":
            pending[r.agent_id] = r.n
        elif r.kind == "latest" and r.at is not None:
            latest[r.agent_id] = _aware(r.at)
        elif r.kind == "missed":
            missed.setdefault(r.agent_id, []).append(_aware(r.at))
    return {agent: OfferCounts(pending.get(agent, 0), latest.get(agent),
                               tuple(sorted(missed.get(agent, []))))
            for agent in {*pending, *latest, *missed}}


# Read in every routing transaction, so one statement, built once: pending offers per agent;
# the latest offer per agent (one step down (agent_id, created_at) each, however many
# offers); the deadlines missed. The times come back as stored (text on SQLite).
_SINCE = bindparam("since", type_=offers.c.created_at.type)
_OFFER_COUNTS = union_all(
    select(literal("pending").label("kind"), offers.c.agent_id.label("agent_id"),
           func.count().label("n"), null().label("at"))
    .where(offers.c.status == OfferStatus.PENDING.value).group_by(offers.c.agent_id),
    select(literal("latest"), agents.c.telegram_id, literal(0), select(
        func.max(offers.c.created_at)).where(
        offers.c.agent_id == agents.c.telegram_id, offers.c.created_at >= _SINCE)
        .scalar_subquery()),
    select(literal("missed"), offers.c.agent_id, literal(0), offers.c.decided_at).where(
        offers.c.status == OfferStatus.EXPIRED.value, offers.c.kind != "claim",
        offers.c.decided_at >= _SINCE),
    # A first contact missed after Accept is an SLA miss like an offer let lapse.
    select(literal("missed"), lead_events.c.agent_id, literal(0), lead_events.c.at).where(
        lead_events.c.kind == "contact_missed", lead_events.c.at >= _SINCE,
        lead_events.c.agent_id.is_not(None)),
)
