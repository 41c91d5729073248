"""Reply markup: the checks Telegram makes of it, the inline buttons a user sees, force replies.

A message's reply_markup is one of four kinds: an inline keyboard, a reply keyboard
(``keyboard``), ReplyKeyboardRemove (``remove_keyboard``) or ForceReply (``force_reply``). The
Bot API reads whichever fields are there, refusing a field of the wrong type in its own words,
and takes the first kind present in that order; ``{"force_reply": false}`` is no markup at all.
Only the inline keyboard is echoed in Message.reply_markup, and it is the only kind a method that
edits a message takes ("inline keyboard expected").
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Literal

from sandbox.links import checked_button_url
from sandbox.values import Button, JsonDict, _bad

# Telegram's own limits, see https://core.telegram.org/bots/api
_MAX_CALLBACK_DATA_BYTES = 64
_MAX_PLACEHOLDER = 64  # input_field_placeholder: "1-64 characters"

_Kind = Literal["keyboard", "inline", "remove", "force_reply"]
# Fields of an inline button that are not what it does when pressed.
_BUTTON_LOOKS = frozenset({"text", "icon_custom_emoji_id", "style"})


def _takes_only_inline(key: str) -> bool:
    """Return whether a method (lower-cased) accepts nothing but an inline keyboard."""
    return key.startswith("editmessage") or key == "stoppoll"


def _check_reply_markup(markup: Any, *, inline_only: bool) -> None:
    """Refuse reply markup Telegram refuses, in Telegram's words, whatever the method."""
    if markup is None or markup == "":
        return
    if isinstance(markup, str):
        raise _bad("can't parse reply keyboard markup JSON object")
    if not isinstance(markup, dict):
        raise _bad("object expected as reply markup")
    _check_rows(markup, "keyboard", _check_keyboard_button)
    _check_rows(markup, "inline_keyboard", _check_inline_button)
    for name in ("remove_keyboard", "selective", "force_reply"):
        if markup.get(name) is not None and not isinstance(markup[name], bool):
            raise _bad(f'field "{name}" must be of type Boolean')
    if markup.get("input_field_placeholder") is not None and not _stringish(
            markup["input_field_placeholder"]):
        raise _bad('field "input_field_placeholder" must be of type String')
    kind = _kind(markup)
    if inline_only and kind is not None and kind != "inline":
        raise _bad("inline keyboard expected")


def _placeholder_problem(markup: Any) -> str | None:
    """Return why the input field placeholder breaks the documented 1-64 characters, if it does.

    TDLib passes it on unchecked and what Telegram's servers then do is not documented, so the
    sandbox treats it as a breach of the spec rather than answer in words Telegram may not use.
    """
    if not isinstance(markup, dict) or _kind(markup) not in ("keyboard", "force_reply"):
        return None
    placeholder = markup.get("input_field_placeholder")
    if isinstance(placeholder, str) and len(placeholder) > _MAX_PLACEHOLDER:
        return (f"reply_markup.input_field_placeholder must be 1-{_MAX_PLACEHOLDER} characters, "
                f"not {len(placeholder)}")
    return None


def _check_rows(markup: JsonDict, name: str, check_button: Callable[[Any], None]) -> None:
    rows = markup.get(name)
    if rows is None:
        return
    if not isinstance(rows, list):
        raise _bad(f'field "{name}" must be of type Array')
    for row in rows:
        if not isinstance(row, list):
            of = " of the InlineKeyboardMarkup" if name == "inline_keyboard" else ""
            raise _bad(f'field "{name}"{of} must be an Array of Arrays')
        for button in row:
            check_button(button)


def _check_keyboard_button(button: Any) -> None:
    if isinstance(button, str):
        return
    if not isinstance(button, dict):
        raise _bad("can't parse keyboard button: KeyboardButton must be a String or an Object")
    _check_text(button, "can't parse keyboard button")


def _check_inline_button(button: Any) -> None:
    prefix = "can't parse inline keyboard button"
    if not isinstance(button, dict):
        raise _bad(f"{prefix}: InlineKeyboardButton must be an Object")
    _check_text(button, prefix)
    for name in ("url", "callback_data"):
        if button.get(name) is not None and not _stringish(button[name]):
            raise _bad(f'{prefix}: Field "{name}" must be of type String')
    # The Bot API reads an empty url or callback_data as none at all.
    actions = {name for name, value in button.items()
               if name not in _BUTTON_LOOKS and value not in ("", None)}
    if not actions:
        raise _bad(f"{prefix}: Text buttons are unallowed in the inline keyboard")
    if "url" in actions:
        checked_button_url(_string(button["url"]))
    if "callback_data" in actions:
        size = len(_string(button["callback_data"]).encode("utf-8"))
        if size > _MAX_CALLBACK_DATA_BYTES:
            raise _bad("BUTTON_DATA_INVALID")


def _check_text(button: JsonDict, prefix: str) -> None:
    if "text" not in button:
        raise _bad(f'{prefix}: Can\'t find field "text"')
    if not _stringish(button["text"]):
        raise _bad(f'{prefix}: Field "text" must be of type String')


def _stringish(value: Any) -> bool:
    """Return whether the Bot API reads value as a string: a string, or a JSON number."""
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def _string(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _kind(markup: JsonDict) -> _Kind | None:
    """Return which kind of markup the Bot API makes of the (checked) fields, or None."""
    keyboard, inline = markup.get("keyboard"), markup.get("inline_keyboard")
    if isinstance(keyboard, list) and any(keyboard):
        return "keyboard"
    if isinstance(inline, list) and any(inline):
        return "inline"
    if markup.get("remove_keyboard") is True:
        return "remove"
    if markup.get("force_reply") is True:
        return "force_reply"
    return None


def _inline_markup(markup: Any) -> JsonDict | None:
    """Return the inline keyboard as Telegram echoes it in Message.reply_markup, if any."""
    if not isinstance(markup, dict) or _kind(markup) != "inline":
        return None  # the other kinds never appear on the sent Message
    rows = json.loads(json.dumps(markup["inline_keyboard"]))
    for row in rows:
        for button in row:
            if button.get("url") not in ("", None):
                button["url"] = checked_button_url(_string(button["url"]))
    return {"inline_keyboard": rows}


def _force_reply(markup: Any) -> tuple[bool, str | None]:
    """Return whether markup asks the client to open the reply field, and its placeholder."""
    if not isinstance(markup, dict) or _kind(markup) != "force_reply":
        return False, None
    placeholder = markup.get("input_field_placeholder")
    return True, (_string(placeholder) if placeholder not in ("", None) else None)


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
