"""A database that does not answer is the server's trouble: 503 with Retry-After, never a
500, nothing half-stored, and everything works again once it is back."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy.engine import make_url

from core.clock import ManualClock
from leadrelay.bootstrap import bootstrap, sql_uow_factory
from storage.db import create_engine
from storage.scratch import ScratchDatabase
from tests.conftest import POSTGRES_SERVER
from tests.harness import free_port, offer_for, running_office, text_has
from tests.office import AYSE, HOT, MEHMET, SELIN, TOKEN, ZEYNEP, office
from webhooks.app import build_intake_app
from webhooks.server import intake_runner

START = datetime(2026, 3, 4, 8, 0, tzinfo=UTC)
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def unreachable(database_url: str) -> str:
    """*database_url*'s database where it cannot be: a closed port, a missing folder."""
    if database_url.startswith("postgresql"):
        return make_url(database_url).set(port=free_port()).render_as_string(
            hide_password=False)
    return database_url.replace("leadrelay.db", "missing/leadrelay.db")


async def test_a_lead_sent_while_the_database_is_unreachable_gets_503_with_retry_after(
    database_url: str, caplog: pytest.LogCaptureFixture,
) -> None:
    engine = create_engine(unreachable(database_url))
    relay = bootstrap(config=office(), clock=ManualClock(START),
                      uow_factory=sql_uow_factory(engine))
    runner = intake_runner(build_intake_app(lambda: relay))
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        async with aiohttp.ClientSession() as http, http.post(
                f"http://127.0.0.1:{port}/webhooks/leads", json=HOT, headers=AUTH) as reply:
            status, retry_after, body = reply.status, reply.headers.get("Retry-After"), \
                await reply.json()
    finally:
        await runner.cleanup()
        await engine.dispose()
    assert (status, retry_after) == (503, "30")
    assert "not stored" in body["error"]
    said = [r for r in caplog.records if r.name.startswith(("webhooks", "core"))]
    assert [(r.name, r.levelno, r.exc_info) for r in said] == [
        ("webhooks.app", logging.WARNING, None)], "one line, and no lead-by-lead retry"


@pytest.fixture
async def own_postgres() -> AsyncIterator[ScratchDatabase]:
    """A PostgreSQL database of this test's own, which it may close to sessions."""
    database = ScratchDatabase(POSTGRES_SERVER, label="outage")
    try:
        await database.create()
    except Exception as exc:  # asyncpg and the OS raise several unrelated types here
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL at {POSTGRES_SERVER} is unreachable: {exc!r}")
        pytest.skip(f"PostgreSQL at {POSTGRES_SERVER} is unreachable: {exc!r}")
    try:
        if not database.own_database:
            pytest.skip("the role may not create databases, so none can be closed to sessions")
        yield database
    finally:
        await database.drop()  # ends its sessions, closed to them or not


@pytest.mark.slow
async def test_while_postgresql_refuses_sessions_leads_and_commands_are_told_to_retry(
    own_postgres: ScratchDatabase, caplog: pytest.LogCaptureFixture,
) -> None:
    async with running_office(office(), own_postgres.url) as running:
        ayse = running[AYSE]
        await running.start_chats(AYSE, MEHMET, ZEYNEP, SELIN)
        before = await running.post_lead(HOT)
        await ayse.wait_for(offer_for(before))

        await own_postgres.let_in(allowed=False)
        try:
            url = f"http://127.0.0.1:{running.runtime.http_port}/webhooks/leads"
            async with running.session.post(url, json={**HOT, "phone": "+905329876543"},
                                             headers=AUTH) as reply:
                assert (reply.status, reply.headers.get("Retry-After")) == (503, "30")
            await ayse.send("/leads")
            await ayse.wait_for(text_has("cannot reach the office's records"))
        finally:
            await own_postgres.let_in(allowed=True)

        after = await running.post_lead({**HOT, "phone": "+905329876543"})
        assert after != before
    faces = [r for r in caplog.records if r.name.startswith(("webhooks", "bot.handlers"))]
    assert [r for r in faces if r.levelno >= logging.ERROR or r.exc_info] == []
    assert any("the database does not answer" in r.getMessage() for r in faces)
