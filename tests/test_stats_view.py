"""`/stats` as a manager reads it on a phone: the overview with its changes and reading, a
slice's table a page at a time, and buttons Telegram takes."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bot.numbers_keyboards import (
    StatsPress,
    decode_stats,
    encode_stats,
    overview_keyboard,
    read_stats_args,
    table_keyboard,
)
from bot.render import Renderer
from bot.render.audits import PAGE_ROWS, pages_of
from bot.render.formatting import MESSAGE_LIMIT
from core.clock import ManualClock
from core.lifecycle.stats_view import View
from core.numbers.coverage import (
    AgentLoad,
    Coverage,
    LoadLevel,
    Misses,
    RuleAutomation,
    automation,
)
from core.numbers.fairness import FairnessAudit, FairShare, Tally
from core.numbers.figures import Figures, PeriodNumbers, Slice, SliceRow
from core.numbers.period import parse_period
from core.numbers.reading import funnel_reading

ZONE = ZoneInfo("Europe/Istanbul")
NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
RENDERER = Renderer(zone=ZONE, office="Ofis", clock=ManualClock(NOW), currency="TRY")

OFFICE = Figures(leads=200, accepted=180, contacted=170, appointment=20, offer=10, won=4,
                 lost=30, to_contact_median_s=240, to_contact_p90_s=1320,
                 to_accept_median_s=45, accept_due=180, accept_met=171, contact_due=170,
                 contact_met=150, won_in_period=5, revenue=12_500_000,
                 commission=Decimal(375_000), cost=Decimal(50_000))
BEFORE = Figures(leads=160, to_contact_median_s=300, contact_due=100, contact_met=90,
                 revenue=10_000_000)


def numbers(by: Slice | None = None, rows: int = 0) -> PeriodNumbers:
    return PeriodNumbers(
        period=parse_period("30d", now=NOW, zone=ZONE), office=OFFICE, previous=BEFORE,
        manual=Figures(leads=6, won=2), lost_reasons=(("price", 12), ("elsewhere", 9)),
        by=by, rows=tuple(SliceRow(str(1000 + i), Figures(leads=100 - i, won=i % 5,
                                                          to_contact_median_s=60.0 * i))
                          for i in range(rows)))


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_the_overview_names_the_funnel_the_speed_the_money_and_their_changes(
        lang: str) -> None:
    text = RENDERER.numbers_overview(lang, numbers())
    assert len(text) < MESSAGE_LIMIT
    assert "200" in text
    assert "▲" in text, "leads up 25% on the period before"
    assert ("25%" if lang == "en" else "%25") in text
    assert ("appointments are low" if lang == "en" else "randevular az") in text
    assert ("4 min" if lang == "en" else "4 dk") in text, "speed to lead's median"
    assert ("22 min" if lang == "en" else "22 dk") in text, "and its p90"
    assert ("12.500.000" if lang == "tr" else "12,500,000") in text
    assert ("price 12" if lang == "en" else "fiyat 12") in text
    manual = next(line for line in text.splitlines() if "/new" in line)
    assert "6" in manual, "self-entered leads apart"


def test_a_funnel_reads_at_its_weakest_step_or_says_it_is_too_small() -> None:
    assert funnel_reading(OFFICE) == "numbers.reading.appointment"
    assert funnel_reading(Figures(leads=5)) == "numbers.reading.too_few"
    healthy = Figures(leads=100, accepted=95, contacted=90, appointment=40, offer=20, won=8)
    assert funnel_reading(healthy) == "numbers.reading.ok"
    few_offers = Figures(leads=100, accepted=95, contacted=90, appointment=40, offer=5, won=2)
    assert funnel_reading(few_offers) == "numbers.reading.offer"


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_sixty_agents_come_fifteen_to_a_page_in_aligned_columns(lang: str) -> None:
    sixty = numbers(Slice.AGENT, rows=60)
    names = {str(1000 + i): f"Danışman Numarası {i}" for i in range(60)}
    assert pages_of(len(sixty.rows)) == 4
    first = RENDERER.numbers_table(lang, sixty, page=0, names=names)
    last = RENDERER.numbers_table(lang, sixty, page=3, names=names)
    assert len(first) < MESSAGE_LIMIT
    table = first.split("<pre>")[1].split("</pre>")[0].splitlines()
    assert len(table) == 1 + PAGE_ROWS
    assert len({len(line) for line in table}) == 1, "every row as wide as the head"
    assert max(len(line) for line in table) <= 36, "fits a phone's monospace line"
    assert "Danışman N…" in first, "a long name cut to its column"
    assert table[1] != last.split("<pre>")[1].splitlines()[1], "the last page is another"


def test_paging_buttons_turn_pages_and_stay_within_telegrams_64_bytes() -> None:
    press = StatsPress("2026-11-01..2026-11-30", Slice.LEAD_TYPE, 998)
    assert decode_stats(encode_stats(press)) == press
    assert decode_stats(encode_stats(StatsPress("this month"))) == StatsPress("this month")
    for shown in (*Slice, *View):
        assert decode_stats(encode_stats(StatsPress("last month", shown, 3))) == StatsPress(
            "last month", shown, 3)
    keyboard = table_keyboard("tr", StatsPress("30d", Slice.AGENT, 1), pages=4)
    data = [b.callback_data for row in keyboard.inline_keyboard for b in row]
    assert [decode_stats(str(d)) for d in data] == [
        StatsPress("30d", Slice.AGENT, 0), StatsPress("30d", Slice.AGENT, 1),
        StatsPress("30d", Slice.AGENT, 2), StatsPress("30d")]
    overview = overview_keyboard("en", "last month")
    assert all(len(str(b.callback_data).encode()) <= 64
               for row in overview.inline_keyboard for b in row)
    for bad in ("sts:x:0:7d", "sts:a:-1:7d", "sts:a:0:7d;drop", "sts:a:٢:7d", "imp:1:r"):
        assert decode_stats(bad) is None


def test_stats_reads_the_period_and_the_view_in_any_order() -> None:
    assert read_stats_args(["30d", "by", "source"]) == ("30d", Slice.SOURCE)
    assert read_stats_args(["by", "team", "last", "month"]) == ("last month", Slice.TEAM)
    assert read_stats_args(["This", "Month"]) == ("this month", View.OVERVIEW)
    assert read_stats_args([]) == (None, View.OVERVIEW)
    assert read_stats_args(["fairness", "30d"]) == ("30d", View.FAIRNESS)
    assert read_stats_args(["last", "month", "load"]) == ("last month", View.LOAD)
    assert read_stats_args(["7d", "by", "mood"]) is None
    assert read_stats_args(["7d", "by"]) is None


def widths(text: str) -> set[int]:
    return {len(line) for line in text.split("<pre>")[1].split("</pre>")[0].splitlines()}


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_the_fairness_page_flags_who_is_off_their_share_and_says_why(lang: str) -> None:
    period = parse_period("30d", now=NOW, zone=ZONE)
    fair = FairShare(1, Tally(decisions=40, fair=20.0, offered=20, received=20),
                     Tally(decisions=8, fair=4.0, offered=4, received=4), "Ayşe Yılmaz")
    short = FairShare(2, Tally(decisions=40, fair=20.0, offered=20, received=10, declined=10,
                               cause="declines"),
                      Tally(decisions=8, fair=4.0, offered=4, received=1), "Zeynep Kaya")
    heavy = FairShare(3, Tally(decisions=4000, fair=2500.0, offered=2600, received=3412),
                      Tally(), "Mehmet")
    text = RENDERER.fairness_page(lang, FairnessAudit(period, (heavy, fair, short), None),
                                  page=0, period_name="30d")
    assert max(widths(text)) <= 36
    flagged = [line for line in text.splitlines() if line.startswith("⚠️")]
    assert len(flagged) == 2, "Mehmet over, Zeynep under; Ayşe on her share"
    assert "Zeynep Kaya" in flagged[1]
    assert ("declined most" if lang == "en" else "reddetti") in flagged[1]
    assert ("50%" if lang == "en" else "%50") in flagged[1]
    assert ("3.4K" if lang == "en" else "3\xa0B") in text, "a big count written short, not cut"


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_the_load_page_names_the_overloaded_and_the_hours_slas_were_missed(lang: str) -> None:
    period = parse_period("7d", now=NOW, zone=ZONE)
    grid = [[0] * 24 for _ in range(7)]
    grid[0][18] = 5  # Monday 18:00
    grid[5][9] = 2
    loads = (AgentLoad(1, "Ayşe", 12.5, 20, 14, 10, LoadLevel.OVERLOADED, False),
             AgentLoad(2, "Can", 0.0, 0, 0, None, LoadLevel.IDLE, False),
             AgentLoad(3, "Deniz", 4.0, 6, 4, None, LoadLevel.NORMAL, True))
    text = RENDERER.load_page(lang, Coverage(period, loads, 4.0, Misses(
        tuple(map(tuple, grid)), tuple((0,) * 24 for _ in range(7)))), page=0,
        period_name="7d")
    assert max(widths(text)) <= 36
    assert ("Overloaded: Ayşe" if lang == "en" else "Aşırı yüklü: Ayşe") in text
    assert ("Idle: Can" if lang == "en" else "Boşta: Can") in text
    assert ("Mon 18:00 (5)" if lang == "en" else "Pzt 18:00 (5)") in text


def test_automation_below_the_target_says_the_rules_need_changing() -> None:
    period = parse_period("30d", now=NOW, zone=ZONE)
    rules = (RuleAutomation("istanbul", routed=10, untouched=6, reassigned=3, escalated=1),)
    text = RENDERER.automation_page("en", automation(period, rules), page=0,
                                    period_name="30d")
    assert "60%!" in text
    assert "Only 60%" in text
    assert max(widths(text)) <= 36
