"""Telegram handlers: parse the update, call one service, render the answer."""

from __future__ import annotations

import logging
from typing import Any, cast

from telegram import BotCommandScopeChat, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ExtBot,
    MessageHandler,
    filters,
)

from bot import keyboards
from bot.away_handlers import away_command, back_command, deactivate_command, on_away_press
from bot.away_keyboards import decode_away
from bot.card_keyboards import decode_card
from bot.context import BotContext, _ctx, _lang, _lead_arg, _person, _reply
from bot.entry_handlers import new_command, on_entry_press
from bot.entry_keyboards import decode_entry
from bot.export_handlers import register_export
from bot.handover_handlers import assign_command, on_handover_press, reassign_command
from bot.handover_keyboards import decode_handover
from bot.i18n import CATALOGS, t, t_raw
from bot.import_handlers import register_imports
from bot.invite_handlers import invite_command, join_with_link
from bot.keyboards import (
    AssignAction,
    AssignListAction,
    ClaimAction,
    OfferAction,
    OutcomeAction,
    ReassignAction,
    UnreadableButton,
)
from bot.menus import AGENT_COMMANDS, MANAGER_COMMANDS, command_list
from bot.numbers_handlers import register_numbers
from bot.pacing import ANSWERS_A_PRESS
from bot.render.replies import to_assign
from bot.report_handlers import report_command
from bot.roster_handlers import agents_command, on_roster_press, settings_command
from bot.roster_keyboards import decode_roster
from bot.team_handlers import setgroup_command
from bot.work_handlers import (
    cancel_command,
    correct_command,
    lead_command,
    leads_command,
    note_command,
    on_card_press,
    on_text,
    outcome,
    today_command,
)
from core.app import App
from core.errors import (
    ConfigError,
    DomainError,
    InvalidInput,
    StorageUnavailable,
    UnknownAgent,
)
from core.lifecycle.answers import (
    accept_offer,
    assign_lead,
    check_offer,
    claim_round,
    decline_offer,
)
from core.lifecycle.handover import reassign_lead
from core.lifecycle.working import record_stage
from core.model import Agent
from core.queries import assign_options, explain_lead, require_manager, waiting_leads
from core.roster import link_chat, roster, whoami
from core.rules_view import office_rules

log = logging.getLogger(__name__)

__all__ = ["AGENT_COMMANDS", "MANAGER_COMMANDS", "command_list", "publish_commands", "register"]


# --- commands ---------------------------------------------------------------------------


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Connect a rostered person's chat so leads can reach them; refuse strangers politely."""
    shared = _ctx(context)
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    office = shared.app.config.name
    try:
        agent = await shared.app.run(link_chat, telegram_id=user.id, chat_id=chat.id)
    except UnknownAgent:
        if context.args:  # Start pressed through an invitation's link: bot/invite_handlers.py
            joined = await join_with_link(update, context, context.args[0])
            if joined is not None:
                await _manager_menu(context, joined, chat.id)
            return
        log.info("refused /start from a Telegram user not on the roster",
                 extra={"telegram_id": user.id, "chat_id": chat.id})
        await _reply(update, t(_lang(shared, None, update), "start.stranger", office=office,
                               user_id=user.id))
        return
    await _manager_menu(context, agent, chat.id)
    key = "start.manager" if agent.is_manager else "start.agent"
    await _reply(update, t(_lang(shared, agent), key, name=agent.name, office=office))


async def _manager_menu(context: ContextTypes.DEFAULT_TYPE, agent: Agent, chat_id: int) -> None:
    """A manager's chat gets the managers' command menu, in their language."""
    if agent.is_manager:
        await context.bot.set_my_commands(
            command_list(_lang(_ctx(context), agent), MANAGER_COMMANDS),
            scope=BotCommandScopeChat(chat_id))


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the commands this person may use."""
    shared = _ctx(context)
    agent = await _person(shared, update, anywhere=True)
    lang = _lang(shared, agent)
    text = t(lang, "help.agent") + (t(lang, "help.manager") if agent.is_manager else "")
    await _reply(update, text)


async def pending(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Managers: leads waiting for an Accept or for an owner, and who holds them."""
    shared = _ctx(context)
    agent = await _person(shared, update)
    items = await shared.app.run(waiting_leads, manager_id=agent.telegram_id)
    await _reply(update, shared.renderer.waiting(_lang(shared, agent), items, total=items.total,
                                                 pool=items.pool),
                 keyboards.pending_keyboard(to_assign(items)))


async def why(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Explain a routing decision to a manager or to the agent the lead was offered to."""
    shared = _ctx(context)
    agent = await _person(shared, update)
    lang = _lang(shared, agent)
    if not context.args:
        await _reply(update, t(lang, "why.usage"))
        return
    lead_id = await _lead_arg(update, lang, context.args[0])
    if lead_id is None:
        return
    explanation = await shared.app.run(explain_lead, person_id=agent.telegram_id,
                                       lead_id=lead_id)
    await _reply(update, shared.renderer.why(lang, explanation))


async def rules(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Anyone on the team: the routing rules in plain words, and whose pools they are in."""
    shared = _ctx(context)
    agent = await _person(shared, update)
    view = await shared.app.run(office_rules, person_id=agent.telegram_id)
    await _reply(update, shared.renderer.rules(_lang(shared, agent), view))


async def reload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Managers: read the office config again; a bad file keeps the running one."""
    shared = _ctx(context)
    agent = await _person(shared, update)
    await shared.app.run(require_manager, telegram_id=agent.telegram_id)
    lang = _lang(shared, agent)
    if shared.reload is None:
        await _reply(update, t(lang, "error.generic"))
        return
    try:
        config = await shared.reload()
    except ConfigError as exc:
        await _reply(update, t(lang, "reload.failed", error=str(exc)[:3000]))
        return
    await _reply(update, t(_lang(shared, agent), "reload.done",
                           rules=len(config.routing.rules), people=len(config.agents)))


# --- buttons ----------------------------------------------------------------------------


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Carry out a button press and always answer it, win or lose."""
    shared = _ctx(context)
    query = update.callback_query
    if query is None:
        return
    entry = decode_entry(query.data or "")
    card = decode_card(query.data or "") if entry is None else None
    if entry is None and card is None and (team := decode_roster(query.data or "")):
        await on_roster_press(update, context, await _person(shared, update), team)
        return
    away = decode_away(query.data or "") if entry is None and card is None else None
    handover = decode_handover(query.data or "") if entry is None and card is None else None
    action = entry or card or away or handover or keyboards.decode(query.data or "")
    # A group's claim pool is pressed in the group; what a press answers goes only to the
    # presser (an alert) or to their private chat (the outbox).
    agent = await _person(shared, update, anywhere=entry is None and card is None
                          and handover is None and away is None)
    if entry is not None:
        await on_entry_press(update, context, agent, entry)
        return
    if handover is not None:
        await on_handover_press(update, context, agent, handover)
        return
    if card is not None:
        await on_card_press(update, context, agent, card)
        return
    if away is not None:
        await on_away_press(update, context, agent, away)
        return
    lang = _lang(shared, agent)
    app, me = shared.app, agent.telegram_id
    if isinstance(action, OfferAction):
        offer_id, token = action.offer_id, action.token
        if action.action == "accept":
            await app.run(accept_offer, agent_id=me, offer_id=offer_id, token=token)
            await query.answer(t_raw(lang, "answer.accepted"))
        elif action.action == "reason" and action.reason is not None:
            await app.run(decline_offer, agent_id=me, offer_id=offer_id, token=token,
                          reason=action.reason)
            await query.answer(t_raw(lang, "answer.declined"))
        else:
            await app.run(check_offer, agent_id=me, offer_id=offer_id, token=token)
            markup = (keyboards.decline_keyboard if action.action == "decline"
                      else keyboards.offer_keyboard)(lang, action.offer_id, action.token)
            await query.answer(t_raw(lang, "answer.pick_reason")
                               if action.action == "decline" else None)
            await _swap_buttons(update, context, markup)
    elif isinstance(action, ClaimAction):
        await app.run(claim_round, agent_id=me, lead_id=action.lead_id,
                      sequence=action.sequence, token=action.token)
        await query.answer(t_raw(lang, "answer.claimed"))
    elif isinstance(action, AssignAction):
        lead = await app.run(assign_lead, manager_id=me, lead_id=action.lead_id,
                             agent_id=action.agent_id)
        owner = await app.run(whoami, telegram_id=lead.owner_id or 0)
        await query.answer(t_raw(lang, "answer.assigned", agent=owner.name if owner else "?"))
    elif isinstance(action, AssignListAction):  # Show all, or /pending's Assign
        options = await app.run(assign_options, manager_id=me, lead_id=action.lead_id)
        await query.answer(t_raw(lang, "answer.assign_all" if action.everyone
                                 else "answer.assign_available"))
        await _swap_buttons(update, context, keyboards.assign_keyboard(
            options.lead_id, [(int(i), str(n)) for i, n in options.choices], lang=lang,
            marks=options.marks, everyone=action.everyone))
    elif isinstance(action, ReassignAction):
        lead = await app.run(reassign_lead, manager_id=me, lead_id=action.lead_id,
                             agent_id=action.agent_id)
        owner = await app.run(whoami, telegram_id=lead.owner_id or 0)
        await query.answer(t_raw(lang, "answer.reassigned", agent=owner.name if owner else "?"))
    elif isinstance(action, OutcomeAction):  # the buttons of cards sent before the card
        lead = await app.run(record_stage, agent_id=me, lead_id=action.lead_id,
                             stage=action.stage)
        await query.answer(t_raw(lang, "answer.outcome", lead_id=lead.id,
                                 stage=t_raw(lang, f"stage.{lead.stage.value}")))


async def _swap_buttons(update: Update, context: ContextTypes.DEFAULT_TYPE,
                        markup: InlineKeyboardMarkup) -> None:
    """Put *markup* on the message pressed: an answer to the press, ahead of the chat's mail."""
    message = update.callback_query.message if update.callback_query else None
    if message is not None:
        await cast("ExtBot[dict[str, Any]]", context.bot).edit_message_reply_markup(
            chat_id=message.chat.id, message_id=message.message_id,
            reply_markup=markup, rate_limit_args=ANSWERS_A_PRESS)


# --- errors -----------------------------------------------------------------------------


def _update_context(update: object) -> dict[str, int]:
    """The ids that tell an operator which update, person and chat a failure was about."""
    if not isinstance(update, Update):
        return {}
    fields = {"update_id": update.update_id}
    if update.effective_user is not None:
        fields["telegram_id"] = update.effective_user.id
    if update.effective_chat is not None:
        fields["chat_id"] = update.effective_chat.id
    return fields


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Turn a domain error into a short alert or reply; log anything else first."""
    error = context.error
    down = isinstance(error, StorageUnavailable)
    if isinstance(error, StorageUnavailable):
        log.warning("an update could not be handled: the database does not answer (%s)",
                    error.__cause__.__class__.__name__, extra=_update_context(update))
    elif not isinstance(error, DomainError | UnreadableButton):
        log.error("handler failed", exc_info=error, extra=_update_context(update))
    if not isinstance(update, Update):
        return
    shared = _ctx(context)
    agent = None
    if update.effective_user is not None and not down:  # who they are is in the database
        agent = await shared.app.run(whoami, telegram_id=update.effective_user.id)
    lang = _lang(shared, agent, update)
    if down:
        text = t_raw(lang, "error.unavailable")
    elif isinstance(error, InvalidInput):
        text = t_raw(lang, "error.invalid_input", detail=error.detail)
    elif isinstance(error, DomainError):
        params = {k: t_raw(lang, f"stage.{v}") if k == "stage" else
                  shared.renderer.money(lang, v) if k == "cap" and isinstance(v, int)
                  else v
                  for k, v in error.params.items()}
        text = t_raw(lang, error.key, **params)
    elif isinstance(error, UnreadableButton):
        text = t_raw(lang, "error.unreadable_button")
    else:
        text = t_raw(lang, "error.generic")
    if update.callback_query is not None:
        await update.callback_query.answer(text[:200], show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(text)


# --- wiring -----------------------------------------------------------------------------


async def publish_commands(application: Application, app: App) -> None:  # type: ignore[type-arg]
    """Register the command menus: agents' for everyone, managers' in each manager's chat."""
    bot = application.bot
    default = app.config.language
    await bot.set_my_commands(command_list(default, AGENT_COMMANDS))
    for lang in CATALOGS:
        await bot.set_my_commands(command_list(lang, AGENT_COMMANDS), language_code=lang)
    for person in await app.run(roster):
        if person.is_manager and person.chat_id is not None:
            await bot.set_my_commands(command_list(person.language or default, MANAGER_COMMANDS),
                                      scope=BotCommandScopeChat(person.chat_id))


def share(application: Application, shared: BotContext) -> None:  # type: ignore[type-arg]
    """Put *shared* in force for every update from now on (at start, and on a reload)."""
    application.bot_data["leadrelay"] = shared


def register(application: Application, shared: BotContext) -> None:  # type: ignore[type-arg]
    """Register every handler and the error handler in one place."""
    share(application, shared)
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CommandHandler("help", help_command))
    application.add_handler(CommandHandler("leads", leads_command))
    application.add_handler(CommandHandler("lead", lead_command))
    application.add_handler(CommandHandler("today", today_command))
    application.add_handler(CommandHandler("note", note_command))
    application.add_handler(CommandHandler("new", new_command))
    application.add_handler(CommandHandler("outcome", outcome))
    application.add_handler(CommandHandler("correct", correct_command))
    application.add_handler(CommandHandler("cancel", cancel_command))
    application.add_handler(CommandHandler("why", why))
    application.add_handler(CommandHandler("rules", rules))
    application.add_handler(CommandHandler("away", away_command))
    application.add_handler(CommandHandler("back", back_command))
    application.add_handler(CommandHandler("deactivate", deactivate_command))
    application.add_handler(CommandHandler("reload", reload))
    application.add_handler(CommandHandler("report", report_command))
    application.add_handler(CommandHandler("pending", pending))
    application.add_handler(CommandHandler("agents", agents_command))
    application.add_handler(CommandHandler("settings", settings_command))
    application.add_handler(CommandHandler("invite", invite_command))
    application.add_handler(CommandHandler("assign", assign_command))
    application.add_handler(CommandHandler("reassign", reassign_command))
    application.add_handler(CommandHandler("setgroup", setgroup_command))
    register_export(application)
    register_imports(application)  # its presses before button's, which knows none of them
    register_numbers(application)  # /stats, /me and /stats' presses, likewise
    application.add_handler(CallbackQueryHandler(button))
    application.add_handler(MessageHandler(
        # New messages only: an edited one would add its note a second time.
        filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND & filters.ChatType.PRIVATE,
        on_text))
    application.add_error_handler(on_error)
