"""Migrations on a real SQLite file and the real PostgreSQL: what was written before an upgrade
reads right after it, and a downgrade gives back the schema it came from."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import insert, inspect, select
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram.error import BadRequest, Forbidden, NetworkError, TelegramError, TimedOut

from storage.db import create_engine
from storage.metrics import MetricsStore
from storage.migrate import alembic_config, upgrade
from storage.tables import (
    agents,
    contacts,
    lead_cards,
    leads,
    metadata,
    offers,
    outbox,
    sent_messages,
)
from tests.office import AYSE

AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

# (last_error as bot/dispatcher.py wrote it before 0009, whether the row was given up on,
# the kind /metrics counted it as then): "retry_after" for a 429, exc.message for a 400 or
# a 403, str(exc) for network and other Telegram errors.
BEFORE_0009 = [
    (str(TimedOut()), False, "network"),
    ("retry_after", False, "retry_after"),
    (str(NetworkError("httpx.ConnectError: All connection attempts failed")), False, "network"),
    (str(NetworkError("Internal Server Error")), False, "network"),  # PTB's answer to a 500
    (str(TelegramError("Conflict: terminated by other getUpdates request")), False, "other"),
    (Forbidden("Forbidden: bot was blocked by the user").message, True, "forbidden"),
    (Forbidden("Forbidden: bot can't initiate conversation with a user").message, True,
     "forbidden"),
    (BadRequest("Bad Request: chat not found").message, True, "bad_request"),
    (BadRequest("Message_too_long").message, True, "bad_request"),
    (BadRequest("Bad Request: 100% _odd_ wording").message, True, "bad_request"),
]


@pytest.fixture
async def bare(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on an empty database, for the test to migrate as far as it needs."""
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


def _downgrade(connection: Connection, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.downgrade(config, revision)


async def _outbox_columns(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as conn:
        return await conn.run_sync(
            lambda sync: [column["name"] for column in inspect(sync).get_columns("outbox")])


async def test_a_row_written_before_0009_gets_the_kind_its_last_error_meant(
    bare: AsyncEngine,
) -> None:
    await upgrade(bare, "0008")
    async with bare.begin() as conn:  # only the columns outbox had at 0008
        await conn.execute(insert(outbox), [
            {"chat_id": AYSE, "template": "offer", "params": {}, "attempts": 1,
             "created_at": AT, "sent_at": None, "failed_at": AT if failed else None,
             "last_error": error} for error, failed, _ in BEFORE_0009])
        await conn.execute(insert(outbox).values(  # sent at once: no error, no kind
            chat_id=AYSE, template="offer", params={}, attempts=1, created_at=AT, sent_at=AT))

    await upgrade(bare)

    async with bare.connect() as conn:
        kinds = [(row.last_error, row.error_kind) for row in await conn.execute(
            select(outbox.c.last_error, outbox.c.error_kind).order_by(outbox.c.id))]
    assert kinds == [*((error, kind) for error, _, kind in BEFORE_0009), (None, None)]
    figures = await MetricsStore(bare).snapshot()
    assert figures.delivery_errors == {"network": 3, "retry_after": 1, "other": 1,
                                       "forbidden": 2, "bad_request": 3}


async def test_downgrading_from_0009_drops_the_kind_and_keeps_the_rows(
    bare: AsyncEngine,
) -> None:
    await upgrade(bare)
    async with bare.begin() as conn:
        await conn.execute(insert(outbox).values(
            chat_id=AYSE, template="offer", params={}, attempts=1, created_at=AT,
            failed_at=AT, last_error="Forbidden: bot was blocked by the user",
            error_kind="forbidden"))
    assert "error_kind" in await _outbox_columns(bare)

    async with bare.begin() as conn:
        await conn.run_sync(_downgrade, "0008")

    assert "error_kind" not in await _outbox_columns(bare)
    async with bare.connect() as conn:
        kept = (await conn.execute(select(outbox.c.last_error))).scalars().all()
    assert kept == ["Forbidden: bot was blocked by the user"]
    await upgrade(bare)  # and up again, where the backfill tells the row's kind once more
    async with bare.connect() as conn:
        assert (await conn.execute(select(outbox.c.error_kind))).scalar_one() == "forbidden"


async def test_a_lead_owned_before_0012_keeps_the_message_that_opened_it_as_its_card(
    bare: AsyncEngine,
) -> None:
    await upgrade(bare, "0011")
    async with bare.begin() as conn:  # as 0011 found them: two owned leads, one closed
        await conn.execute(insert(agents).values(
            telegram_id=AYSE, name="Ayşe", role="agent", active=True, away=False, position=0,
            chat_id=AYSE))
        await conn.execute(insert(contacts).values(id=1, phone="+905321234567", created_at=AT))
        for lead_id, status in ((1, "owned"), (2, "owned"), (3, "closed")):
            await conn.execute(insert(leads).values(
                id=lead_id, contact_id=1, source="web", received_at=AT, score=80,
                temperature="hot", missing=[], returning_contact=False, status=status,
                stage="new", owner_id=AYSE, version=1))
        await conn.execute(insert(offers).values(
            id=7, lead_id=1, agent_id=AYSE, token="t", status="accepted", created_at=AT,
            deadline=AT, sequence=1, trace={}))
        await conn.execute(insert(sent_messages), [
            {"ref": "offer:7", "chat_id": AYSE, "message_id": 40},
            {"ref": f"lead:2:{AYSE}", "chat_id": AYSE, "message_id": 41},
            {"ref": f"lead:3:{AYSE}", "chat_id": AYSE, "message_id": 42}])

    await upgrade(bare)

    async with bare.connect() as conn:
        cards = (await conn.execute(select(lead_cards.c.lead_id, lead_cards.c.chat_id,
                                           lead_cards.c.ref).order_by(lead_cards.c.lead_id)))
        assert [tuple(row) for row in cards] == [(1, AYSE, "offer:7"), (2, AYSE, f"lead:2:{AYSE}")]


async def test_the_migrations_build_the_schema_storage_tables_describes(
    engine: AsyncEngine,
) -> None:
    def differences(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={
            "compare_type": True, "compare_server_default": True})
        return list(compare_metadata(context, metadata))

    async with engine.connect() as conn:
        assert await conn.run_sync(differences) == []
