"""/new as an agent uses it on a phone with a caller on the line: one question a message,
buttons for the choices, Cancel at any point; through the real client and the Bot API
sandbox, in both languages."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from core.clock import ManualClock
from core.config import OfficeConfig
from sandbox import SandboxMessage, SandboxUser
from tests.harness import BRISK, RunningOffice, offer_for, running_office, text_has, until
from tests.office import AYSE, MEHMET, SELIN, ZEYNEP, office, office_data

pytestmark = pytest.mark.slow  # a whole leadrelay runs: see README, Tests

START = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)  # a Wednesday, 09:00 in Istanbul
SPECIALTIES = {AYSE: ["residential", "land"], MEHMET: ["commercial"]}


def entry_office(**changes: object) -> OfficeConfig:
    """The test office, whose agents' specialties name the products /new offers."""
    agents: list[dict[str, Any]] = office_data()["agents"]  # type: ignore[assignment]
    people = [{**person, "specialties": SPECIALTIES.get(person["telegram_id"], [])}
              for person in agents]
    return office(agents=people, timezone="Europe/Istanbul", **changes)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
async def running(database_url: str, clock: ManualClock) -> AsyncIterator[RunningOffice]:
    async with running_office(entry_office(), database_url, clock=clock,
                              limits=BRISK) as running:
        await running.start_chats(AYSE, MEHMET, ZEYNEP, SELIN)
        yield running


def live(user: SandboxUser, message: SandboxMessage) -> SandboxMessage:
    """The message as it is in the chat now (after edits)."""
    return next(m for m in user.messages if m.message_id == message.message_id)


def lead_id_in(message: SandboxMessage) -> int:
    found = re.search(r"#(\d+)", message.text)
    assert found is not None, message.text
    return int(found[1])


async def test_an_agent_enters_a_phoned_in_lead_and_its_card_arrives_with_the_details(
    running: RunningOffice,
) -> None:
    ayse = running[AYSE]
    await ayse.send("/new")
    name = await ayse.wait_for(text_has("New lead (1/6)", "What is the contact's name?"))
    assert name.button_texts() == ["✖️ Cancel"]
    await ayse.send("Deniz Kaya")
    await ayse.wait_for(text_has("(2/6) What is their phone number?"))
    await ayse.send("12345")
    await ayse.wait_for(text_has("“12345” is not a phone number I can use"))
    await ayse.send("0532 123 45 67")
    product = await ayse.wait_for(text_has("(3/6) What are they looking for?"))
    assert product.button_texts() == ["residential", "land", "commercial", "Skip ›",
                                      "✖️ Cancel"]
    await ayse.press(product, "residential")
    await ayse.wait_for(text_has("(4/6) Which region or district?"))
    await until(lambda: live(ayse, product).button_texts() == [])
    await ayse.send("Istanbul / Kadıköy")
    await ayse.wait_for(text_has("(5/6) What is their budget?"))
    await ayse.send("3-5 million")
    timing = await ayse.wait_for(text_has("(6/6) When do they mean to buy?"))
    assert timing.button_texts() == ["This week", "This month", "In 1–3 months",
                                     "Within 6 months", "Just looking", "Skip ›", "✖️ Cancel"]
    await ayse.press(timing, "This week")
    saved = await ayse.wait_for(text_has("saved. It is yours"))
    lead_id = lead_id_in(saved)
    card = await ayse.wait_for(text_has(f"Lead #{lead_id} is yours", "score 98/100"))
    for shown in ("Deniz Kaya", "+90 532 123 45 67", "residential", "Istanbul / Kadıköy",
                  "3,000,000 – 5,000,000", "Timing: this week", "Source: manual",
                  "Stage: new"):
        assert shown in card.text, shown
    assert card.button_texts()[:3] == ["💬 WhatsApp", "📞 Contacted", "📵 Couldn't reach"]


async def test_a_turkish_office_enters_a_lead_skipping_what_the_caller_did_not_say(
    database_url: str, clock: ManualClock,
) -> None:
    async with running_office(entry_office(language="tr"), database_url, clock=clock,
                              limits=BRISK) as running:
        await running.start_chats(AYSE, SELIN)
        ayse = running[AYSE]
        await ayse.send("/new")
        await ayse.wait_for(text_has("Yeni talep (1/6)", "Müşterinin adı soyadı nedir?"))
        await ayse.send("Ece Demir")
        await ayse.wait_for(text_has("(2/6) Telefon numarası nedir?"))
        await ayse.send("+90 533 765 43 21")
        product = await ayse.wait_for(text_has("(3/6) Ne arıyor?"))
        await ayse.press(product, "Geç ›")
        region = await ayse.wait_for(text_has("(4/6) Hangi bölge ya da semt?"))
        await ayse.press(region, "Geç ›")
        await ayse.wait_for(text_has("(5/6) Bütçesi ne kadar?"))
        await ayse.send("2,5 milyon")
        timing = await ayse.wait_for(text_has("(6/6) Ne zaman almayı düşünüyor?"))
        assert timing.button_texts()[:5] == ["Bu hafta", "Bu ay", "1–3 ay içinde",
                                             "6 ay içinde", "Sadece bakıyor"]
        await ayse.press(timing, "Bu ay")
        saved = await ayse.wait_for(text_has("numaralı talep kaydedildi. Talep sizin"))
        lead_id = lead_id_in(saved)
        card = await ayse.wait_for(text_has(f"#{lead_id} numaralı talep sizin"))
        for shown in ("Ece Demir", "+90 533 765 43 21", "Bütçe: 2.500.000",
                      "Zamanlama: bu ay", "Kaynak: manual", "Aşama: yeni"):
            assert shown in card.text, shown
        assert "Ürün" not in card.text, "a skipped question leaves its field out"


async def test_cancel_halfway_stores_nothing_and_later_text_is_no_answer(
    running: RunningOffice,
) -> None:
    ayse = running[AYSE]
    await ayse.send("/new")
    await ayse.wait_for(text_has("(1/6)"))
    await ayse.send("Deniz Kaya")
    await ayse.wait_for(text_has("(2/6)"))
    await ayse.send("0532 123 45 67")
    product = await ayse.wait_for(text_has("(3/6)"))
    await ayse.press(product, "✖️ Cancel")
    await ayse.wait_for(text_has("Entry cancelled. Nothing was saved."))
    await ayse.send("Istanbul / Kadıköy")
    await ayse.wait_for(text_has("To add a note, reply to a lead's card"))
    await ayse.send("/leads")
    await ayse.wait_for(text_has("You have no open leads"))
    await running[SELIN].send("/pending")
    await running[SELIN].wait_for(text_has("Nothing is waiting"))


async def test_cancel_by_command_in_turkish_stores_nothing(
    database_url: str, clock: ManualClock,
) -> None:
    async with running_office(entry_office(language="tr"), database_url, clock=clock,
                              limits=BRISK) as running:
        await running.start_chats(AYSE, SELIN)
        ayse = running[AYSE]
        await ayse.send("/new")
        await ayse.wait_for(text_has("Yeni talep (1/6)"))
        await ayse.send("Ece Demir")
        await ayse.wait_for(text_has("(2/6)"))
        await ayse.send("/cancel")
        await ayse.wait_for(text_has("Talep girişi iptal edildi. Hiçbir şey kaydedilmedi."))
        await ayse.send("0533 765 43 21")
        await ayse.wait_for(text_has("Not eklemek için talebin kartına yanıt verin"))
        await ayse.send("/leads")
        await ayse.wait_for(text_has("Açık talebiniz yok"))


async def test_with_own_entries_off_an_entered_lead_is_offered_like_any_other(
    database_url: str, clock: ManualClock,
) -> None:
    config = entry_office(work={"own_entries": False})
    async with running_office(config, database_url, clock=clock,
                              limits=BRISK) as running:
        await running.start_chats(AYSE, MEHMET, SELIN)
        mehmet, ayse = running[MEHMET], running[AYSE]
        await mehmet.send("/new")
        await mehmet.wait_for(text_has("(1/6)"))
        for typed, next_question in (("Deniz Kaya", "(2/6)"), ("0532 123 45 67", "(3/6)")):
            await mehmet.send(typed)
            await mehmet.wait_for(text_has(next_question))
        for question in ("(3/6)", "(4/6)", "(5/6)", "(6/6)"):
            await mehmet.press(await mehmet.wait_for(text_has(question)), "Skip ›")
        saved = await mehmet.wait_for(text_has("saved. It goes to the team"))
        lead_id = lead_id_in(saved)
        offer = await ayse.wait_for(offer_for(lead_id))
        assert "manual" in offer.text
