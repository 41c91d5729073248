"""An index for the chats held by an instance, sent rows included

A chat stays with the instance that last sent to it for one pace window after the send, so
that only the instance whose pacer remembers the chat's recent messages sends the next one.
The claim looks for rows held until after now; the index keeps that look off the sent rows
of the past.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_outbox_claimed_until", "outbox", ["claimed_until"])


def downgrade() -> None:
    op.drop_index("ix_outbox_claimed_until", table_name="outbox")
