"""The clocks after Accept: each lead's first-contact deadline, and its lead type (whose
windows may differ from its temperature's), and an index for recent events of a kind

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("leads") as batch:
        batch.add_column(sa.Column("lead_type", sa.String(40)))
        batch.add_column(sa.Column("contact_due_at", sa.DateTime(timezone=True)))
    op.create_index("ix_lead_events_kind_at", "lead_events", ["kind", "at"])


def downgrade() -> None:
    op.drop_index("ix_lead_events_kind_at", table_name="lead_events")
    with op.batch_alter_table("leads") as batch:
        batch.drop_column("contact_due_at")
        batch.drop_column("lead_type")
