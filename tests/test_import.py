"""`leadrelay import`'s work: files read as an office saves them, rows taken in on intake's
path, on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from core.app import App
from core.clock import ManualClock
from core.errors import UnknownSource
from core.import_columns import BadColumnMap, NoContactColumn, plan_columns
from core.lifecycle.imports import ImportReport, import_sheet
from core.ports.spreadsheet import UnreadableSheet
from integrations.spreadsheet import FileSpreadsheets
from leadrelay.bootstrap import bootstrap, sql_uow_factory
from storage.tables import leads
from tests.office import TOKEN, office

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

# A fair's list as Excel on a Turkish Windows saves it: Windows-1254, `;`, CRLF.
FAIR = "\r\n".join([
    "Adı;Soyadı;Cep Tel;E-Posta;İl;İlçe;Bütçe;Not;Sektör",
    "Ayşe;Yılmaz;0532 111 22 33;;İstanbul;Kadıköy;3-5 milyon;\"Deniz manzarası; acil\";Emlak",
    "Çağrı;Öztürk;+90 533 222 33 44;cagri@example.com;Bursa;;2.500.000;;",
    "Şükrü;Ünal;;;İzmir;;;aranmak istemiyor;",
    "Ayşe;Y.;532 111 22 33;;;;;tekrar geldi;",
    "İpek;Işık;05441234567;ipek@example.com;İzmir;Karşıyaka;4,5 milyon;;Sağlık",
    "Ömer;Güneş;;OMER@example.com;;;;;",
    "Ç.;Öztürk;0 533 222 3344;;;;;;",
    ";;;;;;;;",
    "Nobody;;12;;;;;;",
    "Selin;Ak;+90 (535) 444-55-66;;;;;;",
    ";;;;Ankara;;;sadece şehir;",
    "Kemal;Omer;;omer@EXAMPLE.com;;;;;",
])


def app_on(engine: AsyncEngine, **changes: object) -> App:
    return bootstrap(config=office(**changes), clock=ManualClock(START),
                     uow_factory=sql_uow_factory(engine))


async def imported(app: App, path: Path, **options: Any) -> ImportReport:
    sheet = FileSpreadsheets().open(str(path))
    try:
        return await app.run_in_turns(import_sheet, sheet=sheet, label=path.name,
                                      **{"source": "website", **options})
    finally:
        sheet.close()


async def rows(engine: AsyncEngine, sql: str) -> list[tuple[Any, ...]]:
    async with engine.connect() as conn:
        return [tuple(r) for r in await conn.execute(text(sql))]


async def test_a_turkish_windows_1254_file_with_semicolons_is_taken_in_row_by_row(
        engine: AsyncEngine, tmp_path: Path) -> None:
    path = tmp_path / "fuar.csv"
    path.write_bytes(FAIR.encode("cp1254"))
    report = await imported(app_on(engine), path, route=False)
    assert (report.rows, report.new, report.merged, report.duplicates, report.rejected) == (
        11, 5, 0, 3, 3)
    assert report.duplicate_rows == [(5, 2), (8, 3), (13, 7)]
    assert report.rejected_rows == [(4, "no phone or e-mail"),
                                    (10, "phone: is not a valid phone number"),
                                    (12, "no phone or e-mail")]
    leads = await rows(engine, "SELECT name, phone, email, region, budget_min, budget_max, "
                       "message, status FROM leads ORDER BY id")
    assert leads == [
        ("Ayşe Yılmaz", "+905321112233", None, "İstanbul / Kadıköy", 3_000_000, 5_000_000,
         "Deniz manzarası; acil", "nurture"),
        ("Çağrı Öztürk", "+905332223344", "cagri@example.com", "Bursa", 2_500_000, 2_500_000,
         None, "nurture"),
        ("İpek Işık", "+905441234567", "ipek@example.com", "İzmir / Karşıyaka", 4_500_000,
         4_500_000, None, "nurture"),
        ("Ömer Güneş", None, "omer@example.com", None, None, None, None, "nurture"),
        ("Selin Ak", "+905354445566", None, None, None, None, None, "nurture"),
    ]
    extras = [(name, json.loads(kept) if isinstance(kept, str) else kept) for name, kept in
              await rows(engine, "SELECT name, extras FROM leads ORDER BY id")]
    assert [(name, kept) for name, kept in extras if kept] == [
        ("Ayşe Yılmaz", {"Sektör": "Emlak"}), ("İpek Işık", {"Sektör": "Sağlık"})]
    assert await rows(engine, "SELECT count(*) FROM contacts") == [(5,)]
    assert await rows(engine, "SELECT count(*) FROM offers") == [(0,)]


async def test_people_already_in_the_database_are_merged_whatever_their_phone_format(
        engine: AsyncEngine, tmp_path: Path) -> None:
    app = app_on(engine)
    await app.receive_lead(source_token=TOKEN, payload={"phone": "05321112233"}, routed=False)
    await app.receive_lead(source_token=TOKEN, payload={"email": "Ipek@Example.com"},
                           routed=False)
    path = tmp_path / "fuar.csv"
    path.write_bytes(FAIR.encode("cp1254"))
    report = await imported(app, path, route=False)
    assert (report.new, report.merged, report.duplicates) == (3, 2, 3)
    assert report.merged_rows == [2, 6]
    assert await rows(engine, "SELECT count(*) FROM contacts") == [(5,)]
    again = await imported(app, path, route=False, dry_run=True)
    assert (again.new, again.merged, again.duplicates) == (0, 5, 3)


async def test_a_file_of_up_to_a_thousand_rows_is_routed_and_a_larger_one_held(
        engine: AsyncEngine, tmp_path: Path) -> None:
    app = app_on(engine)
    small = tmp_path / "small.csv"
    small.write_text("phone\n05321112233\n", encoding="utf-8")
    report = await imported(app, small)
    assert not report.held
    await app.route_new_leads()
    assert await rows(engine, "SELECT status FROM leads") == [("queued",)]  # the import pool
    large = tmp_path / "large.csv"
    large.write_text("phone\n" + "".join(f"0532{n:07d}\n" for n in range(1001)),
                     encoding="utf-8")
    report = await imported(app, large)
    assert (report.held, report.new) == (True, 1001)
    assert await rows(engine, "SELECT count(*) FROM leads WHERE status = 'nurture'") == [
        (1001,)]


async def test_held_leads_are_listed_in_pending_and_wake_when_the_person_writes_again(
        engine: AsyncEngine, tmp_path: Path) -> None:
    app = app_on(engine)
    path = tmp_path / "fuar.csv"
    path.write_bytes(FAIR.encode("cp1254"))
    report = await imported(app, path, route=False)
    assert report.held
    uow = app.uow()
    async with uow.reading():  # what /pending reads
        pending, total = await uow.leads.waiting(limit=20), await uow.leads.count_waiting()
    assert total == 5
    assert {row.lead.name for row in pending} == {
        "Ayşe Yılmaz", "Çağrı Öztürk", "İpek Işık", "Ömer Güneş", "Selin Ak"}
    assert await rows(engine, "SELECT kind, count(*) FROM lead_events GROUP BY kind "
                      "ORDER BY kind") == [("imported", 5), ("received", 5)]
    # The person writes in again through the web form: the imported lead wakes.
    await app.receive_lead(source_token=TOKEN, payload={"phone": "+90 533 222 33 44"})
    assert await rows(engine, "SELECT name, status FROM leads WHERE name = 'Çağrı Öztürk'"
                      ) == [("Çağrı Öztürk", "revived")]
    assert ("revived",) in await rows(engine, "SELECT kind FROM lead_events")


async def test_a_utf8_file_with_a_bom_and_commas_is_read(engine: AsyncEngine,
                                                          tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes("\ufeffName,E-mail,Company,Budget,Notes\r\n"
                     'Jane Doe,jane@example.com,Acme,"$450,000","call after 5, not before"\r\n'
                     "Çiğdem Şen,cigdem@example.com,,,\r\n".encode())
    sheet = FileSpreadsheets().open(str(path))
    assert sheet.described == 'CSV, UTF-8 with BOM, ","'
    assert sheet.headers[0] == "Name"
    sheet.close()
    report = await imported(app_on(engine), path, route=False)
    assert (report.new, report.rejected) == (2, 0)
    assert await rows(engine, "SELECT name, company, budget_min, message FROM leads "
                      "ORDER BY id") == [
        ("Jane Doe", "Acme", 450_000, "call after 5, not before"),
        ("Çiğdem Şen", None, None, None)]


async def test_an_xlsx_workbook_is_read_with_phones_typed_as_numbers(
        engine: AsyncEngine, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Liste"
    sheet.append(["AD SOYAD", "GSM", "BÖLGE", "BÜTÇE", "ÜRÜN", "KAYNAK"])
    sheet.append(["Hakan Çelik", 5321112233, "Antalya", 2_000_000, "villa", "Fuar 2026"])
    sheet.append([None, None, None, None, None, None])
    sheet.append(["Deniz Ay", "0532 111 22 33", None, "1-2 milyon", None, None])
    sheet.append(["Zehra Kılıç", 905339998877.0, None, None, "arsa", None])
    path = tmp_path / "liste.xlsx"
    book.save(path)
    opened = FileSpreadsheets().open(str(path))
    assert opened.described == '.xlsx, sheet "Liste"'
    opened.close()
    report = await imported(app_on(engine), path, route=False)
    assert (report.rows, report.new, report.duplicates) == (3, 2, 1)
    assert report.duplicate_rows == [(4, 2)]
    async with engine.connect() as conn:
        stored = [tuple(r) for r in await conn.execute(select(
            leads.c.name, leads.c.phone, leads.c.region, leads.c.budget_min, leads.c.product,
            leads.c.tags).order_by(leads.c.id))]
    assert stored == [
        ("Hakan Çelik", "+905321112233", "Antalya", 2_000_000, "villa", ["Fuar 2026"]),
        ("Zehra Kılıç", "+905339998877", None, None, "arsa", [])]


async def test_map_reads_a_column_no_header_names(engine: AsyncEngine,
                                                  tmp_path: Path) -> None:
    path = tmp_path / "crm.csv"
    path.write_text("Müşteri;Müşteri Tel;Kanal\nAli Veli;0532 111 22 33;Instagram\n",
                    encoding="utf-8")
    with pytest.raises(NoContactColumn):
        await imported(app_on(engine), path)
    report = await imported(app_on(engine), path, route=False,
                            overrides={"MÜŞTERİ TEL": "phone", "Kanal": "skip"})
    assert report.new == 1
    assert await rows(engine, "SELECT name, phone, message FROM leads") == [
        ("Ali Veli", "+905321112233", None)]


def test_headers_match_whatever_their_case_and_turkish_letters() -> None:
    plan = plan_columns(["ADI", "SOYADI", "TELEFON NO", "E-POSTA", "İLÇE", "İL", "Firma Adı",
                         "Ürün", "Kaynak", "Sektör"])
    assert [c.field for c in plan.columns] == [
        "first_name", "last_name", "phone", "email", "region", "region", "company",
        "product", "source", "extra"]
    assert [c.header for c in plan.of("region")] == ["İL", "İLÇE"]


def test_map_refuses_a_header_or_a_field_that_does_not_exist() -> None:
    with pytest.raises(BadColumnMap, match="the file has no column 'Tel'"):
        plan_columns(["Telefon"], {"Tel": "phone"})
    with pytest.raises(BadColumnMap, match="'telefon' is not a field"):
        plan_columns(["Tel"], {"Tel": "telefon"})


async def test_an_unknown_source_is_refused_before_a_row_is_read(
        engine: AsyncEngine, tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("phone\n05321112233\n", encoding="utf-8")
    with pytest.raises(UnknownSource, match="use one of website, import"):
        await imported(app_on(engine), path, source="fair")
    report = await imported(app_on(engine), path, source="import", route=False)
    assert report.new == 1
    assert await rows(engine, "SELECT source FROM leads") == [("import",)]


def test_a_windows_1254_letter_far_down_the_file_is_read_right(tmp_path: Path) -> None:
    path = tmp_path / "late.csv"
    filler = "".join(f"Kişi {n};0532{n:07d}\n".replace("ş", "s") for n in range(5000))
    path.write_bytes(("Ad;Telefon\n" + filler + "Işıl Şahin;05329999999\n").encode("cp1254"))
    sheet = FileSpreadsheets().open(str(path))
    try:
        assert sheet.described == 'CSV, Windows-1254, ";"'
        last = list(sheet.rows())[-1]
        assert last == (5002, ["Işıl Şahin", "05329999999"])
    finally:
        sheet.close()


def test_files_that_are_no_spreadsheet_are_refused_saying_why(tmp_path: Path) -> None:
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    with pytest.raises(UnreadableSheet, match=r"old Excel \.xls file"):
        FileSpreadsheets().open(str(old))
    binary = tmp_path / "photo.csv"
    binary.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(UnreadableSheet, match="not a text file"):
        FileSpreadsheets().open(str(binary))
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04" + bytes(100))
    with pytest.raises(UnreadableSheet, match=r"not an \.xlsx workbook"):
        FileSpreadsheets().open(str(broken))
