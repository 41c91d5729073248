"""The routing_decisions and routing_pools tables: the routing decisions the fairness audit
judges, stored with their offers, and added up per agent (core/numbers/fairness.py), all in
SQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Float, and_, bindparam, case, cast, func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from core.model import DeclineReason, OfferStatus
from core.numbers.fairness import FairShare, SharedDecision, Tally
from storage.report_tables import routing_decisions, routing_pools
from storage.repositories._rows import _aware
from storage.tables import offers

_made = routing_decisions.c
_member = routing_pools.c
_IN_PERIOD = and_(_made.decided_at >= bindparam("start"), _made.decided_at < bindparam("end"))

# The period's decisions counted per pool: a pool is the same for most leads in a row, so
# its members are joined once per pool, not once per lead.
_BY_POOL = (select(_made.pool, _made.hot, func.count().label("n"))
            .where(_IN_PERIOD).group_by(_made.pool, _made.hot).subquery())

# Per member, skip reason (None: eligible) and heat: the decisions and the leads owed.
_OWED = (select(_member.agent_id, _member.reason, _BY_POOL.c.hot,
                func.sum(_BY_POOL.c.n).label("n"),
                func.sum(cast(_member.share, Float) * _BY_POOL.c.n).label("fair"))
         .select_from(_BY_POOL.join(routing_pools, _member.pool == _BY_POOL.c.pool))
         .group_by(_member.agent_id, _member.reason, _BY_POOL.c.hot))

# What became of the offers the decisions made (an unreachable chat is no decline of theirs).
_HOT: ColumnElement[bool] = _made.hot.is_(True)
_OUTCOMES: dict[str, ColumnElement[bool] | None] = {
    "offered": None,
    "declined": and_(offers.c.status == OfferStatus.DECLINED.value,
                     offers.c.decline_reason.is_distinct_from(DeclineReason.UNREACHABLE.value)),
    "lapsed": offers.c.status == OfferStatus.EXPIRED.value,
    "pending": offers.c.status == OfferStatus.PENDING.value,
}


def _outcomes(hot: bool) -> list[ColumnElement[Any]]:
    """The counts of _OUTCOMES, of every decision or the hot ones."""
    counts: list[ColumnElement[Any]] = []
    for name, status in _OUTCOMES.items():
        parts = [c for c in (status, _HOT if hot else None) if c is not None]
        counted = func.count().filter(and_(*parts)) if parts else func.count()
        counts.append(counted.label(("hot_" if hot else "") + name))
    return counts


# Per agent picked: the period's decisions' offers and what became of them.
_ANSWERED = (select(offers.c.agent_id, *_outcomes(False), *_outcomes(True))
             .select_from(routing_decisions.join(offers, offers.c.id == _made.offer_id))
             .where(_IN_PERIOD).group_by(offers.c.agent_id))


def _leads(condition: ColumnElement[bool] | None = None) -> ColumnElement[int]:
    """The distinct leads (of the rows meeting *condition*)."""
    lead = _made.lead_id if condition is None else case((condition, _made.lead_id))
    return func.count(func.distinct(lead))


_SOMEONE_ELSES = offers.c.id != _made.offer_id
# Per agent: the period's decided leads they took, by whichever round's offer, and those
# first offered to someone else.
_RECEIVED = (select(offers.c.agent_id, _leads().label("received"),
                    _leads(_SOMEONE_ELSES).label("passed_on"),
                    _leads(_HOT).label("hot_received"),
                    _leads(and_(_HOT, _SOMEONE_ELSES)).label("hot_passed_on"))
             .select_from(routing_decisions.join(offers, offers.c.lead_id == _made.lead_id))
             .where(_IN_PERIOD, offers.c.status == OfferStatus.ACCEPTED.value)
             .group_by(offers.c.agent_id))

_KNOWN = (select(_member.pool).distinct()
          .where(_member.pool.in_(bindparam("pools", expanding=True))))
_FIRST = select(func.min(_made.decided_at))
_ADD_DECISIONS = insert(routing_decisions)
_ADD_MEMBERS = insert(routing_pools)


class SqlFairness:
    """core.ports.fairness.FairnessRepository on one connection."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def record(self, decisions: Sequence[SharedDecision]) -> None:
        """Store decisions just made, and each pool no decision stored before (routing
        holds the routing row: no other writer adds a pool meanwhile)."""
        if not decisions:
            return
        pools = {d.pool: d.members for d in decisions}
        known = set((await self._conn.execute(_KNOWN, {"pools": list(pools)})).scalars())
        members = [{"pool": pool, "agent_id": m.agent_id, "share": m.share, "reason": m.reason}
                   for pool, found in pools.items() if pool not in known for m in found]
        if members:
            await self._conn.execute(_ADD_MEMBERS, members)
        await self._conn.execute(_ADD_DECISIONS, [
            {"decided_at": d.decided_at, "lead_id": d.lead_id, "offer_id": d.offer_id,
             "hot": d.hot, "rule": d.rule, "pool": d.pool} for d in decisions])

    async def tallies(self, start: datetime, end: datetime) -> list[FairShare]:
        """Per agent, the decisions made in [start, end) added up, in three statements."""
        period = {"start": start, "end": end}
        owed: dict[tuple[int, bool], _Owed] = {}
        for r in await self._conn.execute(_OWED, period):
            for heat in (False, True) if r.hot else (False,):  # hot leads are leads too
                owed.setdefault((r.agent_id, heat), _Owed()).add(r.reason, int(r.n), r.fair)
        answered = {r.agent_id: r for r in await self._conn.execute(_ANSWERED, period)}
        received = {r.agent_id: r for r in await self._conn.execute(_RECEIVED, period)}
        rows = []
        for agent_id in sorted({a for a, _ in owed} | set(received)):
            every, hot = (owed.get((agent_id, heat), _Owed()).tally(
                answered.get(agent_id), received.get(agent_id), "hot_" if heat else "")
                for heat in (False, True))
            rows.append(FairShare(agent_id, every, hot))
        return rows

    async def since(self) -> datetime | None:
        """When the first stored decision was made (the index's first entry)."""
        first = (await self._conn.execute(_FIRST)).scalar_one_or_none()
        return None if first is None else _aware(first)


class _Owed:
    """One agent's rows of _OWED added up: eligible decisions, leads owed, skips by reason."""

    def __init__(self) -> None:
        self.decisions, self.fair = 0, 0.0
        self.skips: dict[str, int] = {}

    def add(self, reason: str | None, n: int, fair: Any) -> None:
        if reason is None:
            self.decisions += n
            self.fair += float(fair or 0.0)
        else:
            self.skips[reason] = self.skips.get(reason, 0) + n

    def tally(self, answered: Any, received: Any, prefix: str) -> Tally:
        """This agent's Tally, with their rows of _ANSWERED and _RECEIVED (None: none)."""
        def of(row: Any, name: str) -> int:
            return int(getattr(row, prefix + name)) if row is not None else 0

        # Thirds add up to 4.999…: shares are fractions, so 9 places are exact enough.
        return Tally(decisions=self.decisions, fair=round(self.fair, 9),
                     offered=of(answered, "offered"), received=of(received, "received"),
                     passed_on=of(received, "passed_on"), declined=of(answered, "declined"),
                     lapsed=of(answered, "lapsed"), pending=of(answered, "pending"),
                     skips=tuple(sorted(self.skips.items(), key=lambda p: (-p[1], p[0]))))
