"""Handlers for working a lead: the card's buttons and pickers, typed answers and notes by
reply, /lead, /leads, /today, /note, /outcome, /correct and /cancel."""

from __future__ import annotations

from typing import Any, cast

from telegram import ForceReply, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes, ExtBot

from bot.card_keyboards import (
    LeadsPageAction,
    Pressed,
    ReminderAction,
    ShowCardAction,
    day_picker,
    lost_picker,
    picked_day,
    picked_time,
    remind_picker,
    time_picker,
)
from bot.context import BotContext, _ctx, _lang, _lead_arg, _person, _reply
from bot.entry_handlers import answer_entry, cancel_any_entry
from bot.i18n import CATALOGS, t, t_raw
from bot.pacing import ANSWERS_A_PRESS
from bot.roster_handlers import on_profile_answer
from core.lifecycle.cards import redraw_cards
from core.lifecycle.outcomes import still_working
from core.lifecycle.prompts import (
    Answered,
    answer_prompt,
    ask_for,
    cancel_prompt,
    replied_lead,
)
from core.lifecycle.reminders import finish_task, snooze_task
from core.lifecycle.roster_edit import ProfileEdited
from core.lifecycle.working import (
    add_note,
    book_appointment,
    correct_stage,
    log_attempt,
    record_stage,
    remind_me,
    undo_last_change,
)
from core.lifecycle.worklist import due_today, open_leads, show_card
from core.model import Agent, LostReason, PromptKind, Stage
from core.spelling import fold

_ASKS = {"offer": PromptKind.OFFER_AMOUNT, "won": PromptKind.WON_AMOUNT,
         "note": PromptKind.NOTE}
_STAGE_BUTTONS = {"info_sent": Stage.INFO_SENT}
_STAGE_SYNONYMS = {
    Stage.CONTACTED: ("arandı", "görüşüldü", "reached", "called"),
    Stage.INFO_SENT: ("bilgi", "info", "sent"),
    Stage.OFFER: ("teklif", "offer"),
    Stage.WON: ("satıldı", "sold", "closed"),
    Stage.LOST: ("kayıp",),
    Stage.NURTURE: ("takip", "later"),
}


def _stage_words() -> dict[str, Stage]:
    words: dict[str, Stage] = {}
    for stage in Stage:
        if stage is Stage.NEW:
            continue
        names = {stage.value, stage.value.replace("_", " "), *_STAGE_SYNONYMS.get(stage, ())}
        names |= {catalog[f"stage.{stage.value}"] for catalog in CATALOGS.values()}
        words.update({fold(name): stage for name in names})
    return words


STAGE_WORDS = _stage_words()


def read_stage(args: list[str]) -> tuple[Stage, list[str]] | None:
    """The stage the first words of *args* name, in any catalog's language, and the rest."""
    for length in (3, 2, 1):
        if len(args) >= length and (stage := STAGE_WORDS.get(fold(" ".join(args[:length])))):
            return stage, args[length:]
    return None


# --- the card's buttons ------------------------------------------------------------------


async def on_card_press(update: Update, context: ContextTypes.DEFAULT_TYPE, agent: Agent,
                        action: Pressed) -> None:
    """Carry out a press on a card, a picker it opened, a reminder, or the /leads list."""
    shared, query = _ctx(context), update.callback_query
    assert query is not None
    lang, me, app = _lang(shared, agent), agent.telegram_id, shared.app
    if isinstance(action, ReminderAction):
        if action.action == "done":
            await app.run(finish_task, agent_id=me, task_id=action.task_id)
            await query.answer(t_raw(lang, "answer.task_done"))
        else:
            until = await app.run(snooze_task, agent_id=me, task_id=action.task_id,
                                  choice=action.action)
            await query.answer(t_raw(lang, "answer.snoozed",
                                     time=shared.renderer.local_time(until)))
        return
    if isinstance(action, LeadsPageAction):
        page = await app.run(open_leads, agent_id=me, page=action.page)
        shown = shared.renderer.leads_page(lang, page)
        await query.answer()
        await query.edit_message_text(shown.text, parse_mode=ParseMode.HTML,
                                      reply_markup=shown.keyboard)
        return
    if isinstance(action, ShowCardAction):
        await app.run(show_card, person_id=me, wanted=str(action.lead_id))
        await query.answer()
        return
    lead_id, name = action.lead_id, action.action
    zone = app.config.zone
    if name in ("contacted", "unreachable"):
        lead = await app.run(log_attempt, agent_id=me, lead_id=lead_id,
                             reached=name == "contacted")
        if name == "unreachable":
            await query.answer(t_raw(lang, "answer.nurtured" if lead.stage is Stage.NURTURE
                                     else "answer.attempt"))
        elif lead.stage is Stage.CONTACTED:
            await query.answer(t_raw(lang, "answer.stage", lead_id=lead_id,
                                     stage=t_raw(lang, "stage.contacted")))
        else:  # further on: the call is counted, the stage stays
            await query.answer(t_raw(lang, "answer.reached", lead_id=lead_id))
    elif name in _STAGE_BUTTONS:
        lead = await app.run(record_stage, agent_id=me, lead_id=lead_id,
                             stage=_STAGE_BUTTONS[name])
        await query.answer(t_raw(lang, "answer.stage", lead_id=lead_id,
                                 stage=t_raw(lang, f"stage.{lead.stage.value}")))
    elif name in _ASKS:
        await app.run(ask_for, agent_id=me, lead_id=lead_id, kind=_ASKS[name])
        await query.answer()
        await _ask(update, lang, name, lead_id)
    elif name == "appointment":
        await app.run(ask_for, agent_id=me, lead_id=lead_id, kind=PromptKind.APPOINTMENT)
        today = app.deps.clock.now().astimezone(zone).date()
        await _swap(update, context, day_picker(lang, lead_id, today),
                    t_raw(lang, "answer.pick_day"))
    elif name == "day" and (day := picked_day(action.arg)) is not None:
        hours = agent.profile.hours or app.config.work.hours
        now = app.deps.clock.now().astimezone(zone)
        await _swap(update, context, time_picker(lang, lead_id, day, hours=hours, now=now),
                    t_raw(lang, "answer.pick_time"))
    elif name == "time" and (at := picked_time(action.arg, zone)) is not None:
        await app.run(book_appointment, agent_id=me, lead_id=lead_id, at=at)
        await query.answer(t_raw(lang, "answer.booked"))
    elif name == "lost":
        await _swap(update, context, lost_picker(lang, lead_id), t_raw(lang, "answer.pick_lost"))
    elif name == "lost_reason":
        await app.run(record_stage, agent_id=me, lead_id=lead_id, stage=Stage.LOST,
                      reason=LostReason(action.arg).value)
        await query.answer(t_raw(lang, "answer.stage", lead_id=lead_id,
                                 stage=t_raw(lang, "stage.lost")))
    elif name == "remind":
        await _swap(update, context, remind_picker(lang, lead_id),
                    t_raw(lang, "answer.pick_remind"))
    elif name == "remind_at":
        await app.run(remind_me, agent_id=me, lead_id=lead_id, choice=action.arg)
        await query.answer(t_raw(lang, "answer.reminder_set"))
    elif name == "still_working":
        await app.run(still_working, agent_id=me, lead_id=lead_id)
        await query.answer(t_raw(lang, "answer.still_working"))
    elif name == "undo":
        lead = await app.run(undo_last_change, agent_id=me, lead_id=lead_id)
        await query.answer(t_raw(lang, "answer.undone", lead_id=lead_id,
                                 stage=t_raw(lang, f"stage.{lead.stage.value}")))
    else:  # back, or a picker's press that no longer reads: show the card as it is
        await app.run(redraw_cards, person_id=me, lead_id=lead_id)
        await query.answer()


async def _swap(update: Update, context: ContextTypes.DEFAULT_TYPE,
                markup: InlineKeyboardMarkup, note: str) -> None:
    """Answer the press with *note* and put a picker in place of the card's buttons."""
    query = update.callback_query
    assert query is not None
    if query.message is not None:  # an answer to the press: ahead of the chat's mail
        await cast("ExtBot[dict[str, Any]]", context.bot).edit_message_reply_markup(
            chat_id=query.message.chat.id, message_id=query.message.message_id,
            reply_markup=markup, rate_limit_args=ANSWERS_A_PRESS)
    await query.answer(note)  # after the swap: the person sees the picker with the note


async def _ask(update: Update, lang: str, what: str, lead_id: int) -> None:
    """Ask for a typed answer, opening the reply field on the person's phone."""
    chat = update.effective_chat
    if chat is None:
        return
    placeholder = t_raw(lang, "ask.placeholder_note" if what == "note" else
                        "ask.placeholder_amount")
    key = {"offer": "ask.offer_amount", "won": "ask.won_amount"}.get(what, "ask.note")
    await chat.send_message(t(lang, key, lead_id=lead_id), parse_mode=ParseMode.HTML,
                            reply_markup=ForceReply(input_field_placeholder=placeholder))


# --- typed text ----------------------------------------------------------------------------


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A note by reply to a card, the answer to a question the bot asked (a card's, or
    /new's), or a hint."""
    shared = _ctx(context)
    message = update.effective_message
    if message is None or not message.text:
        return
    agent = await _person(shared, update)
    lang, me = _lang(shared, agent), agent.telegram_id
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.is_bot:
        lead_id = await shared.app.run(replied_lead, chat_id=message.chat.id,
                                       message_id=replied.message_id)
        if lead_id is not None:
            await shared.app.run(add_note, agent_id=me, lead_id=lead_id, text=message.text)
            await _reply(update, t(lang, "answered.note", lead_id=lead_id))
            return
    answered = await shared.app.run(answer_prompt, agent_id=me, text=message.text)
    if isinstance(answered, ProfileEdited):  # a value for someone's profile
        await on_profile_answer(update, context, agent, answered)
        return
    if answered is None:
        if not await answer_entry(update, context, agent, message.text):  # /new's question
            await _reply(update, t(lang, "text.hint"))
        return
    await _reply(update, _answered(shared, lang, answered))


def _answered(shared: BotContext, lang: str, answered: Answered) -> str:
    lead = answered.lead
    if answered.kind is PromptKind.OFFER_AMOUNT:
        return t(lang, "answered.offer_amount", lead_id=lead.id,
                 amount=shared.renderer.money(lang, lead.offer_amount or 0))
    if answered.kind is PromptKind.WON_AMOUNT:
        return t(lang, "answered.won_amount", lead_id=lead.id,
                 amount=shared.renderer.money(lang, lead.amount or 0))
    if answered.kind is PromptKind.APPOINTMENT:
        return t(lang, "answer.booked")
    return t(lang, "answered.note", lead_id=lead.id)


# --- commands ----------------------------------------------------------------------------


async def lead_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send a lead's card again: /lead <id or phone>."""
    shared = _ctx(context)
    agent = await _person(shared, update)
    if not context.args:
        await _reply(update, t(_lang(shared, agent), "lead.usage"))
        return
    await shared.app.run(show_card, person_id=agent.telegram_id, wanted=" ".join(context.args))


async def leads_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the agent's open leads, newest first, a page at a time."""
    shared = _ctx(context)
    agent = await _person(shared, update)
    page = await shared.app.run(open_leads, agent_id=agent.telegram_id)
    shown = shared.renderer.leads_page(_lang(shared, agent), page)
    if update.effective_message is not None:
        await update.effective_message.reply_text(shown.text, parse_mode=ParseMode.HTML,
                                                  reply_markup=shown.keyboard)


async def today_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List today's and overdue tasks."""
    shared = _ctx(context)
    agent = await _person(shared, update)
    due = await shared.app.run(due_today, agent_id=agent.telegram_id)
    await _reply(update, shared.renderer.due_today(_lang(shared, agent), due))


async def note_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Add a note to a lead: /note <lead> text."""
    shared = _ctx(context)
    agent = await _person(shared, update)
    lang = _lang(shared, agent)
    args = context.args or []
    if len(args) < 2:
        await _reply(update, t(lang, "note.usage"))
        return
    lead_id = await _lead_arg(update, lang, args[0])
    if lead_id is None:
        return
    await shared.app.run(add_note, agent_id=agent.telegram_id, lead_id=lead_id,
                         text=" ".join(args[1:]))
    await _reply(update, t(lang, "answered.note", lead_id=lead_id))


async def _lead_and_stage(update: Update, lang: str, args: list[str],
                          usage: str) -> tuple[int, Stage, list[str]] | None:
    """The lead and the stage a command's words name, and the words after them; None once
    the person is told the usage or that the lead id is not one."""
    read = read_stage(args[1:]) if args else None
    if read is None:
        await _reply(update, t(lang, usage))
        return None
    lead_id = await _lead_arg(update, lang, args[0])
    return None if lead_id is None else (lead_id, *read)


async def outcome(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log how far a lead got: /outcome <lead> <stage, in either language> [amount or note]."""
    shared = _ctx(context)
    agent = await _person(shared, update)
    lang = _lang(shared, agent)
    asked = await _lead_and_stage(update, lang, context.args or [], "outcome.usage")
    if asked is None:
        return
    lead_id, stage, rest = asked
    lead = await shared.app.run(record_stage, agent_id=agent.telegram_id, lead_id=lead_id,
                                stage=stage, note=" ".join(rest) or None)
    await _reply(update, t(lang, "outcome.done", lead_id=lead.id,
                           stage=t_raw(lang, f"stage.{lead.stage.value}")))


async def correct_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Managers: set a lead's stage back or forward, or reopen it, with a reason."""
    shared = _ctx(context)
    agent = await _person(shared, update)
    lang = _lang(shared, agent)
    asked = await _lead_and_stage(update, lang, context.args or [], "correct.usage")
    if asked is None:
        return
    lead_id, stage, reason = asked
    if not reason:
        await _reply(update, t(lang, "correct.usage"))
        return
    lead = await shared.app.run(correct_stage, manager_id=agent.telegram_id, lead_id=lead_id,
                                stage=stage, reason=" ".join(reason))
    await _reply(update, t(lang, "correct.done", lead_id=lead.id,
                           stage=t_raw(lang, f"stage.{lead.stage.value}")))


async def cancel_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop waiting for the answer to the last question (a /new entry's: nothing is saved)."""
    shared = _ctx(context)
    agent = await _person(shared, update)
    if await cancel_any_entry(update, context, agent):
        return
    cancelled = await shared.app.run(cancel_prompt, chat_id=agent.telegram_id)
    await _reply(update, t(_lang(shared, agent),
                           "prompt.cancelled" if cancelled else "prompt.nothing"))

