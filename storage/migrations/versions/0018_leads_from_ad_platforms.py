"""Leads from the ad platforms: a Meta Lead Ads change kept by its leadgen_id until its
fields are fetched from the Graph API (lead_fetches)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lead_fetches",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("external_id", sa.String(128), nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("change", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_try_at", sa.DateTime(timezone=True)),
        sa.Column("give_up_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("last_error", sa.String(500), nullable=False),
        sa.Column("lead_id", sa.Integer()),
        sa.Column("failure_id", sa.Integer()),
        sa.PrimaryKeyConstraint("id", name="pk_lead_fetches"),
        sa.UniqueConstraint("platform", "external_id",
                            name="uq_lead_fetches_platform_external_id"),
    )
    op.create_index("ix_lead_fetches_next_try_at", "lead_fetches", ["next_try_at"])


def downgrade() -> None:
    op.drop_index("ix_lead_fetches_next_try_at", table_name="lead_fetches")
    op.drop_table("lead_fetches")
