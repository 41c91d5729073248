"""Amounts, percentages and counts the reader's way, budgets in the office currency, and /why
explained in the reader's words, not in the routing rules' vocabulary."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.render import Renderer
from bot.render.formatting import language_name, money, number, percent
from core.clock import ManualClock
from core.model import Agent
from core.queries import explain_lead
from core.stats import Figures, Stats
from leadrelay.bootstrap import bootstrap
from sandbox import parse_html
from tests.fakes import FakeDatabase, fake_uow_factory
from tests.office import HOT, SELIN, TOKEN, linked, office

NBSP = "\u00a0"
START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # a Wednesday, 12:00 in Istanbul


@pytest.mark.parametrize(("value", "lang", "currency", "shown"), [
    (4_500_000, "tr", None, "4.500.000"),
    (4_500_000, "tr", "TRY", "₺4.500.000"),
    (450_000, "tr", "USD", "$450.000"),
    (450_000, "tr", "EUR", "€450.000"),
    (4_500_000, "en", None, "4,500,000"),
    (4_500_000, "en", "TRY", f"TRY{NBSP}4,500,000"),
    (450_000, "en", "USD", "$450,000"),
    (999, "tr", "TRY", "₺999"),
    (10**12, "tr", None, "1.000.000.000.000"),
])
def test_money_is_grouped_the_readers_way_in_whole_units_of_the_currency(
    value: int, lang: str, currency: str | None, shown: str,
) -> None:
    assert money(value, lang, currency) == shown


def test_money_in_a_language_without_a_catalog_is_written_the_english_way() -> None:
    assert money(4_500_000, "de") == "4,500,000"


@pytest.mark.parametrize(("ratio", "lang", "shown"), [
    (0.5, "tr", "%50"), (0.5, "en", "50%"), (1.0, "tr", "%100"), (0.0, "en", "0%"),
    (0.333, "tr", "%33"),
])
def test_a_percentage_puts_its_sign_where_the_reader_expects_it(
    ratio: float, lang: str, shown: str,
) -> None:
    assert percent(ratio, lang) == shown


def test_counts_are_grouped_the_readers_way() -> None:
    assert (number(98_765, "tr"), number(98_765, "en")) == ("98.765", "98,765")
    assert (number(12.5, "tr"), number(12.5, "en")) == ("12,5", "12.5")


def test_a_language_code_is_named_in_the_readers_language_and_anything_else_shown_as_is() -> None:
    assert (language_name("en", "tr"), language_name("tr-TR", "en")) == ("İngilizce", "Turkish")
    assert language_name("klingon", "tr") == "klingon"


def renderer(currency: str | None = "TRY") -> Renderer:
    return Renderer(zone=ZoneInfo("Europe/Istanbul"), office="Kuzey Emlak",
                    clock=ManualClock(START), currency=currency)


def test_the_renderer_shows_money_in_the_office_currency_and_bare_without_one() -> None:
    assert renderer().money("tr", 4_500_000) == "₺4.500.000"
    assert renderer(None).money("tr", 4_500_000) == "4.500.000"
    assert renderer().percent("tr", 0.25) == "%25"


@pytest.mark.parametrize(("lang", "budget"), [
    ("tr", "Bütçe: ₺1.000.000 – ₺2.000.000"),
    ("en", f"Budget: TRY{NBSP}1,000,000 – TRY{NBSP}2,000,000"),
])
def test_an_offers_budget_is_in_the_office_currency(lang: str, budget: str) -> None:
    params = {"lang": lang, "lead_id": 5, "temperature": "hot", "score": 80, "missing": [],
              "budget_min": 1_000_000, "budget_max": 2_000_000, "offer_id": 9, "token": "tok",
              "deadline": (START + timedelta(minutes=5)).isoformat(), "window_s": 300}
    assert budget in parse_html(renderer().outgoing("offer", params).text)[0].splitlines()


def test_an_open_ended_budget_says_from_or_up_to_in_the_office_currency() -> None:
    params = {"lang": "tr", "lead_id": 5, "temperature": "hot", "score": 80, "missing": [],
              "budget_min": 3_000_000, "offer_id": 9, "token": "tok",
              "deadline": (START + timedelta(minutes=5)).isoformat(), "window_s": 300}
    assert "Bütçe: ₺3.000.000 ve üzeri" in renderer().outgoing("offer", params).text


@pytest.mark.parametrize(("lang", "office_line", "agent_line"), [
    ("tr", "Gelen talep: 12.345 · teklif edilen: 4 · yöneticiye giden: 1",
     "SLA %50 · kazanılan 1.200"),
    ("en", "Leads in: 12,345 · offered: 4 · escalated: 1", "SLA 50% · won 1,200"),
])
def test_stats_show_counts_grouped_and_shares_with_the_readers_percent_sign(
    lang: str, office_line: str, agent_line: str,
) -> None:
    figures = Figures(offered=4, accepted=2, declined=1, expired=1, answered_in_time=2,
                      answered=3)
    figures.stages["won"] = 1_200
    stats = Stats(start=START - timedelta(days=7), end=START, leads_in=12_345, leads_offered=4,
                  leads_escalated=1, median_to_owner_s=None, office=figures,
                  per_agent=[(Agent(telegram_id=1, name="Ayşe"), figures)])
    text = parse_html(renderer().stats(lang, "7d", stats))[0]
    assert office_line in text
    assert agent_line in text
    assert ("SLA içinde yanıt: %50" if lang == "tr" else "answered within SLA: 50%") in text


async def routed_and_explained(lang: str) -> str:
    """A hot lead routed by a rule with every kind of condition a value is shown for."""
    rule = {"name": "hot", "strategy": "weighted", "pool": {"agents": ["Ayşe", "Mehmet"]},
            "when": {"temperature": ["hot"], "returning": False, "business_hours": True,
                     "budget": {"min": 1_000_000}, "language": ["en"]}}
    config = office(currency="TRY", routing={"rules": [rule, {"name": "default"}]})
    db = FakeDatabase()
    tokens = (f"tok{i}" for i in itertools.count())
    relay = await linked(bootstrap(config=config, clock=ManualClock(START),
                                   uow_factory=fake_uow_factory(db),
                                   token_factory=lambda: next(tokens)))
    lead_id = (await relay.receive_lead(source_token=TOKEN,
                                        payload={**HOT, "language": "en"})).lead_id
    explanation = await relay.run(explain_lead, person_id=SELIN, lead_id=lead_id)
    shown = Renderer(zone=config.zone, office=config.name, clock=ManualClock(START),
                     currency=config.currency)
    return parse_html(shown.why(lang, explanation))[0]


async def test_why_says_the_conditions_and_the_share_in_turkish_words() -> None:
    text = await routed_and_explained("tr")
    assert ("12:00 · “hot” kuralı — sıcaklık sıcak, tekrar gelen: hayır, mesai saatleri "
            "içinde, bütçe ₺2.000.000, dil İngilizce") in text
    assert "ağırlıklı sıra (ağırlık 1, bu taleplerin yaklaşık %50'si)." in text
    english = re.findall(r"\b(?:hot|warm|cold|yes|no|in|out|en)\b", text.split("“hot”")[1])
    assert english == []


async def test_why_says_the_conditions_and_the_share_in_english_words() -> None:
    text = await routed_and_explained("en")
    assert (f"12:00 · rule “hot” — temperature hot, returning contact: no, within business "
            f"hours, budget TRY{NBSP}2,000,000, language English") in text
    assert "weighted rotation (weight 1, about 50% of these leads)." in text
