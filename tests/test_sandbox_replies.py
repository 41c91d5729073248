"""Prompts and replies in the Bot API sandbox, driven through the real python-telegram-bot client:
ForceReply and ReplyKeyboardRemove, and the reply markup Telegram refuses."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from telegram import (
    Bot,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.error import BadRequest

from sandbox import BotApiSandbox

TOKEN = "123456789:" + "A" * 35
CARD = InlineKeyboardMarkup([[InlineKeyboardButton("Accept", callback_data="a:7")]])


@pytest.fixture
async def sandbox() -> AsyncIterator[BotApiSandbox]:
    async with BotApiSandbox(token=TOKEN) as sb:
        yield sb
    assert sb.errors == []


async def raw_call(
    sandbox: BotApiSandbox, method: str, **params: Any
) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as session:
        url = f"{sandbox.url}/bot{TOKEN}/{method}"
        async with session.post(url, json=params) as response:
            return response.status, await response.json()


async def started(sandbox: BotApiSandbox, bot: Bot) -> None:
    """Ann pressed Start; her /start is confirmed, so the next update is whatever comes next."""
    await sandbox.user(1001, "Ann").send("/start")
    updates = await bot.get_updates(timeout=0)
    await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)


# --- ForceReply and ReplyKeyboardRemove --------------------------------------------------------


async def test_a_force_reply_prompt_is_recorded_but_not_echoed(
    sandbox: BotApiSandbox, bot: Bot
) -> None:
    await started(sandbox, bot)
    ann = sandbox.user(1001, "Ann")
    sent = await bot.send_message(
        1001, "Why did lead #7 go cold?", reply_markup=ForceReply(input_field_placeholder="Reason"))
    prompt = ann.messages[-1]
    assert prompt.force_reply
    assert prompt.input_field_placeholder == "Reason"
    # Message.reply_markup only ever holds an inline keyboard.
    assert sent.reply_markup is None
    assert "reply_markup" not in prompt.raw
    assert prompt.buttons == []

    await bot.send_message(1001, "A note for the lead?", reply_markup=ForceReply(selective=True))
    assert ann.messages[-1].force_reply
    assert ann.messages[-1].input_field_placeholder is None
    await bot.send_message(1001, "A card", reply_markup=CARD)
    assert not ann.messages[-1].force_reply


async def test_reply_keyboard_remove_is_accepted_and_leaves_no_buttons(
    sandbox: BotApiSandbox, bot: Bot
) -> None:
    await started(sandbox, bot)
    sent = await bot.send_message(1001, "Done", reply_markup=ReplyKeyboardRemove(selective=True))
    message = sandbox.user(1001, "Ann").messages[-1]
    assert message.message_id == sent.message_id
    assert message.buttons == []
    assert not message.force_reply


async def test_markup_that_asks_for_nothing_is_no_markup(sandbox: BotApiSandbox, bot: Bot) -> None:
    await started(sandbox, bot)
    for markup in ({"force_reply": False}, {"remove_keyboard": False}, {"inline_keyboard": []}):
        status, body = await raw_call(sandbox, "sendMessage", chat_id=1001, text="x",
                                      reply_markup=markup)
        assert status == 200, body
        assert "reply_markup" not in body["result"]
    assert not any(m.force_reply for m in sandbox.user(1001, "Ann").messages)


@pytest.mark.parametrize(
    ("markup", "description"),
    [
        ({"force_reply": "yes"}, 'field "force_reply" must be of type Boolean'),
        ({"force_reply": True, "selective": "no"}, 'field "selective" must be of type Boolean'),
        ({"remove_keyboard": 1}, 'field "remove_keyboard" must be of type Boolean'),
        ({"force_reply": True, "input_field_placeholder": ["Reason"]},
         'field "input_field_placeholder" must be of type String'),
        ([{"force_reply": True}], "object expected as reply markup"),
        ("force_reply", "can't parse reply keyboard markup JSON object"),
        ({"inline_keyboard": {"text": "Go"}}, 'field "inline_keyboard" must be of type Array'),
        ({"inline_keyboard": [{"text": "Go"}]},
         'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'),
        ({"inline_keyboard": [[{"callback_data": "go"}]]},
         "can't parse inline keyboard button: Can't find field \"text\""),
        ({"inline_keyboard": [[{"text": "Go"}]]},
         "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"),
    ],
)
async def test_malformed_markup_is_refused_in_telegrams_words(
    sandbox: BotApiSandbox, bot: Bot, markup: Any, description: str
) -> None:
    await started(sandbox, bot)
    status, body = await raw_call(sandbox, "sendMessage", chat_id=1001, text="x",
                                  reply_markup=markup)
    assert (status, body["description"]) == (400, f"Bad Request: {description}")
    assert sandbox.user(1001, "Ann").messages == []


async def test_a_placeholder_over_64_characters_breaks_the_spec(
    sandbox: BotApiSandbox, bot: Bot
) -> None:
    await started(sandbox, bot)
    await bot.send_message(1001, "Why?", reply_markup=ForceReply(input_field_placeholder="r" * 64))
    with pytest.raises(BadRequest, match="1-64 characters"):
        await bot.send_message(
            1001, "Why?", reply_markup=ForceReply(input_field_placeholder="r" * 65))
    assert sandbox.violations == [
        "sendMessage: reply_markup.input_field_placeholder must be 1-64 characters, not 65"]
    assert len(sandbox.user(1001, "Ann").messages) == 1


@pytest.mark.parametrize("markup", [{"force_reply": True}, {"remove_keyboard": True},
                                    {"keyboard": [["Yes", "No"]]}])
@pytest.mark.parametrize("method", ["editMessageText", "editMessageReplyMarkup"])
async def test_an_edit_takes_only_an_inline_keyboard(
    sandbox: BotApiSandbox, bot: Bot, method: str, markup: dict[str, Any]
) -> None:
    await started(sandbox, bot)
    sent = await bot.send_message(1001, "Lead #7", reply_markup=CARD)
    status, body = await raw_call(sandbox, method, chat_id=1001, message_id=sent.message_id,
                                  text="Lead #7 taken", reply_markup=markup)
    assert (status, body["description"]) == (400, "Bad Request: inline keyboard expected")
    card = sandbox.user(1001, "Ann").messages[0]
    assert (card.text, card.button_texts(), card.edits) == ("Lead #7", ["Accept"], 0)
