"""Prompts and replies in the Bot API sandbox, driven through the real python-telegram-bot client:
ForceReply and ReplyKeyboardRemove, a user's reply to the bot, and the bot's reply_parameters."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from telegram import (
    Bot,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardRemove,
    ReplyParameters,
    Update,
)
from telegram.error import BadRequest
from telegram.ext import Application, CommandHandler, ContextTypes, MessageHandler, filters

from sandbox import BotApiSandbox, SandboxMessage
from sandbox import spec as sandbox_spec

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


async def next_message(bot: Bot) -> Message:
    updates = await bot.get_updates(timeout=5)
    assert len(updates) == 1
    await bot.get_updates(offset=updates[0].update_id + 1, timeout=0)
    assert updates[0].message is not None
    return updates[0].message


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


# --- a user's reply to the bot ------------------------------------------------------------------


async def test_a_reply_carries_the_bot_message_as_telegram_gives_it(
    sandbox: BotApiSandbox, bot: Bot
) -> None:
    await started(sandbox, bot)
    ann = sandbox.user(1001, "Ann")
    card = await bot.send_message(1001, "<b>Lead #7</b> Tom, +49 30 1234", parse_mode="HTML",
                                  reply_markup=CARD)
    sent = await ann.reply(ann.messages[-1], "called, no answer")

    message = await next_message(bot)
    assert message.message_id == sent["message_id"]
    assert message.text == "called, no answer"
    assert message.from_user is not None
    assert message.from_user.id == 1001
    replied = message.reply_to_message
    assert replied is not None
    assert replied.message_id == card.message_id
    assert replied.from_user is not None
    assert (replied.from_user.id, replied.from_user.is_bot) == (123456789, True)
    assert replied.chat.id == 1001
    assert replied.date == card.date
    assert replied.text == "Lead #7 Tom, +49 30 1234"
    assert [(e.type, e.offset, e.length) for e in replied.entities] == [("bold", 0, 7)]
    assert replied.reply_markup == CARD
    assert sent["reply_to_message"] == ann.messages[-1].raw


async def test_a_reply_shows_the_bot_message_as_it_is_now_one_level_deep(
    sandbox: BotApiSandbox, bot: Bot
) -> None:
    await started(sandbox, bot)
    ann = sandbox.user(1001, "Ann")
    first = await ann.reply(
        (await bot.send_message(1001, "Lead #7", reply_markup=CARD)).message_id, "mine")
    await next_message(bot)
    answer = await bot.send_message(1001, "Noted", reply_parameters=ReplyParameters(
        first["message_id"]))
    await bot.edit_message_text("Noted: mine", chat_id=1001, message_id=answer.message_id)

    await ann.reply(answer.message_id, "thanks")
    replied = (await next_message(bot)).reply_to_message
    assert replied is not None
    assert replied.text == "Noted: mine"
    assert replied.edit_date is not None
    # Telegram never nests a reply inside the message replied to.
    assert replied.reply_to_message is None


async def test_only_a_message_the_bot_still_shows_can_be_replied_to(
    sandbox: BotApiSandbox, bot: Bot
) -> None:
    await started(sandbox, bot)
    ann = sandbox.user(1001, "Ann")
    gone = await bot.send_message(1001, "temporary")
    await bot.delete_message(1001, gone.message_id)
    with pytest.raises(AssertionError, match="was deleted"):
        await ann.reply(gone.message_id, "too late")
    with pytest.raises(AssertionError, match="no message 99"):
        await ann.reply(99, "hello?")
    bob = sandbox.user(1002, "Bob")
    group = sandbox.group(-5001, "Sales", [ann, bob])
    await bot.send_message(-5001, "Team lead")
    with pytest.raises(AssertionError, match="private chat"):
        await ann.reply(group.messages[-1], "mine")
    assert [u.message for u in await bot.get_updates(timeout=0)] == []


# --- the bot's reply to a message ---------------------------------------------------------------


async def test_the_bot_replies_to_a_user_message_with_reply_parameters(
    sandbox: BotApiSandbox, bot: Bot
) -> None:
    await started(sandbox, bot)
    ann = sandbox.user(1001, "Ann")
    question = await ann.send("who is on lead #7?")
    sent = await bot.send_message(1001, "Bob is", reply_parameters=ReplyParameters(
        question["message_id"]))
    answer = ann.messages[-1]
    assert answer.reply_to == question["message_id"]
    assert answer.raw["reply_to_message"] == question
    assert sent.reply_to_message is not None
    assert sent.reply_to_message.text == "who is on lead #7?"
    plain = await bot.send_message(1001, "and Cem")
    assert ann.messages[-1].reply_to is None
    assert plain.reply_to_message is None


async def test_the_bot_replies_to_its_own_card(sandbox: BotApiSandbox, bot: Bot) -> None:
    await started(sandbox, bot)
    card = await bot.send_message(1001, "Lead #7", reply_markup=CARD)
    reminder = await card.reply_text("Still open after 10 minutes", do_quote=True)
    assert sandbox.user(1001, "Ann").messages[-1].reply_to == card.message_id
    assert reminder.reply_to_message is not None
    assert reminder.reply_to_message.reply_markup == CARD


async def test_the_legacy_reply_to_message_id_is_still_read(
    sandbox: BotApiSandbox, bot: Bot
) -> None:
    await started(sandbox, bot)
    ann = sandbox.user(1001, "Ann")
    question = await ann.send("status?")
    status, body = await raw_call(sandbox, "sendMessage", chat_id=1001, text="open",
                                  reply_to_message_id=question["message_id"])
    assert status == 200, body
    assert body["result"]["reply_to_message"]["message_id"] == question["message_id"]
    assert ann.messages[-1].reply_to == question["message_id"]
    status, body = await raw_call(sandbox, "sendMessage", chat_id=1001, text="x",
                                  reply_to_message_id=999, allow_sending_without_reply=True)
    assert (status, ann.messages[-1].reply_to) == (200, None)
    assert sandbox.violations == []


async def test_a_reply_to_a_message_that_is_gone_is_refused_unless_allowed(
    sandbox: BotApiSandbox, bot: Bot
) -> None:
    await started(sandbox, bot)
    ann = sandbox.user(1001, "Ann")
    gone = await bot.send_message(1001, "temporary")
    await bot.delete_message(1001, gone.message_id)
    for missing in (gone.message_id, 999):
        with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
            await bot.send_message(1001, "re", reply_parameters=ReplyParameters(missing))
    await bot.send_message(1001, "anyway", reply_parameters=ReplyParameters(
        999, allow_sending_without_reply=True))
    assert ann.messages[-1].text == "anyway"
    assert ann.messages[-1].reply_to is None
    assert "reply_to_message" not in ann.messages[-1].raw


async def test_a_reply_to_another_chat_is_not_modelled_and_says_so(
    sandbox: BotApiSandbox, bot: Bot
) -> None:
    await started(sandbox, bot)
    status, _ = await raw_call(sandbox, "sendMessage", chat_id=1001, text="x",
                               reply_parameters={"message_id": 1, "chat_id": -5001})
    assert status == 500
    assert [type(e) for e in sandbox.errors] == [NotImplementedError]
    sandbox.errors.clear()


@pytest.mark.parametrize(
    ("reply_parameters", "description"),
    [({"chat_id": 1001}, 'can\'t find field "message_id"'),
     ({"message_id": "first"}, 'field "message_id" must be a valid Number'),
     ([1], "object expected as reply parameters")],
)
async def test_malformed_reply_parameters_are_refused_in_telegrams_words(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, reply_parameters: Any, description: str
) -> None:
    # With the spec, its own check answers first; Telegram's words are what is left without it.
    monkeypatch.delenv("TELEGRAM_API_SPEC", raising=False)
    monkeypatch.setattr(sandbox_spec, "_SPEC_RELATIVE", Path("missing") / "api.min.json")
    async with BotApiSandbox(token=TOKEN, spec_path=tmp_path / "absent.json") as sb:
        await sb.user(1001, "Ann").send("/start")
        status, body = await raw_call(sb, "sendMessage", chat_id=1001, text="x",
                                      reply_parameters=reply_parameters)
    assert (status, body["description"]) == (400, f"Bad Request: {description}")


# --- the real application -----------------------------------------------------------------------


async def test_a_prompt_answered_by_a_reply_reaches_the_application(
    sandbox: BotApiSandbox,
) -> None:
    ann = sandbox.user(1001, "Ann")
    prompts: dict[int, int] = {}

    async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        prompt = await update.message.reply_text(
            "Lead #7: why did it go cold?",
            reply_markup=ForceReply(input_field_placeholder="Reason"))
        prompts[prompt.message_id] = 7

    async def on_reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.message
        assert message is not None
        assert message.reply_to_message is not None
        lead = prompts[message.reply_to_message.message_id]
        await message.reply_text(f"Lead #{lead}: noted “{message.text}”", do_quote=True)

    app = (
        Application.builder()
        .token(TOKEN)
        .base_url(f"{sandbox.url}/bot")
        .base_file_url(f"{sandbox.url}/file/bot")
        .build()
    )
    app.add_handler(CommandHandler("start", on_start))
    app.add_handler(MessageHandler(filters.REPLY & filters.TEXT, on_reply))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0)
        try:
            await ann.send("/start")
            prompt: SandboxMessage = await ann.wait_for(lambda m: m.force_reply)
            assert prompt.input_field_placeholder == "Reason"
            reply = await ann.reply(prompt, "wrong number")
            noted = await ann.wait_for(lambda m: m.text.startswith("Lead #7: noted"))
            assert noted.text == "Lead #7: noted “wrong number”"
            assert noted.reply_to == reply["message_id"]
        finally:
            await app.updater.stop()
            await app.stop()
    assert sandbox.violations == []
