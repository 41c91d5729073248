"""The sandbox's sendMediaGroup, driven through the real python-telegram-bot client: an
album of uploaded photos is one message each sharing a media_group_id, and what Telegram
refuses is refused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from telegram import Bot, InputMediaDocument, InputMediaPhoto
from telegram.error import BadRequest

from sandbox import BotApiSandbox, find_spec

TOKEN = "123456789:" + "A" * 35
ANN = 1001
URL = "https://example.com/chart.png"


def png(width: int, height: int) -> bytes:
    """The start of a PNG: enough for its size to be read."""
    return (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + width.to_bytes(4, "big")
            + height.to_bytes(4, "big") + b"\x08\x02\x00\x00\x00")


@pytest.fixture
async def sandbox() -> AsyncIterator[BotApiSandbox]:
    async with BotApiSandbox(token=TOKEN) as sb:
        await sb.user(ANN, "Ann").send("/start")
        yield sb
    assert sb.errors == []


async def raw_call(sandbox: BotApiSandbox, method: str, **params: Any) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as session, session.post(
            f"{sandbox.url}/bot{TOKEN}/{method}", json=params) as response:
        return response.status, await response.json()


async def test_an_album_of_uploaded_photos_is_one_message_each_sharing_a_group(
        sandbox: BotApiSandbox, bot: Bot) -> None:
    pictures = [png(1080, 1350), png(1080, 1351), png(800, 600)]
    sent = await bot.send_media_group(ANN, [
        InputMediaPhoto(pictures[0], caption="<b>Report</b> · 30d", parse_mode="HTML"),
        InputMediaPhoto(pictures[1]), InputMediaPhoto(pictures[2])])

    assert len(sent) == 3
    assert sent[0].media_group_id
    assert {m.media_group_id for m in sent} == {sent[0].media_group_id}
    assert [(m.photo[-1].width, m.photo[-1].height) for m in sent] == [
        (1080, 1350), (1080, 1351), (800, 600)]
    assert (sent[0].caption, sent[1].caption) == ("Report · 30d", None)
    album = sandbox.user(ANN, "Ann").messages[-3:]
    assert [m.photo.data if m.photo else None for m in album] == pictures
    assert [m.text for m in album] == ["Report · 30d", "", ""]
    assert {m.media_group_id for m in album} == {sent[0].media_group_id}
    assert sandbox.violations == []


async def test_an_album_of_documents_keeps_their_names(
        sandbox: BotApiSandbox, bot: Bot) -> None:
    sent = await bot.send_media_group(ANN, [
        InputMediaDocument(b"a;b\n", filename="leads.csv"),
        InputMediaDocument(b"c;d\n", filename="more.csv")])
    assert [m.document.file_name for m in sent if m.document] == ["leads.csv", "more.csv"]


async def test_a_second_album_has_a_group_of_its_own(sandbox: BotApiSandbox, bot: Bot) -> None:
    first = await bot.send_media_group(ANN, [InputMediaPhoto(URL), InputMediaPhoto(URL)])
    second = await bot.send_media_group(ANN, [InputMediaPhoto(URL), InputMediaPhoto(URL)])
    assert first[0].media_group_id != second[0].media_group_id


@pytest.mark.parametrize(("count", "refusal"), [
    (1, "Bad Request: media must include 2-10 items"),
    (11, "Bad Request: too much messages to send as an album"),
])
async def test_an_album_has_two_to_ten_items(
        sandbox: BotApiSandbox, count: int, refusal: str) -> None:
    status, body = await raw_call(sandbox, "sendMediaGroup", chat_id=ANN,
                                  media=[{"type": "photo", "media": URL}] * count)
    assert (status, body["description"]) == (400, refusal)
    assert sandbox.user(ANN, "Ann").messages == []


async def test_a_photo_named_by_attach_must_be_uploaded(sandbox: BotApiSandbox) -> None:
    status, body = await raw_call(sandbox, "sendMediaGroup", chat_id=ANN, media=[
        {"type": "photo", "media": "attach://missing"}, {"type": "photo", "media": URL}])
    assert (status, body["description"]) == (
        400, "Bad Request: can't parse InputMedia: media not found")


@pytest.mark.skipif(find_spec() is None, reason="Bot API spec not available")
async def test_an_album_is_checked_against_the_spec(sandbox: BotApiSandbox) -> None:
    status, body = await raw_call(sandbox, "sendMediaGroup", chat_id=ANN, media=[
        {"type": "photo", "media": URL, "colour": "red"}, {"type": "photo", "media": URL}])
    assert status == 400
    assert "colour" in body["description"]
    status, _ = await raw_call(sandbox, "sendMediaGroup", chat_id=ANN)
    assert status == 400


async def test_photos_and_documents_do_not_mix_in_an_album(
        sandbox: BotApiSandbox, bot: Bot) -> None:
    with pytest.raises(BadRequest, match="albums of photos or of documents"):
        await bot.send_media_group(ANN, [InputMediaPhoto(URL),
                                         InputMediaDocument(b"x", filename="x.csv")])
