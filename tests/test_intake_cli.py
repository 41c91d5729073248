"""`leadrelay intake failures` and `intake replay`, as an operator runs them."""

from __future__ import annotations

import asyncio
from pathlib import Path

import yaml
from sqlalchemy import select

from storage.tables import failed_intake, leads
from tests.intake import AUTH, START, running_intake
from tests.office import HOT, office_data
from tests.test_policy_cli import leadrelay

PHONE = HOT["phone"]
NEW_TOKEN = "landing-page-token-0123456789"


async def refused_posts(url: str) -> None:
    """A form post with a token the office does not know yet, and one without a phone."""
    async with running_intake(url) as intake:
        form = {"token": NEW_TOKEN, "phone": PHONE, "name": "Deniz Kaya"}
        assert (await intake.post(data=form))[0] == 401
        assert (await intake.post(json={"name": "Nobody"}, headers=AUTH))[0] == 422


async def rows(url: str) -> list[dict[str, object]]:
    from storage.db import create_engine

    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            found = await conn.execute(select(failed_intake).order_by(failed_intake.c.id))
            kept = [dict(row._mapping) for row in found]
            for row in kept:
                if row["lead_id"] is not None:
                    lead = (await conn.execute(select(leads.c.received_at, leads.c.source)
                                               .where(leads.c.id == row["lead_id"]))).one()
                    row["lead"] = (lead.received_at, lead.source)
            return kept
    finally:
        await engine.dispose()


def test_failures_are_listed_and_replayed_after_the_config_is_fixed(tmp_path: Path) -> None:
    database = tmp_path / "office.db"
    url = f"sqlite+aiosqlite:///{database}"
    asyncio.run(refused_posts(url))
    data = office_data()
    config = tmp_path / "leadrelay.yaml"
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    env = {"DATABASE_URL": url, "LEADRELAY_CONFIG": str(config)}

    listed = leadrelay("intake", "failures", cwd=tmp_path, env=env)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert [line.split("\t")[3] for line in lines] == ["invalid", "unauthenticated"]
    assert PHONE not in listed.stdout
    assert NEW_TOKEN not in listed.stdout
    assert leadrelay("intake", "failures", "--source", "website", cwd=tmp_path,
                     env=env).stdout.count("\n") == 1

    rows_id = asyncio.run(rows(url))[0]["id"]
    # Before the fix the unknown token still fails, says why, and stays.
    before = leadrelay("intake", "replay", str(rows_id), cwd=tmp_path, env=env)
    assert before.returncode == 1
    assert "still fails" in before.stdout

    data["sources"].append({"name": "landing", "token": NEW_TOKEN})  # type: ignore[attr-defined]
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    after = leadrelay("intake", "replay", "--all", cwd=tmp_path, env=env)
    assert after.returncode == 1, after.stderr  # the post without a phone still fails
    assert f"#{rows_id}: lead #" in after.stdout
    assert "still fails" in after.stdout
    replayed, refused = asyncio.run(rows(url))
    assert replayed["replayed_at"] is not None
    assert replayed["lead"] == (START, "landing")
    assert refused["replayed_at"] is None

    again = leadrelay("intake", "replay", str(rows_id), cwd=tmp_path, env=env)
    assert "already replayed" in again.stdout
