"""`leadrelay export`, as an operator runs it: a process on a real SQLite file, streaming the
CSV to a file, to standard output or into a zip, each export logged and listed."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest

from storage.db import create_engine
from storage.uow import SqlUnitOfWork
from tests.test_export import NOVEMBER, november, read_back, store
from tests.test_import_cli import office_files
from tests.test_policy_cli import leadrelay

pytestmark = pytest.mark.slow  # each export runs leadrelay as a process


async def seeded(tmp_path: Path) -> tuple[Path, dict[str, str], list[int]]:
    """The office's config, the environment of its database, and November's leads' ids
    stored in it."""
    config, env = await office_files(tmp_path)
    engine = create_engine(env["DATABASE_URL"])
    try:
        ids = await store(SqlUnitOfWork(engine), november())
    finally:
        await engine.dispose()
    return config, env, ids


async def test_an_export_streams_to_a_file_only_its_owner_reads_and_is_listed(
        tmp_path: Path) -> None:
    config, env, (won, hostile, last, _, _, earlier) = await seeded(tmp_path)
    result = leadrelay("export", "--period", NOVEMBER, "--lang", "tr", "--out", "leads.csv",
                       "--config", str(config), cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    written = tmp_path / "leads.csv"
    assert written.stat().st_mode & 0o777 == 0o600
    rows = read_back(written.read_bytes(), ";")
    assert [r[0] for r in rows[1:]] == [str(earlier), str(won), str(hostile), str(last)]
    assert ("leadrelay: 4 leads received 2026-11-01 00:00 – 2026-12-01 00:00 written to "
            f"leads.csv ({written.stat().st_size / 1024:.1f} KB of CSV)") in result.stderr
    assert "leads exported" in result.stderr  # the log line, without anyone's data:
    assert "Deniz" not in result.stderr
    assert "5321234567" not in result.stderr

    again = leadrelay("export", "--period", NOVEMBER, "--lang", "en", "--config", str(config),
                      cwd=tmp_path, env=env)
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("\ufeffLead,Received,")
    assert len(list(csv.reader(io.StringIO(again.stdout[1:])))) == 5

    listed = leadrelay("export", "--list", "--config", str(config), cwd=tmp_path, env=env)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert len(lines) == 2
    assert all("  cli   " in line and "2026-11-01 00:00 – 2026-12-01 00:00  4 leads" in line
               for line in lines)


async def test_a_zipped_export_holds_the_csv_and_a_wrong_period_is_refused(
        tmp_path: Path) -> None:
    config, env, _ = await seeded(tmp_path)
    result = leadrelay("export", "--period", NOVEMBER, "--zip", "--out", "leads.zip",
                       "--config", str(config), cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(tmp_path / "leads.zip") as archive:
        [entry] = archive.infolist()
        assert entry.filename == "leads.csv"
        assert len(read_back(archive.read(entry), ",")) == 5  # the office writes English

    wrong = leadrelay("export", "--period", "forever", "--config", str(config), cwd=tmp_path,
                      env=env)
    assert wrong.returncode == 2
    assert "--period forever: must be today, 7d" in wrong.stderr
    listed = leadrelay("export", "--list", "--config", str(config), cwd=tmp_path, env=env)
    assert len(listed.stdout.splitlines()) == 1
