"""offers remember when their message reached the agent (the accept clock starts there);
an index for the per-agent load that routing reads

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("offers") as batch:
        batch.add_column(sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_offers_created_agent", "offers", ["created_at", "agent_id"])


def downgrade() -> None:
    op.drop_index("ix_offers_created_agent", table_name="offers")
    with op.batch_alter_table("offers") as batch:
        batch.drop_column("delivered_at")
