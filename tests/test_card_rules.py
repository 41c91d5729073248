"""The rules behind the card's buttons: what a press changes, what Undo takes back, and what
a button or an answer that cannot apply any more leaves alone; on in-memory fakes wired by
bootstrap(), on both real databases where a race decides, and through the Bot API sandbox
where the bot's handlers do."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.card_keyboards import (
    card_keyboard,
    day_picker,
    decode_card,
    encode_card,
    leads_keyboard,
    lost_picker,
    picked_day,
    picked_time,
    remind_picker,
    time_picker,
    whatsapp_url,
)
from bot.keyboards import UnreadableButton, decode
from bot.render import Renderer
from core.app import App
from core.clock import ManualClock
from core.errors import InThePast, InvalidTransition, NotATime
from core.lifecycle.answers import accept_offer
from core.lifecycle.cards import redraw_cards
from core.lifecycle.entry import entry_answer, start_entry
from core.lifecycle.prompts import answer_prompt, ask_for, cancel_prompt, forget_stale_prompts
from core.lifecycle.working import (
    book_appointment,
    log_attempt,
    record_stage,
    remind_me,
    undo_last_change,
)
from core.lifecycle.worklist import due_today, open_leads
from core.messages import CardParams, ContactDetails, LeadSummary
from core.model import CLOSING_STAGES, OfferStatus, PromptKind, Stage, TaskKind
from leadrelay.bootstrap import bootstrap, sql_uow_factory
from sandbox import SandboxMessage
from storage.db import create_engine
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWork
from tests.fakes import FakeDatabase
from tests.harness import BRISK, RunningOffice, offer_for, running_office, text_has, until
from tests.office import (
    AYSE,
    HOT,
    MEHMET,
    SELIN,
    TOKEN,
    ZEYNEP,
    linked,
    office,
    office_without_clocks,
    on_fakes,
    owned,
)

START = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)  # a Wednesday, 09:00 in Istanbul


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def db() -> FakeDatabase:
    return FakeDatabase()


@pytest.fixture
async def relay(clock: ManualClock, db: FakeDatabase) -> App:
    return await on_fakes(office_without_clocks(), clock, db)


# --- tries -------------------------------------------------------------------------------


async def test_contacted_on_a_lead_further_on_counts_the_call_and_keeps_the_stage(
    relay: App, db: FakeDatabase, clock: ManualClock,
) -> None:
    lead_id, owner = await owned(relay, db)
    await relay.run(log_attempt, agent_id=owner, lead_id=lead_id, reached=True)
    clock.advance(timedelta(hours=1))
    again = await relay.run(log_attempt, agent_id=owner, lead_id=lead_id, reached=True)
    assert (again.stage, again.attempts) == (Stage.CONTACTED, 2)
    await relay.run(record_stage, agent_id=owner, lead_id=lead_id, stage=Stage.INFO_SENT)
    clock.advance(timedelta(hours=1))
    later = await relay.run(log_attempt, agent_id=owner, lead_id=lead_id, reached=True)
    assert (later.stage, later.attempts) == (Stage.INFO_SENT, 3)
    assert later.contacted_at == START, "the first contact stays the first"
    assert [e.data["reached"] for e in db.events if e.kind == "attempt"] == [True] * 3


async def test_a_try_pressed_twice_within_seconds_counts_once_and_half_a_minute_on_again(
    relay: App, db: FakeDatabase, clock: ManualClock,
) -> None:
    lead_id, owner = await owned(relay, db)
    for _ in range(2):
        await relay.run(log_attempt, agent_id=owner, lead_id=lead_id, reached=False)
        clock.advance(timedelta(seconds=10))
    assert db.leads[lead_id].attempts == 1
    await relay.run(log_attempt, agent_id=owner, lead_id=lead_id, reached=True)
    assert (db.leads[lead_id].attempts, db.leads[lead_id].stage) == (2, Stage.CONTACTED)
    clock.advance(timedelta(seconds=30))
    await relay.run(log_attempt, agent_id=owner, lead_id=lead_id, reached=True)
    assert db.leads[lead_id].attempts == 3


async def test_contacted_pressed_again_right_after_its_undo_counts_again(
    relay: App, db: FakeDatabase,
) -> None:
    lead_id, owner = await owned(relay, db)
    await relay.run(log_attempt, agent_id=owner, lead_id=lead_id, reached=True)
    await relay.run(undo_last_change, agent_id=owner, lead_id=lead_id)
    again = await relay.run(log_attempt, agent_id=owner, lead_id=lead_id, reached=True)
    assert (again.stage, again.attempts) == (Stage.CONTACTED, 1)


async def test_remind_me_pressed_twice_sets_one_reminder(
    relay: App, db: FakeDatabase, clock: ManualClock,
) -> None:
    lead_id, owner = await owned(relay, db)
    first = await relay.run(remind_me, agent_id=owner, lead_id=lead_id, choice="1h")
    clock.advance(timedelta(seconds=5))
    again = await relay.run(remind_me, agent_id=owner, lead_id=lead_id, choice="1h")
    assert again.id == first.id
    await relay.run(remind_me, agent_id=owner, lead_id=lead_id, choice="tomorrow")
    assert sorted(t.due_at for t in db.tasks.values() if t.kind is TaskKind.REMINDER) == [
        START + timedelta(hours=1), datetime(2026, 11, 26, 7, 0, tzinfo=UTC)]


# --- Undo --------------------------------------------------------------------------------


async def test_undo_takes_back_the_stage_change_but_not_the_calls_logged_after_it(
    relay: App, db: FakeDatabase, clock: ManualClock,
) -> None:
    lead_id, owner = await owned(relay, db)
    await relay.run(record_stage, agent_id=owner, lead_id=lead_id, stage=Stage.INFO_SENT)
    clock.advance(timedelta(minutes=2))
    await relay.run(log_attempt, agent_id=owner, lead_id=lead_id, reached=False)
    clock.advance(timedelta(minutes=1))
    await relay.run(log_attempt, agent_id=owner, lead_id=lead_id, reached=True)
    lead = await relay.run(undo_last_change, agent_id=owner, lead_id=lead_id)
    assert (lead.stage, lead.attempts) == (Stage.NEW, 2)
    assert lead.contacted_at == START + timedelta(minutes=2), "the first call, not the stage"
    assert (db.leads[lead_id].stage, db.leads[lead_id].attempts) == (Stage.NEW, 2)


async def test_undo_of_contacted_on_a_new_lead_takes_back_its_call_too(
    relay: App, db: FakeDatabase,
) -> None:
    lead_id, owner = await owned(relay, db)
    await relay.run(log_attempt, agent_id=owner, lead_id=lead_id, reached=True)
    lead = await relay.run(undo_last_change, agent_id=owner, lead_id=lead_id)
    assert (lead.stage, lead.attempts, lead.contacted_at) == (Stage.NEW, 0, None)


async def test_undo_of_an_appointment_cancels_the_meeting_it_booked(
    relay: App, db: FakeDatabase, clock: ManualClock,
) -> None:
    lead_id, owner = await owned(relay, db)
    meeting = START + timedelta(days=1, hours=5)
    await relay.run(remind_me, agent_id=owner, lead_id=lead_id, choice="3d")
    await relay.run(book_appointment, agent_id=owner, lead_id=lead_id, at=meeting)
    clock.advance(timedelta(minutes=1))
    lead = await relay.run(undo_last_change, agent_id=owner, lead_id=lead_id)
    assert lead.stage is Stage.NEW
    still = [t.kind for t in db.tasks.values() if t.done_at is None and t.kind.shown]
    assert still == [TaskKind.REMINDER], "the reminder set before stays"


# --- a card drawn before the lead closed ---------------------------------------------------


async def test_remind_me_on_a_card_drawn_before_the_lead_was_won_changes_nothing(
    relay: App, db: FakeDatabase,
) -> None:
    lead_id, owner = await owned(relay, db)
    await relay.run(record_stage, agent_id=owner, lead_id=lead_id, stage=Stage.WON)
    events, outbox = len(db.events), len(db.outbox)
    with pytest.raises(InvalidTransition):
        await relay.run(remind_me, agent_id=owner, lead_id=lead_id, choice="tomorrow")
    assert [t for t in db.tasks.values() if t.kind.shown] == []
    assert (len(db.events), len(db.outbox)) == (events, outbox)


# --- callback data -------------------------------------------------------------------------

INT64 = 2**63 - 1
BEYOND = str(INT64 + 1)
ZONE = ZoneInfo("Europe/Istanbul")


def pressable(markup: InlineKeyboardMarkup) -> list[InlineKeyboardButton]:
    return [button for row in markup.inline_keyboard for button in row]


def drawn(lang: str) -> list[InlineKeyboardMarkup]:
    """Every keyboard the card and its pickers draw, for the largest lead id there can be."""
    now = START.astimezone(ZONE)
    cards = [card_keyboard(lang, INT64, stage=stage, closed=stage in CLOSING_STAGES,
                           whatsapp=whatsapp_url("+905321234567", "Merhaba & hoş geldiniz"),
                           undo=True) for stage in Stage]
    return [*cards, day_picker(lang, INT64, now.date()),
            time_picker(lang, INT64, now.date(), hours=office().work.hours, now=now),
            lost_picker(lang, INT64), remind_picker(lang, INT64),
            leads_keyboard(lang, [INT64, 1], ["#1 Deniz", "#2 Efe"], page=INT64 - 1,
                           pages=INT64)]


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_every_button_the_card_and_its_pickers_draw_reads_back_as_the_press_it_stands_for(
    lang: str,
) -> None:
    for markup in drawn(lang):
        for button in pressable(markup):
            if button.url is not None:
                url = urlparse(button.url)
                assert (url.scheme, url.netloc, url.path) == ("https", "wa.me", "/905321234567")
                continue
            data = str(button.callback_data)
            assert len(data.encode()) <= 64, data
            action = decode_card(data)
            assert action is not None, data
            assert encode_card(action) == data


@pytest.mark.parametrize("data", [
    "w:1:r:abc", "w:1:r:price_x", "w:1:r:", "w:1:r", "w:1:d:2026", "w:1:d:2026112", "w:1:R:2h",
    "w:1:c:x", "w:1:q", "w:1", "w", "w:٢:c", "w:²:c", f"w:{BEYOND}:c", "w:-1:c", "L:-1", "L:",
    f"L:{BEYOND}", "V:x", "L:1:2", "n:p:1",
])
def test_callback_data_no_card_could_have_drawn_is_refused_as_an_unreadable_button(
    data: str,
) -> None:
    assert decode_card(data) is None
    with pytest.raises(UnreadableButton):
        decode(data)


@pytest.mark.parametrize("arg", ["99991231", "00010101", "19991231", "21000101"])
def test_a_day_or_time_press_outside_the_years_a_picker_offers_picks_nothing(arg: str) -> None:
    assert picked_day(arg) is None
    assert picked_time(arg + "1230", ZoneInfo("Pacific/Honolulu")) is None


def test_a_day_and_time_press_of_this_century_picks_that_moment_in_the_offices_zone() -> None:
    assert picked_day("20261125") == date(2026, 11, 25)
    assert picked_time("202611251430", ZONE) == datetime(2026, 11, 25, 14, 30, tzinfo=ZONE)


# --- on both databases ---------------------------------------------------------------------


@pytest.fixture
async def sql_relay(database_url: str, clock: ManualClock) -> AsyncIterator[
        tuple[App, AsyncEngine]]:
    engine = create_engine(database_url)
    await upgrade(engine)
    yield await linked(bootstrap(config=office(), clock=clock,
                                 uow_factory=sql_uow_factory(engine))), engine
    await engine.dispose()


async def owned_in(relay: App, engine: AsyncEngine) -> tuple[int, int]:
    """A lead received and accepted, in a real database: its id and its owner."""
    lead_id = (await relay.receive_lead(source_token=TOKEN, payload=HOT)).lead_id
    async with SqlUnitOfWork(engine) as uow:
        [offer] = [o for o in await uow.offers.for_lead(lead_id)
                   if o.status is OfferStatus.PENDING]
    await relay.run(accept_offer, agent_id=offer.agent_id, offer_id=offer.id, token=offer.token)
    return lead_id, offer.agent_id


@pytest.mark.parametrize("page", [10**9 + 1, INT64])
async def test_a_leads_page_past_any_there_could_be_is_the_last_one(
    sql_relay: tuple[App, AsyncEngine], page: int,
) -> None:
    relay, engine = sql_relay
    lead_id, owner = await owned_in(relay, engine)
    shown = await relay.run(open_leads, agent_id=owner, page=page)
    assert ([lead.id for lead in shown.leads], shown.page, shown.pages) == ([lead_id], 0, 1)


async def test_two_questions_asked_at_once_in_a_chat_with_none_leave_one_waiting(
    sql_relay: tuple[App, AsyncEngine],
) -> None:
    relay, engine = sql_relay
    for _ in range(10):
        await relay.run(cancel_prompt, chat_id=AYSE)
        await asyncio.gather(relay.run(start_entry, agent_id=AYSE),
                             relay.run(start_entry, agent_id=AYSE))
        async with SqlUnitOfWork(engine) as uow:
            waiting = await uow.prompts.pending(AYSE)
        assert waiting is not None
        assert waiting.kind is PromptKind.NEW_LEAD


@pytest.mark.parametrize("kind", [PromptKind.NOTE, PromptKind.OFFER_AMOUNT])
async def test_two_answers_typed_at_once_to_one_question_answer_it_once(
    sql_relay: tuple[App, AsyncEngine], kind: PromptKind,
) -> None:
    relay, engine = sql_relay
    lead_id, owner = await owned_in(relay, engine)
    await relay.run(ask_for, agent_id=owner, lead_id=lead_id, kind=kind)
    answers = await asyncio.gather(relay.run(answer_prompt, agent_id=owner, text="450k"),
                                   relay.run(answer_prompt, agent_id=owner, text="500k"))
    assert sorted(answer is None for answer in answers) == [False, True], "the other is text"
    async with SqlUnitOfWork(engine) as uow:
        history = await uow.events.recent(lead_id, kinds=("note", "stage"), limit=10)
        assert await uow.prompts.pending(owner) is None
    assert len(history) == 1


async def test_a_try_and_a_reminder_pressed_twice_at_once_count_once(
    sql_relay: tuple[App, AsyncEngine],
) -> None:
    relay, engine = sql_relay
    lead_id, owner = await owned_in(relay, engine)
    await asyncio.gather(*(relay.run(log_attempt, agent_id=owner, lead_id=lead_id,
                                     reached=False) for _ in range(2)))
    await asyncio.gather(*(relay.run(remind_me, agent_id=owner, lead_id=lead_id, choice="3d")
                           for _ in range(2)))
    async with SqlUnitOfWork(engine) as uow:
        lead = await uow.leads.get(lead_id)
        reminders = [t for t in await uow.tasks.open_for([lead_id])
                     if t.kind is TaskKind.REMINDER]  # the miss also plans a next try
    assert lead is not None
    assert (lead.attempts, len(reminders)) == (1, 1)


# --- questions answered by typing ---------------------------------------------------------


async def test_an_answer_its_lead_can_no_longer_take_is_refused_and_the_question_dropped(
    relay: App, db: FakeDatabase,
) -> None:
    lead_id, owner = await owned(relay, db)
    await relay.run(ask_for, agent_id=owner, lead_id=lead_id, kind=PromptKind.OFFER_AMOUNT)
    await relay.run(record_stage, agent_id=owner, lead_id=lead_id, stage=Stage.LOST,
                    reason="price")
    events = len(db.events)
    with pytest.raises(InvalidTransition):
        await relay.run(answer_prompt, agent_id=owner, text="4,5 milyon")
    assert len(db.events) == events
    assert db.prompts == {}
    assert await relay.run(answer_prompt, agent_id=owner, text="hello") is None, "text again"


async def test_an_answer_that_does_not_read_leaves_the_question_waiting(
    relay: App, db: FakeDatabase,
) -> None:
    lead_id, owner = await owned(relay, db)
    await relay.run(ask_for, agent_id=owner, lead_id=lead_id, kind=PromptKind.APPOINTMENT)
    for typed, refused in (("someday", NotATime), ("today 08:00", InThePast)):
        with pytest.raises(refused):
            await relay.run(answer_prompt, agent_id=owner, text=typed)
    answered = await relay.run(answer_prompt, agent_id=owner, text="tomorrow 14:30")
    assert answered is not None
    assert answered.lead.stage is Stage.APPOINTMENT


async def test_a_picker_closed_stops_waiting_for_its_typed_time_and_for_nothing_else(
    relay: App, db: FakeDatabase,
) -> None:
    lead_id, owner = await owned(relay, db)
    meeting = START + timedelta(days=1)
    await relay.run(ask_for, agent_id=owner, lead_id=lead_id, kind=PromptKind.APPOINTMENT)
    await relay.run(book_appointment, agent_id=owner, lead_id=lead_id, at=meeting)
    assert db.prompts == {}, "a time typed now would be a second booking"
    await relay.run(ask_for, agent_id=owner, lead_id=lead_id, kind=PromptKind.APPOINTMENT)
    await relay.run(redraw_cards, person_id=owner, lead_id=lead_id)
    assert db.prompts == {}
    await relay.run(start_entry, agent_id=owner)  # /new, with a picker still open above
    await relay.run(redraw_cards, person_id=owner, lead_id=lead_id)
    await relay.run(book_appointment, agent_id=owner, lead_id=lead_id, at=meeting)
    step = await relay.run(entry_answer, agent_id=owner, text="Efe Demir")
    assert step is not None, "the entry goes on"
    assert step.question == "phone"


# --- through the bot and the Bot API sandbox -----------------------------------------------


@pytest.fixture
async def running(database_url: str, clock: ManualClock) -> AsyncIterator[RunningOffice]:
    config = office(sla={"hot": {"accept_within": "10m"}}, timezone="Europe/Istanbul")
    async with running_office(config, database_url, clock=clock, limits=BRISK) as running:
        await running.start_chats(AYSE, MEHMET, ZEYNEP, SELIN)
        yield running


async def card_of(running: RunningOffice) -> tuple[int, SandboxMessage]:
    """A lead posted and accepted by Ayşe (the test office's first in turn): its card."""
    lead_id = await running.post_lead(HOT)
    ayse = running[AYSE]
    await ayse.press(await ayse.wait_for(offer_for(lead_id)), "✅ Accept")
    return lead_id, await ayse.wait_for(text_has(f"Lead #{lead_id} is yours"))


def now_of(running: RunningOffice, message: SandboxMessage) -> SandboxMessage:
    """The message as it is in Ayşe's chat now (after edits)."""
    return next(m for m in running[AYSE].messages if m.message_id == message.message_id)


@pytest.mark.slow
@pytest.mark.parametrize(("opening", "closing"), [
    (["✖️ Lost"], "↩️ Back"), (["📅 Appointment", "Tomorrow"], "14:30")])
async def test_a_picker_closed_later_leaves_a_new_lead_being_entered_waiting(
    running: RunningOffice, opening: list[str], closing: str,
) -> None:
    _, card = await card_of(running)
    ayse = running[AYSE]
    for press in opening:
        await ayse.press(now_of(running, card), press)
    await ayse.send("/new")
    await ayse.wait_for(text_has("What is the contact's name?"))
    await ayse.press(now_of(running, card), closing)
    await until(lambda: "📝 Note" in now_of(running, card).button_texts())
    await ayse.send("Efe Demir")
    await ayse.wait_for(text_has("What is their phone number?"))


@pytest.mark.slow
async def test_contacted_again_later_says_the_call_is_logged(
    running: RunningOffice, clock: ManualClock,
) -> None:
    lead_id, card = await card_of(running)
    ayse = running[AYSE]
    answer = await ayse.press(card, "📞 Contacted")
    assert answer.text == f"✅ #{lead_id}: contacted"
    await until(lambda: "📨 Info sent" in now_of(running, card).button_texts())
    await ayse.press(now_of(running, card), "📨 Info sent")
    await until(lambda: "Stage: info sent" in now_of(running, card).text)
    clock.advance(timedelta(hours=2))
    answer = await ayse.press(now_of(running, card), "📞 Contacted")
    assert (answer.show_alert, answer.text) == (False, f"📞 Call logged on #{lead_id}.")
    await until(lambda: "tries: 2" in now_of(running, card).text)
    assert "Stage: info sent" in now_of(running, card).text


@pytest.mark.slow
async def test_forged_card_presses_are_answered_without_the_generic_error_and_log_none(
    running: RunningOffice, caplog: pytest.LogCaptureFixture,
) -> None:
    lead_id, card = await card_of(running)
    ayse = running[AYSE]
    with caplog.at_level(logging.ERROR):
        for data in (f"w:{lead_id}:r:abc", "L:9223372036854775807", f"w:{lead_id}:t:999912312330",
                     f"w:{lead_id}:d:99991231", f"w:{BEYOND}:c", "V:9223372036854775807"):
            answer = await ayse.press_data(card, data)
            assert "did not work" not in (answer.text or ""), data
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


# --- the card as a message -----------------------------------------------------------------


@pytest.mark.parametrize(("owner", "greeting"), [
    ("Ayşe Demir", "Hello Deniz, this is Ayşe from Test Realty."),
    (" ", "Hello Deniz, this is  from Test Realty.")])
def test_the_whatsapp_greeting_names_the_owners_first_name_even_a_blank_one(
    owner: str, greeting: str,
) -> None:
    renderer = Renderer(zone=ZONE, office="Test Realty", clock=ManualClock(START))
    params = CardParams(summary=LeadSummary(lead_id=1, temperature="hot", score=90,
                                            first_name="Deniz"),
                        contact=ContactDetails(name="Deniz Kaya", phone="+905321234567"),
                        stage="new", owner=owner)
    card = renderer.outgoing("card", {**params.to_json(), "lang": "en"})
    assert card.keyboard is not None
    [url] = [b.url for b in pressable(card.keyboard) if b.url]
    [text] = parse_qs(urlparse(url).query)["text"]
    assert text.startswith(greeting)


async def test_an_entry_left_halfway_is_forgotten_an_hour_on_with_the_name_it_holds(
    sql_relay: tuple[App, AsyncEngine], clock: ManualClock,
) -> None:
    relay, engine = sql_relay
    await relay.run(start_entry, agent_id=AYSE)
    await relay.run(entry_answer, agent_id=AYSE, text="Deniz Kaya")
    clock.advance(timedelta(minutes=59))
    assert await relay.run(forget_stale_prompts) == 0, "still within its hour"
    clock.advance(timedelta(minutes=2))
    assert await relay.run(forget_stale_prompts) == 1
    async with SqlUnitOfWork(engine) as uow:
        assert await uow.prompts.pending(AYSE) is None


async def test_today_leaves_out_the_tasks_of_a_lead_that_changed_hands(
    relay: App, db: FakeDatabase,
) -> None:
    lead_id, owner = await owned(relay, db)
    await relay.run(remind_me, agent_id=owner, lead_id=lead_id, choice="1h")
    assert [d.lead.id for d in await relay.run(due_today, agent_id=owner)] == [lead_id]
    db.leads[lead_id].owner_id = SELIN  # as a hand-over will leave it
    assert await relay.run(due_today, agent_id=owner) == []


async def test_follow_ups_after_an_appointment_count_from_the_meeting_not_its_booking(
    relay: App, db: FakeDatabase,
) -> None:
    lead_id, owner = await owned(relay, db)
    meeting = START + timedelta(days=3, hours=5)  # Saturday 14:00 in Istanbul
    await relay.run(book_appointment, agent_id=owner, lead_id=lead_id, at=meeting)
    follow_ups = sorted(t.due_at for t in db.tasks.values()
                        if t.kind is TaskKind.FOLLOW_UP and t.done_at is None)
    assert follow_ups == [meeting + timedelta(days=days) for days in (1, 3, 7)]
