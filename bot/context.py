"""What every handler shares: the app and renderer in force, who sent an update, in which
language to answer, and how to reply."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot import keyboards
from bot.i18n import language_of, t
from bot.render import Renderer
from core.app import App
from core.config import OfficeConfig
from core.errors import NotAPrivateChat, UnknownAgent
from core.model import Agent
from core.ports import QrCodes
from core.ports.charts import Charts
from core.ports.spreadsheet import Spreadsheets
from core.roster import whoami


@dataclass(frozen=True)
class BotContext:
    """What the handlers share: the app, the renderer, and config reloading.

    A reload puts a new BotContext in place in one assignment, so an update is handled
    wholly by the app and renderer of one config.
    """

    app: App
    renderer: Renderer
    reload: Callable[[], Awaitable[OfficeConfig]] | None = None
    qr: QrCodes | None = None
    sheets: Spreadsheets | None = None  # opens a file a manager sends to import
    charts: Charts | None = None  # draws /report's charts


def _ctx(context: ContextTypes.DEFAULT_TYPE) -> BotContext:
    shared = context.application.bot_data["leadrelay"]
    if not isinstance(shared, BotContext):
        raise TypeError("the handlers were registered without a BotContext")
    return shared


def _lang(shared: BotContext, agent: Agent | None, update: Update | None = None) -> str:
    if agent is not None and agent.language:
        return agent.language
    if agent is None and update is not None and update.effective_user is not None:
        code = update.effective_user.language_code
        if code and language_of(code) != "en":
            return language_of(code)
    return shared.app.config.language


async def _person(shared: BotContext, update: Update, *, anywhere: bool = False) -> Agent:
    """The rostered person behind an update, or UnknownAgent; NotAPrivateChat when the
    update comes from any chat but their private one, unless the answer may go *anywhere*."""
    user, chat = update.effective_user, update.effective_chat
    agent = None if user is None else await shared.app.run(whoami, telegram_id=user.id)
    if agent is None:
        raise UnknownAgent()
    # What commands answer (leads, reasons, figures) is for the person, not for a group.
    if not anywhere and (chat is None or chat.id != agent.telegram_id):
        raise NotAPrivateChat()
    return agent


async def _reply(update: Update, text: str,
                 markup: InlineKeyboardMarkup | None = None) -> None:
    if update.effective_message is not None:
        await update.effective_message.reply_text(text, parse_mode=ParseMode.HTML,
                                                  reply_markup=markup)


async def _lead_arg(update: Update, lang: str, text: str) -> int | None:
    """The lead id a command's argument names; None once the person is told it names none."""
    lead_id = keyboards.parse_id(text.removeprefix("#"))
    if lead_id is None:
        shown = text if len(text) <= 24 else text[:23] + "…"
        await _reply(update, t(lang, "error.bad_lead_id", text=shown))
    return lead_id


