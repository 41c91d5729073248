"""Message catalogs and rendered messages: same keys in every language, valid Telegram HTML."""

from __future__ import annotations

import itertools
import json
import re
import string
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.i18n import CATALOGS, Markup, language_of, t, t_raw
from bot.locales import en, tr, work_en, work_tr
from bot.render import Renderer, duration
from core.clock import ManualClock
from core.errors import DomainError
from core.lifecycle.answers import accept_offer, assign_lead, decline_offer
from core.lifecycle.deadlines import escalate_expired_offers
from core.lifecycle.roster_import import sync_roster
from core.model import DeclineReason, OfferStatus, OutgoingMessage
from core.roster import link_chat
from leadrelay.bootstrap import bootstrap
from sandbox import parse_html
from tests.fakes import FakeDatabase, fake_uow_factory
from tests.office import AYSE, CAN, HOT, MEHMET, SELIN, TOKEN, ZEYNEP, office

LANGUAGES = ("en", "tr")
TEMPLATES = ("offer", "card", "offer_declined", "offer_expired", "escalated",
             "escalation_closed")
MAX_TEXT = 4096
ISTANBUL = ZoneInfo("Europe/Istanbul")
# 09:00 UTC is 12:00 in Istanbul (UTC+3 all year).
START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def telegram_length(text: str) -> int:
    """Telegram counts UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def visible(html_text: str) -> str:
    """What a Telegram user reads, failing the test the way Telegram would refuse the message."""
    text, _entities = parse_html(html_text)
    return text


# --------------------------------------------------------------------------------------------
# The sandbox's HTML check, which the tests below rely on
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [
    "<b>never closed", "a < b", "<script>x</script>", "<b><i>x</b></i>", "x</b>", "<!-- c -->",
])
def test_the_html_check_refuses_what_telegram_refuses(bad: str) -> None:
    with pytest.raises(ValueError, match=r"tag|Tag"):
        parse_html(bad)


def test_the_html_check_accepts_telegram_html_and_returns_the_visible_text() -> None:
    assert visible("<b>#12</b> a &lt; b &amp; <i>c</i>") == "#12 a < b & c"


# --------------------------------------------------------------------------------------------
# Catalogs
# --------------------------------------------------------------------------------------------


def test_english_and_turkish_have_exactly_the_same_keys() -> None:
    assert set(CATALOGS) == set(LANGUAGES)
    assert sorted(set(en.MESSAGES) - set(tr.MESSAGES)) == [], "missing in Turkish"
    assert sorted(set(tr.MESSAGES) - set(en.MESSAGES)) == [], "missing in English"


@pytest.mark.parametrize("key", sorted(en.MESSAGES))
def test_each_message_has_the_same_placeholders_in_english_and_turkish(key: str) -> None:
    assert placeholders(tr.MESSAGES[key]) == placeholders(en.MESSAGES[key])


@pytest.mark.parametrize(("lang", "key"), [
    (lang, key) for lang in LANGUAGES for key in sorted(CATALOGS[lang])])
def test_every_catalog_message_is_valid_telegram_html_and_not_empty(lang: str, key: str) -> None:
    template = CATALOGS[lang][key]
    assert template.strip()
    filled = t(lang, key, **{name: "1" for name in placeholders(template)})
    assert visible(filled).strip()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_button_labels_and_command_descriptions_are_plain_text(lang: str) -> None:
    for key, template in CATALOGS[lang].items():
        if key.startswith(("button.", "command.", "reason.", "answer.")):
            assert "<" not in template, key


def test_each_features_catalog_has_the_same_keys_and_placeholders_in_both_languages() -> None:
    assert set(work_en.MESSAGES) == set(work_tr.MESSAGES)
    differ = [key for key in work_en.MESSAGES
              if placeholders(work_en.MESSAGES[key]) != placeholders(work_tr.MESSAGES[key])]
    assert differ == []


def _domain_errors(cls: type[DomainError]) -> list[type[DomainError]]:
    return [cls, *(sub for direct in cls.__subclasses__() for sub in _domain_errors(direct))]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_domain_error_has_its_message_in_every_catalog(lang: str) -> None:
    keys = {error.key for error in _domain_errors(DomainError)}
    assert sorted(keys - set(CATALOGS[lang])) == []


def test_turkish_really_is_translated() -> None:
    same = [key for key in en.MESSAGES if en.MESSAGES[key] == tr.MESSAGES[key]
            and re.search(r"[A-Za-z]{4,}", re.sub(r"\{\w+\}", "", en.MESSAGES[key]))]
    assert same == []


# --------------------------------------------------------------------------------------------
# t(), t_raw() and language_of()
# --------------------------------------------------------------------------------------------


def test_t_escapes_html_in_parameters_so_the_message_still_parses() -> None:
    text = t("en", "start.agent", name="<b>Eve</b> & <script>", office="A<B>")
    assert "<script>" not in text
    assert "&lt;b&gt;Eve&lt;/b&gt; &amp; &lt;script&gt;" in text
    assert visible(text).startswith("👋 Hi <b>Eve</b> & <script>! You are connected to A<B>.")


def test_t_leaves_markup_parameters_as_they_are() -> None:
    text = t("en", "offer.missing", fields=Markup("<i>budget</i>"))
    assert text == "⚠️ Missing: <i>budget</i>"


def test_t_raw_gives_plain_text_without_entities_for_buttons_and_alerts() -> None:
    assert t_raw("en", "help.agent").count("/outcome <lead> ") == 1
    assert t_raw("tr", "button.accept") == "✅ Kabul et"
    assert t_raw("en", "answer.assigned", agent="Ayşe & Co") == "Assigned to Ayşe & Co."


def test_t_fills_in_the_language_asked_for_and_falls_back_to_english() -> None:
    assert t("tr", "decline.ask", lead_id=7) == "#7 numaralı talebi neden reddediyorsunuz?"
    assert t("en", "decline.ask", lead_id=7) == "Why are you passing on lead #7?"
    assert t("de", "decline.ask", lead_id=7) == "Why are you passing on lead #7?"


@pytest.mark.parametrize(("code", "lang"), [
    ("tr", "tr"), ("tr-TR", "tr"), ("TR", "tr"), ("en", "en"), ("en-GB", "en"),
    ("de", "en"), ("pt-BR", "en"), ("", "en"), (None, "en"),
])
def test_the_language_is_taken_from_the_telegram_language_code(
    code: str | None, lang: str,
) -> None:
    assert language_of(code) == lang


@pytest.mark.parametrize(("seconds", "en_text", "tr_text"), [
    (45, "45 s", "45 sn"),
    (90, "90 s", "90 sn"),
    (60, "1 min", "1 dk"),
    (300, "5 min", "5 dk"),
    (1800, "30 min", "30 dk"),
    (3600, "1 h", "1 sa"),
    (5400, "1 h 30 min", "1 sa 30 dk"),
    (7200, "2 h", "2 sa"),
])
def test_durations_read_naturally_in_both_languages(
    seconds: int, en_text: str, tr_text: str,
) -> None:
    assert duration("en", seconds) == en_text
    assert duration("tr", seconds) == tr_text


# --------------------------------------------------------------------------------------------
# Outbox templates, rendered from what the services really write
# --------------------------------------------------------------------------------------------


async def outbox_of_a_full_lead_life() -> list[OutgoingMessage]:
    """Drive the services through every kind of message, as the sandbox-free core sees it.

    Lead 1: offered to Ayşe at 09:00 UTC (deadline 09:05), declined, offered to Mehmet, timed
    out, escalated to Selin, assigned to Zeynep. Lead 2: offered and accepted.
    """
    db = FakeDatabase()
    clock = ManualClock(START)
    tokens = (f"tok{i}" for i in itertools.count())
    relay = bootstrap(config=office(), clock=clock, uow_factory=fake_uow_factory(db),
                      token_factory=lambda: next(tokens))
    await relay.run(sync_roster)
    for person in (AYSE, MEHMET, ZEYNEP, CAN, SELIN):
        await relay.run(link_chat, telegram_id=person, chat_id=person)

    def pending(lead_id: int) -> Any:
        return next(o for o in db.offers.values()
                    if o.lead_id == lead_id and o.status is OfferStatus.PENDING)

    first = (await relay.receive_lead(source_token=TOKEN, payload={
        **HOT, "email": "deniz@example.com", "message": "Call after 6 <pm> & ask for Deniz"},
    )).lead_id
    offer = pending(first)
    await relay.run(decline_offer, agent_id=offer.agent_id, offer_id=offer.id, token=offer.token,
                              reason=DeclineReason.NOT_MY_AREA)
    clock.advance(timedelta(minutes=5, seconds=1))
    await relay.run_in_turns(escalate_expired_offers)
    await relay.run(assign_lead, manager_id=SELIN, lead_id=first, agent_id=ZEYNEP)
    second = (await relay.receive_lead(source_token=TOKEN, payload={
        **HOT, "phone": "+905329876543", "name": "Ece"})).lead_id
    offer = pending(second)
    await relay.run(accept_offer, agent_id=offer.agent_id, offer_id=offer.id, token=offer.token)
    # Rows are stored as JSON; render what comes back out of storage.
    return [OutgoingMessage(m.chat_id, m.template, json.loads(json.dumps(m.params)),
                            m.created_at, m.ref, m.edit_ref) for m in db.outbox]


@pytest.fixture
async def outbox() -> list[OutgoingMessage]:
    return await outbox_of_a_full_lead_life()


@pytest.fixture
def renderer() -> Renderer:
    return Renderer(zone=ISTANBUL, office="Test Realty", clock=ManualClock(START))


def render(renderer: Renderer, message: OutgoingMessage, lang: str) -> str:
    return renderer.outgoing(message.template, {**message.params, "lang": lang}).text


async def test_a_full_lead_life_writes_every_kind_of_outbox_message(
    outbox: list[OutgoingMessage],
) -> None:
    assert {m.template for m in outbox} == set(TEMPLATES)


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_every_outbox_message_renders_as_telegram_html_within_the_length_limit(
    outbox: list[OutgoingMessage], renderer: Renderer, lang: str,
) -> None:
    for message in outbox:
        rendered = renderer.outgoing(message.template, {**message.params, "lang": lang})
        text = visible(rendered.text)
        assert 0 < telegram_length(text) <= MAX_TEXT, message.template
        assert "{" not in text, f"an unfilled placeholder in {message.template}"
        assert "None" not in text, message.template


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_the_offer_deadline_is_shown_in_the_office_time_zone(
    outbox: list[OutgoingMessage], renderer: Renderer, lang: str,
) -> None:
    offer = next(m for m in outbox if m.template == "offer")
    assert offer.params["deadline"].startswith("2026-11-25T09:05")
    text = visible(render(renderer, offer, lang))
    assert "12:05" in text
    assert "09:05" not in text
    assert ("5 min" if lang == "en" else "5 dk") in text


async def test_the_deadline_follows_the_office_zone_it_is_rendered_for(
    outbox: list[OutgoingMessage],
) -> None:
    offer = next(m for m in outbox if m.template == "offer")
    for zone, shown in [("UTC", "09:05"), ("America/New_York", "04:05"),
                        ("Asia/Kolkata", "14:35")]:
        text = render(Renderer(zone=ZoneInfo(zone), office="X", clock=ManualClock(START)),
                      offer, "en")
        assert f"(by {shown})" in text, zone


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_an_offer_hides_how_to_reach_the_lead_until_it_is_accepted(
    outbox: list[OutgoingMessage], renderer: Renderer, lang: str,
) -> None:
    offers = [m for m in outbox if m.template == "offer"]
    assert len(offers) == 3
    for message in offers:
        text = visible(render(renderer, message, lang))
        digits = re.sub(r"\D", "", text)
        assert "5321234567" not in digits
        assert "5329876543" not in digits
        assert "+90" not in text
        assert "@" not in text
        assert "Kaya" not in text, "only the first name before accepting"


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_the_owner_sees_the_phone_e_mail_and_message_once_the_lead_is_theirs(
    outbox: list[OutgoingMessage], renderer: Renderer, lang: str,
) -> None:
    assigned = next(m for m in outbox if m.template == "card" and m.params.get("by"))
    text = visible(render(renderer, assigned, lang))
    assert "+90 532 123 45 67" in text
    assert "deniz@example.com" in text
    assert "Call after 6 <pm> & ask for Deniz" in text
    assert "Deniz Kaya" in text
    assert "Selin" in text
    accepted = next(m for m in outbox if m.template == "card" and not m.params.get("by"))
    assert "+90 532 987 65 43" in visible(render(renderer, accepted, lang))


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_the_manager_sees_why_a_lead_was_escalated_and_who_was_tried(
    outbox: list[OutgoingMessage], renderer: Renderer, lang: str,
) -> None:
    escalated = next(m for m in outbox if m.template == "escalated")
    rendered = renderer.outgoing("escalated", {**escalated.params, "lang": lang})
    text = visible(rendered.text)
    # Not "nobody accepted it in time" (issue 16): what each agent did, with the reason.
    assert t_raw(lang, "escalation.no_accept") not in text
    assert t_raw(lang, "outcome.declined", agent="Ayşe",
                 reason=t_raw(lang, "reason.area")) in text
    assert t_raw(lang, "outcome.expired", agent="Mehmet",
                 window=t_raw(lang, "unit.min", n=5)) in text
    assert rendered.keyboard is not None
    names = [b.text for row in rendered.keyboard.inline_keyboard for b in row]
    # Selin, a manager, and Can, away, wait behind Show all.
    assert names == ["👤 Ayşe", "👤 Mehmet", "👤 Zeynep",
                     t_raw(lang, "button.show_all", count=2)]


def hostile_params(lang: str) -> dict[str, Any]:
    """Every free-text field at its intake maximum, full of characters HTML cares about."""
    def filler(length: int) -> str:
        return ("<b>&amp;</b> " * length)[:length]
    return {
        "lang": lang, "lead_id": 10**9, "temperature": "hot", "score": 100,
        "product": filler(60), "region": filler(120), "timing": filler(60),
        "source": filler(64), "budget_min": 10**12, "budget_max": 10**12,
        "first_name": filler(120), "name": filler(120), "phone": "+905321234567",
        "email": "a" * 240 + "@example.com", "message": filler(2000),
        "missing": ["product", "region", "budget", "timing"], "returning": True,
        "received_at": START.isoformat(), "offer_id": 10**12, "token": "A" * 8,
        "deadline": (START + timedelta(hours=2)).isoformat(), "window_s": 7200,
        "sequence": 3, "why": "round robin", "reason": "no_accept",
        "tried": [filler(64)] * 3, "choices": [[10**12, filler(64)]] * 4,
        "by": filler(64), "agent": filler(64),
        # the card: the most it can hold
        "stage": "offer", "owner": filler(64), "attempts": 99,
        "first_contact_at": START.isoformat(), "offer_amount": 10**12, "amount": 10**12,
        "company": filler(120), "intent": "demo_request",
        "notes": [[START.isoformat(), filler(64), filler(4000)]] * 3, "notes_total": 400,
        "earlier": [[10**9, START.isoformat(), "info_sent"]] * 5,
        "next_task": ["appointment", START.isoformat()],
        "undo_until": (START + timedelta(minutes=10)).isoformat(),
    }


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("template", TEMPLATES)
def test_the_largest_lead_full_of_html_characters_still_renders_valid_and_short_enough(
    renderer: Renderer, template: str, lang: str,
) -> None:
    params = hostile_params(lang)
    if template == "offer_declined":
        params["reason"] = "area"
    rendered = renderer.outgoing(template, params)
    text = visible(rendered.text)
    assert telegram_length(text) <= MAX_TEXT, telegram_length(text)
    if template in ("offer", "card", "escalated"):
        assert "<b>&amp;</b>" in text, "user text is shown literally, not as formatting"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_lead_with_nothing_but_a_phone_renders_dashes_for_what_is_missing(
    renderer: Renderer, lang: str,
) -> None:
    params = {"lang": lang, "lead_id": 5, "temperature": "cold", "score": 12, "missing": [],
              "offer_id": 9, "token": "tok", "deadline": (START + timedelta(hours=2)).isoformat(),
              "window_s": 7200}
    text = visible(renderer.outgoing("offer", params).text)
    assert text.count("—") == 6
    assert "14:00" in text
    assert ("2 h" if lang == "en" else "2 sa") in text


def test_an_unknown_outbox_template_is_refused_by_name(renderer: Renderer) -> None:
    with pytest.raises(KeyError, match="no renderer for outbox template 'postcard'"):
        renderer.outgoing("postcard", {"lang": "en"})


def test_a_deadline_after_midnight_in_the_office_shows_its_date() -> None:
    from datetime import UTC, datetime

    from core.clock import ManualClock

    clock = ManualClock(datetime(2026, 11, 25, 20, 0, tzinfo=UTC))  # 23:00 in Istanbul
    renderer = Renderer(zone=ISTANBUL, office="Test Realty", clock=clock)
    assert renderer.local_time(datetime(2026, 11, 25, 20, 30, tzinfo=UTC)) == "23:30"
    assert renderer.local_time(datetime(2026, 11, 25, 22, 0, tzinfo=UTC)) == "26.11 01:00"
