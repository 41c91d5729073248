"""Indexes that keep each routing transaction's read of the agents' load small

Routing reads every agent's pending offers and latest offer while it holds the routing row;
with thousands of offers those reads walked the status and created_at indexes whole.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_offers_agent_created", "offers", ["agent_id", "created_at"])
    pending = sa.text("status = 'pending'")
    op.create_index("ix_offers_pending_agent", "offers", ["agent_id"],
                    postgresql_where=pending, sqlite_where=pending)


def downgrade() -> None:
    op.drop_index("ix_offers_pending_agent", table_name="offers")
    op.drop_index("ix_offers_agent_created", table_name="offers")
