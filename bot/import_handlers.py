"""A manager sends the bot a CSV or .xlsx file: a preview with Import and Cancel, then the
import with its progress edited into one message, and the report (core/lifecycle/
chat_import.py). The file is downloaded from Telegram for the preview and again on Import,
into a folder of its own that is removed at once; its bytes are never stored."""

from __future__ import annotations

import asyncio
import logging
import tempfile
from collections.abc import Awaitable, Callable
from contextlib import suppress
from pathlib import Path

from telegram import Bot, Document, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from bot.context import BotContext, _ctx, _lang, _person, _reply
from bot.i18n import t, t_raw
from bot.import_keyboards import PATTERN, decode_import, import_keyboard
from bot.keyboards import UnreadableButton
from bot.render.chat_import import preview_text, progress_text, report_text
from bot.render.formatting import number
from core.import_columns import NoContactColumn
from core.lifecycle.chat_import import cancel_import, preview_import, run_import, start_import
from core.ports.spreadsheet import Sheet, UnreadableSheet

log = logging.getLogger(__name__)

MAX_DOWNLOAD = 20 * 1024 * 1024  # Telegram lets a bot download files up to 20 MB
PROGRESS_EVERY = 3.0  # seconds between two progress edits (Telegram's limits on edits)
_SHEETS = frozenset({".csv", ".tsv", ".txt", ".xlsx"})
_SHEET_TYPES = {"text/csv": ".csv", "text/plain": ".csv", "text/tab-separated-values": ".tsv",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx"}


def register_imports(application: Application) -> None:  # type: ignore[type-arg]
    """Take documents sent in private chats, and the presses on an import's preview (before
    the general button handler, which knows none of them)."""
    application.add_handler(MessageHandler(
        filters.UpdateType.MESSAGE & filters.Document.ALL & filters.ChatType.PRIVATE,
        on_document))
    application.add_handler(CallbackQueryHandler(on_import_press, pattern=PATTERN))


async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A file sent to the bot: a manager's spreadsheet gets its import's preview."""
    shared = _ctx(context)
    message = update.effective_message
    if message is None or message.document is None:
        return
    agent = await _person(shared, update)  # off the roster: the refusal every command gets
    lang = _lang(shared, agent)
    if not agent.is_manager:
        await _reply(update, t(lang, "import.managers_only"))
        return
    document = message.document
    name, suffix = _name(document)
    if suffix == ".xls":
        await _reply(update, t(lang, "import.old_xls", name=name))
        return
    if suffix not in _SHEETS or shared.sheets is None:
        await _reply(update, t(lang, "import.not_a_sheet"))
        return
    if (document.file_size or 0) > MAX_DOWNLOAD:
        await _reply(update, _too_big(lang, name, document.file_size or 0))
        return
    answer = await message.reply_text(t(lang, "import.reading", name=name),
                                      parse_mode=ParseMode.HTML)
    with tempfile.TemporaryDirectory(prefix="leadrelay-import-") as folder:
        try:
            sheet = await _download(context.bot, shared, document.file_id, Path(folder) / name)
        except BadRequest as exc:  # a size Telegram knew and the message did not say
            if "too big" not in exc.message.lower():
                raise
            await answer.edit_text(_too_big(lang, name, document.file_size or 0),
                                   parse_mode=ParseMode.HTML)
            return
        except UnreadableSheet as exc:
            await answer.edit_text(t(lang, "import.unreadable", name=name, why=exc.detail),
                                   parse_mode=ParseMode.HTML)
            return
        described = sheet.described
        try:
            preview = await shared.app.run_in_turns(
                preview_import, sheet=sheet, manager_id=agent.telegram_id,
                file_id=document.file_id, file_name=name)
        except UnreadableSheet as exc:
            await answer.edit_text(t(lang, "import.unreadable", name=name, why=exc.detail),
                                   parse_mode=ParseMode.HTML)
            return
        except NoContactColumn:
            await answer.edit_text(t(lang, "import.no_contact_column", name=name),
                                   parse_mode=ParseMode.HTML)
            return
        finally:
            sheet.close()
    await answer.edit_text(
        preview_text(lang, shared.renderer, preview, described),
        parse_mode=ParseMode.HTML,
        reply_markup=import_keyboard(lang, preview.pending.id, held=preview.report.held,
                                     anything=preview.report.stored > 0))


async def on_import_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Import or Cancel on a preview; a second Import hears that it was started already."""
    shared = _ctx(context)
    query = update.callback_query
    if query is None:
        return
    press = decode_import(query.data or "")
    if press is None:
        raise UnreadableButton(query.data or "")
    agent = await _person(shared, update)
    lang, app = _lang(shared, agent), shared.app
    chat_id, message_id = agent.telegram_id, query.message.message_id if query.message else 0
    if press.action == "cancel":
        pending = await app.run(cancel_import, import_id=press.import_id,
                                manager_id=agent.telegram_id)
        await query.answer(t_raw(lang, "import.answer.cancelled"))
        await _edit(context.bot, chat_id, message_id,
                    t(lang, "import.cancelled", name=pending.file_name))
        return
    pending = await app.run(start_import, import_id=press.import_id,
                            manager_id=agent.telegram_id, held=press.action == "store")
    await query.answer(t_raw(lang, "import.answer.started"))
    name = pending.file_name
    await _edit(context.bot, chat_id, message_id, t(lang, "import.starting", name=name))
    progress = _Progress(lambda text: _edit(context.bot, chat_id, message_id, text),
                         lambda rows: progress_text(lang, name, rows, pending.rows))
    try:
        with tempfile.TemporaryDirectory(prefix="leadrelay-import-") as folder:
            report = await app.run_in_turns(
                run_import, pending=pending, progress=progress.record,
                open_sheet=lambda: _download(context.bot, shared, pending.file_id,
                                             Path(folder) / name))
    except Exception as exc:
        await progress.stop()
        log.warning("an import from chat broke off: %s", exc.__class__.__name__,
                    extra={"chat_id": chat_id})
        why = exc.detail if isinstance(exc, UnreadableSheet) else t_raw(lang, "error.generic")
        await _edit(context.bot, chat_id, message_id, t(lang, "import.failed", name=name,
                                                         why=why))
        return
    await progress.stop()
    await _edit(context.bot, chat_id, message_id, report_text(lang, name, report))
    if report.stored and not report.held:
        await app.route_new_leads(wait=False)


class _Progress:
    """The rows an import has read, edited into its message at most every PROGRESS_EVERY
    seconds (an edit per batch would run into Telegram's limits)."""

    def __init__(self, edit: Callable[[str], Awaitable[None]],
                 text: Callable[[int], str]) -> None:
        self._edit, self._text = edit, text
        self.rows = self._shown = 0
        self._done = asyncio.Event()
        self._task = asyncio.create_task(self._run())

    def record(self, rows: int) -> None:
        """Hear the rows read so far (called by the import after each transaction)."""
        self.rows = rows

    async def _run(self) -> None:
        while True:
            with suppress(TimeoutError):
                async with asyncio.timeout(PROGRESS_EVERY):
                    await self._done.wait()
                    return
            if self.rows != self._shown:
                self._shown = self.rows
                await self._edit(self._text(self.rows))

    async def stop(self) -> None:
        """Stop editing (before the report is edited in)."""
        self._done.set()
        await self._task


async def _download(bot: Bot, shared: BotContext, file_id: str, path: Path) -> Sheet:
    """The file Telegram holds as *file_id*, saved at *path* and opened as a sheet."""
    if shared.sheets is None:
        raise UnreadableSheet("spreadsheets are not read here")
    file = await bot.get_file(file_id)
    await file.download_to_drive(path)
    return shared.sheets.open(str(path))


async def _edit(bot: Bot, chat_id: int, message_id: int, text: str) -> None:
    """Edit the import's message; an edit that fails (deleted, unchanged) changes nothing
    of the import."""
    try:
        await bot.edit_message_text(text, chat_id=chat_id, message_id=message_id,
                                    parse_mode=ParseMode.HTML)
    except TelegramError as exc:
        log.info("an import's message was not edited: %s", exc.__class__.__name__,
                 extra={"chat_id": chat_id})


def _name(document: Document) -> tuple[str, str]:
    """The file's name (safe as a name in a folder of our own) and its suffix, lower case;
    a file sent without a name is named by its type."""
    name = Path(document.file_name or "").name.strip()[:120]
    if name in ("", ".", ".."):
        name = "list" + _SHEET_TYPES.get(document.mime_type or "", "")
    return name, Path(name).suffix.lower()


def _too_big(lang: str, name: str, size: int) -> str:
    return t(lang, "import.too_big", name=name, size=number(round(size / 2**20, 1), lang))
