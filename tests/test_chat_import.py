"""A manager imports a CSV or Excel file by sending it to the bot (issue 17): end to end
through the sandbox's Bot API, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import text

from core.clock import ManualClock
from core.errors import NotAManager
from core.lifecycle.chat_import import (
    PREVIEW_LIFE,
    ImportExpired,
    ImportNotPending,
    cancel_import,
    preview_import,
    start_import,
)
from core.lifecycle.roster_import import sync_roster
from core.model.chat_imports import ImportStatus
from integrations.spreadsheet import FileSpreadsheets
from leadrelay.bootstrap import bootstrap
from sandbox import SandboxMessage
from tests.fakes import FakeDatabase, fake_uow_factory
from tests.harness import BRISK, RunningOffice, running_office, text_has
from tests.office import AYSE, SELIN, office
from tests.test_import import FAIR

FAIR_BYTES = FAIR.encode("cp1254")
IMPORTED = "✅ fuar.csv imported"
COUNTS = ("11 rows read · 5 new leads · 0 merged into existing contacts · 3 duplicates in "
          "the file (not stored again) · 3 rejected")


async def rows(running: RunningOffice, sql: str) -> list[tuple[Any, ...]]:
    async with running.runtime.engine.connect() as conn:
        return [tuple(r) for r in await conn.execute(text(sql))]


async def preview_of(running: RunningOffice, data: bytes = FAIR_BYTES,
                     name: str = "fuar.csv") -> SandboxMessage:
    """Selin, the manager, sends a file and waits for its preview."""
    selin = running[SELIN]
    await selin.send_document(data, name, mime_type="text/csv")
    return await selin.wait_for(lambda m: "Dry run" in m.text or "Deneme" in m.text)


async def test_a_manager_sends_a_turkish_csv_sees_its_preview_and_a_double_tap_imports_once(
        database_url: str) -> None:
    async with running_office(office(), database_url, limits=BRISK) as running:
        await running.start_chats(SELIN)
        preview = await preview_of(running)
        assert preview.text.splitlines()[0] == '📄 fuar.csv (CSV, Windows-1254, ";")'
        for line in ("• Adı → first name", "• Soyadı → last name", "• Cep Tel → phone",
                     "• E-Posta → e-mail", "• İl → region", "• İlçe → region", "• Bütçe → budget",
                     "• Not → note", "Kept with each lead (shown under More): Sektör",
                     "row 2: Ayşe Yılmaz · +90 532 111 22 33 · İstanbul / Kadıköy · "
                     "3,000,000–5,000,000 · Sektör: Emlak",
                     "row 3: Çağrı Öztürk · +90 533 222 33 44 · cagri@example.com · Bursa · "
                     "2,500,000",
                     "Dry run: 11 rows · 5 new · 0 merged into existing contacts · "
                     "3 duplicates in the file · 3 rejected",
                     "row 4: no phone or e-mail", "row 10: the phone number could not be read",
                     "row 12: no phone or e-mail"):
            assert line in preview.text.splitlines(), (line, preview.text)
        assert "Import offers the leads to the agents" in preview.text
        assert preview.button_texts() == ["✅ Import and offer", "📥 Import to nurture",
                                          "✖ Cancel"]
        assert await rows(running, "SELECT count(*) FROM leads") == [(0,)]

        data = preview.buttons[0][1].callback_data
        assert data is not None
        selin = running[SELIN]
        first, second = await asyncio.gather(selin.press(preview, "📥 Import to nurture"),
                                             selin.press_data(preview, data))
        alerts = sorted(a.text or "" for a in (first, second))
        assert alerts == ["Importing…", "This import was already started or cancelled."]
        report = await selin.wait_for(text_has(IMPORTED))
        assert report.message_id == preview.message_id  # the preview became the report
        assert COUNTS in report.text
        assert "row 10: the phone number could not be read" in report.text
        assert "Stored in nurture: /pending lists them" in report.text
        assert report.button_texts() == []
        assert await rows(running, "SELECT status, count(*) FROM leads GROUP BY status") == [
            ("nurture", 5)]
        assert await rows(running, "SELECT status, held, row_count FROM chat_imports") == [
            ("done", True, 11)]
        again = await selin.press_data(preview, data)
        assert again.text == "This import was already started or cancelled."
        assert await rows(running, "SELECT count(*) FROM leads") == [(5,)]


async def test_an_import_offered_to_the_agents_routes_its_leads(database_url: str) -> None:
    # Monday noon in Istanbul, the office open: the pool's first hour goes out at once.
    open_hour = ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    async with running_office(office(), database_url, limits=BRISK,
                              clock=open_hour) as running:
        await running.start_chats(SELIN, AYSE)
        preview = await preview_of(running)
        await running[SELIN].press(preview, "✅ Import and offer")
        report = await running[SELIN].wait_for(text_has(IMPORTED))
        assert "The leads are offered to the agents at the team's pace" in report.text
        await running.runtime.app.route_new_leads()
        assert await rows(running, "SELECT count(*) FROM leads WHERE status = 'nurture'") == [
            (0,)]
        assert (await rows(running, "SELECT count(DISTINCT lead_id) FROM offers"))[0][0] == 5


async def test_cancel_stores_nothing_and_an_xlsx_is_previewed_in_turkish(
        database_url: str) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Fuar"
    sheet.append(["Ad Soyad", "Telefon", "Bütçe"])
    sheet.append(["Deniz Kaya", 5321234567, "4,5 milyon"])
    sheet.append(["Ece Demir", "0533 765 43 21", None])
    sheet.append(["Can Öz", "12", None])
    buffer = io.BytesIO()
    book.save(buffer)
    async with running_office(office(language="tr"), database_url, limits=BRISK) as running:
        await running.start_chats(SELIN)
        preview = await preview_of(running, buffer.getvalue(), "liste.xlsx")
        lines = preview.text.splitlines()
        assert lines[0] == '📄 liste.xlsx (.xlsx, sheet "Fuar")'
        for line in ("• Ad Soyad → ad soyad", "• Telefon → telefon", "• Bütçe → bütçe",
                     "satır 2: Deniz Kaya · +90 532 123 45 67 · 4.500.000",
                     "satır 3: Ece Demir · +90 533 765 43 21",
                     "Deneme: 3 satır · 2 yeni · 0 mevcut kişiyle birleşecek · dosyada 0 "
                     "tekrar · 1 reddedildi", "satır 4: telefon numarası okunamadı"):
            assert line in lines, (line, preview.text)
        assert preview.button_texts() == ["✅ İçe aktar ve sun", "📥 Beklemeye aktar",
                                          "✖ Vazgeç"]
        answer = await running[SELIN].press(preview, "✖ Vazgeç")
        assert answer.text == "Vazgeçildi"
        cancelled = await running[SELIN].wait_for(text_has("vazgeçildi, hiçbir şey"))
        assert cancelled.button_texts() == []
        assert await rows(running, "SELECT count(*) FROM leads") == [(0,)]
        assert await rows(running, "SELECT status FROM chat_imports") == [("cancelled",)]


async def test_an_agent_is_refused_and_a_stranger_learns_nothing(database_url: str) -> None:
    async with running_office(office(), database_url, limits=BRISK) as running:
        await running.start_chats(AYSE)
        await running[AYSE].send_document(FAIR_BYTES, "fuar.csv")
        await running[AYSE].wait_for(text_has("Only managers can import lists of leads."))
        stranger = running.sandbox.user(4242, "Stranger")
        await stranger.send_document(FAIR_BYTES, "fuar.csv")
        answer = await stranger.wait_for()
        assert answer.text == "You are not on this office's roster."
        assert running.sandbox.calls("getFile") == []
        assert await rows(running, "SELECT count(*) FROM chat_imports") == [(0,)]


async def test_a_file_over_20_mb_is_answered_by_its_size_without_a_download(
        database_url: str) -> None:
    async with running_office(office(), database_url, limits=BRISK) as running:
        await running.start_chats(SELIN)
        await running[SELIN].send_document(FAIR_BYTES, "büyük.csv", file_size=31_457_280)
        answer = await running[SELIN].wait_for(text_has("20 MB"))
        assert answer.text.startswith("büyük.csv is 30 MB, and Telegram lets a bot download")
        assert "leadrelay import FILE --source import" in answer.text
        assert running.sandbox.calls("getFile") == []


async def test_a_file_that_cannot_be_read_gets_a_clear_answer_and_changes_nothing(
        database_url: str) -> None:
    async with running_office(office(), database_url, limits=BRISK) as running:
        await running.start_chats(SELIN)
        selin = running[SELIN]
        await selin.send_document(b"%PDF-1.7 ...", "brochure.pdf")
        await selin.wait_for(text_has("I can import lists saved as .csv or Excel .xlsx"))
        await selin.send_document(b"\xd0\xcf\x11\xe0 old", "eski.xls")
        await selin.wait_for(text_has("eski.xls is an old Excel .xls file"))
        await selin.send_document("Ad;Telefon\n".encode("utf-16"), "utf16.csv")
        await selin.wait_for(text_has("utf16.csv cannot be read: utf16.csv is not a text file"))
        await selin.send_document(b"PK\x03\x04 broken", "bozuk.xlsx")
        await selin.wait_for(text_has("bozuk.xlsx cannot be read: bozuk.xlsx is not an .xlsx"))
        await selin.send_document("Ad;Sektör\nAyşe;Emlak\n".encode(), "adlar.csv")
        await selin.wait_for(text_has("adlar.csv has no column of phone numbers"))
        assert await rows(running, "SELECT count(*) FROM chat_imports") == [(0,)]
        assert await rows(running, "SELECT count(*) FROM leads") == [(0,)]


async def test_a_preview_is_imported_only_within_a_day_only_by_its_manager_and_only_once(
        tmp_path: Path) -> None:
    clock = ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    app = bootstrap(config=office(), clock=clock, uow_factory=fake_uow_factory(FakeDatabase()))
    await app.run(sync_roster)
    path = tmp_path / "fuar.csv"
    path.write_bytes(FAIR_BYTES)

    async def previewed() -> int:
        sheet = FileSpreadsheets().open(str(path))
        try:
            preview = await app.run_in_turns(preview_import, sheet=sheet, manager_id=SELIN,
                                             file_id="BQAC-file", file_name="fuar.csv")
        finally:
            sheet.close()
        return preview.pending.id

    with pytest.raises(NotAManager):
        await app.run(start_import, import_id=await previewed(), manager_id=AYSE, held=True)
    old = await previewed()
    clock.advance(PREVIEW_LIFE + timedelta(minutes=1))
    with pytest.raises(ImportExpired):
        await app.run(start_import, import_id=old, manager_id=SELIN, held=True)
    fresh = await previewed()
    started = await app.run(start_import, import_id=fresh, manager_id=SELIN, held=True)
    assert (started.status, started.held, started.rows) == (ImportStatus.RUNNING, True, 11)
    with pytest.raises(ImportNotPending):
        await app.run(cancel_import, import_id=fresh, manager_id=SELIN)
    with pytest.raises(ImportNotPending):
        await app.run(start_import, import_id=fresh, manager_id=SELIN, held=False)
