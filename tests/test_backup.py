"""`leadrelay backup DEST`, run as a real process against a real, live SQLite database."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import AsyncIterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from core.lifecycle.roster_import import sync_roster
from leadrelay.bootstrap import bootstrap, sql_uow_factory
from leadrelay.clock import SystemClock
from storage.db import create_engine
from storage.migrate import upgrade
from tests.office import HOT, TOKEN, office
from tests.test_cli import clean_env, run_cli

LEADS = 5


@dataclass
class Live:
    """A migrated database with leads, its engine still open (so they sit in the WAL)."""

    path: Path
    engine: AsyncEngine

    @property
    def env(self) -> dict[str, str]:
        return clean_env(DATABASE_URL=f"sqlite+aiosqlite:///{self.path}")


@pytest.fixture
async def live(tmp_path: Path) -> AsyncIterator[Live]:
    path = tmp_path / "live" / "leadrelay.db"
    path.parent.mkdir()
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    try:
        await upgrade(engine)
        relay = bootstrap(config=office(), clock=SystemClock(),
                          uow_factory=sql_uow_factory(engine))
        await relay.run(sync_roster)
        for n in range(LEADS):
            await relay.receive_lead(source_token=TOKEN,
                                     payload={**HOT, "phone": f"+90532123450{n}"})
        yield Live(path, engine)
    finally:
        await engine.dispose()


def rows(database: Path, sql: str) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(database)) as conn:
        return conn.execute(sql).fetchall()


def test_the_backup_has_every_lead_and_passes_integrity_check(
    tmp_path: Path, live: Live,
) -> None:
    dest = tmp_path / "copy.db"
    result = run_cli(["backup", str(dest)], tmp_path, live.env)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.splitlines() == [
        f"backed up {live.path} to {dest}: {dest.stat().st_size} bytes, {LEADS} leads, "
        "integrity ok"]
    everything = "SELECT * FROM leads ORDER BY id"
    assert len(rows(dest, everything)) == LEADS
    assert rows(dest, everything) == rows(live.path, everything)
    assert rows(dest, "PRAGMA integrity_check") == [("ok",)]
    assert rows(dest, "PRAGMA journal_mode") == [("delete",)], "one self-contained file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.db", "live"], "no leftovers"


def test_a_backup_taken_while_another_connection_writes_is_a_consistent_snapshot(
    tmp_path: Path, live: Live,
) -> None:
    with closing(sqlite3.connect(live.path, isolation_level=None)) as conn:
        conn.execute("CREATE TABLE probe (id INTEGER PRIMARY KEY, payload BLOB NOT NULL)")
        conn.execute("CREATE TABLE probe_total (n INTEGER NOT NULL)")
        conn.execute("INSERT INTO probe_total VALUES (0)")
    committed = [0]
    errors: list[BaseException] = []
    stop = threading.Event()

    def write() -> None:
        # Each transaction adds a row and bumps the total: a torn copy would disagree.
        try:
            with closing(sqlite3.connect(live.path, isolation_level=None, timeout=10)) as conn:
                conn.execute("PRAGMA wal_autocheckpoint=0")  # its rows stay in the WAL
                while not stop.is_set():
                    conn.execute("BEGIN IMMEDIATE")
                    conn.execute("INSERT INTO probe (payload) VALUES (randomblob(2048))")
                    conn.execute("UPDATE probe_total SET n = n + 1")
                    conn.execute("COMMIT")
                    committed[0] += 1
                    time.sleep(0.0005)
        except BaseException as exc:
            errors.append(exc)

    writer = threading.Thread(target=write, name="writer")
    writer.start()
    try:
        while committed[0] < 50 and writer.is_alive():
            time.sleep(0.01)
        before = committed[0]
        dest = tmp_path / "copy.db"
        result = run_cli(["backup", str(dest)], tmp_path, live.env)
        after = committed[0]
    finally:
        stop.set()
        writer.join(timeout=30)
    assert not errors, errors
    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith(f", {LEADS} leads, integrity ok\n")
    [(copied, total)] = rows(dest, "SELECT (SELECT count(*) FROM probe), n FROM probe_total")
    assert copied == total, "the copy is one moment of the database, not a torn mix"
    assert before <= copied <= after
    assert after > before, "the writer kept writing while the backup ran"
    assert rows(dest, "PRAGMA integrity_check") == [("ok",)]


def test_an_existing_destination_is_refused_without_force_and_replaced_with_it(
    tmp_path: Path, live: Live,
) -> None:
    dest = tmp_path / "copy.db"
    dest.write_bytes(b"yesterday's backup")
    result = run_cli(["backup", str(dest)], tmp_path, live.env)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"leadrelay: {dest} already exists (use --force to overwrite it)"]
    assert result.stdout == ""
    assert dest.read_bytes() == b"yesterday's backup"

    result = run_cli(["backup", "--force", str(dest)], tmp_path, live.env)
    assert result.returncode == 0, result.stderr
    assert rows(dest, "SELECT count(*) FROM leads") == [(LEADS,)]


def test_a_missing_source_database_gives_one_clear_line_and_creates_nothing(
    tmp_path: Path,
) -> None:
    missing = tmp_path / "nowhere.db"
    dest = tmp_path / "copy.db"
    env = clean_env(DATABASE_URL=f"sqlite+aiosqlite:///{missing}")
    result = run_cli(["backup", str(dest)], tmp_path, env)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"leadrelay: no database at {missing} (check DATABASE_URL)"]
    assert result.stdout == ""
    assert list(tmp_path.iterdir()) == []


def test_a_destination_in_a_missing_directory_gives_one_clear_line(
    tmp_path: Path, live: Live,
) -> None:
    dest = tmp_path / "no-such-dir" / "copy.db"
    result = run_cli(["backup", str(dest)], tmp_path, live.env)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"leadrelay: cannot write {dest}: directory {dest.parent} does not exist"]
    assert not dest.parent.exists()


def test_a_source_that_is_not_a_database_gives_one_line_and_leaves_no_partial_copy(
    tmp_path: Path,
) -> None:
    source = tmp_path / "notes.txt"
    source.write_text("this is not SQLite, just a long enough text file. " * 20)
    dest = tmp_path / "out" / "copy.db"
    dest.parent.mkdir()
    env = clean_env(DATABASE_URL=f"sqlite+aiosqlite:///{source}")
    result = run_cli(["backup", str(dest)], tmp_path, env)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"leadrelay: cannot back up {source}: file is not a database"]
    assert list(dest.parent.iterdir()) == []


def test_a_postgresql_url_prints_the_pg_dump_command_without_the_password(
    tmp_path: Path,
) -> None:
    dest = tmp_path / "leadrelay.dump"
    env = clean_env(
        DATABASE_URL="postgresql+asyncpg://relay:s3cr%40t-pass@db.internal:6432/leadrelay")
    result = run_cli(["backup", str(dest)], tmp_path, env)
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("leadrelay: ")
    assert (f"pg_dump --format=custom --host=db.internal --port=6432 --username=relay "
            f"--dbname=leadrelay --file={dest}") in line
    assert "s3cr" not in result.stderr + result.stdout
    assert "t-pass" not in result.stderr + result.stdout
    assert not dest.exists()


def test_a_bad_database_url_is_named_in_one_line(tmp_path: Path) -> None:
    env = clean_env(DATABASE_URL=f"sqlite:///{tmp_path}/x.db")
    result = run_cli(["backup", str(tmp_path / "copy.db")], tmp_path, env)
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("leadrelay: setting DATABASE_URL ")
