"""`leadrelay import`, as an operator runs it: a process on a real SQLite file."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import yaml

from leadrelay.import_cli import Progress
from storage.db import create_engine
from storage.migrate import upgrade
from tests.office import office_data
from tests.test_import import FAIR
from tests.test_policy_cli import leadrelay


async def office_files(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """The test office's config file, and the environment of a migrated SQLite file."""
    database = tmp_path / "office.db"
    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    await upgrade(engine)
    await engine.dispose()
    config = tmp_path / "office.yaml"
    config.write_text(yaml.safe_dump(office_data(), allow_unicode=True), encoding="utf-8")
    return config, {"DATABASE_URL": f"sqlite+aiosqlite:///{database}"}


def snapshot(database: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(database) as conn:
        return [tuple(r) for table in ("contacts", "leads", "lead_events", "offers", "outbox")
                for r in conn.execute(f"SELECT * FROM {table}")]


async def test_a_dry_run_says_what_would_happen_and_changes_nothing(tmp_path: Path) -> None:
    config, env = await office_files(tmp_path)
    fair = tmp_path / "fuar.csv"
    fair.write_bytes(FAIR.encode("cp1254"))
    first = leadrelay("import", str(fair), "--source", "website", "--store-only", "--config",
                      str(config), cwd=tmp_path, env=env)
    assert first.returncode == 0, first.stderr
    before = snapshot(tmp_path / "office.db")
    assert before
    more = tmp_path / "more.csv"
    more.write_text("Telefon,Ad Soyad\n+90 532 111 22 33,Ayşe\n0536 777 88 99,Yeni\n",
                    encoding="utf-8")
    result = leadrelay("import", str(more), "--source", "website", "--dry-run", "--config",
                       str(config), cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "more.csv (CSV, UTF-8, \",\"), source 'website'",
        "rows read: 2",
        "new leads: 1",
        "merged into existing contacts: 1 (rows 2)",
        "rejected: 0",
        "(dry run: nothing was stored; the leads would be routed)",
    ]
    assert snapshot(tmp_path / "office.db") == before


async def test_an_import_reports_rows_by_number_and_stores_them_in_nurture(
        tmp_path: Path) -> None:
    config, env = await office_files(tmp_path)
    fair = tmp_path / "fuar.csv"
    fair.write_bytes(FAIR.encode("cp1254"))
    result = leadrelay("import", str(fair), "--source", "website", "--store-only",
                       "--config", str(config), cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "fuar.csv (CSV, Windows-1254, \";\"), source 'website'",
        "rows read: 11",
        "new leads: 5",
        "merged into existing contacts: 0",
        "duplicates in the file, not stored again: 3 (row 5 = row 2, row 8 = row 3, "
        "row 13 = row 7)",
        "rejected: 3",
        "  row 4: no phone or e-mail",
        "  row 10: phone: is not a valid phone number",
        "  row 12: no phone or e-mail",
        "stored in nurture, not routed: managers see them in /pending and give them out "
        "with /assign",
    ]
    with sqlite3.connect(tmp_path / "office.db") as conn:
        assert conn.execute("SELECT status, count(*) FROM leads GROUP BY status").fetchall() \
            == [("nurture", 5)]
        assert conn.execute("SELECT count(*) FROM lead_events WHERE kind = 'imported'"
                            ).fetchall() == [(5,)]


async def test_map_and_a_large_file_held_unless_route_is_given(tmp_path: Path) -> None:
    config, env = await office_files(tmp_path)
    crm = tmp_path / "crm.csv"
    crm.write_text("Müşteri;Müşteri Tel\n" + "".join(
        f"Kişi {n};0532 {n // 10000:03d} {n // 100 % 100:02d} {n % 100:02d}\n"
        for n in range(1200)),
        encoding="utf-8")
    refused = leadrelay("import", str(crm), "--source", "website", "--config", str(config),
                        cwd=tmp_path, env=env)
    assert refused.returncode == 2
    assert "no column is a phone or an e-mail" in refused.stderr
    assert "--map HEADER=phone" in refused.stderr
    result = leadrelay("import", str(crm), "--source", "website", "--map",
                       "Müşteri Tel=phone", "--config", str(config), cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert "new leads: 1200" in result.stdout
    assert "stored in nurture, not routed" in result.stdout
    with sqlite3.connect(tmp_path / "office.db") as conn:
        assert conn.execute("SELECT count(*) FROM leads WHERE status = 'nurture'"
                            ).fetchall() == [(1200,)]


async def test_an_unknown_source_or_an_unreadable_file_ends_with_a_plain_message(
        tmp_path: Path) -> None:
    config, env = await office_files(tmp_path)
    sheet = tmp_path / "a.csv"
    sheet.write_text("phone\n05321112233\n", encoding="utf-8")
    result = leadrelay("import", str(sheet), "--source", "fair", "--config", str(config),
                       cwd=tmp_path, env=env)
    assert result.returncode == 2
    assert result.stderr.strip() == (f"leadrelay: {sheet}: no source is called 'fair'; use "
                                     "one of website, import")
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0" + bytes(100))
    result = leadrelay("import", str(old), "--source", "website", "--config", str(config),
                       cwd=tmp_path, env=env)
    assert result.returncode == 2
    assert "old Excel .xls file: save it as .xlsx or CSV" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_progress_line_comes_every_ten_thousand_rows_off_a_terminal() -> None:
    out = io.StringIO()
    progress = Progress(out)
    for rows in range(500, 25_001, 500):
        progress(rows)
    progress.done()
    lines = out.getvalue().splitlines()
    assert [line.split(" rows read")[0] for line in lines] == [
        "importing: 10,000", "importing: 20,000"]
