"""Replies that list many things stay inside Telegram's 4096 characters, most urgent first."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.i18n import t
from bot.render import Renderer
from core.clock import ManualClock
from core.model import Agent, Lead, LeadStatus, Temperature
from core.queries import WAITING_SHOWN, Explanation, WaitingLead
from core.stats import Figures, Stats
from sandbox import parse_html

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
RENDERER = Renderer(zone=ZoneInfo("Europe/Istanbul"), office="Big Realty",
                    clock=ManualClock(NOW))


def lead(lead_id: int, status: LeadStatus) -> Lead:
    return Lead(contact_id=lead_id, source="website", received_at=NOW, score=80,
                temperature=Temperature.HOT, status=status, id=lead_id,
                escalated_at=NOW if status is LeadStatus.WITH_MANAGERS else None)


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_pending_with_hundreds_of_leads_fits_one_message_and_starts_with_the_urgent(
        lang: str) -> None:
    items = [WaitingLead(lead(n, LeadStatus.OFFERED), "Ayşe", NOW + timedelta(minutes=n))
             for n in range(1, 301)]
    items += [WaitingLead(lead(n, LeadStatus.WITH_MANAGERS), None, None)
              for n in range(301, 306)]
    text = RENDERER.waiting(lang, items)
    visible, _ = parse_html(text)
    assert len(visible) <= 4096
    rows = text.splitlines()
    assert "305" in rows[0]
    assert [n for n in range(301, 306) if f"#{n}" in "".join(rows[1:6])] == list(
        range(301, 306)), "leads waiting for a manager come first"
    assert "#1 " in text or "#1<" in text, "then the offer due soonest"
    assert ("more" if lang == "en" else "daha") in rows[-1]


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_pending_counts_the_waiting_leads_it_never_read(lang: str) -> None:
    items = [WaitingLead(lead(n, LeadStatus.WITH_MANAGERS), None, None) for n in range(1, 11)]
    rows = RENDERER.waiting(lang, items, total=500).splitlines()
    assert "500" in rows[0]
    assert len(rows) == 12
    assert "490" in rows[-1]


@pytest.mark.parametrize("lang", ["en", "tr"])
@pytest.mark.parametrize("status", [LeadStatus.OFFERED, LeadStatus.WITH_MANAGERS,
                                    LeadStatus.NURTURE])
def test_the_shortest_pending_rows_fill_a_message_before_the_read_limit(
        lang: str, status: LeadStatus) -> None:
    shortest = min(Temperature, key=lambda temp: len(t(lang, f"temperature.{temp.value}")))
    one = replace(lead(1, status), temperature=shortest)
    items = [WaitingLead(one, "A", NOW) for _ in range(WAITING_SHOWN)]
    text = RENDERER.waiting(lang, items, total=WAITING_SHOWN)
    assert text.splitlines()[-1] == t(lang, "list.more", count=WAITING_SHOWN - (
        len(text.splitlines()) - 2)), "the service reads more rows than a message can show"


def test_why_with_hundreds_of_candidates_fits_one_message() -> None:
    names = {n: f"Agent number {n}" for n in range(1, 501)}
    trace = {"agent_id": 7, "outcome": "offer", "rule": "default", "strategy": "round_robin",
             "reason": "rotation", "matched": [], "detail": {}, "pool": [],
             "steps": [{"rule": "default", "candidates": list(range(1, 401)),
                        "skipped": [[n, "away", {}] for n in range(401, 501)]}]}
    decisions = [(NOW + timedelta(minutes=m), trace) for m in range(4)]
    text = RENDERER.why("en", Explanation(lead(9, LeadStatus.OFFERED), decisions, names))
    visible, _ = parse_html(text)
    assert len(visible) <= 4096
    assert "Agent number 1," in text
    assert "and 380 more" in text
    assert "and 80 more" in text
    assert "→ Agent number 7: next in the rotation." in text


def big_office_stats(agents: int) -> Stats:
    """Stats of an office whose agents come busiest first, as core.stats.summarise orders them."""
    rows = []
    for n in range(agents):
        accepted, declined = agents - n, n
        rows.append((Agent(5000 + n, f"Agent with a rather long name {n:03d}", position=n),
                     Figures(offered=accepted + declined + 3, accepted=accepted,
                             declined=declined, expired=3, answered=accepted + declined,
                             answered_in_time=accepted + declined - 1,
                             median_accept_s=95.0 + n)))
    office = Figures(median_accept_s=131.0)
    for _, figures in rows:
        for name in ("offered", "accepted", "declined", "expired", "answered",
                     "answered_in_time"):
            setattr(office, name, getattr(office, name) + getattr(figures, name))
    return Stats(start=NOW - timedelta(days=30), end=NOW, leads_in=98_765,
                 leads_offered=97_531, leads_escalated=1_234, median_to_owner_s=600.0,
                 office=office, per_agent=rows)


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_stats_for_two_hundred_agents_fit_one_message_with_the_totals_and_the_busiest(
        lang: str) -> None:
    stats = big_office_stats(200)
    text = RENDERER.stats(lang, "30d", stats)
    visible, _ = parse_html(text)
    assert len(text) <= 4096
    assert len(visible) <= 4096
    grouped = {"en": ",", "tr": "."}[lang]
    assert f"98{grouped}765" in text, "the office totals are always there"
    assert f"{stats.office.offered:,}".replace(",", grouped) in text
    rows = text.splitlines()
    shown = [row for row in rows if row.startswith("Agent with a rather long name")]
    assert shown[0].startswith("Agent with a rather long name 000:"), "the busiest come first"
    assert 0 < len(shown) < 200
    assert rows[-1] == t(lang, "stats.more_agents", count=200 - len(shown))


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_stats_of_a_small_office_list_every_agent_and_nothing_about_more(lang: str) -> None:
    text = RENDERER.stats(lang, "30d", big_office_stats(5))
    assert text.count("Agent with a rather long name") == 5
    assert text.splitlines()[-1].startswith("Agent with a rather long name 004:")
