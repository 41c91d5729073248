"""The SQLite file holds every lead's phone, e-mail and message: only its owner may read it."""

from __future__ import annotations

import stat
from pathlib import Path

from sqlalchemy import text

from storage.db import create_engine
from tests.test_cli import BOT_TOKEN, clean_env, run_cli


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_fresh_migrate_leaves_the_database_file_readable_by_its_owner_only(
    tmp_path: Path,
) -> None:
    database = tmp_path / "leadrelay.db"
    result = run_cli(["migrate"], tmp_path, clean_env(
        TELEGRAM_BOT_TOKEN=BOT_TOKEN, DATABASE_URL=f"sqlite+aiosqlite:///{database}"))
    assert result.returncode == 0, result.stderr
    assert oct(mode(database)) == oct(0o600)


async def test_the_write_ahead_log_beside_a_new_database_is_readable_by_its_owner_only(
    tmp_path: Path,
) -> None:
    database = tmp_path / "leads.db"
    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE t (x INTEGER)"))
            await conn.execute(text("INSERT INTO t VALUES (1)"))
            # While a connection is open in WAL mode, SQLite keeps its -wal and -shm files.
            files = [database, database.with_name("leads.db-wal"),
                     database.with_name("leads.db-shm")]
            assert {path.name: oct(mode(path)) for path in files} == {
                path.name: oct(0o600) for path in files}
    finally:
        await engine.dispose()


def test_an_existing_database_file_keeps_the_mode_its_operator_gave_it(tmp_path: Path) -> None:
    database = tmp_path / "leadrelay.db"
    env = clean_env(TELEGRAM_BOT_TOKEN=BOT_TOKEN, DATABASE_URL=f"sqlite+aiosqlite:///{database}")
    assert run_cli(["migrate"], tmp_path, env).returncode == 0
    database.chmod(0o640)  # say, a backup group may read it
    result = run_cli(["migrate"], tmp_path, env)
    assert result.returncode == 0, result.stderr
    assert oct(mode(database)) == oct(0o640)
