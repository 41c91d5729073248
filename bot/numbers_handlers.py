"""`/stats [period] [by …|offers|fairness|load|automation]` for managers, a view at a time
with buttons that edit the same message (core/lifecycle/stats_view.py), and `/me` for an
agent's own numbers beside the team's median (core/lifecycle/numbers.py)."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.context import _ctx, _lang, _person, _reply
from bot.i18n import t
from bot.numbers_keyboards import (
    PATTERN,
    StatsPress,
    decode_stats,
    overview_keyboard,
    read_stats_args,
    table_keyboard,
)
from bot.render import Renderer
from bot.render.audits import pages_of
from core.errors import InvalidInput
from core.lifecycle.numbers import my_numbers
from core.lifecycle.stats_view import StatsView, View, stats_view


def register_numbers(application: Application) -> None:  # type: ignore[type-arg]
    """`/stats`, `/me` and the presses under `/stats` (before the general button handler,
    which knows none of them)."""
    application.add_handler(CommandHandler("stats", stats_command))
    application.add_handler(CommandHandler("me", me_command))
    application.add_handler(CallbackQueryHandler(on_stats_press, pattern=PATTERN))


async def stats_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Managers: the office's numbers for a period, or one view of them."""
    shared = _ctx(context)
    agent = await _person(shared, update)
    lang = _lang(shared, agent)
    asked = read_stats_args(list(context.args or []))
    if asked is None:
        await _reply(update, t(lang, "numbers.usage"))
        return
    period, shown = asked
    try:
        view = await shared.app.run(stats_view, manager_id=agent.telegram_id, period=period,
                                    shown=shown)
    except InvalidInput:
        await _reply(update, t(lang, "numbers.usage"))
        return
    text, keyboard = _page(shared.renderer, lang, view, StatsPress(view.period.name, shown))
    message = update.effective_message
    if message is not None:
        await message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard)


async def on_stats_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A press under `/stats`: another view or page of the period, edited in place."""
    shared = _ctx(context)
    query = update.callback_query
    if query is None or query.data is None:
        return
    press = decode_stats(query.data)
    agent = await _person(shared, update, anywhere=True)
    lang = _lang(shared, agent)
    if press is None:
        await query.answer()
        return
    try:
        view = await shared.app.run(stats_view, manager_id=agent.telegram_id,
                                    period=press.period, shown=press.shown)
    except InvalidInput:
        await query.answer()
        return
    text, keyboard = _page(shared.renderer, lang, view, press)
    await query.answer()
    try:
        await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard)
    except BadRequest as exc:  # the same page pressed again: nothing to change
        if "not modified" not in exc.message.lower():
            raise


async def me_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An agent's own numbers for a period beside the team's median, nobody's names."""
    shared = _ctx(context)
    agent = await _person(shared, update)
    lang = _lang(shared, agent)
    period = " ".join(context.args or []).lower() or None
    try:
        mine = await shared.app.run(my_numbers, agent_id=agent.telegram_id, period=period)
    except InvalidInput:
        await _reply(update, t(lang, "me.usage"))
        return
    await _reply(update, shared.renderer.my_numbers(lang, mine))


def _pages(view: StatsView) -> int:
    """How many pages the view's rows take."""
    if view.numbers is not None:
        return pages_of(len(view.numbers.rows))
    if view.fairness is not None:
        return pages_of(len(view.fairness.agents))
    if view.coverage is not None:
        return pages_of(len(view.coverage.agents))
    if view.automation is not None:
        return pages_of(len(view.automation.rules))
    return 1


def _page(renderer: Renderer, lang: str, view: StatsView,
          press: StatsPress) -> tuple[str, InlineKeyboardMarkup]:
    """The text and buttons of one press's page (a page past the last shows the last)."""
    pages = _pages(view)
    page = min(press.page, pages - 1)
    press = StatsPress(press.period, press.shown, page)
    name = renderer.period_name(lang, view.period.name)
    if view.numbers is not None and press.shown is View.OVERVIEW:
        return (renderer.numbers_overview(lang, view.numbers),
                overview_keyboard(lang, press.period))
    if view.numbers is not None:
        text = renderer.numbers_table(lang, view.numbers, page=page, names=view.names)
    elif view.offers is not None:
        text = renderer.stats(lang, name, view.offers)
    elif view.fairness is not None:
        text = renderer.fairness_page(lang, view.fairness, page=page, period_name=name)
    elif view.coverage is not None:
        text = renderer.load_page(lang, view.coverage, page=page, period_name=name)
    else:
        assert view.automation is not None
        text = renderer.automation_page(lang, view.automation, page=page, period_name=name)
    return text, table_keyboard(lang, press, pages=pages)
