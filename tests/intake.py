"""The intake server served as `leadrelay run` serves it, on a test database, and what it stored."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aiohttp
from aiohttp import web
from sqlalchemy import and_, exists, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.kit.hostile import Probe, Reply, send
from core.app import App
from core.clock import ManualClock
from core.config import OfficeConfig
from core.lifecycle.roster_import import sync_roster
from leadrelay.bootstrap import bootstrap, sql_uow_factory
from storage.db import create_engine
from storage.migrate import upgrade
from storage.tables import contacts, lead_events, leads
from tests.office import TOKEN, office
from webhooks.app import build_intake_app
from webhooks.server import intake_runner

START = datetime(2026, 3, 4, 8, 0, tzinfo=UTC)
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@dataclass(frozen=True)
class Stored:
    """How many leads and contacts the database holds."""

    leads: int
    contacts: int


class RunningIntake:
    """An intake server on a real database, with a client session and the office's clock."""

    def __init__(self, port: int, session: aiohttp.ClientSession, engine: AsyncEngine,
                 relay: App, clock: ManualClock) -> None:
        self.port, self.session, self.engine = port, session, engine
        self.relay, self.clock = relay, clock

    def url(self, path: str = "/webhooks/leads") -> str:
        """The address of *path* on this server."""
        return f"http://127.0.0.1:{self.port}{path}"

    async def post(self, *, headers: dict[str, str] | None = None,
                   **body: Any) -> tuple[int, dict[str, Any]]:
        """POST to the intake with aiohttp (json= or data=); the status and the JSON answer."""
        async with self.session.post(self.url(), headers=headers, **body) as response:
            return response.status, await response.json()

    async def send(self, probe: Probe, *, within: float = 10.0) -> Reply:
        """Send *probe* byte for byte on a connection of its own."""
        return await send(self.port, probe, within=within)

    async def stored(self) -> Stored:
        """The leads and contacts stored so far."""
        async with self.engine.connect() as conn:
            counted = [int((await conn.execute(select(func.count()).select_from(table)))
                           .scalar_one()) for table in (leads, contacts)]
        return Stored(*counted)

    async def whole(self, lead_id: int) -> bool:
        """Whether lead *lead_id* is stored with its contact and its `received` event."""
        async with self.engine.connect() as conn:
            found = await conn.execute(select(leads.c.id).where(
                leads.c.id == lead_id, _has_contact(), _was_received()))
            return found.first() is not None

    async def torn(self) -> list[int]:
        """Leads stored without their contact or without their `received` event."""
        async with self.engine.connect() as conn:
            rows = await conn.execute(select(leads.c.id).where(
                ~and_(_has_contact(), _was_received())))
            return [int(lead_id) for lead_id in rows.scalars()]

    async def lead(self, lead_id: int) -> dict[str, Any]:
        """Lead *lead_id*'s row."""
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(leads).where(leads.c.id == lead_id))).one()
            return dict(row._mapping)


def _has_contact() -> Any:
    return exists().where(contacts.c.id == leads.c.contact_id)


def _was_received() -> Any:
    return exists().where(lead_events.c.lead_id == leads.c.id, lead_events.c.kind == "received")


@asynccontextmanager
async def running_intake(database_url: str, *, config: OfficeConfig | None = None,
                         **options: Any) -> AsyncIterator[RunningIntake]:
    """The intake server on *database_url* for *config* (the test office by default).

    *options* go to build_intake_app. It is served as leadrelay's runtime serves it (an
    AppRunner, not aiohttp's TestServer, which cancels a handler whose sender went away).
    """
    engine = create_engine(database_url)
    await upgrade(engine)
    clock = ManualClock(START)
    relay = bootstrap(config=config or office(), clock=clock,
                      uow_factory=sql_uow_factory(engine))
    await relay.run(sync_roster)
    runner = intake_runner(build_intake_app(lambda: relay, **options))
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        async with aiohttp.ClientSession() as session:
            yield RunningIntake(int(runner.addresses[0][1]), session, engine, relay, clock)
    finally:
        await runner.cleanup()
        await relay.stop()
        await engine.dispose()
