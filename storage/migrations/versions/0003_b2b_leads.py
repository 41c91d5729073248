"""B2B leads: company, intent and fit, for named accounts and the intent × fit matrix

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("leads") as batch:
        batch.add_column(sa.Column("company", sa.String(length=120), nullable=True))
        batch.add_column(sa.Column("intent", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("fit", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("leads") as batch:
        batch.drop_column("fit")
        batch.drop_column("intent")
        batch.drop_column("company")
