"""Which roster is in force: leadrelay.yaml's until the roster is edited in chat, then the
database's — at start-up, at /reload, in `policy check`, and through `agents export/import`."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
import yaml

from core.config import AgentConfig, OfficeConfig
from core.lifecycle.roster_import import replace_roster, sync_roster
from core.roster import roster_in_force
from leadrelay.bootstrap import bootstrap, sql_uow_factory
from leadrelay.clock import SystemClock
from leadrelay.office import load_office
from storage.db import create_engine
from storage.migrate import upgrade
from tests.harness import offer_for, running_office, text_has
from tests.office import AYSE, HOT, MEHMET, SELIN, ZEYNEP, office_data
from tests.test_policy_cli import leadrelay


def write(path: Path, data: object) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


async def _started(office_file: Path, database: Path) -> None:
    """A database as the first start leaves it: migrated, the roster seeded from the file."""
    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    try:
        await upgrade(engine)
        relay = bootstrap(config=load_office(office_file), clock=SystemClock(),
                          uow_factory=sql_uow_factory(engine))
        await relay.run(sync_roster)
    finally:
        await engine.dispose()


def _names(database: Path) -> list[tuple[str, bool]]:
    with sqlite3.connect(database) as conn:
        return list(conn.execute("SELECT name, active FROM agents ORDER BY position"))


def test_export_writes_the_roster_in_force_and_import_replaces_it_after_a_diff(
    tmp_path: Path,
) -> None:
    office_file = write(tmp_path / "office.yaml", office_data())
    database = tmp_path / "office.db"
    asyncio.run(_started(office_file, database))
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{database}"}
    exported = leadrelay("agents", "export", "--config", str(office_file), cwd=tmp_path, env=env)
    assert exported.returncode == 0, exported.stderr
    assert "leadrelay.yaml's agents" in exported.stdout.splitlines()[0]
    roster = yaml.safe_load(exported.stdout)["agents"]
    assert [p["name"] for p in roster] == ["Ayşe", "Mehmet", "Zeynep", "Can", "Selin"]
    roster[0]["capacity"] = 4
    roster = [p for p in roster if p["name"] != "Zeynep"]
    roster.append({"telegram_id": 1010, "name": "Elif", "territories": ["Bursa"]})
    new_file = write(tmp_path / "team.yaml", {"agents": roster})

    refused = leadrelay("agents", "import", str(new_file), "--config", str(office_file),
                        cwd=tmp_path, env=env)
    assert refused.returncode == 2
    assert "run again with --yes" in refused.stderr
    assert ("Elif", 1) not in _names(database)

    done = leadrelay("agents", "import", str(new_file), "--yes", "--config", str(office_file),
                     cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    assert "  ~ Ayşe: capacity none → 4" in done.stdout.splitlines()
    assert "  + Elif (agent, 1010)" in done.stdout.splitlines()
    assert "  - Zeynep (becomes inactive)" in done.stdout.splitlines()
    assert set(_names(database)) == {("Ayşe", 1), ("Mehmet", 1), ("Can", 1), ("Selin", 1),
                                     ("Elif", 1), ("Zeynep", 0)}

    again = leadrelay("agents", "export", "--config", str(office_file), cwd=tmp_path, env=env)
    assert "edited in chat" in again.stdout.splitlines()[0]
    assert {"telegram_id": 1010, "name": "Elif", "role": "agent",
            "territories": ["Bursa"]} in yaml.safe_load(again.stdout)["agents"]


def test_an_import_that_leaves_no_manager_is_refused_with_its_file_and_changes_nothing(
    tmp_path: Path,
) -> None:
    office_file = write(tmp_path / "office.yaml", office_data())
    database = tmp_path / "office.db"
    asyncio.run(_started(office_file, database))
    before = _names(database)
    new_file = write(tmp_path / "team.yaml", [{"telegram_id": AYSE, "name": "Ayşe"}])
    result = leadrelay("agents", "import", str(new_file), "--yes", "--config", str(office_file),
                       cwd=tmp_path, env={"DATABASE_URL": f"sqlite+aiosqlite:///{database}"})
    assert result.returncode == 2
    assert (f"{new_file}: agents: at least one active manager is needed: escalations go to "
            "managers") in result.stderr
    assert _names(database) == before


def test_policy_check_reads_the_roster_edited_in_chat(tmp_path: Path) -> None:
    data = office_data()
    office_file = write(tmp_path / "office.yaml", data)
    database = tmp_path / "office.db"
    asyncio.run(_started(office_file, database))
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{database}"}
    roster = [*data["agents"], {"telegram_id": 1010, "name": "Elif"}]  # type: ignore[misc]
    write(tmp_path / "team.yaml", {"agents": roster})
    assert leadrelay("agents", "import", "team.yaml", "--yes", "--config", str(office_file),
                     cwd=tmp_path, env=env).returncode == 0
    # A rule naming someone only the roster edited in chat has: valid, read as start-up reads.
    data["routing"] = {"rules": [{"name": "elif", "pool": {"agents": ["Elif"]},
                                  "fallback": "managers"}]}
    write(office_file, data)
    result = leadrelay("policy", "check", "--config", str(office_file), cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert "5 agent(s), 1 manager(s)" in result.stdout
    assert "(the roster is the one edited in chat, 6 people" in result.stdout
    for command in (("intake", "failures"), ("contact", "export", "+905321234567")):
        other = leadrelay(*command, cwd=tmp_path,
                          env={**env, "LEADRELAY_CONFIG": str(office_file)})
        assert "who is not on the roster" not in other.stderr, (command, other.stderr)
    without = leadrelay("policy", "check", "--config", str(office_file), cwd=tmp_path,
                        env={"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'none.db'}"})
    assert without.returncode == 2
    assert "names 'Elif', who is not on the roster" in without.stderr
    assert not (tmp_path / "none.db").exists()


@pytest.mark.slow  # a whole leadrelay runs: see README, Tests
async def test_a_roster_edited_in_chat_survives_a_reload_and_a_restart(tmp_path: Path) -> None:
    data = office_data()
    path = write(tmp_path / "office.yaml", data)
    database = f"sqlite+aiosqlite:///{tmp_path / 'office.db'}"
    people = [AgentConfig.model_validate(p) for p in data["agents"]]  # type: ignore[attr-defined]
    people[0] = people[0].model_copy(update={"away": True})  # Ayşe away, edited in chat
    async with running_office(OfficeConfig.model_validate(data), database,
                              config_path=path) as running:
        await running.start_chats(AYSE, MEHMET, ZEYNEP, SELIN)
        await running.runtime.app.run(replace_roster, people=people)
        await running[SELIN].send("/reload")  # the file still says Ayşe is in
        await running[SELIN].wait_for(text_has("Config reloaded"))
        lead_id = await running.post_lead(HOT)
        await running[MEHMET].wait_for(offer_for(lead_id))
        stored = await running.runtime.app.run(roster_in_force)
        assert stored is not None
        assert stored[0].away
    async with running_office(OfficeConfig.model_validate(data), database,
                              config_path=path) as running:
        stored = await running.runtime.app.run(roster_in_force)
        assert stored is not None
        assert (stored[0].name, stored[0].away) == ("Ayşe", True)
        assert next(a for a in running.runtime.config.agents if a.telegram_id == AYSE).away
