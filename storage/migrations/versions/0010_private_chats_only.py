"""Unlink every person whose stored chat is not their private chat

Until this revision /start linked whatever chat it was sent in: an agent who sent it in a
group made the group their chat, and offers, and after Accept the name, phone and e-mail,
went to everyone there. Telegram gives a person's private chat their user id (groups,
supergroups and channels have negative ids), so any other stored chat is set to NULL: routing
leaves the person out until they press Start again in a private chat with the bot. Contact
details already queued for a chat that is not private are held back (marked failed with the
reason), not sent.

Self-contained: it reads and writes only columns that exist since 0001, through tables
described here as this revision found them.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

log = logging.getLogger("leadrelay.migrations")

_agents = sa.table("agents", sa.column("telegram_id", sa.BigInteger),
                   sa.column("chat_id", sa.BigInteger))
_outbox = sa.table("outbox", sa.column("chat_id", sa.BigInteger),
                   sa.column("template", sa.String), sa.column("sent_at", sa.DateTime),
                   sa.column("failed_at", sa.DateTime), sa.column("last_error", sa.String))
# The templates whose parameters carried contact details when this revision was written.
_WITH_CONTACT_DETAILS = ("offer_accepted", "lead_assigned", "escalated")


def upgrade() -> None:
    bind = op.get_bind()
    stray = bind.execute(
        sa.select(_agents.c.telegram_id)
        .where(_agents.c.chat_id.is_not(None), _agents.c.chat_id != _agents.c.telegram_id)
        .order_by(_agents.c.telegram_id)).scalars().all()
    if stray:
        bind.execute(sa.update(_agents).where(_agents.c.telegram_id.in_(stray))
                     .values(chat_id=None))
        shown = ", ".join(str(telegram_id) for telegram_id in stray[:50])
        log.warning("unlinked %d people whose stored chat was not their private chat "
                    "(telegram ids %s%s): no leads reach them until they press Start in a "
                    "private chat with the bot", len(stray), shown,
                    ", …" if len(stray) > 50 else "")
    withheld = bind.execute(
        sa.update(_outbox)
        .where(_outbox.c.sent_at.is_(None), _outbox.c.failed_at.is_(None),
               _outbox.c.chat_id <= 0, _outbox.c.template.in_(_WITH_CONTACT_DETAILS))
        .values(failed_at=sa.func.current_timestamp(),
                last_error="withheld: contact details for a chat that is not a private chat"))
    if withheld.rowcount:
        log.warning("held back %d unsent messages with contact details queued for a group",
                    withheld.rowcount)


def downgrade() -> None:
    # The chats unlinked were wrong ones and the messages held back must not go out:
    # nothing to restore.
    pass
