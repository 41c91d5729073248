"""The schema, as SQLAlchemy Core tables; migrations in storage/migrations build the same."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    text,
)


class UtcDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and always reads them back aware, on SQLite too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Convert to UTC; SQLite keeps naive UTC text so comparisons stay lexical."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        """Return an aware UTC datetime."""
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData(naming_convention={
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})

agents = Table(
    "agents", metadata,
    Column("telegram_id", BigInteger, primary_key=True, autoincrement=False),
    Column("name", String(64), nullable=False),
    Column("role", String(16), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("away", Boolean, nullable=False),
    Column("language", String(8)),
    Column("position", Integer, nullable=False),
    Column("chat_id", BigInteger),
    Column("profile", JSON),
    Column("blocked_at", UtcDateTime),
)

contacts = Table(
    "contacts", metadata,
    Column("id", Integer, primary_key=True),
    Column("phone", String(20), index=True),
    Column("email", String(254), index=True),
    Column("name", String(120)),
    Column("created_at", UtcDateTime, nullable=False),
)

leads = Table(
    "leads", metadata,
    Column("id", Integer, primary_key=True),
    Column("contact_id", ForeignKey("contacts.id"), nullable=False, index=True),
    Column("source", String(64), nullable=False),
    Column("external_id", String(128)),
    Column("postal_code", String(12)),
    Column("language", String(8)),
    Column("tags", JSON),
    Column("company", String(120)),
    Column("intent", String(32)),
    Column("fit", String(16)),
    Column("received_at", UtcDateTime, nullable=False, index=True),
    Column("score", Integer, nullable=False),
    Column("temperature", String(8), nullable=False),
    Column("name", String(120)),
    Column("phone", String(20), index=True),  # /lead <phone>
    Column("email", String(254)),
    Column("product", String(60)),
    Column("region", String(120)),
    Column("budget_min", BigInteger),
    Column("budget_max", BigInteger),
    Column("timing", String(60)),
    Column("message", Text),
    Column("missing", JSON, nullable=False),
    Column("returning_contact", Boolean, nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("stage", String(16), nullable=False),
    Column("owner_id", BigInteger, index=True),
    Column("accepted_at", UtcDateTime),
    Column("escalated_at", UtcDateTime),
    Column("contacted_at", UtcDateTime),
    Column("closed_at", UtcDateTime),
    Column("amount", BigInteger),
    Column("offer_amount", BigInteger),
    Column("lost_reason", String(16)),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("stage_at", UtcDateTime),
    Column("lead_type", String(40)),
    Column("contact_due_at", UtcDateTime),  # first contact is due by then
    Column("extras", JSON),  # fields the sender posted that intake has no place for
    Column("campaign", JSON),  # utm_source, utm_medium, utm_campaign, gclid, fbclid
    Column("consent", JSON),  # did the person agree to be contacted, when, on which form
    Column("flags", JSON),  # a field's problem the lead was kept despite: {field: problem}
    Column("import_file", String(200)),  # the file `leadrelay import` took it from
    # When the import pool released it to routing: the pace counts the last hour's.
    Column("released_at", UtcDateTime, index=True),
    Column("version", Integer, nullable=False),
    # For the managers' numbers (core/lifecycle/numbers.py): the furthest stage reached, the
    # owner's team when they took it, the rule and strategy that first routed it.
    Column("furthest_stage", String(16), nullable=False, server_default="new"),
    Column("team", String(64)),
    Column("rule", String(64)),
    Column("strategy", String(32)),
    # Stored while an earlier lead of its contact was open: counted in no figure.
    Column("duplicate", Boolean, nullable=False, server_default=false()),
    # contacted_at - received_at in microseconds, kept by every save: the speed to lead's
    # median and p90 sort integers, not dates parsed from SQLite's text.
    Column("to_contact_us", BigInteger),
    UniqueConstraint("source", "external_id", name="uq_leads_source_external_id"),
    # The leads won in a period, by the time they were won.
    Index("ix_leads_stage_closed_at", "stage", "closed_at"),
    # Routing's open load per owner, read in every routing transaction: owned leads kept
    # warm (nurture) are owned too, a year of them, and this index counts past them alone.
    Index("ix_leads_status_stage_owner", "status", "stage", "owner_id"),
)

offers = Table(
    "offers", metadata,
    Column("id", Integer, primary_key=True),
    Column("lead_id", ForeignKey("leads.id"), nullable=False, index=True),
    Column("agent_id", BigInteger, nullable=False),
    Column("token", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("deadline", UtcDateTime, nullable=False),
    Column("decided_at", UtcDateTime),
    Column("decline_reason", String(16)),
    Column("sequence", Integer, nullable=False),
    Column("trace", JSON, nullable=False),
    Column("kind", String(8), nullable=False, server_default="offer"),
    Column("delivered_at", UtcDateTime),
    Column("answered_after_us", BigInteger),  # decided_at - created_at, for the numbers
    Index("ix_offers_status_deadline", "status", "deadline"),
    Index("ix_offers_created_agent", "created_at", "agent_id"),
    # Routing reads each agent's latest and pending offers in every transaction, holding the
    # routing row (offer_counts): one short index walk per agent, not every offer.
    Index("ix_offers_agent_created", "agent_id", "created_at"),
    Index("ix_offers_pending_agent", "agent_id", postgresql_where=text("status = 'pending'"),
          sqlite_where=text("status = 'pending'")),
)

rotations = Table(
    "rotations", metadata,
    Column("key", String(64), primary_key=True),
    Column("state", JSON),
)

lead_events = Table(
    "lead_events", metadata,
    Column("id", Integer, primary_key=True),
    Column("lead_id", ForeignKey("leads.id"), nullable=False, index=True),
    Column("at", UtcDateTime, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("agent_id", BigInteger),
    Column("data", JSON, nullable=False),
    # Routing reads recent first-contact misses (the penalty) and /stats events by period.
    Index("ix_lead_events_kind_at", "kind", "at"),
)

outbox = Table(
    "outbox", metadata,
    Column("id", Integer, primary_key=True),
    Column("chat_id", BigInteger, nullable=False),
    Column("template", String(32), nullable=False),
    Column("params", JSON, nullable=False),
    Column("ref", String(64)),
    Column("edit_ref", String(64)),
    Column("created_at", UtcDateTime, nullable=False),
    Column("sent_at", UtcDateTime),
    Column("failed_at", UtcDateTime),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UtcDateTime),
    Column("last_error", String(200)),
    # The kind of last_error (core.ports.DeliveryErrorKind), told by the dispatcher as it met it.
    Column("error_kind", String(16)),
    # The instance sending this chat's rows right now; on a sent row, the one that sent it,
    # which keeps the chat until claimed_until (one pace window after the send).
    Column("claimed_by", String(32)),
    Column("claimed_until", UtcDateTime),
    Index("ix_outbox_unsent", "sent_at", "failed_at", "id"),
    Index("ix_outbox_claimed_until", "claimed_until"),
    Index("ix_outbox_chat_unsent", "chat_id", "sent_at", "failed_at"),
)

sent_messages = Table(
    "sent_messages", metadata,
    Column("ref", String(64), primary_key=True),
    Column("chat_id", BigInteger, nullable=False),
    Column("message_id", BigInteger, nullable=False),
    # A reply names the message it answers by chat and id: which lead's card was it.
    Index("ix_sent_messages_chat_message", "chat_id", "message_id"),
)

tasks = Table(
    "tasks", metadata,
    Column("id", Integer, primary_key=True),
    Column("lead_id", ForeignKey("leads.id"), nullable=False, index=True),
    Column("agent_id", BigInteger, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("due_at", UtcDateTime, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("done_at", UtcDateTime),
    Column("remind_at", UtcDateTime),
    Column("reminded_at", UtcDateTime),
    Column("reminders", Integer, nullable=False, server_default="0"),
    Index("ix_tasks_agent_open", "agent_id", "due_at", postgresql_where=text("done_at IS NULL"),
          sqlite_where=text("done_at IS NULL")),
    # The reminder sweep reads the reminders coming due, and nothing else.
    Index("ix_tasks_remind", "remind_at",
          postgresql_where=text("done_at IS NULL AND reminded_at IS NULL"),
          sqlite_where=text("done_at IS NULL AND reminded_at IS NULL")),
)

lead_cards = Table(
    "lead_cards", metadata,
    Column("lead_id", ForeignKey("leads.id"), primary_key=True),
    Column("chat_id", BigInteger, primary_key=True, autoincrement=False),
    Column("ref", String(64), nullable=False),
    Column("seq", Integer, nullable=False),
)

prompts = Table(
    "prompts", metadata,
    Column("chat_id", BigInteger, primary_key=True, autoincrement=False),
    Column("kind", String(16), nullable=False),
    Column("lead_id", Integer),
    Column("data", JSON, nullable=False),
    Column("asked_at", UtcDateTime, nullable=False),
)

telegram_updates = Table(
    "telegram_updates", metadata,
    Column("update_id", BigInteger, primary_key=True, autoincrement=False),
    Column("received_at", UtcDateTime, nullable=False, index=True),
)

# Office settings a chat changed (the team group; that the roster is edited in chat now).
office_settings = Table(
    "office_settings", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", JSON, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

# Invitations onto the roster: only a code's SHA-256 is kept, so a database leak opens none.
invites = Table(
    "invites", metadata,
    Column("code_hash", String(64), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("invited_by", BigInteger, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_by", BigInteger),
    Column("used_at", UtcDateTime),
)

# Every change of someone's availability, for the fairness audit.
availability_changes = Table(
    "availability_changes", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("agent_id", BigInteger, nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("away", Boolean, nullable=False),
    Column("until", Date),
    Column("by_id", BigInteger),
    Column("reason", String(24), nullable=False),
    Index("ix_availability_changes_agent_id_at", "agent_id", "at"),
)

# What reached intake and could not become a lead, kept whole (raw bytes: PostgreSQL text
# refuses NUL and lone surrogates) with the headers that matter and why, to be replayed.
failed_intake = Table(
    "failed_intake", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(64)),  # None when no token named one
    Column("received_at", UtcDateTime, nullable=False, index=True),
    Column("reason", String(32), nullable=False),
    Column("detail", String(500), nullable=False),
    Column("authenticated", Boolean, nullable=False),  # False: kept a short time only
    Column("content_type", String(200)),
    Column("headers", JSON, nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("replayed_at", UtcDateTime),
    Column("lead_id", Integer),
    Index("ix_failed_intake_reason_received_at", "reason", "received_at"),
)

# A spreadsheet a manager sent the bot: its Telegram file id (downloaded again on Import, its
# bytes never kept), previewed, then imported once (a conditional update on status) or
# cancelled.
chat_imports = Table(
    "chat_imports", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("file_id", String(200), nullable=False),
    Column("file_name", String(255), nullable=False),
    Column("manager_id", BigInteger, nullable=False),
    Column("source", String(64), nullable=False),
    Column("row_count", Integer, nullable=False),
    Column("held", Boolean, nullable=False),
    Column("status", String(16), nullable=False),
    Column("result", JSON),
    Column("created_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime),
)


# A lead an ad platform announced by id (a Meta `leadgen` change), until its fields are fetched.
lead_fetches = Table(
    "lead_fetches", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("platform", String(16), nullable=False),
    Column("external_id", String(128), nullable=False),
    Column("source", String(64), nullable=False),
    Column("change", JSON, nullable=False),  # the webhook's `value`, as it came
    Column("received_at", UtcDateTime, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_try_at", UtcDateTime, index=True),  # None once stored or given up on
    Column("give_up_at", UtcDateTime, nullable=False),
    Column("state", String(16), nullable=False),
    Column("last_error", String(500), nullable=False),
    Column("lead_id", Integer),
    Column("failure_id", Integer),
    UniqueConstraint("platform", "external_id", name="uq_lead_fetches_platform_external_id"),
)


# The platforms' messages taken (WhatsApp's by now), by the SHA-256 of their id: a message
# delivered again is taken once. The id itself is not kept (WhatsApp's spells the number).
inbound_messages = Table(
    "inbound_messages", metadata,
    Column("key", String(64), primary_key=True),
    Column("lead_id", Integer, nullable=False),  # no foreign key: erasing a lead leaves it
    Column("received_at", UtcDateTime, nullable=False),
)

# The managers' numbers' own tables live beside: imported here so `metadata` holds them.
from storage.report_tables import exports, routing_decisions, routing_pools  # noqa: E402, F401
