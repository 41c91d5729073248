"""An index for routing's open load per owner: status, stage and owner together

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Read in every routing transaction: with only the status index, SQLite reads each owned
    # lead's row, a year of nurtured ones included (bench/README.md, issue 19's figures).
    op.create_index("ix_leads_status_stage_owner", "leads", ["status", "stage", "owner_id"])


def downgrade() -> None:
    op.drop_index("ix_leads_status_stage_owner", table_name="leads")
