"""Working a lead after Accept: stages with amounts and reasons, attempts, tasks, live cards
and questions waiting for a typed answer

A lead already owned keeps the message that opened it to its owner (the accepted offer's,
or the assignment's) as its live card, so the first change after the upgrade edits that
message into the card instead of leaving it with the old buttons. Self-contained: it reads
tables as this revision found them.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("leads") as batch:
        batch.add_column(sa.Column("offer_amount", sa.BigInteger))
        batch.add_column(sa.Column("lost_reason", sa.String(16)))
        batch.add_column(sa.Column("attempts", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("stage_at", sa.DateTime(timezone=True)))
    op.create_index("ix_sent_messages_chat_message", "sent_messages", ["chat_id", "message_id"])
    op.create_index("ix_leads_phone", "leads", ["phone"])
    op.create_table(
        "tasks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("lead_id", sa.Integer, sa.ForeignKey("leads.id", name="fk_tasks_lead_id_leads"),
                  nullable=False),
        sa.Column("agent_id", sa.BigInteger, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True)),
        sa.Column("remind_at", sa.DateTime(timezone=True)),
        sa.Column("reminded_at", sa.DateTime(timezone=True)),
        sa.Column("reminders", sa.Integer, nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("id", name="pk_tasks"),
    )
    op.create_index("ix_tasks_lead_id", "tasks", ["lead_id"])
    op.create_index("ix_tasks_agent_open", "tasks", ["agent_id", "due_at"],
                    postgresql_where=sa.text("done_at IS NULL"),
                    sqlite_where=sa.text("done_at IS NULL"))
    op.create_index("ix_tasks_remind", "tasks", ["remind_at"],
                    postgresql_where=sa.text("done_at IS NULL AND reminded_at IS NULL"),
                    sqlite_where=sa.text("done_at IS NULL AND reminded_at IS NULL"))
    op.create_table(
        "lead_cards",
        sa.Column("lead_id", sa.Integer,
                  sa.ForeignKey("leads.id", name="fk_lead_cards_lead_id_leads"), nullable=False),
        sa.Column("chat_id", sa.BigInteger, nullable=False, autoincrement=False),
        sa.Column("ref", sa.String(64), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("lead_id", "chat_id", name="pk_lead_cards"),
    )
    op.create_table(
        "prompts",
        sa.Column("chat_id", sa.BigInteger, nullable=False, autoincrement=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("lead_id", sa.Integer),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("chat_id", name="pk_prompts"),
    )
    _adopt_opening_messages()


_leads = sa.table("leads", sa.column("id", sa.Integer), sa.column("status", sa.String),
                  sa.column("owner_id", sa.BigInteger))
_offers = sa.table("offers", sa.column("id", sa.Integer), sa.column("lead_id", sa.Integer),
                   sa.column("agent_id", sa.BigInteger), sa.column("status", sa.String))
_sent = sa.table("sent_messages", sa.column("ref", sa.String),
                 sa.column("chat_id", sa.BigInteger))
_cards = sa.table("lead_cards", sa.column("lead_id", sa.Integer),
                  sa.column("chat_id", sa.BigInteger), sa.column("ref", sa.String),
                  sa.column("seq", sa.Integer))


def _adopt_opening_messages() -> None:
    bind = op.get_bind()
    owned: dict[int, int] = {row.id: row.owner_id for row in bind.execute(
        sa.select(_leads.c.id, _leads.c.owner_id).where(
            _leads.c.status == "owned", _leads.c.owner_id.is_not(None)))}
    if not owned:
        return
    opened: dict[str, int] = {f"lead:{lead_id}:{owner}": lead_id
                              for lead_id, owner in owned.items()}
    for offer_id, lead_id, agent_id in bind.execute(
            sa.select(_offers.c.id, _offers.c.lead_id, _offers.c.agent_id)
            .where(_offers.c.status == "accepted")):
        if owned.get(lead_id) == agent_id:
            opened[f"offer:{offer_id}"] = lead_id
    cards: dict[int, dict[str, object]] = {}
    for ref, chat_id in bind.execute(sa.select(_sent.c.ref, _sent.c.chat_id).where(
            sa.or_(_sent.c.ref.like("offer:%"), _sent.c.ref.like("lead:%")))):
        lead_id = opened.get(ref)
        if lead_id is not None and chat_id == owned[lead_id]:  # the owner's private chat
            cards[lead_id] = {"lead_id": lead_id, "chat_id": chat_id, "ref": ref, "seq": 0}
    if cards:
        bind.execute(sa.insert(_cards), list(cards.values()))


def downgrade() -> None:
    op.drop_table("prompts")
    op.drop_table("lead_cards")
    op.drop_index("ix_tasks_remind", table_name="tasks")
    op.drop_index("ix_tasks_agent_open", table_name="tasks")
    op.drop_index("ix_tasks_lead_id", table_name="tasks")
    op.drop_table("tasks")
    op.drop_index("ix_sent_messages_chat_message", table_name="sent_messages")
    op.drop_index("ix_leads_phone", table_name="leads")
    with op.batch_alter_table("leads") as batch:
        batch.drop_column("stage_at")
        batch.drop_column("attempts")
        batch.drop_column("lost_reason")
        batch.drop_column("offer_amount")
