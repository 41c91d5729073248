"""Moving a lead by hand end to end, through the bot and the Bot API sandbox, in English and
Turkish: /reassign with a reason button (the old card loses the phone, the new owner gets
the card), and Return on the card with a reason (offered to the next agent)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from core.clock import ManualClock
from tests.harness import BRISK, RunningOffice, offer_for, running_office, text_has, until
from tests.office import AYSE, HOT, MEHMET, SELIN, ZEYNEP, office_data, office_without_clocks

pytestmark = pytest.mark.slow  # a whole leadrelay runs: see README, Tests

START = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)  # a Wednesday, 09:00 in Istanbul
PHONE = "+90 532 123 45 67"


def speaking(turkish: set[int]) -> list[dict[str, object]]:
    """The test office's people, those in *turkish* set to Turkish."""
    return [{**a, "language": "tr"} if a["telegram_id"] in turkish else a  # type: ignore[index]
            for a in office_data()["agents"]]  # type: ignore[attr-defined]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
async def ayse_in_turkish(database_url: str, clock: ManualClock) -> AsyncIterator[RunningOffice]:
    config = office_without_clocks(agents=speaking({AYSE}))
    async with running_office(config, database_url, clock=clock, limits=BRISK) as running:
        await running.start_chats(AYSE, MEHMET, ZEYNEP, SELIN)
        yield running


@pytest.fixture
async def selin_in_turkish(database_url: str, clock: ManualClock) -> AsyncIterator[RunningOffice]:
    config = office_without_clocks(agents=speaking({SELIN, MEHMET}))
    async with running_office(config, database_url, clock=clock, limits=BRISK) as running:
        await running.start_chats(AYSE, MEHMET, ZEYNEP, SELIN)
        yield running


def text_of(running: RunningOffice, person: int, message_id: int) -> str:
    return next(m.text for m in running[person].messages if m.message_id == message_id)


async def test_a_manager_reassigns_by_name_with_a_reason_and_both_agents_are_told(
    ayse_in_turkish: RunningOffice,
) -> None:
    running = ayse_in_turkish
    ayse, mehmet, selin = running[AYSE], running[MEHMET], running[SELIN]
    lead_id = await running.post_lead(HOT)
    await ayse.press(await ayse.wait_for(text_has(f"talep #{lead_id}")), "✅ Kabul et")
    card = await ayse.wait_for(text_has(f"#{lead_id}", PHONE))
    assert "↩️ Geri ver" in card.button_texts(), "the owner can hand it back"
    await selin.send(f"/reassign {lead_id} MEH")
    ask = await selin.wait_for(text_has(f"Lead #{lead_id}: from Ayşe to Mehmet. Why?"))
    assert "Customer asked" in ask.button_texts()
    await selin.press(ask, "Customer asked")
    await until(lambda: f"Lead #{lead_id} given to Mehmet (Customer asked)" in text_of(
        running, SELIN, ask.message_id))
    given = await mehmet.wait_for(text_has(f"Selin assigned lead #{lead_id}"))
    assert PHONE in given.text, "the new owner gets the card with the contact"
    assert "↩️ Return" in given.button_texts()
    await ayse.wait_for(text_has(f"#{lead_id}", "Mehmet'e verdi", "Neden: Müşteri istedi"))
    await until(lambda: "artık sizde değil" in text_of(running, AYSE, card.message_id))
    old = text_of(running, AYSE, card.message_id)
    assert "Talep artık Mehmet'te." in old
    assert PHONE not in old, "the old card keeps no phone"
    await selin.send(f"/reassign {lead_id} mehmet")
    await selin.wait_for(text_has("Mehmet already has this lead."))


async def test_an_agent_returns_a_lead_with_a_reason_and_it_is_offered_to_the_next(
    selin_in_turkish: RunningOffice,
) -> None:
    running = selin_in_turkish
    ayse, mehmet, zeynep, selin = (running[AYSE], running[MEHMET], running[ZEYNEP],
                                   running[SELIN])
    lead_id = await running.post_lead(HOT)
    await ayse.press(await ayse.wait_for(offer_for(lead_id)), "✅ Accept")
    card = await ayse.wait_for(text_has(f"#{lead_id}", PHONE))
    await ayse.press(card, "↩️ Return")
    await until(lambda: "Not my area" in next(
        m for m in ayse.messages if m.message_id == card.message_id).button_texts())
    answer = await ayse.press(card, "Not my area")
    assert f"Lead #{lead_id} handed back" in (answer.text or "")
    await until(lambda: f"You handed lead #{lead_id} back." in text_of(
        running, AYSE, card.message_id))
    assert PHONE not in text_of(running, AYSE, card.message_id)
    offer = await mehmet.wait_for(text_has(f"talep #{lead_id}"))
    assert "✅ Kabul et" in offer.button_texts(), "offered to the next agent, in Turkish"
    await selin.send(f"/why {lead_id}")
    await selin.wait_for(text_has("Ayşe talebi geri verdi — Benim bölgem değil"))
    await mehmet.press(offer, "✅ Kabul et")
    mine = await mehmet.wait_for(text_has(f"#{lead_id}", PHONE))
    await selin.send(f"/reassign {lead_id}")
    ask = await selin.wait_for(text_has(f"#{lead_id}", "şu an Mehmet'te. Kime verilsin?"))
    assert "👤 Mehmet" not in ask.button_texts()
    await selin.press(ask, "👤 Zeynep")
    await until(lambda: "Mehmet'ten alınıp Zeynep'e verilecek. Neden?" in text_of(
        running, SELIN, ask.message_id))
    await selin.press(ask, "İş yükü")
    given = await zeynep.wait_for(text_has(f"Selin assigned lead #{lead_id}"))
    assert PHONE in given.text
    await until(lambda: "artık sizde değil" in text_of(running, MEHMET, mine.message_id))
    assert "Neden: İş yükü" in text_of(running, MEHMET, mine.message_id)
    assert not [m for m in ayse.messages if m.message_id > card.message_id
                and "✅ Accept" in m.button_texts()], "never back to the one who returned it"
