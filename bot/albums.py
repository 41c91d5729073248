"""Monday's charts of last week, sent as an album in reply to that morning's digest: the
outbox dispatcher hands this the DIGEST_CHARTS rows, whose charts are drawn when they go."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from telegram import InputMediaPhoto, Message, ReplyParameters
from telegram.constants import ParseMode
from telegram.ext import ExtBot

from bot.render.report import chart_labels
from core.app import App
from core.lifecycle.report import office_report
from core.messages import DigestChartsParams
from core.numbers.period import parse_period
from core.ports import OutboxQueue, QueuedMessage
from core.ports.charts import Charts

log = logging.getLogger(__name__)


class ChartAlbums:
    """Draws a digest's charts and sends them under it, the caption on the first."""

    def __init__(self, *, bot: ExtBot[Any], app: Callable[[], App], charts: Charts,
                 store: OutboxQueue) -> None:
        self._bot = bot
        self._app = app  # the app in force: a reload puts a new one in place
        self._charts = charts
        self._store = store

    async def send(self, row: QueuedMessage, caption: str) -> Message | None:
        """Send *row*'s album; None, the row settled, when its charts cannot be drawn.

        Telegram's errors reach the dispatcher, which retries or gives up as for any row;
        a chart that cannot be drawn is logged and left out, since the digest went already.
        """
        app = self._app()
        params = DigestChartsParams.from_json(row.params)
        lang = str(row.params.get("lang", app.config.language))
        zone = app.config.zone
        try:
            week = parse_period(params.period, now=app.deps.clock.now(), zone=zone)
            data = await app.run(office_report, period=week)
            pictures = await self._charts.render(
                data, chart_labels(lang, week, data.sla_step, zone=zone))
        except Exception:  # a worker that died, a figure that could not be read
            log.exception("Monday's charts could not be drawn; the digest went without them",
                          extra={"outbox_id": row.id, "chat_id": row.chat_id})
            return None
        target = await self._store.message_id(params.reply_to)
        reply = (ReplyParameters(message_id=target[1], allow_sending_without_reply=True)
                 if target is not None else None)
        sent = await self._bot.send_media_group(row.chat_id, [
            InputMediaPhoto(picture, caption=caption if index == 0 else None,
                            parse_mode=ParseMode.HTML if index == 0 else None)
            for index, picture in enumerate(pictures)], reply_parameters=reply)
        return sent[0] if sent else None
