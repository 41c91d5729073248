"""An index of each chat's unsent outbox rows

A transaction that writes mail on SQLite asks whether the chat already has mail waiting (so
the new rows can be handed to the dispatcher at once); without this index that look walked
every unsent row, milliseconds per transaction when a burst left thousands queued.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_outbox_chat_unsent", "outbox", ["chat_id", "sent_at", "failed_at"])


def downgrade() -> None:
    op.drop_index("ix_outbox_chat_unsent", table_name="outbox")
