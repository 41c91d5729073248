"""`/report [period]`: a manager's charts of a period (core/lifecycle/report.py), drawn by
the Charts port and sent as one album with the period as its caption."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from telegram import Bot, InputMediaPhoto, Update
from telegram.constants import ChatAction, ParseMode
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.context import _ctx, _lang, _person, _reply
from bot.i18n import t
from bot.render.report import caption, chart_labels
from core.errors import InvalidInput
from core.lifecycle.report import report_data

ACTION_EVERY = 4.0  # seconds: Telegram shows a chat action for 5 s, or until a message comes


async def report_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Managers: the funnel, speed to lead, fair shares, SLAs and sources of a period."""
    shared = _ctx(context)
    agent = await _person(shared, update)
    lang = _lang(shared, agent)
    message = update.effective_message
    if message is None:
        return
    if shared.charts is None:
        raise RuntimeError("the bot was started without a chart renderer")
    if agent.is_manager:
        shared.charts.warm()  # the worker starts while the figures are read
    try:
        data = await shared.app.run(report_data, manager_id=agent.telegram_id,
                                    period=" ".join(context.args or ()) or None)
    except InvalidInput:
        await _reply(update, t(lang, "report.usage"))
        return
    zone = shared.app.config.zone
    labels = chart_labels(lang, data.period, data.sla_step, zone=zone)
    async with _uploading(context.bot, message.chat_id):
        pictures = await shared.charts.render(data, labels)
    said = caption(lang, data.period, zone=zone)
    await message.reply_media_group([
        InputMediaPhoto(picture, caption=said if index == 0 else None,
                        parse_mode=ParseMode.HTML if index == 0 else None)
        for index, picture in enumerate(pictures)])


@contextlib.asynccontextmanager
async def _uploading(bot: Bot, chat_id: int) -> AsyncIterator[None]:
    """"Sending a photo…" in the chat for as long as the charts take to draw."""

    async def keep_saying() -> None:
        while True:
            # Only a courtesy: a failure to show it must not cost the report.
            with contextlib.suppress(TelegramError):
                await bot.send_chat_action(chat_id, ChatAction.UPLOAD_PHOTO)
            await asyncio.sleep(ACTION_EVERY)

    saying = asyncio.create_task(keep_saying())
    try:
        yield
    finally:
        saying.cancel()
        await asyncio.wait([saying])  # its end, never its cancellation, is awaited
