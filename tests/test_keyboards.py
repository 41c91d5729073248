"""Inline keyboards: what each button says and the callback data behind it (≤ 64 bytes)."""

from __future__ import annotations

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.card_keyboards import decode_card
from bot.entry_keyboards import CANCEL, EntryAction, decode_entry, encode_entry, entry_keyboard
from bot.i18n import t_raw
from bot.keyboards import (
    AGENT_REASONS,
    MAX_CALLBACK_BYTES,
    Action,
    AssignAction,
    ClaimAction,
    OfferAction,
    OutcomeAction,
    UnreadableButton,
    assign_keyboard,
    claim_group_keyboard,
    decline_keyboard,
    decode,
    encode,
    offer_keyboard,
    outcome_keyboard,
)
from core.lifecycle.entry import PRODUCTS_OFFERED, SKIP, TIMINGS
from core.model import DeclineReason, Stage
from leadrelay.bootstrap import new_token

BIG = 10**12  # an offer or lead id after years of traffic
HUGE = 2**63 - 1  # the largest id a BIGINT column holds
TELEGRAM_ID = 2**52  # Telegram user ids fit in 52 bits
# As long as a real token, with each kind of character one can hold; fixed, so that every
# xdist worker collects the same test ids.
TOKEN = ("a-_Z09yB" * 8)[: len(new_token())]

ACTIONS: list[Action] = [
    OfferAction("accept", 1, TOKEN),
    OfferAction("decline", 1, TOKEN),
    OfferAction("back", 1, TOKEN),
    *[OfferAction("reason", 1, TOKEN, reason) for reason in AGENT_REASONS],
    AssignAction(1, 1001),
    ClaimAction(1, 1, TOKEN),
    *[OutcomeAction(1, stage) for stage in Stage],
]


def big(action: Action, size: int) -> Action:
    """The same action with every id as large as *size*."""
    if isinstance(action, OfferAction):
        return OfferAction(action.action, size, action.token, action.reason)
    if isinstance(action, AssignAction):
        return AssignAction(size, max(size, TELEGRAM_ID))
    if isinstance(action, ClaimAction):
        return ClaimAction(size, size, action.token)
    return OutcomeAction(size, action.stage)


def buttons(markup: InlineKeyboardMarkup) -> list[InlineKeyboardButton]:
    return [button for row in markup.inline_keyboard for button in row]


def data_of(button: InlineKeyboardButton) -> str:
    assert isinstance(button.callback_data, str)
    return button.callback_data


@pytest.mark.parametrize("action", ACTIONS, ids=repr)
@pytest.mark.parametrize("size", [1, BIG, HUGE])
def test_every_action_comes_back_unchanged_from_its_callback_data(
    action: Action, size: int,
) -> None:
    action = big(action, size)
    data = encode(action)
    assert decode(data) == action
    assert encode(decode(data)) == data


@pytest.mark.parametrize("action", ACTIONS, ids=repr)
@pytest.mark.parametrize("size", [BIG, HUGE])
def test_callback_data_stays_within_telegrams_64_bytes_even_with_huge_ids(
    action: Action, size: int,
) -> None:
    assert MAX_CALLBACK_BYTES == 64
    assert len(encode(big(action, size)).encode("utf-8")) <= 64


def test_an_offer_token_is_short_url_safe_and_different_every_time() -> None:
    tokens = {new_token() for _ in range(200)}
    assert len(tokens) == 200
    for token in tokens:
        assert 6 <= len(token) <= 16
        assert ":" not in token
        assert token.isascii()


def test_callback_data_that_would_not_fit_is_refused_rather_than_cut() -> None:
    with pytest.raises(ValueError, match="over 64 bytes"):
        encode(OfferAction("accept", 1, "t" * 62))


@pytest.mark.parametrize("garbage", [
    "", "x", ":", ":::", "hello world", "a", "a:1", "a:one:tok", "a:1.5:tok", "a:1:tok:busy",
    "d:1:tok:busy", "r:1:tok", "r:1:tok:sleepy", "r:1:tok:busy:more", "b:1:tok:x:y",
    "m:1", "m:1:2:3", "m:x:2", "m:1:Ayşe", "o:1", "o:1:celebrated", "o:x:won", "o:1:won:x",
    "c:1:1", "c:1:tok", "c:x:1:tok", "c:1:x:tok", "c:1:1:to/k", "c:1:1:tok:x",
    "z:1:2", "A:1:tok", "accept:1:tok", "{\"offer\": 1}", "a:" + "9" * 5000 + ":tok",
])
def test_callback_data_we_did_not_write_is_unreadable(garbage: str) -> None:
    with pytest.raises(UnreadableButton):
        decode(garbage)


def test_an_unreadable_button_is_a_value_error_naming_the_data() -> None:
    with pytest.raises(ValueError, match="o:1:celebrated"):
        decode("o:1:celebrated")


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_an_offer_has_accept_and_decline_for_that_offer(lang: str) -> None:
    keyboard = offer_keyboard(lang, BIG, TOKEN)
    assert [b.text for b in buttons(keyboard)] == [
        t_raw(lang, "button.accept"), t_raw(lang, "button.decline")]
    assert [decode(data_of(b)) for b in buttons(keyboard)] == [
        OfferAction("accept", BIG, TOKEN), OfferAction("decline", BIG, TOKEN)]


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_declining_asks_for_one_of_the_reasons_or_back(lang: str) -> None:
    keyboard = decline_keyboard(lang, BIG, TOKEN)
    actions = [decode(data_of(b)) for b in buttons(keyboard)]
    assert actions == [
        *[OfferAction("reason", BIG, TOKEN, reason) for reason in AGENT_REASONS],
        OfferAction("back", BIG, TOKEN)]
    texts = [b.text for b in buttons(keyboard)]
    assert texts == [*[t_raw(lang, f"reason.{r.value}") for r in AGENT_REASONS],
                     t_raw(lang, "button.back")]
    assert [len(row) for row in keyboard.inline_keyboard] == [2, 2, 1]


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_an_owner_logs_contacted_appointment_won_or_lost_in_one_tap(lang: str) -> None:
    keyboard = outcome_keyboard(lang, BIG)
    stages = [Stage.CONTACTED, Stage.APPOINTMENT, Stage.WON, Stage.LOST]
    assert [decode(data_of(b)) for b in buttons(keyboard)] == [
        OutcomeAction(BIG, s) for s in stages]
    assert [b.text for b in buttons(keyboard)] == [t_raw(lang, f"button.{s.value}")
                                                   for s in stages]


def test_a_manager_gets_one_button_per_agent_two_to_a_row() -> None:
    choices = [(TELEGRAM_ID + i, f"Agent {i}") for i in range(5)]
    keyboard = assign_keyboard(BIG, choices)
    assert [len(row) for row in keyboard.inline_keyboard] == [2, 2, 1]
    assert [b.text for b in buttons(keyboard)] == [f"👤 Agent {i}" for i in range(5)]
    assert [decode(data_of(b)) for b in buttons(keyboard)] == [
        AssignAction(BIG, agent_id) for agent_id, _ in choices]


def test_an_agents_name_never_goes_into_the_callback_data() -> None:
    keyboard = assign_keyboard(1, [(1001, "Ayşe Nur Yılmaz-Öztürk " * 5)])
    data = data_of(buttons(keyboard)[0])
    assert data == "m:1:1001"


def test_no_agent_to_choose_gives_an_empty_keyboard() -> None:
    assert assign_keyboard(1, []).inline_keyboard == ()


def test_an_agent_cannot_press_unreachable_as_a_decline_reason() -> None:
    data = encode(OfferAction("reason", 7, "abcdefgh", DeclineReason.UNREACHABLE))
    with pytest.raises(UnreadableButton):
        decode(data)


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_a_pool_group_message_has_only_claim_for_that_round(lang: str) -> None:
    markup = claim_group_keyboard(lang, BIG, 2, TOKEN)
    assert [b.text for b in buttons(markup)] == [t_raw(lang, "button.claim")]
    assert [decode(data_of(b)) for b in buttons(markup)] == [ClaimAction(BIG, 2, TOKEN)]


# --- /new's questions ----------------------------------------------------------------------

ENTRY_PRESSES = [
    EntryAction("", CANCEL),
    *[EntryAction(question, SKIP) for question in ("product", "region", "budget", "timing")],
    *[EntryAction("product", str(i)) for i in range(PRODUCTS_OFFERED)],
    *[EntryAction("timing", choice) for choice in TIMINGS],
]


@pytest.mark.parametrize("action", ENTRY_PRESSES, ids=repr)
def test_every_press_on_a_question_of_new_comes_back_unchanged_from_its_callback_data(
    action: EntryAction,
) -> None:
    data = encode_entry(action)
    assert len(data.encode()) <= MAX_CALLBACK_BYTES
    assert decode_entry(data) == action
    assert decode_card(data) is None, "a card's decoder does not take it for its own"


@pytest.mark.parametrize("garbage", [
    "", "n", "n:", "n:p", "n:p:", "n:p:100", "n:p:-1", "n:p:٢", "n:q:skip", "n:t:tomorrow",
    "n:t:week:x", "n:x:1", "n:name:skip", "N:p:1", "w:1:c", "a:1:tok",
])
def test_callback_data_that_is_no_press_on_a_question_of_new_is_left_to_the_others(
    garbage: str,
) -> None:
    assert decode_entry(garbage) is None


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_every_question_of_new_has_cancel_and_skip_where_it_may_be_skipped(lang: str) -> None:
    cancel, skip = t_raw(lang, "button.cancel"), t_raw(lang, "button.skip")
    for question in ("name", "phone"):
        assert [b.text for b in buttons(entry_keyboard(lang, question))] == [cancel]
    for question in ("region", "budget"):
        assert [b.text for b in buttons(entry_keyboard(lang, question))] == [skip, cancel]
    products = entry_keyboard(lang, "product", ("residential", "land", "commercial"))
    assert [len(row) for row in products.inline_keyboard] == [2, 1, 2]
    assert [decode_entry(data_of(b)) for b in buttons(products)][:3] == [
        EntryAction("product", str(i)) for i in range(3)]
    timings = entry_keyboard(lang, "timing")
    assert [b.text for b in buttons(timings)][-2:] == [skip, cancel]
    assert [decode_entry(data_of(b)) for b in buttons(timings)][:len(TIMINGS)] == [
        EntryAction("timing", choice) for choice in TIMINGS]
