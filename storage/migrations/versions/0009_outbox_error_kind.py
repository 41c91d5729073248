"""outbox rows keep the kind of their last delivery error, as the dispatcher told it

The dispatcher knows what Telegram answered (429, 403, 400, a network failure) when it
happens; /metrics used to guess it again from last_error's wording at every scrape. The
guess, with the rules it used, is made here once for the rows written before this revision.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# The rules /metrics read last_error by before this revision, frozen here: what the dispatcher
# kept was "retry_after" for a 429, the Telegram description for a 400 or 403 (PTB strips
# "Bad Request: " but not "Forbidden: "), and str(exc) for network errors. Matched in order,
# case-insensitively; anything else is "other".
DELIVERY_ERROR_KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("retry_after", ("retry_after", "retry after", "too many requests", "flood control")),
    ("forbidden", ("forbidden", "blocked", "kicked", "deactivated", "can't initiate",
                   "not a member")),
    ("bad_request", ("bad request", "not found", "can't parse", "too long", "is empty", "wrong",
                     "invalid")),
    ("network", ("timed out", "timeout", "network", "connect", "httpx", "bad gateway",
                 "server error")),
)

# The outbox as this revision sees it, whatever storage.tables says later.
outbox = sa.table(
    "outbox",
    sa.column("last_error", sa.String(length=200)),
    sa.column("failed_at", sa.DateTime(timezone=True)),
    sa.column("error_kind", sa.String(length=16)),
)


def _kind_of_last_error() -> sa.ColumnElement[str]:
    """The kind the old rules give an outbox row's last_error, as SQL."""
    text = sa.func.lower(outbox.c.last_error)
    whens: list[tuple[sa.ColumnElement[bool], str]] = []
    for kind, parts in DELIVERY_ERROR_KINDS:
        if kind == "bad_request":
            # The dispatcher gave up on a row only for a 400 or a 403, and a 403 matched
            # already, so a failed row is a bad request whatever Telegram's wording.
            whens.append((outbox.c.failed_at.is_not(None), kind))
        whens.append((sa.or_(*(text.contains(part, autoescape=True) for part in parts)), kind))
    return sa.case(*whens, else_=sa.literal("other"))


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("error_kind", sa.String(length=16), nullable=True))
    op.execute(outbox.update()
               .where(outbox.c.last_error.is_not(None), outbox.c.error_kind.is_(None))
               .values(error_kind=_kind_of_last_error()))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("error_kind")
