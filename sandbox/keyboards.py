"""Inline keyboards: the checks Telegram makes of them and the buttons a user sees."""

from __future__ import annotations

import json
from typing import Any

from sandbox.values import Button, JsonDict, _bad

# Telegram's own limits, see https://core.telegram.org/bots/api
_MAX_CALLBACK_DATA_BYTES = 64


def _check_inline_keyboard(markup: Any) -> None:
    """Refuse inline keyboards Telegram refuses, whatever the method."""
    if not isinstance(markup, dict) or "inline_keyboard" not in markup:
        return
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise _bad("can't parse inline keyboard button: InlineKeyboardMarkup must be an Array")
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise _bad("can't parse inline keyboard button: Text must be a String")
            actions = set(button) - {"text", "icon_custom_emoji_id", "style"}
            if not actions:
                raise _bad("text buttons are unallowed in the inline keyboard")
            if "callback_data" in button:
                data = button["callback_data"]
                size = len(data.encode("utf-8")) if isinstance(data, str) else 0
                if not 1 <= size <= _MAX_CALLBACK_DATA_BYTES:
                    raise _bad("BUTTON_DATA_INVALID")
            if "url" in button:
                url = button["url"]
                if not isinstance(url, str) or not url.startswith(("http://", "https://", "tg://")):
                    raise _bad("BUTTON_URL_INVALID")


def _inline_markup(markup: Any) -> JsonDict | None:
    """Return the inline keyboard as Telegram echoes it in Message.reply_markup, if any."""
    if not isinstance(markup, dict):
        return None
    rows = markup.get("inline_keyboard")
    if not isinstance(rows, list) or not any(rows):
        return None  # reply keyboards never appear on the sent Message
    return {"inline_keyboard": json.loads(json.dumps(rows))}


def _buttons(markup: JsonDict | None) -> list[list[Button]]:
    if markup is None:
        return []
    return [
        [
            Button(
                text=str(button.get("text", "")),
                callback_data=button.get("callback_data"),
                url=button.get("url"),
            )
            for button in row
        ]
        for row in markup["inline_keyboard"]
    ]
