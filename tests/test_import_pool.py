"""`leadrelay import --route`: the leads wait in the import pool and go out at the pace the
team can take, and an imported lead's first call is due in business days, not minutes; on a
real database (SQLite and PostgreSQL) with a manual clock."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from core.app import App
from core.clock import ManualClock
from core.lifecycle.answers import accept_offer
from core.lifecycle.import_pool import release_pooled
from core.lifecycle.imports import import_sheet
from core.model import TaskKind
from core.queries import waiting_leads
from integrations.spreadsheet import FileSpreadsheets
from leadrelay.bootstrap import bootstrap, sql_uow_factory
from storage.uow import SqlUnitOfWork
from tests.office import SELIN, linked, office

MONDAY_NOON = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # 12:00 in Istanbul
FRIDAY_TEN = datetime(2026, 3, 6, 7, 0, tzinfo=UTC)  # 10:00 in Istanbul
TEAM = [201, 202, 203, 204]
AGENTS = [*({"telegram_id": n, "name": f"Agent {n}"} for n in TEAM),
          {"telegram_id": SELIN, "name": "Selin", "role": "manager"}]


async def office_with_four(engine: AsyncEngine, clock: ManualClock) -> App:
    app = bootstrap(config=office(agents=AGENTS), clock=clock,
                    uow_factory=sql_uow_factory(engine))
    return await linked(app, [*TEAM, SELIN])


async def import_rows(app: App, tmp_path: Path, count: int) -> None:
    path = tmp_path / "fuar.csv"
    path.write_text("Ad Soyad;Telefon\n" + "".join(
        f"Kişi {n};0532{n:07d}\n" for n in range(count)), encoding="utf-8")
    sheet = FileSpreadsheets().open(str(path))
    try:
        report = await app.run_in_turns(import_sheet, sheet=sheet, source="website",
                                        route=True, label=path.name)
    finally:
        sheet.close()
    assert (report.new, report.held) == (count, False)


async def scalar(engine: AsyncEngine, sql: str) -> Any:
    async with engine.connect() as conn:
        return (await conn.execute(text(sql))).scalar()


async def released_and_offered(app: App, engine: AsyncEngine) -> tuple[int, int]:
    release = await app.run(release_pooled)
    await app.route_new_leads()
    return len(release.released), await scalar(engine, "SELECT count(*) FROM offers")


async def test_two_hundred_imported_leads_go_out_twenty_an_hour_to_four_agents_and_none_at_night(
        engine: AsyncEngine, tmp_path: Path) -> None:
    clock = ManualClock(MONDAY_NOON)
    app = await office_with_four(engine, clock)
    await import_rows(app, tmp_path, 200)
    assert await scalar(engine, "SELECT count(*) FROM leads WHERE status = 'queued'") == 200
    await app.route_new_leads()  # routing does not see the pool
    assert await scalar(engine, "SELECT count(*) FROM offers") == 0
    assert await released_and_offered(app, engine) == (20, 20)
    clock.advance(timedelta(minutes=59))
    assert await released_and_offered(app, engine) == (0, 20)  # the hour's share is out
    clock.advance(timedelta(minutes=1))
    assert await released_and_offered(app, engine) == (20, 40)
    clock.advance(MONDAY_NOON.replace(hour=17) - clock.now())  # 20:00 in Istanbul: closed
    release = await app.run(release_pooled)
    assert release.released == []
    assert release.again_at == datetime(2026, 3, 3, 6, 0, tzinfo=UTC)  # 09:00 on Tuesday
    assert await scalar(engine, "SELECT count(*) FROM leads WHERE status = 'queued'") == 160
    # The oldest go first: the file's order.
    assert await scalar(engine, "SELECT max(id) - min(id) FROM leads WHERE status <> 'queued'"
                        ) == 39


async def test_pending_shows_the_pool_its_file_and_when_the_last_goes_out(
        engine: AsyncEngine, tmp_path: Path) -> None:
    clock = ManualClock(MONDAY_NOON)
    app = await office_with_four(engine, clock)
    await import_rows(app, tmp_path, 200)
    await released_and_offered(app, engine)
    waiting = await app.run(waiting_leads, manager_id=SELIN)
    assert waiting.pool is not None
    assert (waiting.pool.total, waiting.pool.per_hour) == (180, 20)
    assert [(g.source, g.file, g.count) for g in waiting.pool.groups] == [
        ("website", "fuar.csv", 180)]
    # Nine more hours of business time: 12:00 + 7 h closes Monday at 19:00, Tuesday 11:00.
    assert waiting.pool.last_out == datetime(2026, 3, 3, 8, 0, tzinfo=UTC)


async def test_an_accepted_imported_lead_gets_its_first_call_due_three_business_days_later(
        engine: AsyncEngine, tmp_path: Path) -> None:
    clock = ManualClock(FRIDAY_TEN)
    app = await office_with_four(engine, clock)
    await import_rows(app, tmp_path, 1)
    await released_and_offered(app, engine)
    async with engine.connect() as conn:
        offer = (await conn.execute(text(
            "SELECT id, agent_id, token, lead_id FROM offers"))).one()
    await app.run(accept_offer, agent_id=offer.agent_id, offer_id=offer.id, token=offer.token)
    async with SqlUnitOfWork(engine) as uow:
        tasks = await uow.tasks.open_for([offer.lead_id])
    first = [t for t in tasks if t.kind is TaskKind.FIRST_CONTACT]
    # Working days are Monday to Saturday (work.hours, 09:00-19:00): Friday 10:00 plus
    # three days of open hours is Tuesday 10:00, the Sunday skipped.
    assert [t.due_at for t in first] == [datetime(2026, 3, 10, 7, 0, tzinfo=UTC)]
    assert TaskKind.FIRST_CONTACT.shown
    # Not taken back by the 72-hour no-contact rule before the call is due.
    reclaim = [t for t in tasks if t.kind is TaskKind.RECLAIM]
    assert all(t.due_at >= first[0].due_at for t in reclaim)


async def test_two_sweeps_racing_release_exactly_the_hours_share(
        engine: AsyncEngine, tmp_path: Path) -> None:
    clock = ManualClock(MONDAY_NOON)
    app = await office_with_four(engine, clock)
    await import_rows(app, tmp_path, 200)
    other = bootstrap(config=office(agents=AGENTS), clock=clock,
                      uow_factory=sql_uow_factory(engine))
    releases = await asyncio.gather(*(relay.run(release_pooled)
                                       for relay in (app, other, app, other)))
    assert sum(len(r.released) for r in releases) == 20
    assert await scalar(engine, "SELECT count(*) FROM leads WHERE status = 'new'") == 20
