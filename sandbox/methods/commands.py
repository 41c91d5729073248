"""setMyCommands, getMyCommands and deleteMyCommands, stored per scope and language."""

from __future__ import annotations

import json
import re
from typing import Any

from sandbox.base import _SandboxState
from sandbox.values import JsonDict, _bad, _required

_BOT_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")


class _CommandsMixin(_SandboxState):
    """The bot's command lists, and commands() with which tests read them."""

    def commands(
        self, scope: JsonDict | None = None, language_code: str = ""
    ) -> list[JsonDict]:
        """Return the commands setMyCommands stored for scope (default scope when None)."""
        return list(self._commands.get(_command_key(scope, language_code), []))

    async def _set_my_commands(self, params: JsonDict) -> bool:
        commands = _required(params, "commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise _bad("BOT_COMMANDS_TOO_MUCH" if isinstance(commands, list) else "commands")
        for command in commands:
            name = command.get("command") if isinstance(command, dict) else None
            description = command.get("description") if isinstance(command, dict) else None
            if not isinstance(name, str) or not _BOT_COMMAND_RE.match(name):
                raise _bad("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
        key = _command_key(params.get("scope"), params.get("language_code") or "")
        self._commands[key] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    async def _get_my_commands(self, params: JsonDict) -> list[JsonDict]:
        return self.commands(params.get("scope"), params.get("language_code") or "")

    async def _delete_my_commands(self, params: JsonDict) -> bool:
        key = _command_key(params.get("scope"), params.get("language_code") or "")
        self._commands.pop(key, None)
        return True


def _command_key(scope: Any, language_code: str) -> tuple[str, str]:
    if not isinstance(scope, dict) or not scope:
        scope = {"type": "default"}
    return json.dumps(scope, sort_keys=True), language_code
