"""Handlers of the roster in chat: /agents (managers), a profile's buttons and typed answers,
and /settings (everyone's own working hours and language)."""

from __future__ import annotations

from telegram import CallbackQuery, ForceReply, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.away_keyboards import confirm_keyboard
from bot.context import BotContext, _ctx, _lang, _person, _reply
from bot.i18n import t, t_raw
from bot.menus import publish_menu
from bot.roster_keyboards import (
    SETTINGS,
    RosterAction,
    away_keyboard,
    backup_keyboard,
    choice_keyboard,
    profile_keyboard,
    roster_keyboard,
    settings_keyboard,
)
from core.lifecycle.availability import come_back, go_away_for
from core.lifecycle.roster_edit import ProfileEdited, ask_profile_field, set_profile_field
from core.model import Agent
from core.profile_input import TYPED, ProfileField
from core.roster_view import agent_profile, team_roster

_CHOSEN = (ProfileField.TIER, ProfileField.LANGUAGE, ProfileField.ROLE)


async def agents_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Managers: the team, a line per person, and a button that opens each profile."""
    shared = _ctx(context)
    agent = await _person(shared, update)
    lang = _lang(shared, agent)
    page = await shared.app.run(team_roster, manager_id=agent.telegram_id)
    await _reply(update, shared.renderer.roster_page(lang, page), roster_keyboard(lang, page))


async def settings_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Anyone on the team: their own working hours and language."""
    shared = _ctx(context)
    agent = await _person(shared, update)
    text, markup = await _view(shared, _lang(shared, agent), agent.telegram_id,
                               agent.telegram_id, SETTINGS)
    await _reply(update, text, markup)


async def _view(shared: BotContext, lang: str, me: int, agent_id: int,
                view: str) -> tuple[str, InlineKeyboardMarkup]:
    """A profile (for a manager) or /settings (for oneself), as it is now, and its buttons."""
    profile = await shared.app.run(agent_profile, viewer_id=me, agent_id=agent_id)
    office = shared.app.config.language
    if view == SETTINGS:
        return (shared.renderer.settings(lang, profile, office_language=office),
                settings_keyboard(lang, agent_id))
    days = shared.app.config.routing.penalty.within.days
    return (shared.renderer.profile(lang, profile, misses_days=days, office_language=office),
            profile_keyboard(lang, agent_id))


async def on_roster_press(update: Update, context: ContextTypes.DEFAULT_TYPE, agent: Agent,
                          action: RosterAction) -> None:
    """A press on the team list, a profile, its pickers, or /settings."""
    shared, query = _ctx(context), update.callback_query
    assert query is not None
    lang, me, app = _lang(shared, agent), agent.telegram_id, shared.app
    if action.action == "page":
        page = await app.run(team_roster, manager_id=me, page=action.number)
        await query.answer()
        await query.edit_message_text(shared.renderer.roster_page(lang, page),
                                      parse_mode=ParseMode.HTML,
                                      reply_markup=roster_keyboard(lang, page))
        return
    agent_id, field = action.number, action.field
    if action.action == "set" and field is not None:
        saved = await app.run(set_profile_field, by=me, agent_id=agent_id, field=field,
                              text=action.choice)
        if saved.telegram_id == me:
            lang = _lang(shared, saved)  # a new language answers in itself at once
        await query.answer(_saved(shared, lang, field, saved, me))
        await _after(context, shared, field, saved)
    elif action.action == "edit" and field in TYPED:
        await _ask(update, shared, lang, me, action)
        return
    elif action.action == "edit" and field in _CHOSEN:
        assert field is not None
        profile = await app.run(agent_profile, viewer_id=me, agent_id=agent_id)
        await query.answer(t_raw(lang, f"pick.{field.value}", name=profile.line.agent.name))
        await _show(query, None, choice_keyboard(lang, action.view, agent_id, field))
        return
    elif action.action == "away" and action.choice == "m":
        await query.answer()
        await _show(query, None, away_keyboard(lang, agent_id))
        return
    elif action.action == "away":
        await query.answer()
        await _away_or_back(update, shared, lang, me, agent_id, action.choice)
    elif action.action == "deactivate":
        profile = await app.run(agent_profile, viewer_id=me, agent_id=agent_id)
        await query.answer()
        await _show(query, t(lang, "deactivate.confirm", agent=profile.line.agent.name),
                    confirm_keyboard(lang, agent_id))
        return
    elif action.action in ("edit", "backups"):  # the backup picker, a page at a time
        profile = await app.run(agent_profile, viewer_id=me, agent_id=agent_id)
        page = await app.run(team_roster, manager_id=me, page=int(action.choice or 0))
        await query.answer(t_raw(lang, "pick.backup", name=profile.line.agent.name))
        await _show(query, None, backup_keyboard(lang, agent_id, page))
        return
    else:  # "profile": back to it
        await query.answer()
    text, markup = await _view(shared, lang, me, agent_id, action.view)
    await _show(query, text, markup)


async def _away_or_back(update: Update, shared: BotContext, lang: str, me: int, agent_id: int,
                        choice: str) -> None:
    """A profile's Away… choice carried out, and what moved told below the profile."""
    if choice == "b":
        back = await shared.app.run(come_back, agent_id=agent_id, by=me)
        text = shared.renderer.back_reply(lang, back, self_=agent_id == me)
    else:
        away = await shared.app.run(go_away_for, agent_id=agent_id, by=me,
                                    days=int(choice) or None)
        text = shared.renderer.away_reply(lang, away, self_=agent_id == me)
    if update.effective_chat is not None:
        await update.effective_chat.send_message(text, parse_mode=ParseMode.HTML)


async def _ask(update: Update, shared: BotContext, lang: str, me: int,
               action: RosterAction) -> None:
    """Wait for a typed value, opening the reply field, and remember the message to edit."""
    query, field = update.callback_query, action.field
    assert query is not None
    assert field is not None
    message = query.message
    target = await shared.app.run(ask_profile_field, by=me, agent_id=action.number, field=field,
                                  message_id=message.message_id if message else None,
                                  view=action.view)
    await query.answer()
    if update.effective_chat is not None:
        await update.effective_chat.send_message(
            shared.renderer.ask(lang, field, target), parse_mode=ParseMode.HTML,
            reply_markup=ForceReply(input_field_placeholder=t_raw(
                lang, f"profile.field.{field.value}")))


async def _show(query: CallbackQuery, text: str | None, markup: InlineKeyboardMarkup) -> None:
    """Edit the pressed message in place (only its buttons without *text*); the same content
    again (a press twice) is no change to make."""
    try:
        if text is None:
            await query.edit_message_reply_markup(markup)
        else:
            await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


def _saved(shared: BotContext, lang: str, field: ProfileField, saved: Agent, me: int) -> str:
    if field is ProfileField.LANGUAGE and saved.telegram_id == me:
        return t_raw(lang, "saved.language")
    return t_raw(lang, "saved", field=t_raw(lang, f"profile.field.{field.value}"),
                 name=saved.name)


async def _after(context: ContextTypes.DEFAULT_TYPE, shared: BotContext, field: ProfileField,
                 saved: Agent) -> None:
    """What a change of language or role changes besides: the person's command menu."""
    if field in (ProfileField.LANGUAGE, ProfileField.ROLE):
        await publish_menu(context.bot, saved, shared.app.config.language)


async def on_profile_answer(update: Update, context: ContextTypes.DEFAULT_TYPE, agent: Agent,
                            edited: ProfileEdited) -> None:
    """A typed value was saved: say so, and show the profile it changed as it is now."""
    shared = _ctx(context)
    lang = _lang(shared, edited.agent if edited.agent.telegram_id == agent.telegram_id
                 else agent)
    await _reply(update, t(lang, "saved", field=t(lang, f"profile.field.{edited.field.value}"),
                           name=edited.agent.name))
    chat = update.effective_chat
    if edited.message_id is None or chat is None:
        return
    text, markup = await _view(shared, lang, agent.telegram_id, edited.agent.telegram_id,
                               edited.view)
    await context.bot.edit_message_text(text, chat_id=chat.id, message_id=edited.message_id,
                                        parse_mode=ParseMode.HTML, reply_markup=markup)
