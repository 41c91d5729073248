"""Behaviour of the Bot API sandbox, driven through the real python-telegram-bot client."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.error import BadRequest, Forbidden, RetryAfter
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from sandbox import ApiCall, BotApiSandbox, SandboxMessage, find_spec
from sandbox import spec as sandbox_spec
from tests.harness import until

TOKEN = "123456789:" + "A" * 35
needs_spec = pytest.mark.skipif(find_spec() is None, reason="Bot API spec not available")


def keyboard(*buttons: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(text, callback_data=data)]
                                 for text, data in buttons])


@pytest.fixture
async def sandbox() -> AsyncIterator[BotApiSandbox]:
    async with BotApiSandbox(token=TOKEN) as sb:
        yield sb
    assert sb.errors == []


async def raw_call(
    sandbox: BotApiSandbox, method: str, *, token: str = TOKEN, **params: Any
) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as session:
        url = f"{sandbox.url}/bot{token}/{method}"
        async with session.post(url, json=params) as response:
            return response.status, await response.json()


# --- identity and chats ------------------------------------------------------------------


async def test_get_me_describes_the_bot(bot: Bot) -> None:
    me = await bot.get_me()
    assert me.id == 123456789
    assert me.is_bot
    assert me.username == "leadrelay_bot"


async def test_the_bot_cannot_write_to_a_user_who_never_pressed_start(
    sandbox: BotApiSandbox, bot: Bot
) -> None:
    sandbox.user(1001, "Ann")
    with pytest.raises(Forbidden, match="initiate conversation"):
        await bot.send_message(1001, "hello")


async def test_a_chat_the_sandbox_never_saw_is_not_found(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"[Cc]hat not found"):
        await bot.send_message(424242, "hello")


async def test_a_user_who_blocked_the_bot_cannot_be_written_to(
    sandbox: BotApiSandbox, bot: Bot
) -> None:
    ann = sandbox.user(1001, "Ann")
    await ann.send("/start")
    await bot.send_message(1001, "first")
    ann.block()
    with pytest.raises(Forbidden, match="blocked by the user"):
        await bot.send_message(1001, "second")
    assert [m.text for m in ann.messages] == ["first"]


async def test_the_same_user_object_is_returned_for_the_same_id(sandbox: BotApiSandbox) -> None:
    assert sandbox.user(1001, "Ann") is sandbox.user(1001, "Ann")


# --- updates -------------------------------------------------------------------------------


async def test_a_command_from_a_user_reaches_get_updates(
    sandbox: BotApiSandbox, bot: Bot
) -> None:
    ann = sandbox.user(1001, "Ann", username="ann")
    sent = await ann.send("/start@leadrelay_bot payload")
    updates = await bot.get_updates(timeout=0)
    assert len(updates) == 1
    message = updates[0].message
    assert message is not None
    assert message.message_id == sent["message_id"]
    assert message.chat.id == 1001
    assert message.chat.type == "private"
    assert message.from_user is not None
    assert message.from_user.username == "ann"
    assert message.text == "/start@leadrelay_bot payload"
    assert [(e.type, e.offset, e.length) for e in message.entities] == [
        ("bot_command", 0, len("/start@leadrelay_bot"))
    ]


async def test_get_updates_returns_as_soon_as_an_update_is_queued(
    sandbox: BotApiSandbox, bot: Bot
) -> None:
    ann = sandbox.user(1001, "Ann")
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await until(lambda: sandbox.long_polls == 1)
    assert not poll.done()
    await ann.send("hi")
    updates = await poll
    assert [u.message.text for u in updates if u.message] == ["hi"]
    assert time.monotonic() - started < 3


async def test_confirmed_updates_are_not_delivered_again(
    sandbox: BotApiSandbox, bot: Bot
) -> None:
    ann = sandbox.user(1001, "Ann")
    await ann.send("one")
    await ann.send("two")
    first = await bot.get_updates(timeout=0)
    assert len(first) == 2
    again = await bot.get_updates(offset=first[0].update_id + 1, timeout=0)
    assert [u.message.text for u in again if u.message] == ["two"]
    assert await bot.get_updates(offset=first[1].update_id + 1, timeout=0) == ()
    assert sandbox.pending_updates == []


async def test_updates_of_types_not_allowed_are_not_delivered(
    sandbox: BotApiSandbox, bot: Bot
) -> None:
    ann = sandbox.user(1001, "Ann")
    await ann.send("/start")
    updates = await bot.get_updates(timeout=0, allowed_updates=["callback_query"])
    assert updates == ()


async def test_an_active_webhook_conflicts_with_get_updates(bot: Bot) -> None:
    await bot.set_webhook("https://example.com/hook")
    assert (await bot.get_webhook_info()).url == "https://example.com/hook"
    with pytest.raises(Exception, match="webhook is active"):
        await bot.get_updates(timeout=0)
    assert await bot.delete_webhook()
    assert await bot.get_updates(timeout=0) == ()


# --- messages as the user sees them ----------------------------------------------------------


async def test_html_is_shown_without_tags_and_with_entities_unescaped(
    sandbox: BotApiSandbox, bot: Bot
) -> None:
    ann = sandbox.user(1001, "Ann")
    await ann.send("/start")
    html = "<b>New lead</b>: Tom &amp; Jerry &lt;3 <a href='https://x.example'>card</a>"
    sent = await bot.send_message(
        1001, html, parse_mode="HTML", reply_markup=keyboard(("Accept", "a:1"), ("Skip", "s:1"))
    )
    message = ann.messages[-1]
    assert message.message_id == sent.message_id
    assert message.text == "New lead: Tom & Jerry <3 card"
    assert message.html == html
    assert message.button_texts() == ["Accept", "Skip"]
    assert message.buttons[0][0].callback_data == "a:1"
    assert sent.text == message.text
    assert [e.type for e in sent.entities] == ["bold", "text_link"]
    assert sent.from_user is not None
    assert sent.from_user.is_bot


async def test_html_with_an_unclosed_tag_cannot_be_parsed(
    sandbox: BotApiSandbox, bot: Bot
) -> None:
    await sandbox.user(1001, "Ann").send("/start")
    with pytest.raises(BadRequest, match=r"[Cc]an't parse entities"):
        await bot.send_message(1001, "<b>bold", parse_mode="HTML")


@pytest.mark.parametrize(
    "html", ["line<br>break", "a < b", "<span>x</span>", "<b><i>x</b></i>", "x</b>"]
)
async def test_html_telegram_would_refuse_is_refused(
    sandbox: BotApiSandbox, bot: Bot, html: str
) -> None:
    await sandbox.user(1001, "Ann").send("/start")
    with pytest.raises(BadRequest, match=r"[Cc]an't parse entities"):
        await bot.send_message(1001, html, parse_mode="HTML")


async def test_plain_text_keeps_angle_brackets(sandbox: BotApiSandbox, bot: Bot) -> None:
    ann = sandbox.user(1001, "Ann")
    await ann.send("/start")
    await bot.send_message(1001, "a <b> c")
    assert ann.messages[-1].text == "a <b> c"


async def test_message_text_that_is_empty_after_parsing_is_refused(
    sandbox: BotApiSandbox, bot: Bot
) -> None:
    await sandbox.user(1001, "Ann").send("/start")
    with pytest.raises(BadRequest, match=r"[Mm]essage text is empty"):
        await bot.send_message(1001, "<b></b>", parse_mode="HTML")


async def test_message_text_longer_than_4096_characters_is_refused(
    sandbox: BotApiSandbox, bot: Bot
) -> None:
    await sandbox.user(1001, "Ann").send("/start")
    await bot.send_message(1001, "x" * 4096)
    with pytest.raises(BadRequest, match="too long"):
        await bot.send_message(1001, "x" * 4097)


async def test_the_4096_characters_are_counted_after_entity_parsing_when_sent_and_edited(
    sandbox: BotApiSandbox, bot: Bot
) -> None:
    ann = sandbox.user(1001, "Ann")
    await ann.send("/start")
    shown = "x" * 4096
    sent = await bot.send_message(1001, f"<b>{shown}</b>", parse_mode="HTML")  # 4103 sent
    assert ann.messages[-1].text == shown
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(1001, f"<b>{shown}</b>!", parse_mode="HTML")
    await bot.edit_message_text(f"<i>{'y' * 4096}</i>", chat_id=1001, message_id=sent.message_id,
                                parse_mode="HTML")
    # An edit is refused in the words of Telegram's servers, not the Bot API's.
    for params in ({"text": f"<i>{'z' * 4097}</i>", "parse_mode": "HTML"}, {"text": "z" * 4097}):
        status, body = await raw_call(sandbox, "editMessageText", chat_id=1001,
                                      message_id=sent.message_id, **params)
        assert (status, body["description"]) == (400, "Bad Request: MESSAGE_TOO_LONG")
    assert ann.messages[-1].text == "y" * 4096
    assert [m.edits for m in ann.messages] == [1]


async def test_the_4096_characters_are_characters_not_utf16_code_units(
    sandbox: BotApiSandbox, bot: Bot
) -> None:
    # Every emoji here is two UTF-16 code units; Telegram takes 4096 of them.
    await sandbox.user(1001, "Ann").send("/start")
    await bot.send_message(1001, "\N{GRINNING FACE}" * 4096)
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(1001, "\N{GRINNING FACE}" * 4097)


async def test_callback_data_longer_than_64_bytes_is_refused(
    sandbox: BotApiSandbox, bot: Bot
) -> None:
    await sandbox.user(1001, "Ann").send("/start")
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(1001, "pick", reply_markup=keyboard(("Go", "é" * 33)))
    assert sandbox.user(1001, "Ann").messages == []


async def test_url_buttons_open_http_https_and_tg_links_as_telegram_echoes_them(
    sandbox: BotApiSandbox, bot: Bot
) -> None:
    ann = sandbox.user(1001, "Ann")
    await ann.send("/start")
    sent = await bot.send_message(1001, "Lead #7", reply_markup=InlineKeyboardMarkup([
        [InlineKeyboardButton("Site", url="https://Example.com"),
         InlineKeyboardButton("Form", url="http://crm.example.com/lead 7")],
        [InlineKeyboardButton("Agent", url="tg://user?id=1001"),
         InlineKeyboardButton("Bare", url="example.com/x"),
         InlineKeyboardButton("Take", callback_data="t:7")],
    ]))
    card = ann.messages[-1]
    # Telegram echoes each URL normalized: lower-case host, a path of at least "/".
    echoed = {"Site": "https://example.com/", "Form": "http://crm.example.com/lead%207",
              "Agent": "tg://user?id=1001", "Bare": "http://example.com/x", "Take": None}
    assert {text: card.button_url(text) for text in echoed} == echoed
    assert [[button.url for button in row] for row in card.buttons] == [
        [echoed["Site"], echoed["Form"]], [echoed["Agent"], echoed["Bare"], None]]
    assert sent.reply_markup is not None
    assert [b.url for row in sent.reply_markup.inline_keyboard for b in row] == [
        *echoed.values()]
    with pytest.raises(AssertionError, match="no button 'Call'"):
        card.button_url("Call")
    with pytest.raises(AssertionError, match="no callback_data"):
        await ann.press(card, "Site")


@pytest.mark.parametrize(("url", "why"), [
    # A phone number cannot be a button: "tel" is read as a host with a port that is no number.
    ("tel:+4930123456", "Wrong port number specified in the URL"),
    ("tel:112", "Wrong HTTP URL"),
    ("javascript:alert(1)", "Wrong port number specified in the URL"),
    ("ftp://example.com/x", "Unsupported URL protocol"),
    ("http://localhost:8080/", "Wrong HTTP URL"),
    ("https://exa mple.com/", "Disallowed character in URL host"),
])
async def test_a_url_button_telegram_cannot_open_is_refused(
    sandbox: BotApiSandbox, bot: Bot, url: str, why: str
) -> None:
    await sandbox.user(1001, "Ann").send("/start")
    markup = {"inline_keyboard": [[{"text": "Open", "url": url}]]}
    status, body = await raw_call(sandbox, "sendMessage", chat_id=1001, text="open",
                                  reply_markup=markup)
    assert (status, body["description"]) == (
        400, f"Bad Request: inline keyboard button URL '{url}' is invalid: {why}")
    with pytest.raises(BadRequest, match=r"(?i)inline keyboard button url .* is invalid"):
        await bot.send_message(1001, "open", reply_markup=InlineKeyboardMarkup(
            [[InlineKeyboardButton("Open", url=url)]]))
    sent = await bot.send_message(1001, "open", reply_markup=keyboard(("Take", "t")))
    with pytest.raises(BadRequest, match=r"(?i)inline keyboard button url"):
        await bot.edit_message_reply_markup(1001, sent.message_id, reply_markup=(
            InlineKeyboardMarkup([[InlineKeyboardButton("Open", url=url)]])))
    assert [m.button_texts() for m in sandbox.user(1001, "Ann").messages] == [["Take"]]


async def test_wait_for_sees_future_messages_and_edits(sandbox: BotApiSandbox, bot: Bot) -> None:
    ann = sandbox.user(1001, "Ann")
    await ann.send("/start")
    sent = await bot.send_message(1001, "Lead #7 waiting", reply_markup=keyboard(("Take", "t")))
    waiter = asyncio.create_task(ann.wait_for(lambda m: "taken" in m.text))
    await asyncio.sleep(0)  # the waiter looks at the messages already there, and waits
    assert not waiter.done()
    await bot.edit_message_text("Lead #7 taken", chat_id=1001, message_id=sent.message_id)
    message = await waiter
    assert message.message_id == sent.message_id
    assert message.edits == 1
    assert message.buttons == []  # an edit without reply_markup removes the keyboard


async def test_wait_for_without_predicate_waits_for_the_next_message(
    sandbox: BotApiSandbox, bot: Bot
) -> None:
    ann = sandbox.user(1001, "Ann")
    await ann.send("/start")
    await bot.send_message(1001, "old")
    waiter = asyncio.create_task(ann.wait_for())
    await asyncio.sleep(0)  # the waiter counts the messages already there, and waits
    await bot.send_message(1001, "new")
    assert (await waiter).text == "new"


async def test_wait_for_times_out_listing_the_chat_texts(
    sandbox: BotApiSandbox, bot: Bot
) -> None:
    ann = sandbox.user(1001, "Ann")
    await ann.send("/start")
    await bot.send_message(1001, "Welcome")
    with pytest.raises(TimeoutError, match="Welcome"):
        await ann.wait_for(lambda m: m.text == "never", timeout=0.1)


async def test_editing_with_identical_content_is_refused_as_not_modified(
    sandbox: BotApiSandbox, bot: Bot
) -> None:
    await sandbox.user(1001, "Ann").send("/start")
    markup = keyboard(("Accept", "a"))
    sent = await bot.send_message(1001, "<b>Lead</b>", parse_mode="HTML", reply_markup=markup)
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_text(
            "<b>Lead</b>", chat_id=1001, message_id=sent.message_id, parse_mode="HTML",
            reply_markup=markup,
        )
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_reply_markup(1001, sent.message_id, reply_markup=markup)
    edited = await bot.edit_message_reply_markup(1001, sent.message_id, reply_markup=None)
    assert isinstance(edited, object)
    assert sandbox.user(1001, "Ann").messages[0].buttons == []


async def test_editing_a_message_that_does_not_exist_is_refused(
    sandbox: BotApiSandbox, bot: Bot
) -> None:
    await sandbox.user(1001, "Ann").send("/start")
    with pytest.raises(BadRequest, match=r"[Mm]essage to edit not found"):
        await bot.edit_message_text("x", chat_id=1001, message_id=999)


async def test_deleting_a_message_marks_it_deleted(sandbox: BotApiSandbox, bot: Bot) -> None:
    ann = sandbox.user(1001, "Ann")
    await ann.send("/start")
    sent = await bot.send_message(1001, "temporary")
    assert await bot.delete_message(1001, sent.message_id)
    assert ann.messages[0].deleted
    with pytest.raises(BadRequest, match=r"[Mm]essage to delete not found"):
        await bot.delete_message(1001, sent.message_id)


async def test_chat_actions_are_recorded(sandbox: BotApiSandbox, bot: Bot) -> None:
    ann = sandbox.user(1001, "Ann")
    await ann.send("/start")
    assert await bot.send_chat_action(1001, "typing")
    assert ann.chat_actions == ["typing"]


# --- buttons -------------------------------------------------------------------------------


async def answer_next_callback(bot: Bot, text: str, *, alert: bool = False) -> Update:
    for _ in range(50):
        for update in await bot.get_updates(timeout=1):
            await bot.get_updates(offset=update.update_id + 1, timeout=0)
            if update.callback_query is not None:
                await update.callback_query.answer(text, show_alert=alert)
                return update
    raise AssertionError("no callback query arrived")


async def test_pressing_a_button_delivers_a_callback_query_and_returns_the_answer(
    sandbox: BotApiSandbox, bot: Bot
) -> None:
    ann = sandbox.user(1001, "Ann")
    await ann.send("/start")
    await bot.get_updates(offset=-1, timeout=0)
    sent = await bot.send_message(1001, "Lead", reply_markup=keyboard(("Accept", "accept:7")))
    await bot.get_updates(offset=(await bot.get_updates(timeout=0))[-1].update_id + 1)
    answering = asyncio.create_task(answer_next_callback(bot, "Taken!", alert=True))
    answer = await ann.press(ann.messages[-1], "Accept")
    update = await answering
    query = update.callback_query
    assert query is not None
    assert query.data == "accept:7"
    assert query.from_user.id == 1001
    assert query.message is not None
    assert query.message.message_id == sent.message_id
    assert answer.text == "Taken!"
    assert answer.show_alert is True
    assert sandbox.answers == [answer]


async def test_pressing_a_button_that_is_not_there_lists_the_buttons(
    sandbox: BotApiSandbox, bot: Bot
) -> None:
    ann = sandbox.user(1001, "Ann")
    await ann.send("/start")
    sent = await bot.send_message(1001, "Lead", reply_markup=keyboard(("Accept", "a")))
    with pytest.raises(AssertionError, match="Accept"):
        await ann.press(sent.message_id, "Decline")


async def test_an_unanswered_press_times_out(sandbox: BotApiSandbox, bot: Bot) -> None:
    ann = sandbox.user(1001, "Ann")
    await ann.send("/start")
    await bot.send_message(1001, "Lead", reply_markup=keyboard(("Accept", "a")))
    with pytest.raises(TimeoutError, match="did not answer"):
        await ann.press(ann.messages[0], "Accept", timeout=0.1)
    # Telegram refuses answers that come after the query expired.
    update = (await bot.get_updates(timeout=0))[-1]
    assert update.callback_query is not None
    with pytest.raises(BadRequest, match=r"[Qq]uery is too old"):
        await update.callback_query.answer()


async def test_answering_a_query_twice_is_refused(sandbox: BotApiSandbox, bot: Bot) -> None:
    ann = sandbox.user(1001, "Ann")
    await ann.send("/start")
    await bot.send_message(1001, "Lead", reply_markup=keyboard(("Accept", "a")))
    answering = asyncio.create_task(answer_next_callback(bot, "ok"))
    await ann.press_data(ann.messages[0], "forged:1")
    update = await answering
    assert update.callback_query is not None
    assert update.callback_query.data == "forged:1"
    with pytest.raises(BadRequest, match=r"[Qq]uery is too old"):
        await update.callback_query.answer("again")


async def test_group_members_can_press_buttons_in_group_messages(
    sandbox: BotApiSandbox, bot: Bot
) -> None:
    ann, bob = sandbox.user(1001, "Ann"), sandbox.user(1002, "Bob")
    outsider = sandbox.user(1003, "Eve")
    group = sandbox.group(-100500, "Sales", [ann, bob])
    await bot.send_message(-100500, "Lead for the team", reply_markup=keyboard(("Take", "t:1")))
    message = await group.wait_for(lambda m: "Lead" in m.text)
    answering = asyncio.create_task(answer_next_callback(bot, "yours"))
    answer = await bob.press(message, "Take")
    update = await answering
    assert answer.text == "yours"
    assert update.callback_query is not None
    assert update.callback_query.message is not None
    assert update.callback_query.message.chat.type == "group"
    with pytest.raises(AssertionError, match="not a member"):
        await outsider.press(message, "Take")


# --- protocol and spec ----------------------------------------------------------------------


@needs_spec  # without the spec the sandbox cannot tell an unknown method from a rare one
async def test_an_unknown_method_is_not_found(sandbox: BotApiSandbox) -> None:
    status, body = await raw_call(sandbox, "sendTelepathy", chat_id=1)
    assert status == 404
    assert body == {"ok": False, "error_code": 404, "description": "Not Found"}


async def test_method_names_are_case_insensitive(sandbox: BotApiSandbox) -> None:
    status, body = await raw_call(sandbox, "GETME")
    assert status == 200
    assert body["result"]["username"] == "leadrelay_bot"
    assert sandbox.requests[-1].method == "getMe"


async def test_a_wrong_token_is_unauthorized(sandbox: BotApiSandbox) -> None:
    status, body = await raw_call(sandbox, "getMe", token="1:" + "B" * 35)
    assert status == 401
    assert body == {"ok": False, "error_code": 401, "description": "Unauthorized"}


@needs_spec
async def test_a_missing_required_parameter_is_a_bad_request(sandbox: BotApiSandbox) -> None:
    await sandbox.user(1001, "Ann").send("/start")
    status, body = await raw_call(sandbox, "sendMessage", chat_id=1001)
    assert status == 400
    assert body["description"] == "Bad Request: parameter text is required"


@needs_spec
async def test_an_unknown_parameter_is_refused_when_strict_and_always_recorded(
    sandbox: BotApiSandbox,
) -> None:
    await sandbox.user(1001, "Ann").send("/start")
    status, body = await raw_call(sandbox, "sendMessage", chat_id=1001, text="x", colour="red")
    assert status == 400
    assert body["description"] == "Bad Request: unknown parameter colour"
    assert sandbox.violations == ["sendMessage: unknown parameter colour"]

    async with BotApiSandbox(token=TOKEN, strict=False) as lenient:
        await lenient.user(1001, "Ann").send("/start")
        status, _ = await raw_call(lenient, "sendMessage", chat_id=1001, text="x", colour="red")
        assert status == 200
        assert lenient.violations == ["sendMessage: unknown parameter colour"]


@needs_spec
async def test_a_parameter_of_the_wrong_type_is_refused(sandbox: BotApiSandbox) -> None:
    await sandbox.user(1001, "Ann").send("/start")
    status, body = await raw_call(
        sandbox, "sendMessage", chat_id=1001, text="x", disable_notification="loud"
    )
    assert status == 400
    assert "disable_notification" in body["description"]


async def test_form_encoded_values_are_decoded_by_their_spec_type(
    sandbox: BotApiSandbox,
) -> None:
    ann = sandbox.user(1001, "Ann")
    await ann.send("/start")
    form = {
        "chat_id": "1001",
        "text": "123",
        "reply_markup": '{"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}',
    }
    async with aiohttp.ClientSession() as session:
        url = f"{sandbox.url}/bot{TOKEN}/sendMessage"
        async with session.post(url, data=form) as response:
            assert response.status == 200
    params = sandbox.requests[-1].params
    assert params["chat_id"] == 1001
    assert params["text"] == "123"
    assert ann.messages[0].buttons[0][0].text == "Go"


async def test_injected_429_carries_retry_after(
    sandbox: BotApiSandbox, bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PTB 22 warns on every RetryAfter unless it is told to use timedelta already.
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    await sandbox.user(1001, "Ann").send("/start")
    sandbox.fail_next(
        "sendMessage", error_code=429, description="Too Many Requests: retry after 7",
        retry_after=7,
    )
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(1001, "hi")
    assert caught.value.retry_after == dt.timedelta(seconds=7)
    await bot.send_message(1001, "hi")  # the fault fires once
    assert [call.status for call in sandbox.calls("sendMessage")] == [429, 200]


async def test_listeners_see_every_request(sandbox: BotApiSandbox, bot: Bot) -> None:
    seen: list[ApiCall] = []
    sandbox.listeners.append(seen.append)
    await bot.get_me()
    with pytest.raises(BadRequest):
        await bot.send_message(5, "x")
    assert [(c.method, c.status) for c in seen] == [("getMe", 200), ("sendMessage", 400)]
    assert seen[0].at <= seen[1].at


async def test_validation_is_off_without_the_spec(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("TELEGRAM_API_SPEC", raising=False)
    monkeypatch.setattr(sandbox_spec, "_SPEC_RELATIVE", Path("missing") / "api.min.json")
    async with BotApiSandbox(token=TOKEN, spec_path=tmp_path / "absent.json") as sb:
        assert not sb.validating
        await sb.user(1001, "Ann").send("/start")
        status, _ = await raw_call(sb, "sendMessage", chat_id=1001, text="x", colour="red")
        assert status == 200
        status, body = await raw_call(sb, "sendMessage", chat_id=1001)
        assert status == 400
        assert body["description"] == "Bad Request: parameter text is required"


# --- files and commands ----------------------------------------------------------------------


async def test_send_document_is_stored_with_its_bytes(sandbox: BotApiSandbox, bot: Bot) -> None:
    ann = sandbox.user(1001, "Ann")
    await ann.send("/start")
    content = b"name,phone\nTom,+100\n"
    sent = await bot.send_document(
        1001, content, filename="leads.csv", caption="<b>Export</b>", parse_mode="HTML"
    )
    message = ann.messages[-1]
    assert message.document is not None
    assert message.document.filename == "leads.csv"
    assert message.document.bytes == content
    assert message.text == "Export"
    assert sent.document is not None
    assert sent.document.file_name == "leads.csv"
    downloaded = await (await bot.get_file(sent.document.file_id)).download_as_bytearray()
    assert bytes(downloaded) == content


async def test_send_photo_is_stored(sandbox: BotApiSandbox, bot: Bot) -> None:
    ann = sandbox.user(1001, "Ann")
    await ann.send("/start")
    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + (3).to_bytes(4, "big") * 2 + b"\x00" * 8
    sent = await bot.send_photo(1001, png, filename="chart.png")
    assert sent.photo[-1].width == 3
    assert ann.messages[-1].photo is not None
    assert ann.messages[-1].photo.data == png


async def test_set_my_commands_is_readable(sandbox: BotApiSandbox, bot: Bot) -> None:
    commands = [BotCommand("start", "Start"), BotCommand("stats", "Team stats")]
    assert await bot.set_my_commands(commands)
    assert await bot.set_my_commands(
        [BotCommand("start", "Начать")], scope=BotCommandScopeAllPrivateChats(),
        language_code="ru",
    )
    assert sandbox.commands() == [
        {"command": "start", "description": "Start"},
        {"command": "stats", "description": "Team stats"},
    ]
    assert sandbox.commands({"type": "all_private_chats"}, "ru") == [
        {"command": "start", "description": "Начать"}
    ]
    read_back = await bot.get_my_commands()
    assert [c.command for c in read_back] == ["start", "stats"]
    assert await bot.delete_my_commands()
    assert sandbox.commands() == []


async def test_invalid_command_names_are_refused(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Start-Now", "x")])


# --- the real application ---------------------------------------------------------------------


async def test_a_real_application_answers_start_and_button_presses(
    sandbox: BotApiSandbox,
) -> None:
    ann = sandbox.user(1001, "Ann")

    async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_text(
            "Hi <b>Ann</b>, a new lead", parse_mode="HTML",
            reply_markup=keyboard(("Accept", "accept:1")),
        )

    async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("Accepted")
        await query.edit_message_text("Lead accepted")

    app = (
        Application.builder()
        .token(TOKEN)
        .base_url(f"{sandbox.url}/bot")
        .base_file_url(f"{sandbox.url}/file/bot")
        .build()
    )
    app.add_handler(CommandHandler("start", on_start))
    app.add_handler(CallbackQueryHandler(on_button))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0)
        try:
            await ann.send("/start")
            offer: SandboxMessage = await ann.wait_for(lambda m: "new lead" in m.text)
            assert offer.text == "Hi Ann, a new lead"
            answer = await ann.press(offer, "Accept")
            assert answer.text == "Accepted"
            edited = await ann.wait_for(lambda m: m.text == "Lead accepted")
            assert edited.message_id == offer.message_id
        finally:
            await app.updater.stop()
            await app.stop()
    assert sandbox.violations == []
