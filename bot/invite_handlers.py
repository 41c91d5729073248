"""Joining the team from Telegram: /invite makes a one-time link and its QR code, and Start
pressed through that link puts the person on the roster and welcomes them."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot.context import _ctx, _lang, _person, _reply
from bot.i18n import t
from core.lifecycle.invites import create_invite, join_by_invite
from core.model import Agent, Role
from core.queries import require_manager
from core.spelling import fold

# The role /invite is asked for, as typed in either language (folded).
_ROLES = {"agent": Role.AGENT, "danisman": Role.AGENT,
          "manager": Role.MANAGER, "yonetici": Role.MANAGER}


def deep_link(bot_username: str, code: str) -> str:
    """The link that opens the bot and sends it `/start <code>` when Start is pressed."""
    return f"https://t.me/{bot_username}?start={code}"


async def invite_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Managers: a one-time link, with its QR code, that adds one person to the team."""
    shared = _ctx(context)
    agent = await _person(shared, update)
    lang = _lang(shared, agent)
    role = _ROLES.get(fold((context.args or ["agent"])[0]))
    if role is None:
        # An agent asking wrongly hears that the command is not theirs, not how to write it.
        await shared.app.run(require_manager, telegram_id=agent.telegram_id)
        await _reply(update, t(lang, "invite.usage"))
        return
    invite = await shared.app.run(create_invite, manager_id=agent.telegram_id, role=role)
    link = deep_link(context.bot.username, invite.code)
    caption = shared.renderer.invite_link(lang, invite, link)
    message = update.effective_message
    if shared.qr is None or message is None:
        await _reply(update, caption)
        return
    await message.reply_photo(shared.qr.png(link), caption=caption, parse_mode=ParseMode.HTML)


async def join_with_link(update: Update, context: ContextTypes.DEFAULT_TYPE,
                         code: str) -> Agent | None:
    """Someone off the roster pressed Start through an invitation's link: put them on it and
    welcome them (an unusable code raises the domain error that explains why)."""
    shared = _ctx(context)
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return None
    joined = await shared.app.run(
        join_by_invite, code=code, telegram_id=user.id, chat_id=chat.id,
        first_name=user.first_name, last_name=user.last_name,
        language_code=user.language_code)
    agent, lang = joined.agent, _lang(shared, joined.agent)
    if joined.invited_by is None:  # on the roster already: the usual greeting
        key = "start.manager" if agent.is_manager else "start.agent"
        await _reply(update, t(lang, key, name=agent.name, office=shared.app.config.name))
    else:
        await _reply(update, shared.renderer.welcome(lang, joined))
    return agent
