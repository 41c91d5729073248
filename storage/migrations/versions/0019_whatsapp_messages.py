"""WhatsApp messages taken once: the inbound_messages table remembers each platform message
taken, by the SHA-256 of its id, and the lead it went to

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbound_messages",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_inbound_messages"),
    )


def downgrade() -> None:
    op.drop_table("inbound_messages")
