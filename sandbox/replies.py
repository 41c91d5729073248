"""Replies: the message a new one answers, as the bot names it and as Telegram shows it.

The bot names it with ``reply_parameters`` (Bot API 7.0) or with the ``reply_to_message_id``
and ``allow_sending_without_reply`` parameters it replaced, which Telegram still reads when
``reply_parameters`` is absent. Telegram shows it in Message.reply_to_message, one level deep.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sandbox.values import JsonDict, _bad

# Parameters Telegram still reads though the spec no longer lists them, by the parameter that
# replaced them: a bot that sends them is not refused.
LEGACY_FIELDS: dict[str, list[JsonDict]] = {
    "reply_parameters": [
        {"name": "reply_to_message_id", "types": ["Integer"], "required": False},
        {"name": "allow_sending_without_reply", "types": ["Boolean"], "required": False},
    ],
}


@dataclass(frozen=True)
class _ReplyRequest:
    message_id: int
    allow_sending_without_reply: bool
    chat_id: Any = None  # reply_parameters.chat_id: the message is in another chat


def _reply_request(params: JsonDict) -> _ReplyRequest | None:
    """Return the message the bot asks its new message to reply to, or None; 400 like Telegram."""
    if "reply_parameters" not in params:
        message_id = params.get("reply_to_message_id")
        if isinstance(message_id, str) and message_id.isdigit():
            message_id = int(message_id)
        if not isinstance(message_id, int) or isinstance(message_id, bool) or message_id <= 0:
            return None
        allow = params.get("allow_sending_without_reply")
        return _ReplyRequest(message_id, allow is True or str(allow).lower() in ("true", "1"))
    reply = params["reply_parameters"]
    if reply is None or reply == "":
        return None
    if isinstance(reply, str):
        raise _bad("can't parse reply parameters JSON object")
    if not isinstance(reply, dict):
        raise _bad("object expected as reply parameters")
    if not reply:
        return None
    message_id = _message_id(reply)
    allow = reply.get("allow_sending_without_reply", False)
    if not isinstance(allow, bool):
        raise _bad('field "allow_sending_without_reply" must be of type Boolean')
    if message_id <= 0:
        return None
    return _ReplyRequest(message_id, allow, reply.get("chat_id"))


def _message_id(reply: JsonDict) -> int:
    if "message_id" not in reply:
        raise _bad('can\'t find field "message_id"')
    value = reply["message_id"]
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _bad('field "message_id" must be a Number')
    text = value if isinstance(value, str) else json.dumps(value)
    try:
        return int(text)
    except ValueError:
        raise _bad('field "message_id" must be a valid Number') from None


def _as_replied_to(raw: JsonDict) -> JsonDict:
    """Return a copy of a message as Telegram nests it in reply_to_message (no deeper reply)."""
    nested: JsonDict = json.loads(json.dumps(raw))
    nested.pop("reply_to_message", None)
    return nested
