"""The exports' log: every export of leads, by whom, when, of which period and how much

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "exports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("by_id", sa.BigInteger()),
        sa.Column("by_name", sa.String(64)),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("period_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("period_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_exports"),
    )


def downgrade() -> None:
    op.drop_table("exports")
