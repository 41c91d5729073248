"""No lead thrown away: a lead keeps the fields intake did not know (extras), its campaign
fields, the consent it came with and the problems of fields it was kept despite; what could
not become a lead is kept whole in failed_intake, as raw bytes, to be replayed

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("leads") as batch:
        batch.add_column(sa.Column("extras", sa.JSON()))
        batch.add_column(sa.Column("campaign", sa.JSON()))
        batch.add_column(sa.Column("consent", sa.JSON()))
        batch.add_column(sa.Column("flags", sa.JSON()))
    op.create_table(
        "failed_intake",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source", sa.String(64)),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("detail", sa.String(500), nullable=False),
        sa.Column("authenticated", sa.Boolean(), nullable=False),
        sa.Column("content_type", sa.String(200)),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("replayed_at", sa.DateTime(timezone=True)),
        sa.Column("lead_id", sa.Integer()),
        sa.PrimaryKeyConstraint("id", name="pk_failed_intake"),
    )
    op.create_index("ix_failed_intake_received_at", "failed_intake", ["received_at"])
    op.create_index("ix_failed_intake_reason_received_at", "failed_intake",
                    ["reason", "received_at"])


def downgrade() -> None:
    op.drop_index("ix_failed_intake_reason_received_at", table_name="failed_intake")
    op.drop_index("ix_failed_intake_received_at", table_name="failed_intake")
    op.drop_table("failed_intake")
    with op.batch_alter_table("leads") as batch:
        batch.drop_column("flags")
        batch.drop_column("consent")
        batch.drop_column("campaign")
        batch.drop_column("extras")
