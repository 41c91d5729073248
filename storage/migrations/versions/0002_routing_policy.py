"""routing policy: agent profiles, lead routing facts, claim pools, rule memory as JSON

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("agents") as batch:
        batch.add_column(sa.Column("profile", sa.JSON(), nullable=True))
    with op.batch_alter_table("leads") as batch:
        batch.add_column(sa.Column("postal_code", sa.String(length=12), nullable=True))
        batch.add_column(sa.Column("language", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("tags", sa.JSON(), nullable=True))
    with op.batch_alter_table("offers") as batch:
        batch.add_column(sa.Column("kind", sa.String(length=8), nullable=False,
                                   server_default="offer"))
    # The round-robin pointer becomes part of each rule's memory; a fresh start is harmless.
    op.execute("DELETE FROM rotations")
    with op.batch_alter_table("rotations") as batch:
        batch.drop_column("agent_id")
        batch.add_column(sa.Column("state", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("offers") as batch:
        batch.drop_column("kind")
    with op.batch_alter_table("rotations") as batch:
        batch.drop_column("state")
        batch.add_column(sa.Column("agent_id", sa.BigInteger(), nullable=True))
    with op.batch_alter_table("leads") as batch:
        batch.drop_column("tags")
        batch.drop_column("language")
        batch.drop_column("postal_code")
    with op.batch_alter_table("agents") as batch:
        batch.drop_column("profile")
