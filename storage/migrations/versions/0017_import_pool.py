"""The import pool: a lead imported with --route waits (status `queued`) until the sweep
releases it to routing at the office's pace; the file it came from and when it was released

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("leads") as batch:
        batch.add_column(sa.Column("import_file", sa.String(200)))
        batch.add_column(sa.Column("released_at", sa.DateTime(timezone=True)))
        batch.create_index("ix_leads_released_at", ["released_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("leads") as batch:
        batch.drop_index("ix_leads_released_at")
        batch.drop_column("released_at")
        batch.drop_column("import_file")
