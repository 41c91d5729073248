"""The command menus: which commands each person sees, in their language."""

from __future__ import annotations

from typing import Any

from telegram import Bot, BotCommand, BotCommandScopeChat

from bot.i18n import t_raw
from core.model import Agent

AGENT_COMMANDS = ("start", "leads", "lead", "today", "note", "new", "outcome", "why", "rules",
                  "me", "away", "back", "settings", "cancel", "help")
MANAGER_COMMANDS = (*AGENT_COMMANDS, "stats", "report", "export", "pending", "assign",
                    "reassign", "agents", "correct", "invite", "deactivate", "setgroup",
                    "reload")


def command_list(lang: str, names: tuple[str, ...]) -> list[BotCommand]:
    """The menu entries for *names* in *lang*."""
    return [BotCommand(name, t_raw(lang, f"command.{name}")) for name in names]


async def publish_menu(bot: Bot | Any, person: Agent, office_language: str) -> None:
    """Put *person*'s menu in their chat: a manager's or an agent's, in their language (after
    a change of role or language; nothing before they opened a chat)."""
    if person.chat_id is None:
        return
    names = MANAGER_COMMANDS if person.is_manager else AGENT_COMMANDS
    await bot.set_my_commands(command_list(person.language or office_language, names),
                              scope=BotCommandScopeChat(person.chat_id))
