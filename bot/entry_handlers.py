"""/new: a lead taken by phone or at the door, entered one question at a time — each question
a message of its own with its buttons, the presses on them, and the typed answers `on_text`
passes on."""

from __future__ import annotations

from typing import Any, cast

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes, ExtBot

from bot.context import BotContext, _ctx, _lang, _person
from bot.entry_keyboards import CANCEL, EntryAction, entry_keyboard
from bot.i18n import t, t_raw
from bot.pacing import ANSWERS_A_PRESS
from core.lifecycle.entry import EntryStep, cancel_entry, entry_answer, start_entry
from core.model import Agent


async def new_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Enter a lead taken by phone or at the door, one question at a time."""
    shared = _ctx(context)
    agent = await _person(shared, update)
    step = await shared.app.run(start_entry, agent_id=agent.telegram_id)
    await _show(update, shared, _lang(shared, agent), step)


async def answer_entry(update: Update, context: ContextTypes.DEFAULT_TYPE, agent: Agent,
                       text: str) -> bool:
    """Take *text* as the answer to the entry waiting in the person's chat, and ask the next
    question; False when no entry waits there."""
    shared = _ctx(context)
    step = await shared.app.run(entry_answer, agent_id=agent.telegram_id, text=text)
    if step is None:
        return False
    await _show(update, shared, _lang(shared, agent), step)
    return True


async def cancel_any_entry(update: Update, context: ContextTypes.DEFAULT_TYPE,
                           agent: Agent) -> bool:
    """Drop the entry waiting in the person's chat and say nothing was saved; False when
    no entry waits there."""
    shared = _ctx(context)
    if not await shared.app.run(cancel_entry, agent_id=agent.telegram_id):
        return False
    await _send(update, t(_lang(shared, agent), "entry.cancelled"))
    return True


async def on_entry_press(update: Update, context: ContextTypes.DEFAULT_TYPE, agent: Agent,
                         action: EntryAction) -> None:
    """Carry out a press on a question of /new: a choice, Skip, or Cancel."""
    shared, query = _ctx(context), update.callback_query
    assert query is not None
    lang, me = _lang(shared, agent), agent.telegram_id
    if action.choice == CANCEL:
        cancelled = await cancel_any_entry(update, context, agent)
        await query.answer(None if cancelled else t_raw(lang, "entry.gone"),
                           show_alert=not cancelled)
        await _close(update, context)
        return
    step = await shared.app.run(entry_answer, agent_id=me, choice=action.choice,
                                step=action.question)
    if step is None:
        await query.answer(t_raw(lang, "entry.gone"), show_alert=True)
        return
    await query.answer()
    await _close(update, context)
    await _show(update, shared, lang, step)


async def _close(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Take the buttons off the question just answered."""
    query = update.callback_query
    if query is not None and query.message is not None:
        await cast("ExtBot[dict[str, Any]]", context.bot).edit_message_reply_markup(
            chat_id=query.message.chat.id, message_id=query.message.message_id,
            reply_markup=None, rate_limit_args=ANSWERS_A_PRESS)


async def _show(update: Update, shared: BotContext, lang: str, step: EntryStep) -> None:
    """Ask the next question, or say where the stored lead went."""
    if step.question is not None:
        key = f"entry.ask.{step.question}"
        if step.question == "product" and not step.products:
            key = "entry.ask.product_typed"
        await _send(update, t(lang, key), entry_keyboard(lang, step.question, step.products))
        return
    assert step.lead is not None  # a finished entry has stored its lead
    if step.kept:  # the card follows through the outbox
        await _send(update, t(lang, "entry.saved_yours", lead_id=step.lead.id))
        return
    await shared.app.route_new_leads(wait=False)  # the routing loop offers it next
    await _send(update, t(lang, "entry.saved_routed", lead_id=step.lead.id))


async def _send(update: Update, text: str, markup: Any = None) -> None:
    chat = update.effective_chat
    if chat is not None:
        await chat.send_message(text, parse_mode=ParseMode.HTML, reply_markup=markup)
