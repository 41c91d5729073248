"""/export [period]: a manager gets the leads of a period as a CSV document, zipped when
large (core/lifecycle/export.py). The file is written to a folder of its own, never held
in memory, uploaded from there and removed; over Telegram's 50 MB the manager is told the
command that writes it on the server."""

from __future__ import annotations

import asyncio
import logging
import tempfile
import zipfile
from pathlib import Path

from telegram import InputFile, Update
from telegram.constants import ChatAction, ParseMode
from telegram.ext import Application, CommandHandler, ContextTypes

from bot.context import _ctx, _lang, _person, _reply
from bot.i18n import t
from bot.render.export import caption, empty, export_headers, export_style, file_name, too_big
from core.errors import InvalidInput
from core.lifecycle.export import export_leads, record_export
from core.ports.exports import ExportChannel
from core.queries import require_manager

log = logging.getLogger(__name__)

ZIP_OVER = 5 * 2**20  # a CSV larger than this is sent zipped (CSV shrinks about ten times)
MAX_UPLOAD = 50 * 2**20  # the largest document a bot may send
UPLOAD_TIMEOUT = 300.0  # seconds to wait for Telegram's answer to an upload of MAX_UPLOAD


def register_export(application: Application) -> None:  # type: ignore[type-arg]
    """Take /export."""
    application.add_handler(CommandHandler("export", export_command))


async def export_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Managers: the leads received in a period (default 30d), as a CSV document."""
    shared = _ctx(context)
    agent = await _person(shared, update)
    message = update.effective_message
    if message is None:
        return
    await shared.app.run(require_manager, telegram_id=agent.telegram_id)
    lang, config = _lang(shared, agent), shared.app.config
    zone = config.zone
    await context.bot.send_chat_action(agent.telegram_id, ChatAction.UPLOAD_DOCUMENT)
    with tempfile.TemporaryDirectory(prefix="leadrelay-export-") as folder:
        written = Path(folder) / "leads.csv"
        try:
            with written.open("wb") as out:
                done = await shared.app.run_in_turns(
                    export_leads, out=out, period=" ".join(context.args or []) or None,
                    style=export_style(lang, zone),
                    headers=export_headers(lang, currency=config.currency),
                    by_id=agent.telegram_id)
        except InvalidInput:
            await _reply(update, t(lang, "export.usage"))
            return
        if not done.rows:
            await _reply(update, empty(lang, done.period, zone))
            return
        path = written.rename(Path(folder) / file_name(done.period, zone))
        path = await asyncio.to_thread(package, path)
        size = path.stat().st_size
        if size > MAX_UPLOAD:
            log.info("an export was too big to send", extra={
                "by_id": agent.telegram_id, "rows": done.rows, "bytes": size})
            await _reply(update, too_big(lang, done.period, size))
            return
        await shared.app.run(record_export, done=done, channel=ExportChannel.CHAT,
                             by_id=agent.telegram_id)
        with path.open("rb") as document:
            # Handed to aiohttp as the open file: read as it is uploaded, not into memory.
            await message.reply_document(
                InputFile(document, filename=path.name, read_file_handle=False),
                caption=caption(lang, done, zone), parse_mode=ParseMode.HTML,
                read_timeout=UPLOAD_TIMEOUT)


def package(path: Path, *, zip_over: int = ZIP_OVER) -> Path:
    """*path* as it is sent: itself up to *zip_over* bytes, else a zip beside it holding it
    (deflated, ZIP64 past 4 GB), the CSV removed."""
    if path.stat().st_size <= zip_over:
        return path
    zipped = path.with_suffix(".zip")
    with zipfile.ZipFile(zipped, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.write(path, arcname=path.name)
    path.unlink()
    return zipped
