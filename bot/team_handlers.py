"""The team's group in chat: a manager sends /setgroup in the group (or /setgroup off)."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot.context import _ctx, _lang, _person, _reply
from bot.i18n import t
from core.errors import NotAGroup
from core.lifecycle.team_group import set_team_group

_GROUPS = (ChatType.GROUP, ChatType.SUPERGROUP)
_OFF = ("off", "kapat", "none", "yok")


async def setgroup_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Managers, in a group: make it the team's group; `/setgroup off` leaves the office
    without one."""
    shared = _ctx(context)
    # Sent in the group by design: the answer is for everyone in it.
    agent = await _person(shared, update, anywhere=True)
    chat = update.effective_chat
    if chat is None or chat.type not in _GROUPS:
        raise NotAGroup()
    off = bool(context.args) and context.args[0].lower() in _OFF  # type: ignore[index]
    await shared.app.run(set_team_group, manager_id=agent.telegram_id,
                         chat_id=None if off else chat.id)
    await _reply(update, t(_lang(shared, agent), "setgroup.off" if off else "setgroup.done"))
