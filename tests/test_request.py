"""python-telegram-bot over aiohttp (bot/request.py): what the Bot API answers arrives as it
would through httpx, errors included, against the Bot API sandbox over HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from bot.request import AiohttpRequest
from sandbox import BotApiSandbox

TOKEN = "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghi"
ANN = 1001


@pytest.fixture
async def sandbox() -> AsyncIterator[BotApiSandbox]:
    async with BotApiSandbox(token=TOKEN) as sb:
        await sb.user(ANN, "Ann").send("/start")
        yield sb


@pytest.fixture
async def bot(sandbox: BotApiSandbox) -> AsyncIterator[Bot]:
    client = Bot(TOKEN, base_url=f"{sandbox.url}/bot", base_file_url=f"{sandbox.url}/file/bot",
                 request=AiohttpRequest(read_timeout=2.0))
    async with client:
        yield client


async def test_a_message_with_buttons_goes_out_and_comes_back_as_a_message(
    sandbox: BotApiSandbox, bot: Bot
) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Accept", callback_data="a:1")]])
    sent = await bot.send_message(ANN, "New lead <b>#1</b>", parse_mode="HTML",
                                  reply_markup=keyboard)
    [message] = sandbox.user(ANN, "Ann").messages
    assert (message.text, message.buttons[0][0].text) == ("New lead #1", "Accept")
    assert (sent.message_id, sent.chat.id) == (message.message_id, ANN)


async def test_a_file_goes_out_as_multipart_with_its_name_and_bytes(
    sandbox: BotApiSandbox, bot: Bot
) -> None:
    content = b"name,phone\nTom,+100\n"
    await bot.send_document(ANN, content, filename="leads.csv", caption="Export")
    document = sandbox.user(ANN, "Ann").messages[-1].document
    assert document is not None
    assert (document.filename, document.bytes) == ("leads.csv", content)


async def test_telegrams_refusals_arrive_as_pythontelegrambots_errors(
    sandbox: BotApiSandbox, bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")  # as leadrelay runs it
    sandbox.fail_next("sendMessage", error_code=429, description="Too Many Requests",
                      retry_after=7)
    with pytest.raises(RetryAfter) as waited:
        await bot.send_message(ANN, "hi")
    assert waited.value.retry_after.total_seconds() == 7  # type: ignore[union-attr]
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(424242, "hi")


async def test_a_server_that_never_answers_ends_in_timed_out() -> None:
    writers: list[asyncio.StreamWriter] = []

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)  # takes the request, never answers

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    request = AiohttpRequest(read_timeout=0.2)
    try:
        with pytest.raises(TimedOut):
            await request.post(f"http://127.0.0.1:{port}/bot{TOKEN}/getMe")
    finally:
        await request.shutdown()
        for writer in writers:
            writer.close()
        server.close()
        await server.wait_closed()


async def test_nobody_listening_is_a_network_error() -> None:
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()
    request = AiohttpRequest(connect_timeout=1.0)
    try:
        with pytest.raises(NetworkError) as failed:
            await request.post(f"http://127.0.0.1:{port}/bot{TOKEN}/getMe")
        assert not isinstance(failed.value, TimedOut)
    finally:
        await request.shutdown()
