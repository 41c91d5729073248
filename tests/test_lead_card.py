"""The lead card, as an agent works it on a phone: every button, the pickers, typed amounts
and times, notes by reply and by command, Undo, a manager's correction, /lead, /leads and
/today, through the real client and the Bot API sandbox, in both languages."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest

from bot.i18n import t_raw
from core.clock import ManualClock
from sandbox import SandboxMessage
from tests.harness import BRISK, RunningOffice, offer_for, running_office, text_has, until
from tests.office import AYSE, HOT, MEHMET, SELIN, ZEYNEP, office

pytestmark = pytest.mark.slow  # a whole leadrelay runs: see README, Tests

# A Wednesday, 09:00 in Istanbul (the test office's zone is UTC+3 all year).
START = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)
SLOW = {"hot": {"accept_within": "10m", "offers_before_managers": 2}}


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
async def running(database_url: str, clock: ManualClock) -> AsyncIterator[RunningOffice]:
    config = office(sla=SLOW, timezone="Europe/Istanbul")
    async with running_office(config, database_url, clock=clock,
                              limits=BRISK) as running:
        await running.start_chats(AYSE, MEHMET, ZEYNEP, SELIN)
        yield running


async def accepted(running: RunningOffice, payload: dict[str, object] | None = None,
                   ) -> tuple[int, SandboxMessage]:
    """A lead posted, accepted by Ayşe, and its card as it arrives."""
    lead_id = await running.post_lead(payload or HOT)
    ayse = running[AYSE]
    await ayse.press(await ayse.wait_for(offer_for(lead_id)), "✅ Accept")
    card = await ayse.wait_for(text_has(f"Lead #{lead_id} is yours", "Phone: +90 532"))
    return lead_id, card


def live(running: RunningOffice, person: int, message: SandboxMessage) -> SandboxMessage:
    """The message as it is in the chat now (after edits)."""
    return next(m for m in running[person].messages if m.message_id == message.message_id)


async def until_card(running: RunningOffice, person: int, message: SandboxMessage,
                     *parts: str) -> SandboxMessage:
    """The card once an edit made it show every part."""
    await until(lambda: all(p in live(running, person, message).text for p in parts))
    return live(running, person, message)


async def test_the_card_shows_everything_to_call_and_a_whatsapp_button_with_a_first_message(
    running: RunningOffice,
) -> None:
    _, card = await accepted(running, {**HOT, "email": "deniz@example.com",
                                       "message": "Call after 6"})
    for shown in ("Call after 6", "Deniz Kaya", "+90 532 123 45 67", "deniz@example.com",
                  "residential", "Stage: new", "Reply to this card to add a note"):
        assert shown in card.text, shown
    assert card.button_texts() == [
        "💬 WhatsApp", "📞 Contacted", "📵 Couldn't reach", "📨 Info sent", "📅 Appointment",
        "💼 Offer", "🏆 Won", "✖️ Lost", "📝 Note", "⏰ Remind me", "↩️ Return"]
    url = urlparse(card.button_url("💬 WhatsApp") or "")
    assert (url.scheme, url.netloc, url.path) == ("https", "wa.me", "/905321234567")
    [first] = parse_qs(url.query)["text"]
    assert first.startswith("Hello Deniz, this is Ayşe from Test Realty")


async def test_contacted_and_couldnt_reach_record_tries_and_the_first_contact(
    running: RunningOffice, clock: ManualClock,
) -> None:
    _, card = await accepted(running)
    ayse = running[AYSE]
    clock.advance(timedelta(minutes=4))
    answer = await ayse.press(card, "📵 Couldn't reach")
    assert answer.text == "📵 Try logged. I will remind you to try again."
    card = await until_card(running, AYSE, card, "first contact 09:04", "tries: 1")
    assert "Stage: new" in card.text
    clock.advance(timedelta(minutes=30))
    await ayse.press(card, "📞 Contacted")
    card = await until_card(running, AYSE, card, "Stage: contacted", "tries: 2")
    assert "first contact 09:04" in card.text, "the first try of either kind is first contact"


async def test_info_sent_then_undo_within_ten_minutes_puts_the_stage_back(
    running: RunningOffice, clock: ManualClock,
) -> None:
    lead_id, card = await accepted(running)
    ayse = running[AYSE]
    await ayse.press(card, "📨 Info sent")
    card = await until_card(running, AYSE, card, "Stage: info sent")
    assert "↩️ Undo" in card.button_texts()
    assert "📨 Info sent" not in card.button_texts(), "stages move forward only"
    clock.advance(timedelta(minutes=9))
    answer = await ayse.press(card, "↩️ Undo")
    assert answer.text == f"↩️ Undone: #{lead_id} is back at “new”."
    card = await until_card(running, AYSE, card, "Stage: new")
    assert "↩️ Undo" not in card.button_texts()


async def test_undo_after_ten_minutes_is_refused_and_a_manager_corrects_and_reopens(
    running: RunningOffice, clock: ManualClock,
) -> None:
    lead_id, card = await accepted(running)
    ayse, selin = running[AYSE], running[SELIN]
    await ayse.press(card, "✖️ Lost")
    assert "price" in live(running, AYSE, card).button_texts(), "the reasons, on the card"
    await ayse.press(live(running, AYSE, card), "price")
    card = await until_card(running, AYSE, card, "Stage: lost", "Lost: price")
    clock.advance(timedelta(minutes=10, seconds=1))
    answer = await ayse.press(card, "↩️ Undo")
    assert answer.text is not None
    assert "Ask a manager" in answer.text
    assert "Stage: lost" in live(running, AYSE, card).text
    await ayse.send(f"/correct {lead_id} offer she came back")
    await ayse.wait_for(text_has("Only managers"))
    await selin.send(f"/correct {lead_id} offer she came back after all")
    await selin.wait_for(text_has(f"Lead #{lead_id} corrected to “offer made”"))
    card = await until_card(running, AYSE, card, "Stage: offer made")
    assert "🏆 Won" in card.button_texts(), "reopened: the owner works it again"


async def test_offer_and_won_ask_for_the_amount_in_each_written_form(
    running: RunningOffice,
) -> None:
    lead_id, card = await accepted(running)
    ayse = running[AYSE]
    await ayse.press(card, "💼 Offer")
    question = await ayse.wait_for(text_has(f"Lead #{lead_id}: what is the offer?"))
    assert question.force_reply
    await ayse.reply(question, "4,5 milyon")
    await ayse.wait_for(text_has(f"Offer of 4,500,000 recorded on #{lead_id}"))
    card = await until_card(running, AYSE, card, "Stage: offer made", "Offer: 4,500,000")
    await ayse.press(card, "🏆 Won")
    question = await ayse.wait_for(text_has(f"Lead #{lead_id}: what was it won for?"))
    await ayse.send("about four")
    await ayse.wait_for(text_has("“about four” is not an amount"))
    await ayse.send("4.25m")
    await ayse.wait_for(text_has(f"#{lead_id} won for 4,250,000"))
    card = await until_card(running, AYSE, card, "Stage: won", "Won for 4,250,000")
    assert card.button_texts() == ["💬 WhatsApp", "📝 Note", "↩️ Undo"]


async def test_an_appointment_is_booked_by_buttons_and_shows_as_the_next_task(
    running: RunningOffice,
) -> None:
    _, card = await accepted(running)
    ayse = running[AYSE]
    answer = await ayse.press(card, "📅 Appointment")
    assert answer.text is not None
    assert "type a time" in answer.text
    days = live(running, AYSE, card)
    assert days.button_texts()[:3] == ["Today", "Tomorrow", "Fri 27.11"]
    await ayse.press(days, "Tomorrow")
    times = live(running, AYSE, card)
    assert times.button_texts()[0] == "09:00"
    assert "18:30" in times.button_texts()
    await ayse.press(times, "14:30")
    card = await until_card(running, AYSE, card, "Stage: appointment",
                            "Next: 📅 Appointment · 14:30 Thu")
    await ayse.send("/today")
    await ayse.wait_for(text_has("Nothing is due today"))


async def test_an_appointment_is_booked_by_a_typed_time_in_turkish(
    database_url: str, clock: ManualClock,
) -> None:
    config = office(sla=SLOW, timezone="Europe/Istanbul", language="tr")
    async with running_office(config, database_url, clock=clock,
                              limits=BRISK) as running:
        await running.start_chats(AYSE, SELIN)
        lead_id = await running.post_lead(HOT)
        ayse = running[AYSE]
        offer = await ayse.wait_for(lambda m: f"#{lead_id}" in m.text
                                    and "✅ Kabul et" in m.button_texts())
        await ayse.press(offer, "✅ Kabul et")
        card = await ayse.wait_for(text_has(f"#{lead_id}", "+90 532 123 45 67"))
        await ayse.press(card, "📅 Randevu")
        await ayse.send("bugün 16:30")
        await ayse.wait_for(text_has("Randevu kaydedildi"))
        card = await until_card(running, AYSE, card, "Aşama: randevu",
                                "Sıradaki: 📅 Randevu · 16:30")
        await ayse.send("/today")
        due = await ayse.wait_for(text_has("Bugün yapılacaklar (1)"))
        assert f"16:30 · 📅 Randevu · #{lead_id} Deniz Kaya" in due.text


async def test_notes_by_reply_and_by_command_show_newest_first_on_the_card(
    running: RunningOffice, clock: ManualClock,
) -> None:
    lead_id, card = await accepted(running)
    ayse = running[AYSE]
    await ayse.reply(card, "wants a sea view")
    await ayse.wait_for(text_has(f"Note added to #{lead_id}"))
    clock.advance(timedelta(minutes=1))
    await ayse.send(f"/note {lead_id} call back after 6")
    card = await until_card(running, AYSE, card, "wants a sea view", "call back after 6")
    assert card.text.index("call back after 6") < card.text.index("wants a sea view")
    await ayse.press(card, "📝 Note")
    question = await ayse.wait_for(text_has(f"Lead #{lead_id}: type the note"))
    await ayse.reply(question, "budget is firm")
    await until_card(running, AYSE, card, "budget is firm")


async def test_remind_me_sets_a_task_that_today_lists(running: RunningOffice) -> None:
    lead_id, card = await accepted(running)
    ayse = running[AYSE]
    await ayse.press(card, "⏰ Remind me")
    await ayse.press(live(running, AYSE, card), "In 1 hour")
    await until_card(running, AYSE, card, "Next: 📞 First call")  # sooner than the reminder
    await ayse.send("/today")
    due = await ayse.wait_for(text_has("Due today (2)"))
    assert f"10:00 · ⏰ Reminder · #{lead_id} Deniz Kaya" in due.text
    assert f"📞 First call · #{lead_id} Deniz Kaya" in due.text


async def test_lead_sends_the_card_again_below_and_the_old_one_says_so(
    running: RunningOffice,
) -> None:
    lead_id, card = await accepted(running)
    ayse, selin, mehmet = running[AYSE], running[SELIN], running[MEHMET]
    await ayse.send(f"/lead {lead_id}")
    await until(lambda: "moved below" in live(running, AYSE, card).text)
    assert live(running, AYSE, card).button_texts() == []
    newer = await ayse.wait_for(lambda m: m.message_id > card.message_id
                                and "Deniz Kaya" in m.text and "📝 Note" in m.button_texts())
    await ayse.send("/lead 0532 123 45 67")
    await until(lambda: "moved below" in live(running, AYSE, newer).text)
    await selin.send(f"/lead {lead_id}")
    managers = await selin.wait_for(text_has("Deniz Kaya", "Owner: Ayşe"))
    assert "+90 532 123 45 67" in managers.text
    for wanted in (str(lead_id), "+90 532 123 45 67", "999999"):
        await mehmet.send(f"/lead {wanted}")
    await until(lambda: sum("That lead is not yours" in m.text for m in mehmet.messages) >= 3)
    assert not any("Deniz" in m.text for m in mehmet.messages if "#" in m.text
                   and "Accept" not in m.button_texts())


@pytest.fixture
async def ayses(database_url: str, clock: ManualClock) -> AsyncIterator[RunningOffice]:
    """An office whose every lead goes to Ayşe."""
    config = office(sla=SLOW, timezone="Europe/Istanbul", routing={"rules": [
        {"name": "ayse", "pool": {"agents": ["Ayşe"]}, "fallback": "managers"}]})
    async with running_office(config, database_url, clock=clock,
                              limits=BRISK) as running:
        await running.start_chats(AYSE, SELIN)
        yield running


async def test_a_returning_contacts_card_lists_earlier_inquiries_and_lead_shows_more_notes(
    ayses: RunningOffice, clock: ManualClock,
) -> None:
    first, card = await accepted(ayses)
    ayse = ayses[AYSE]
    for n in range(5):
        clock.advance(timedelta(minutes=1))
        await ayse.send(f"/note {first} visit number {n}")
        await ayse.wait_for(lambda m, n=n: m.text == f"📝 Note added to #{first}."
                            and sum(x.text == m.text for x in ayse.messages) > n)
    card = await until_card(ayses, AYSE, card, "visit number 4", "older notes")
    assert "visit number 1" not in card.text, "the card shows the newest three"
    await ayse.send(f"/lead {first}")
    more = await ayse.wait_for(lambda m: m.message_id > card.message_id
                               and "visit number 0" in m.text)
    assert "visit number 4" in more.text
    _, again = await accepted(ayses, {**HOT, "message": "still looking"})
    assert f"Earlier inquiries: #{first} (25.11.2026, new)" in again.text


async def test_leads_pages_newest_first_with_a_button_per_lead(ayses: RunningOffice) -> None:
    running = ayses
    ayse = running[AYSE]
    ids = []
    for n in range(9):
        lead_id, _ = await accepted(running, {**HOT, "phone": f"+90532123{4500 + n}",
                                               "name": f"Client {n}"})
        ids.append(lead_id)
    await ayse.send("/leads")
    first = await ayse.wait_for(text_has("Your open leads (9) · page 1/2"))
    assert first.text.index(f"#{ids[-1]}") < first.text.index(f"#{ids[-2]}")
    assert f"#{ids[0]} " not in first.text
    await ayse.press(first, "Older ›")
    await until(lambda: "page 2/2" in live(running, AYSE, first).text)
    assert f"#{ids[0]} · Client 0" in live(running, AYSE, first).text
    await ayse.press(live(running, AYSE, first), f"#{ids[0]} Client 0")
    await ayse.wait_for(lambda m: m.message_id > first.message_id and "Client 0" in m.text
                        and "📝 Note" in m.button_texts())


async def test_outcome_takes_stage_names_in_turkish(running: RunningOffice) -> None:
    lead_id, _ = await accepted(running)
    ayse = running[AYSE]
    await ayse.send(f"/outcome {lead_id} bilgi gönderildi")
    await ayse.wait_for(text_has(f"Lead #{lead_id} is now “info sent”"))
    await ayse.send(f"/outcome {lead_id} TEKLİF 3.750.000")
    await ayse.wait_for(text_has(f"Lead #{lead_id} is now “offer made”"))
    await ayse.send(f"/outcome {lead_id} kazanıldı 4,1 milyon")
    await ayse.wait_for(text_has(f"Lead #{lead_id} is now “won”"))
    await ayse.send(f"/lead {lead_id}")
    await ayse.wait_for(text_has("Offer: 3,750,000", "Won for 4,100,000"))


def shown(lang: str, key: str, **params: object) -> str:
    """A catalog text as the person reads it (its HTML tags gone)."""
    return re.sub(r"<[^>]+>", "", t_raw(lang, key, **params))


AMOUNTS = {"en": ("TRY\u00a04,500,000", "TRY\u00a04,750,000"),
           "tr": ("₺4.500.000", "₺4.750.000")}


@pytest.mark.parametrize("lang", ["en", "tr"])
async def test_every_button_changes_the_card_in_either_language(
    database_url: str, clock: ManualClock, lang: str,
) -> None:
    config = office(sla=SLOW, timezone="Europe/Istanbul", language=lang, currency="TRY",
                    routing={"rules": [{"name": "ayse", "pool": {"agents": ["Ayşe"]},
                                        "fallback": "managers"}]})
    label = {key: t_raw(lang, f"button.{key}") for key in (
        "accept", "contacted", "unreachable", "info_sent", "appointment", "offer", "won",
        "lost", "note", "remind", "undo", "tomorrow", "remind_3d")}

    def stage(name: str) -> str:
        return shown(lang, "card.stage", stage=t_raw(lang, f"stage.{name}"))

    async with running_office(config, database_url, clock=clock,
                              limits=BRISK) as running:
        await running.start_chats(AYSE, SELIN)
        ayse = running[AYSE]
        lead_id = await running.post_lead(HOT)
        offer = await ayse.wait_for(lambda m: f"#{lead_id}" in m.text
                                    and label["accept"] in m.button_texts())
        await ayse.press(offer, label["accept"])
        card = await ayse.wait_for(text_has("+90 532 123 45 67", stage("new")))
        assert "₺1.000.000" in card.text if lang == "tr" else "TRY\u00a01,000,000" in card.text

        await ayse.press(card, label["unreachable"])
        card = await until_card(running, AYSE, card, shown(lang, "card.attempts", count=1))
        await ayse.press(card, label["contacted"])
        card = await until_card(running, AYSE, card, stage("contacted"))
        await ayse.press(card, label["info_sent"])
        card = await until_card(running, AYSE, card, stage("info_sent"))
        await ayse.press(card, label["appointment"])
        await ayse.press(live(running, AYSE, card), label["tomorrow"])
        await ayse.press(live(running, AYSE, card), "10:00")
        tomorrow_at_ten = "10:00 Thu" if lang == "en" else "Per 10:00"
        card = await until_card(running, AYSE, card, stage("appointment"), tomorrow_at_ten)
        await ayse.press(card, label["offer"])
        question = await ayse.wait_for(lambda m: m.force_reply)
        await ayse.reply(question, "4.500.000")
        card = await until_card(running, AYSE, card, stage("offer"), AMOUNTS[lang][0])
        await ayse.press(card, label["remind"])
        await ayse.press(live(running, AYSE, card), label["remind_3d"])
        await until(lambda: label["note"] in live(running, AYSE, card).button_texts())
        await ayse.press(card, label["note"])
        question = await ayse.wait_for(lambda m: m.force_reply and m.message_id
                                       > question.message_id)
        await ayse.reply(question, "ikinci görüşme / second viewing")
        card = await until_card(running, AYSE, card, "ikinci görüşme / second viewing")
        await ayse.press(card, label["won"])
        question = await ayse.wait_for(lambda m: m.force_reply and m.message_id
                                       > question.message_id)
        await ayse.send("4,75 milyon")
        card = await until_card(running, AYSE, card, stage("won"), AMOUNTS[lang][1])
        assert label["won"] not in card.button_texts(), "a won lead is closed"
        await ayse.press(card, label["undo"])
        card = await until_card(running, AYSE, card, stage("offer"))
        await ayse.press(card, label["lost"])
        await ayse.press(live(running, AYSE, card), t_raw(lang, "lost.location"))
        card = await until_card(running, AYSE, card, stage("lost"),
                                shown(lang, "card.lost_reason",
                                      reason=t_raw(lang, "lost.location")))
        assert card.button_texts() == ["💬 WhatsApp", label["note"], label["undo"]]
