"""The team run from Telegram: office settings changed in chat, invitations, the history of
who was away when, and when someone blocked the bot

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("agents") as batch:
        batch.add_column(sa.Column("blocked_at", sa.DateTime(timezone=True)))
    op.create_table(
        "office_settings",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_office_settings"),
    )
    op.create_table(
        "invites",
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("invited_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_by", sa.BigInteger()),
        sa.Column("used_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("code_hash", name="pk_invites"),
    )
    op.create_table(
        "availability_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("agent_id", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("away", sa.Boolean(), nullable=False),
        sa.Column("until", sa.Date()),
        sa.Column("by_id", sa.BigInteger()),
        sa.Column("reason", sa.String(24), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_availability_changes"),
    )
    op.create_index("ix_availability_changes_agent_id_at", "availability_changes",
                    ["agent_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_availability_changes_agent_id_at", table_name="availability_changes")
    op.drop_table("availability_changes")
    op.drop_table("invites")
    op.drop_table("office_settings")
    with op.batch_alter_table("agents") as batch:
        batch.drop_column("blocked_at")
