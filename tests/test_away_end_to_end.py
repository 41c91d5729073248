"""Away and back end to end through the sandbox Bot API, in both languages: an agent with a
pending offer and an open lead types /away for 3 days; the offer moves on to the next
agent, the lead's card arrives at the backup, both are told; /back brings the lead back."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.clock import ManualClock
from core.config import OfficeConfig
from sandbox import SandboxMessage
from tests.harness import running_office, text_has, until
from tests.office import AYSE, HOT, MEHMET, SELIN, ZEYNEP, office_data, office_without_clocks

START = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)  # a Wednesday, 09:00 in Istanbul
AYSE_FIRST = {"rules": [
    {"name": "ayse", "pool": {"agents": ["Ayşe"]}, "fallback": "default"},
    {"name": "default", "fallback": "managers"}]}
WORDS = {
    "en": {"accept": "✅ Accept", "away": "/away for 3 days",
           "done": "You are away until the end of Fri 27 Nov",
           "offer_gone": "went on to someone else while you are away",
           "told_ayse": "went to Mehmet while you are away",
           "handover": "is yours while Ayşe is away", "no_longer": "is no longer yours",
           "back": "Welcome back", "returned_to_mehmet": "went back to Ayşe, who is back",
           "returned_card": "is yours again (from Mehmet)"},
    "tr": {"accept": "✅ Kabul et", "away": "/away 3 gün",
           "done": "Cum 27 Kas sonuna kadar izindesiniz",
           "offer_gone": "siz izindeyken başka birine geçti",
           "told_ayse": "siz izindeyken Mehmet'e verildi",
           "handover": "Ayşe izindeyken sizde", "no_longer": "artık sizde değil",
           "back": "Tekrar hoş geldiniz", "returned_to_mehmet": "dönen Ayşe'ye geri verildi",
           "returned_card": "yeniden sizde (Mehmet bıraktı)"},
}


def config(lang: str) -> OfficeConfig:
    agents = [{**a, "backup": MEHMET} if a["telegram_id"] == AYSE else a  # type: ignore[index]
              for a in office_data()["agents"]]  # type: ignore[attr-defined]
    return office_without_clocks(agents=agents, routing=AYSE_FIRST, language=lang)


def now_text(messages: list[SandboxMessage], message_id: int) -> str:
    return next(str(m.text) for m in messages if m.message_id == message_id)


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "tr"])
async def test_away_for_three_days_hands_over_and_back_brings_the_lead_back(
    database_url: str, lang: str,
) -> None:
    words = WORDS[lang]
    async with running_office(config(lang), database_url,
                              clock=ManualClock(START)) as running:
        await running.start_chats(AYSE, MEHMET, ZEYNEP, SELIN)
        ayse, mehmet, zeynep = running[AYSE], running[MEHMET], running[ZEYNEP]
        owned = await running.post_lead(HOT)
        await ayse.press(await ayse.wait_for(text_has(f"#{owned}")), words["accept"])
        card = await ayse.wait_for(text_has(f"#{owned}", "+90 532 123 45 67"))
        waiting = await running.post_lead({**HOT, "phone": "+905321239999"})
        offer = await ayse.wait_for(text_has(f"#{waiting}"))
        assert words["accept"] in offer.button_texts()

        await ayse.send(words["away"])
        await ayse.wait_for(text_has(words["done"]))
        await until(lambda: words["offer_gone"] in now_text(ayse.messages, offer.message_id))
        assert not [m for m in ayse.messages if m.message_id == offer.message_id
                    and words["accept"] in m.button_texts()], "no Accept left on it"
        await until(lambda: any(  # on to the next agent at once, with its buttons
            f"#{waiting}" in m.text and words["accept"] in m.button_texts()
            for m in [*mehmet.messages, *zeynep.messages]))
        handed = await mehmet.wait_for(text_has(f"#{owned}", words["handover"]))
        assert "+90 532 123 45 67" in handed.text
        await ayse.wait_for(text_has(f"#{owned}", words["told_ayse"]))
        await until(lambda: words["no_longer"] in now_text(ayse.messages, card.message_id))
        assert "+90 532" not in now_text(ayse.messages, card.message_id), "the phone is gone"

        await ayse.send("/back")
        await ayse.wait_for(text_has(words["back"]))
        back = await ayse.wait_for(text_has(f"#{owned}", words["returned_card"]))
        assert "+90 532 123 45 67" in back.text
        await mehmet.wait_for(text_has(f"#{owned}", words["returned_to_mehmet"]))
        await until(lambda: "+90 532" not in now_text(mehmet.messages, handed.message_id))
