"""The managers' numbers: each lead's furthest stage, its owner's team when they took it, the
rule and strategy that first routed it, whether it is a duplicate, its speed to lead and each
offer's time to its answer, and an index for the leads won in a period

Filled in for the leads stored before:
- the furthest stage by replaying each lead's stage changes, Undos and corrections as
  Lead.record_stage, restore and correct_stage keep it now, and never below the stage it
  is at (a try that reached the contact moved a new lead to contacted without a stage
  event);
- the team from its owner's profile as it is now (the team at the time was not kept);
- the rule and strategy from the lead's first `routed` event, or else its first offer's
  trace (leads routed before either was kept, or never routed, keep none);
- a duplicate: a returning contact's lead stored while an earlier lead of theirs was open,
  as far as their state now tells (new, offered, with the managers or owned now, or closed
  after it came);
- the microseconds from a lead's arrival to its first contact, and from an offer to its
  answer, which every save keeps from now on.

Self-contained: it reads and writes only columns that exist since 0019, through tables
described here as this revision found them, in batches of leads by id.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

_BATCH = 20_000  # leads per read and update
# The stages in their order as this revision found them (core.model.STAGE_ORDER).
_ORDER = ("new", "contacted", "info_sent", "appointment", "offer", "won")

_leads = sa.table("leads", sa.column("id", sa.Integer), sa.column("stage", sa.String),
                  sa.column("owner_id", sa.BigInteger), sa.column("furthest_stage", sa.String),
                  sa.column("team", sa.String), sa.column("rule", sa.String),
                  sa.column("strategy", sa.String), sa.column("contact_id", sa.Integer),
                  sa.column("returning_contact", sa.Boolean),
                  sa.column("received_at", sa.DateTime), sa.column("status", sa.String),
                  sa.column("closed_at", sa.DateTime), sa.column("duplicate", sa.Boolean),
                  sa.column("contacted_at", sa.DateTime),
                  sa.column("to_contact_us", sa.BigInteger))
_events = sa.table("lead_events", sa.column("id", sa.Integer),
                   sa.column("lead_id", sa.Integer), sa.column("kind", sa.String),
                   sa.column("data", sa.JSON))
_offers = sa.table("offers", sa.column("id", sa.Integer), sa.column("lead_id", sa.Integer),
                   sa.column("trace", sa.JSON), sa.column("created_at", sa.DateTime),
                   sa.column("decided_at", sa.DateTime),
                   sa.column("answered_after_us", sa.BigInteger))
_agents = sa.table("agents", sa.column("telegram_id", sa.BigInteger),
                   sa.column("profile", sa.JSON))


def upgrade() -> None:
    with op.batch_alter_table("leads") as batch:
        batch.add_column(sa.Column("furthest_stage", sa.String(16), nullable=False,
                                   server_default="new"))
        batch.add_column(sa.Column("team", sa.String(64)))
        batch.add_column(sa.Column("rule", sa.String(64)))
        batch.add_column(sa.Column("strategy", sa.String(32)))
    # Not in the batch: on SQLite a batch copies the whole table for an expression default.
    op.add_column("leads", sa.Column("duplicate", sa.Boolean(), nullable=False,
                                     server_default=sa.false()))
    op.add_column("leads", sa.Column("to_contact_us", sa.BigInteger()))
    op.add_column("offers", sa.Column("answered_after_us", sa.BigInteger()))
    op.create_index("ix_leads_stage_closed_at", "leads", ["stage", "closed_at"])
    bind = op.get_bind()
    top = bind.execute(sa.select(sa.func.max(_leads.c.id))).scalar() or 0
    for low in range(0, top + 1, _BATCH):
        _fill(bind, low, low + _BATCH)
        bind.execute(sa.update(_leads).where(
            _leads.c.id >= low, _leads.c.id < low + _BATCH, _leads.c.contacted_at.is_not(None))
            .values(to_contact_us=_micros(bind, _leads.c.received_at, _leads.c.contacted_at)))
    top = bind.execute(sa.select(sa.func.max(_offers.c.id))).scalar() or 0
    for low in range(0, top + 1, _BATCH):
        bind.execute(sa.update(_offers).where(
            _offers.c.id >= low, _offers.c.id < low + _BATCH, _offers.c.decided_at.is_not(None))
            .values(answered_after_us=_micros(bind, _offers.c.created_at,
                                              _offers.c.decided_at)))


def _micros(bind: sa.Connection, start: Any, end: Any) -> Any:
    """Whole microseconds from *start* to *end* (storage.repositories.reporting._micros as
    this revision found it): SQLite's stored text read to the microsecond, PostgreSQL's
    EXTRACT(EPOCH ...) of an interval."""
    million = sa.literal_column("1000000", sa.Integer)
    if bind.dialect.name == "postgresql":
        return sa.cast(sa.extract("epoch", end - start) * million, sa.BigInteger)

    def sqlite_us(moment: Any) -> Any:
        text = sa.cast(moment, sa.String)
        fraction = sa.func.substr(text.concat("000000"), 21, 6)
        # The whole seconds with the fraction cut off: strftime('%s') rounds .9995 s up.
        seconds = sa.cast(sa.func.strftime("%s", sa.func.substr(text, 1, 19)), sa.Integer)
        return seconds * million + sa.cast(fraction, sa.Integer)

    return sqlite_us(end) - sqlite_us(start)


def _fill(bind: sa.Connection, low: int, high: int) -> None:
    """Fill in the new columns of the leads with ids in [low, high)."""
    ids = (_leads.c.id >= low, _leads.c.id < high)
    stages = {r.id: r.stage for r in bind.execute(sa.select(_leads.c.id, _leads.c.stage)
                                                   .where(*ids))}
    if not stages:
        return
    changes = bind.execute(
        sa.select(_events.c.lead_id, _events.c.id, _events.c.kind, _events.c.data)
        .where(_events.c.lead_id >= low, _events.c.lead_id < high,
               _events.c.kind.in_(("stage", "undo", "correction", "attempt")))
        .order_by(_events.c.lead_id, _events.c.id))
    furthest = _replay(stages, changes)
    moved = [{"lead_id": lead_id, "furthest": stage}
             for lead_id, stage in furthest.items() if stage != "new"]
    if moved:
        bind.execute(sa.update(_leads).where(_leads.c.id == sa.bindparam("lead_id"))
                     .values(furthest_stage=sa.bindparam("furthest")), moved)
    team = (sa.select(_agents.c.profile["team"].as_string())
            .where(_agents.c.telegram_id == _leads.c.owner_id).scalar_subquery())
    bind.execute(sa.update(_leads).where(*ids, _leads.c.owner_id.is_not(None))
                 .values(team=team))
    first_routed = (sa.select(sa.func.min(_events.c.id))
                    .where(_events.c.lead_id >= low, _events.c.lead_id < high,
                           _events.c.kind == "routed").group_by(_events.c.lead_id))
    decided = {r.lead_id: (r.rule, r.strategy) for r in bind.execute(
        sa.select(_events.c.lead_id, _events.c.data["rule"].as_string().label("rule"),
                  _events.c.data["strategy"].as_string().label("strategy"))
        .where(_events.c.id.in_(first_routed)))}
    first_offers = (sa.select(sa.func.min(_offers.c.id))
                    .where(_offers.c.lead_id >= low, _offers.c.lead_id < high)
                    .group_by(_offers.c.lead_id))
    for r in bind.execute(
            sa.select(_offers.c.lead_id, _offers.c.trace["rule"].as_string().label("rule"),
                      _offers.c.trace["strategy"].as_string().label("strategy"))
            .where(_offers.c.id.in_(first_offers))):
        decided.setdefault(r.lead_id, (r.rule, r.strategy))
    rows = [{"lead_id": lead_id, "rule": rule[:64], "strategy": (strategy or "")[:32]}
            for lead_id, (rule, strategy) in decided.items() if rule]
    if rows:
        bind.execute(sa.update(_leads).where(_leads.c.id == sa.bindparam("lead_id"))
                     .values(rule=sa.bindparam("rule"), strategy=sa.bindparam("strategy")),
                     rows)
    earlier = _leads.alias("earlier")
    bind.execute(sa.update(_leads).where(*ids, _leads.c.returning_contact, sa.exists().where(
        earlier.c.contact_id == _leads.c.contact_id, earlier.c.id < _leads.c.id,
        earlier.c.status.in_(("new", "offered", "with_managers", "owned", "closed")),
        sa.or_(earlier.c.closed_at.is_(None), earlier.c.closed_at > _leads.c.received_at)))
        .values(duplicate=True))


def _rank(stage: object) -> int:
    return _ORDER.index(stage) if stage in _ORDER else -1


def _replay(stages: dict[int, str], changes: Iterable[Any]) -> dict[int, str]:
    """Each lead's furthest stage from its stage changes in order: a change forward reaches
    its stage, an Undo puts back the furthest stage from before the change it takes back, a
    correction back from the furthest stage takes that stage back, a reaching try from new
    reaches contacted; never below the stage the lead is at now."""
    furthest = {lead_id: "new" for lead_id in stages}
    before: dict[int, str] = {}  # a stage event's id: the furthest stage before it
    current: dict[int, str] = {}  # the stage each lead was at, as replayed
    for change in changes:
        lead_id, data = change.lead_id, change.data or {}
        reached, at = furthest.get(lead_id, "new"), current.get(lead_id, "new")
        to = data.get("to") if change.kind != "attempt" else (
            "contacted" if data.get("reached") and at == "new" else at)
        if change.kind == "stage":
            before[change.id] = reached
        if change.kind == "undo":
            reached = before.get(int(data.get("event_id") or 0), reached)
        elif change.kind == "correction" and to in _ORDER and data.get("from") == reached:
            reached = str(to)  # moved back from the furthest stage: it was never reached
        elif _rank(to) > _rank(reached):
            reached = str(to)
        furthest[lead_id], current[lead_id] = reached, to if isinstance(to, str) else at
    return {lead_id: max(stage, stages[lead_id], key=_rank)
            for lead_id, stage in furthest.items() if lead_id in stages}


def downgrade() -> None:
    op.drop_index("ix_leads_stage_closed_at", table_name="leads")
    with op.batch_alter_table("offers") as batch:
        batch.drop_column("answered_after_us")
    with op.batch_alter_table("leads") as batch:
        batch.drop_column("to_contact_us")
        batch.drop_column("duplicate")
        batch.drop_column("strategy")
        batch.drop_column("rule")
        batch.drop_column("team")
        batch.drop_column("furthest_stage")
