"""Handlers for moving a lead by hand: /assign and /reassign (managers), the reassignment's
agent and reason buttons, and an owner's Return on the card."""

from __future__ import annotations

from typing import Any, cast

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes, ExtBot

from bot.card_keyboards import CardAction, encode_card
from bot.context import _ctx, _lang, _lead_arg, _person, _reply
from bot.handover_keyboards import (
    Handover,
    ReassignList,
    ReassignPick,
    reassign_agents,
    reassign_reasons,
    return_reasons,
)
from bot.i18n import t, t_raw
from bot.keyboards import assign_keyboard
from bot.pacing import ANSWERS_A_PRESS
from bot.render.handover import reason_label
from core.lifecycle.answers import assign_lead
from core.lifecycle.handover import reassign_lead
from core.lifecycle.reassignment import AgentPick, pick_agent, return_lead
from core.model import Agent
from core.roster import whoami


def _pairs(pick: AgentPick) -> list[tuple[int, str]]:
    return [(int(agent_id), str(name)) for agent_id, name in pick.choices]


async def _asked(update: Update, context: ContextTypes.DEFAULT_TYPE, *,
                 reassign: bool) -> tuple[str, int, AgentPick] | None:
    """/assign's or /reassign's language, manager and whom it names for the lead, or None
    once the usage or a bad lead number was answered."""
    shared = _ctx(context)
    agent = await _person(shared, update)
    lang, args = _lang(shared, agent), context.args or []
    if not args:
        await _reply(update, t(lang, "reassign.usage" if reassign else "assign.usage"))
        return None
    lead_id = await _lead_arg(update, lang, args[0])
    if lead_id is None:
        return None
    pick = await shared.app.run(pick_agent, manager_id=agent.telegram_id, lead_id=lead_id,
                                wanted=" ".join(args[1:]) or None, reassign=reassign)
    return lang, agent.telegram_id, pick


async def assign_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Managers: give a lead nobody owns to an agent: /assign <lead> [agent]."""
    asked = await _asked(update, context, reassign=False)
    if asked is None:
        return
    (lang, me, pick), shared = asked, _ctx(context)
    lead_id = pick.lead_id
    if pick.agent is not None:
        await shared.app.run(assign_lead, manager_id=me, lead_id=lead_id,
                             agent_id=int(pick.agent[0]))
        await _reply(update, t(lang, "assign.done", lead_id=lead_id, agent=str(pick.agent[1])))
    elif not pick.choices:
        await _reply(update, t(lang, "handover.nobody", lead_id=lead_id))
    else:
        await _reply(update, t(lang, "assign.pick", lead_id=lead_id),
                     assign_keyboard(lead_id, _pairs(pick), lang=lang, marks=pick.marks))


async def reassign_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Managers: give an owned lead to another agent, with a reason: /reassign <lead> [agent]."""
    asked = await _asked(update, context, reassign=True)
    if asked is None:
        return
    lang, _, pick = asked
    text, markup = _reassign_step(lang, pick)
    await _reply(update, text, markup)


def _reassign_step(lang: str, pick: AgentPick, *,
                   everyone: bool = False) -> tuple[str, InlineKeyboardMarkup | None]:
    """The question /reassign asks next: why (the agent named), or to whom."""
    assert pick.owner is not None  # an owned lead: pick_agent checked
    owner_id, owner = int(pick.owner[0]), str(pick.owner[1])
    if pick.agent is not None:
        return (t(lang, "reassign.why", lead_id=pick.lead_id, former=owner,
                  agent=str(pick.agent[1])),
                reassign_reasons(lang, pick.lead_id, owner_id, int(pick.agent[0])))
    if not pick.choices:
        return t(lang, "handover.nobody", lead_id=pick.lead_id), None
    return (t(lang, "reassign.pick", lead_id=pick.lead_id, former=owner),
            reassign_agents(lang, pick.lead_id, owner_id, _pairs(pick), marks=pick.marks,
                            everyone=everyone))


async def on_handover_press(update: Update, context: ContextTypes.DEFAULT_TYPE, agent: Agent,
                            action: Handover) -> None:
    """Carry out a press of /reassign's buttons or of Return and its reasons."""
    shared, query = _ctx(context), update.callback_query
    assert query is not None
    lang, me, app = _lang(shared, agent), agent.telegram_id, shared.app
    if isinstance(action, ReassignPick) and action.reason is not None:
        lead = await app.run(reassign_lead, manager_id=me, lead_id=action.lead_id,
                             agent_id=action.agent_id, reason=action.reason,
                             expected_owner=action.owner_id)
        owner = await app.run(whoami, telegram_id=lead.owner_id or 0)
        name = owner.name if owner else "?"
        text = t(lang, "reassign.done", lead_id=lead.id, agent=name,
                 reason=reason_label(lang, "reassigned", action.reason.value))
        await query.answer(t_raw(lang, "answer.reassigned", agent=name))
        await query.edit_message_text(text, parse_mode=ParseMode.HTML)
    elif isinstance(action, ReassignList | ReassignPick):  # to whom, or why
        wanted = str(action.agent_id) if isinstance(action, ReassignPick) else None
        pick = await app.run(pick_agent, manager_id=me, lead_id=action.lead_id, wanted=wanted,
                             reassign=True)
        if pick.owner is None or int(pick.owner[0]) != action.owner_id:
            await query.answer(t_raw(lang, "error.changed_hands", lead_id=action.lead_id,
                                     owner=str(pick.owner[1]) if pick.owner else "?"),
                               show_alert=True)
            return
        text, markup = _reassign_step(lang, pick, everyone=isinstance(
            action, ReassignList) and action.everyone)
        await query.answer()
        await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
    elif action.reason is None:  # Return: ask why, in place of the card's buttons
        back = encode_card(CardAction(action.lead_id, "back"))
        message = query.message
        if message is not None:  # an answer to the press: ahead of the chat's mail
            await cast("ExtBot[dict[str, Any]]", context.bot).edit_message_reply_markup(
                chat_id=message.chat.id, message_id=message.message_id,
                reply_markup=return_reasons(lang, action.lead_id, back),
                rate_limit_args=ANSWERS_A_PRESS)
        await query.answer(t_raw(lang, "answer.pick_return"))
    else:
        await app.run(return_lead, agent_id=me, lead_id=action.lead_id, reason=action.reason)
        await query.answer(t_raw(lang, "answer.returned", lead_id=action.lead_id))
