"""/away, /back and /deactivate: who takes leads (core/lifecycle/availability.py)."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot.away_keyboards import DeactivateAction, confirm_keyboard
from bot.context import _ctx, _lang, _person, _reply
from bot.i18n import t, t_raw
from core.lifecycle.availability import (
    come_back,
    deactivate_agent,
    find_person,
    go_away,
    read_away,
)
from core.model import Agent


async def away_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Take no leads for a while (managers: name anyone first)."""
    shared = _ctx(context)
    me = await _person(shared, update)
    lang = _lang(shared, me)
    asked = await shared.app.run(read_away, by=me.telegram_id, text=" ".join(context.args or []))
    if asked is None:
        usage = t(lang, "away.usage")
        await _reply(update, usage + ("\n" + t(lang, "away.usage_manager")
                                      if me.is_manager else ""))
        return
    result = await shared.app.run(go_away, agent_id=asked.agent_id, by=me.telegram_id,
                                  until=asked.until)
    await _reply(update, shared.renderer.away_reply(
        lang, result, self_=asked.agent_id == me.telegram_id))


async def back_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Take leads again (managers: /back <name> for someone else)."""
    shared = _ctx(context)
    me = await _person(shared, update)
    lang = _lang(shared, me)
    whom = me
    if context.args:
        whom = await shared.app.run(find_person, by=me.telegram_id, text=" ".join(context.args))
    result = await shared.app.run(come_back, agent_id=whom.telegram_id, by=me.telegram_id)
    await _reply(update, shared.renderer.back_reply(
        lang, result, self_=whom.telegram_id == me.telegram_id))


async def deactivate_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Managers: take someone off the team for good, once confirmed."""
    shared = _ctx(context)
    me = await _person(shared, update)
    lang = _lang(shared, me)
    if not context.args:
        await _reply(update, t(lang, "deactivate.usage"))
        return
    whom = await shared.app.run(find_person, by=me.telegram_id, text=" ".join(context.args))
    await _reply(update, t(lang, "deactivate.confirm", agent=whom.name),
                 confirm_keyboard(lang, whom.telegram_id))


async def on_away_press(update: Update, context: ContextTypes.DEFAULT_TYPE, me: Agent,
                        action: DeactivateAction) -> None:
    """Carry out (or drop) a confirmed /deactivate, and put the outcome in its place."""
    shared = _ctx(context)
    lang = _lang(shared, me)
    query = update.callback_query
    assert query is not None  # a press, by the caller's dispatch
    if action.confirm:
        result = await shared.app.run(deactivate_agent, agent_id=action.agent_id,
                                      by=me.telegram_id)
        text = shared.renderer.deactivated_reply(lang, result)
        await query.answer(t_raw(lang, "answer.deactivated"))
    else:
        text = t(lang, "deactivate.cancelled")
        await query.answer()
    await query.edit_message_text(text, parse_mode=ParseMode.HTML)
