"""Telegram's flood limits in the Bot API sandbox, seen through the real PTB client."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from telegram import Bot, BotCommand, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import RetryAfter

from sandbox import BotApiSandbox, RateLimitHit, TelegramLimits

TOKEN = "123456789:" + "A" * 35
# A window that does not pass while a test runs, so counts are exact.
LONG = 1000.0


@pytest.fixture(autouse=True)
def _timedelta_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    # PTB 22 warns on every RetryAfter unless it is told to use timedelta already.
    monkeypatch.setenv("PTB_TIMEDELTA", "1")


@pytest.fixture
async def sandbox() -> AsyncIterator[BotApiSandbox]:
    async with BotApiSandbox(token=TOKEN, limits=TelegramLimits()) as sb:
        yield sb
    assert sb.errors == []


async def started_users(sandbox: BotApiSandbox, count: int, first_id: int = 1001) -> list[int]:
    ids = list(range(first_id, first_id + count))
    for user_id in ids:
        await sandbox.user(user_id, f"User{user_id}").send("/start")
    return ids


def seconds(error: RetryAfter) -> float:
    """Return the wait PTB reports, whichever type (int or timedelta) it reports it in."""
    wait = error.retry_after
    return wait.total_seconds() if isinstance(wait, dt.timedelta) else float(wait)


async def raw_call(sandbox: BotApiSandbox, method: str, **params: Any) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as session:
        url = f"{sandbox.url}/bot{TOKEN}/{method}"
        async with session.post(url, json=params) as response:
            return response.status, await response.json()


def test_the_default_limits_are_telegrams_figures() -> None:
    limits = TelegramLimits()
    assert (limits.bot_count, limits.bot_window) == (30, 1.0)
    assert (limits.private_count, limits.private_window) == (3, 3.0)
    assert (limits.group_count, limits.group_window) == (20, 60.0)


def test_limits_that_could_never_admit_a_message_are_refused() -> None:
    with pytest.raises(ValueError, match="group_window"):
        TelegramLimits(group_window=0)
    with pytest.raises(ValueError, match="private_count"):
        TelegramLimits(private_count=0)
    with pytest.raises(ValueError, match="bot_window"):
        TelegramLimits(bot_window=0)


async def test_past_30_messages_at_once_the_31st_is_refused_and_not_stored(
    sandbox: BotApiSandbox, bot: Bot
) -> None:
    sandbox.limits = TelegramLimits(bot_window=LONG)
    ids = await started_users(sandbox, 31)
    for user_id in ids[:30]:
        await bot.send_message(user_id, "lead")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(ids[30], "lead")
    assert seconds(caught.value) >= 1
    assert sandbox.user(ids[30], "").messages == []
    assert all(len(sandbox.user(user_id, "").messages) == 1 for user_id in ids[:30])
    assert [(h.method, h.chat_id, h.scope) for h in sandbox.rate_limited] == [
        ("sendMessage", ids[30], "bot")
    ]


async def test_a_burst_to_one_private_chat_waits_retry_after_and_then_goes_through(
    sandbox: BotApiSandbox, bot: Bot
) -> None:
    sandbox.limits = TelegramLimits(private_count=3, private_window=1.0)
    (ann,) = await started_users(sandbox, 1)
    for number in range(3):
        await bot.send_message(ann, f"burst {number}")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(ann, "one too many")
    # Three in any second: room again a second after the first of them.
    assert seconds(caught.value) == 1
    assert len(sandbox.user(ann, "").messages) == 3
    await asyncio.sleep(seconds(caught.value))
    await bot.send_message(ann, "one too many")
    assert [m.text for m in sandbox.user(ann, "").messages][-1] == "one too many"
    assert [c.status for c in sandbox.calls("sendMessage")] == [200, 200, 200, 429, 200]
    assert sandbox.rate_limited_by_chat() == {ann: 1}


async def test_the_bots_window_slides_never_more_than_30_in_any_second() -> None:
    # A token bucket full at the end of one second would let 30 more out at once: twice
    # the rate within a second. The window admits the 31st only once the first has left it.
    now = [1000.0]
    async with BotApiSandbox(token=TOKEN, limits=TelegramLimits(), timer=lambda: now[0]) \
            as sandbox, Bot(TOKEN, base_url=f"{sandbox.url}/bot") as bot:
        ids = await started_users(sandbox, 31)
        await bot.send_message(ids[0], "first")
        now[0] += 0.9
        for user_id in ids[1:30]:
            await bot.send_message(user_id, "lead")
        now[0] += 0.099
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(ids[30], "a hair too soon after the first")
        assert seconds(caught.value) == 1
        now[0] += 0.001
        await bot.send_message(ids[30], "in time")
        now[0] += 0.899
        with pytest.raises(RetryAfter):
            await bot.send_message(ids[0], "the 29 are still in the window")
        assert [(h.chat_id, h.scope) for h in sandbox.rate_limited] == [
            (ids[30], "bot"), (ids[0], "bot")]


async def test_a_chat_window_slides_room_comes_back_as_each_message_leaves_it() -> None:
    now = [1000.0]
    limits = TelegramLimits(private_count=2, private_window=3.0)
    async with BotApiSandbox(token=TOKEN, limits=limits, timer=lambda: now[0]) as sandbox, \
            Bot(TOKEN, base_url=f"{sandbox.url}/bot") as bot:
        (ann,) = await started_users(sandbox, 1)
        await bot.send_message(ann, "first")
        now[0] += 2.0
        await bot.send_message(ann, "second")
        now[0] += 0.999
        with pytest.raises(RetryAfter):
            await bot.send_message(ann, "third, a hair too soon after the first")
        now[0] += 0.001  # the first has left the window; the second is still in it
        await bot.send_message(ann, "third")
        now[0] += 1.999
        with pytest.raises(RetryAfter):
            await bot.send_message(ann, "fourth, a hair too soon after the second")
        assert [m.text for m in sandbox.user(ann, "").messages] == ["first", "second", "third"]


async def test_a_group_chat_gets_20_messages_per_minute_while_other_chats_go_on(
    sandbox: BotApiSandbox, bot: Bot
) -> None:
    ids = await started_users(sandbox, 1)
    sales = sandbox.group(-100500, "Sales", [sandbox.user(ids[0], "")])
    support = sandbox.group(-100600, "Support", [])
    for number in range(20):
        await bot.send_message(sales.id, f"lead {number}")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(sales.id, "lead 20")
    # Twenty in any minute: room again a minute after the first of them.
    assert 59 <= seconds(caught.value) <= 60
    assert len(sales.messages) == 20
    await bot.send_message(support.id, "other group")
    await bot.send_message(ids[0], "private chat")
    assert len(support.messages) == 1
    assert [(h.chat_id, h.scope) for h in sandbox.rate_limited] == [(sales.id, "group")]


async def test_edits_and_documents_count_against_the_chat(
    sandbox: BotApiSandbox, bot: Bot
) -> None:
    sandbox.limits = TelegramLimits(private_count=3, private_window=LONG)
    (ann,) = await started_users(sandbox, 1)
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Take", callback_data="t")]])
    sent = await bot.send_message(ann, "lead", reply_markup=keyboard)
    await bot.edit_message_text("lead, taken", chat_id=ann, message_id=sent.message_id)
    await bot.send_document(ann, b"a,b\n", filename="leads.csv")
    with pytest.raises(RetryAfter):
        await bot.edit_message_reply_markup(ann, sent.message_id, reply_markup=keyboard)
    with pytest.raises(RetryAfter):
        await bot.send_document(ann, b"c,d\n", filename="more.csv")
    messages = sandbox.user(ann, "").messages
    assert [(m.text, m.edits, m.buttons) for m in messages[:1]] == [("lead, taken", 1, [])]
    assert len(messages) == 2
    assert [h.method for h in sandbox.rate_limited] == ["editMessageReplyMarkup", "sendDocument"]


async def test_a_refused_request_is_answered_exactly_like_telegram(
    sandbox: BotApiSandbox,
) -> None:
    sandbox.limits = TelegramLimits(private_count=1, private_window=4.0)
    (ann,) = await started_users(sandbox, 1)
    status, _ = await raw_call(sandbox, "sendMessage", chat_id=ann, text="first")
    assert status == 200
    status, body = await raw_call(sandbox, "sendMessage", chat_id=ann, text="second")
    assert status == 429
    assert body == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 4",
        "parameters": {"retry_after": 4},
    }
    assert sandbox.rate_limited == [
        RateLimitHit("sendMessage", ann, 4, "private", sandbox.rate_limited[0].at)
    ]
    assert sandbox.calls("sendMessage")[-1].status == 429
    assert [m.text for m in sandbox.user(ann, "").messages] == ["first"]


async def test_with_limits_off_nothing_is_ever_refused() -> None:
    async with BotApiSandbox(token=TOKEN) as unlimited:
        assert unlimited.limits is None
        client = Bot(TOKEN, base_url=f"{unlimited.url}/bot")
        (ann,) = await started_users(unlimited, 1)
        group = unlimited.group(-100500, "Sales", [])
        async with client:
            for number in range(35):
                await client.send_message(ann, f"private {number}")
            for number in range(25):
                await client.send_message(group.id, f"group {number}")
        assert len(unlimited.user(ann, "").messages) == 35
        assert len(group.messages) == 25
        assert unlimited.rate_limited == []
        assert {c.status for c in unlimited.requests} == {200}
    assert unlimited.errors == []


async def test_limits_can_be_switched_on_and_off_at_runtime(
    sandbox: BotApiSandbox, bot: Bot
) -> None:
    sandbox.limits = TelegramLimits(private_count=1, private_window=LONG)
    (ann,) = await started_users(sandbox, 1)
    await bot.send_message(ann, "one")
    with pytest.raises(RetryAfter):
        await bot.send_message(ann, "two")
    sandbox.limits = None
    for number in range(5):
        await bot.send_message(ann, f"free {number}")
    sandbox.limits = TelegramLimits(private_count=1, private_window=LONG)  # windows start empty
    await bot.send_message(ann, "three")
    with pytest.raises(RetryAfter):
        await bot.send_message(ann, "four")
    assert len(sandbox.user(ann, "").messages) == 7
    assert len(sandbox.rate_limited) == 2


async def test_callback_answers_get_me_commands_and_chat_actions_are_never_limited(
    sandbox: BotApiSandbox, bot: Bot
) -> None:
    sandbox.limits = TelegramLimits(bot_count=1, bot_window=LONG, private_count=1,
                                    private_window=LONG)
    (ann,) = await started_users(sandbox, 1)
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Take", callback_data="t")]])
    await bot.send_message(ann, "lead", reply_markup=keyboard)  # uses up every bucket
    with pytest.raises(RetryAfter):
        await bot.send_message(ann, "refused")
    for _ in range(5):
        await bot.get_me()
        await bot.send_chat_action(ann, "typing")
        assert await bot.set_my_commands([BotCommand("start", "Start")])
    for _ in range(3):
        user = sandbox.user(ann, "")
        pressing = asyncio.create_task(user.press(user.messages[0], "Take"))
        query = None
        while query is None:
            updates = await bot.get_updates(timeout=1)
            if updates:
                await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)
            query = next((u.callback_query for u in updates if u.callback_query), None)
        assert await query.answer("taken")
        assert (await pressing).text == "taken"
    assert len(sandbox.rate_limited) == 1
    assert {c.status for c in sandbox.requests if c.method != "sendMessage"} == {200}
