"""The fairness audit's record: routing_decisions keeps each lead's first routing decision by
a rotating strategy with its offer and pool, routing_pools each pool's members with their
entitled share or skip reason; decisions made before this migration have none

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "routing_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("hot", sa.Boolean(), nullable=False),
        sa.Column("rule", sa.String(40), nullable=False),
        sa.Column("pool", sa.String(20), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_routing_decisions"),
    )
    op.create_index("ix_routing_decisions_decided_at", "routing_decisions", ["decided_at"])
    op.create_table(
        "routing_pools",
        sa.Column("pool", sa.String(20), nullable=False),
        sa.Column("agent_id", sa.BigInteger(), nullable=False),
        sa.Column("share", sa.Float(), nullable=False),
        sa.Column("reason", sa.String(24), nullable=True),
        sa.PrimaryKeyConstraint("pool", "agent_id", name="pk_routing_pools"),
    )


def downgrade() -> None:
    op.drop_table("routing_pools")
    op.drop_index("ix_routing_decisions_decided_at", table_name="routing_decisions")
    op.drop_table("routing_decisions")
