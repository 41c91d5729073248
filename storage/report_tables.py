"""The tables of the managers' numbers: the routing decisions the fairness audit adds up and
the log of every export of leads (in `storage.tables.metadata`)."""

from sqlalchemy import BigInteger, Boolean, Column, Float, Index, Integer, String, Table

from storage.tables import UtcDateTime, metadata

# The fairness audit's record (core/numbers/fairness.py): a lead's first routing decision by
# a rotating strategy, with its offer and the pool it chose from; a pool (each member's
# entitled share, or why they were skipped, share 0) is stored once under its digest, as
# most leads in a row share one. The audit adds up a period's decisions per pool, then per
# member.
routing_decisions = Table(
    "routing_decisions", metadata,
    Column("id", Integer, primary_key=True),
    Column("decided_at", UtcDateTime, nullable=False),
    Column("lead_id", Integer, nullable=False),  # no foreign key, as inbound_messages
    Column("offer_id", Integer, nullable=False),  # the offer to the agent picked
    Column("hot", Boolean, nullable=False),
    Column("rule", String(40), nullable=False),
    Column("pool", String(20), nullable=False),
    Index("ix_routing_decisions_decided_at", "decided_at"),
)

routing_pools = Table(
    "routing_pools", metadata,
    Column("pool", String(20), primary_key=True),
    Column("agent_id", BigInteger, primary_key=True),
    Column("share", Float, nullable=False),
    Column("reason", String(24)),  # the skip reason; None when eligible
)

# Every export of leads (`/export`, `leadrelay export`): who took personal data out, when,
# of which period, and how much.
exports = Table(
    "exports", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("by_id", BigInteger),  # the manager who asked in chat
    Column("by_name", String(64)),  # the command line's login name
    Column("at", UtcDateTime, nullable=False),
    Column("period_start", UtcDateTime, nullable=False),
    Column("period_end", UtcDateTime, nullable=False),
    Column("row_count", Integer, nullable=False),
    Column("size_bytes", BigInteger, nullable=False),
    Column("channel", String(8), nullable=False),
)
