"""The year bench/stats.py seeds, at a small size: the rows it says it wrote are there, read
by leadrelay as it reads its own, and the funnel narrows step by step."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from bench.kit.database import engine_at
from bench.kit.year_office import AGENT_IDS, MANAGER_IDS
from bench.kit.year_seed import FixedClock, office_of, seed_year
from core.queries import office_stats
from leadrelay.bootstrap import bootstrap, sql_uow_factory
from storage.tables import lead_events, leads, offers

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


async def test_a_small_year_is_seeded_whole_and_its_funnel_narrows(
        database_url: str, tmp_path: Path) -> None:
    seeded = await seed_year(database_url, tmp_path, leads=2000, now=NOW, say=lambda _: None)

    assert seeded.rows["leads"] == 2000
    async with engine_at(database_url) as engine, engine.connect() as conn:
        for table, written in seeded.rows.items():
            found = (await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one()
            assert found == written, table
        first, last = (await conn.execute(
            select(func.min(leads.c.received_at), func.max(leads.c.received_at)))).one()
        assert NOW - timedelta(days=366) < first < last < NOW

        reached = {stage: (await conn.execute(
            select(func.count(lead_events.c.lead_id.distinct()))
            .where(lead_events.c.kind == "stage",
                   lead_events.c.data["to"].as_string() == stage))).scalar_one()
            for stage in ("appointment", "offer", "won")}
        accepted = (await conn.execute(select(func.count(leads.c.accepted_at)))).scalar_one()
        contacted = (await conn.execute(select(func.count(leads.c.contacted_at)))).scalar_one()
        funnel = [2000, accepted, contacted, reached["appointment"], reached["offer"],
                  reached["won"]]
        assert funnel == sorted(funnel, reverse=True), funnel
        assert funnel[-1] > 0, funnel
        won = (await conn.execute(select(func.count(), func.min(leads.c.amount))
                                  .where(leads.c.stage == "won"))).one()
        assert won[0] == reached["won"]
        assert won[1] > 0
        amounts = (await conn.execute(select(leads.c.amount).where(
            leads.c.amount.is_not(None)))).scalars().all()
        assert all(type(amount) is int for amount in amounts)  # BIGINT, not REAL
        late = (await conn.execute(select(func.count()).where(
            leads.c.accepted_at < leads.c.received_at))).scalar_one()
        assert late == 0
        most = (await conn.execute(select(func.max(offers.c.sequence)))).scalar_one()
        assert 1 <= most <= 4

        month = (await conn.execute(select(func.count()).where(
            leads.c.received_at >= NOW - timedelta(days=30)))).scalar_one()
    async with engine_at(database_url) as engine:
        app = bootstrap(config=office_of(NOW, tmp_path), clock=FixedClock(NOW),
                        uow_factory=sql_uow_factory(engine))
        stats = await app.run(office_stats, manager_id=MANAGER_IDS[0], period="30d")
    assert 0 < stats.leads_in == month
    assert {agent.telegram_id for agent, _ in stats.per_agent} <= set(AGENT_IDS)


@pytest.mark.slow
def test_the_stats_bench_measures_every_figure_built_on_a_small_year(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, str(root / "bench" / "stats.py"), "--leads", "1500", "--runs", "1",
         "--database", f"sqlite+aiosqlite:///{tmp_path / 'year.db'}"],
        capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "measured  : /stats 30d (office_stats, before issue 19): median" in done.stdout
    assert (tmp_path / "year.json").exists()  # measured again as it is by naming the file
