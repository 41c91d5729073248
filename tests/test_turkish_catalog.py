"""Case suffixes in the catalogs: a placeholder names its case (`{time:abl}`) and t() writes the
suffix, so no Turkish text carries a suffix written by hand after a placeholder."""

from __future__ import annotations

import re
import string
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.i18n import CATALOGS, Markup, t, t_raw
from bot.render import Renderer
from bot.turkish import CASES
from core.clock import ManualClock
from core.model import Lead, LeadStatus, Temperature
from core.queries import WaitingLead
from sandbox import parse_html

# Two probes that share no suffix in any case: whatever a hand-written suffix after a
# placeholder is, it is wrong after one of them.
PROBES = {
    "Ayşe": {"ye", "den", "de", "nin", "yi", "yle", "si"},
    "Burak": {"a", "tan", "ta", "ın", "ı", "la"},
}
START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # 12:00 in Istanbul


def fields(template: str) -> list[tuple[str, str]]:
    """Each placeholder of *template* with its format spec."""
    return [(name, spec or "") for _, name, spec, _ in string.Formatter().parse(template)
            if name is not None]


def visible(text: str) -> str:
    return parse_html(text)[0]


def test_english_texts_name_no_turkish_case() -> None:
    cased = {key: template for key, template in CATALOGS["en"].items()
             if any(spec for _, spec in fields(template))}
    assert cased == {}


def test_every_case_a_turkish_text_names_is_one_t_knows() -> None:
    unknown = {key: spec for key, template in CATALOGS["tr"].items()
               for _, spec in fields(template) if spec and spec not in CASES}
    assert unknown == {}


def test_no_turkish_text_writes_a_suffix_or_a_percent_sign_by_hand_around_a_placeholder() -> None:
    by_hand = {key: template for key, template in CATALOGS["tr"].items()
               if re.search(r"\}['’\w]|%\{", template)}
    assert by_hand == {}


@pytest.mark.parametrize("key", sorted(CATALOGS["tr"]))
def test_every_turkish_text_rendered_with_names_puts_the_right_suffix_after_each(key: str) -> None:
    template = CATALOGS["tr"][key]
    names = {name for name, _ in fields(template)}
    for probe, suffixes in PROBES.items():
        for name in names:
            others = {other: "—" for other in names - {name}}
            text = visible(t("tr", key, **others, **{name: probe}))
            assert "{" not in text
            for after in re.findall(rf"{probe}(\S*)", text):
                written = re.match(r"'(\w+)", after)
                assert not after[:1].isalpha(), (key, after)
                assert after[:1] != "'" or (written and written[1] in suffixes), (key, after)
            assert f"%{probe}" not in text, key


def test_t_chooses_the_suffix_from_the_text_before_it_is_escaped() -> None:
    # "&lt;" ends in a consonant t; the name said ends in the vowel e.
    assert t("tr", "answer.assigned", agent="<Ayşe>") == "&lt;Ayşe&gt;'ye atandı."
    assert t("tr", "answer.assigned", agent="Ayşe & Burak") == "Ayşe &amp; Burak'a atandı."


def test_t_reads_the_suffix_of_markup_from_its_visible_text() -> None:
    assert t("tr", "answer.assigned", agent=Markup("<b>Mehmet</b>")) == "<b>Mehmet</b>'e atandı."


def test_t_raw_writes_the_suffix_without_escaping() -> None:
    assert t_raw("tr", "answer.assigned", agent="Ayşe & Can") == "Ayşe & Can'a atandı."


def test_a_case_in_a_text_of_another_language_writes_the_value_alone() -> None:
    CATALOGS["en"]["test.cased"] = "since {time:abl}"
    try:
        assert t("en", "test.cased", time="03:14") == "since 03:14"
    finally:
        del CATALOGS["en"]["test.cased"]


def test_a_placeholder_without_a_case_is_filled_as_before() -> None:
    assert t("tr", "decline.ask", lead_id=7) == "#7 numaralı talebi neden reddediyorsunuz?"


# --- the texts people read ----------------------------------------------------------------


def renderer(now: datetime = START) -> Renderer:
    return Renderer(zone=ZoneInfo("Europe/Istanbul"), office="Kuzey Emlak",
                    clock=ManualClock(now))


def offer(deadline: datetime) -> dict[str, object]:
    return {"lang": "tr", "lead_id": 5, "temperature": "hot", "score": 80, "missing": [],
            "offer_id": 9, "token": "tok", "deadline": deadline.isoformat(), "window_s": 60}


@pytest.mark.parametrize(("minutes", "shown"), [
    (5, "(12:05'e kadar)"), (10, "(12:10'a kadar)"), (14, "(12:14'e kadar)"),
    (16, "(12:16'ya kadar)"), (40, "(12:40'a kadar)"), (60, "(13:00'e kadar)"),
])
def test_an_offer_says_until_when_with_the_suffix_of_its_deadline(minutes: int,
                                                                   shown: str) -> None:
    deadline = START + timedelta(minutes=minutes)
    text = visible(renderer().outgoing("offer", offer(deadline)).text)
    assert shown in text


def test_the_pending_list_says_since_and_until_with_the_right_suffixes() -> None:
    def lead(lead_id: int, status: LeadStatus, received: datetime) -> Lead:
        return Lead(contact_id=lead_id, id=lead_id, source="web", temperature=Temperature.HOT,
                    score=80, status=status, received_at=received, escalated_at=received)

    items = [
        WaitingLead(lead(1, LeadStatus.WITH_MANAGERS, datetime(2026, 11, 25, 0, 14, tzinfo=UTC)),
                    None, None),
        WaitingLead(lead(2, LeadStatus.OFFERED, START), "Burak", START + timedelta(minutes=6)),
        WaitingLead(lead(3, LeadStatus.NURTURE, datetime(2026, 11, 24, 21, 0, tzinfo=UTC)),
                    None, None),
    ]
    text = visible(renderer().waiting("tr", items))
    assert "⚠️ 25.11 03:14'ten beri yönetici bekliyor" in text
    assert "Burak'ta, 12:06'ya kadar" in text
    assert "🌱 25.11 00:00'dan beri beklemede" in text


def test_a_person_is_welcomed_to_the_office_with_its_name_in_the_dative() -> None:
    assert "<b>Kuzey Emlak'a</b> bağlandınız" in t("tr", "start.agent", name="Ayşe",
                                                    office="Kuzey Emlak")
    assert "<b>Test Realty'ye</b> yönetici olarak" in t("tr", "start.manager", name="Selin",
                                                        office="Test Realty")
