"""The buttons of /deactivate: confirm or cancel, as callback data of their own."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import t_raw
from bot.keyboards import UnreadableButton, fits_a_button

_PREFIX = "dv"


@dataclass(frozen=True)
class DeactivateAction:
    """A manager's answer to "take this person off the team?"."""

    agent_id: int
    confirm: bool


def encode_away(action: DeactivateAction) -> str:
    """Pack the action into callback data."""
    return fits_a_button(f"{_PREFIX}:{action.agent_id}:{'y' if action.confirm else 'n'}")


def decode_away(data: str) -> DeactivateAction | None:
    """The action *data* packs, or None if it is not one of these buttons."""
    parts = data.split(":")
    if parts[0] != _PREFIX:
        return None
    if len(parts) != 3 or parts[2] not in ("y", "n") or not parts[1].isdigit():
        raise UnreadableButton(data)
    return DeactivateAction(int(parts[1]), parts[2] == "y")


def confirm_keyboard(lang: str, agent_id: int) -> InlineKeyboardMarkup:
    """Yes and No under the question."""
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(t_raw(lang, "button.deactivate_yes"),
                             callback_data=encode_away(DeactivateAction(agent_id, True))),
        InlineKeyboardButton(t_raw(lang, "button.deactivate_no"),
                             callback_data=encode_away(DeactivateAction(agent_id, False)))]])
