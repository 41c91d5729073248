"""The buttons under a spreadsheet's import preview and their callback data (at most 64
bytes, `keyboards.fits_a_button`): `imp:<id>:r` import and offer the leads, `imp:<id>:s`
import into nurture, `imp:<id>:c` cancel."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import t_raw
from bot.keyboards import fits_a_button, parse_id

PATTERN = r"^imp:"  # the presses bot/import_handlers.py takes
_CODES = {"r": "route", "s": "store", "c": "cancel"}
_CODE_OF = {action: code for code, action in _CODES.items()}


@dataclass(frozen=True)
class ImportPress:
    """Import (offering the leads, or into nurture) or Cancel, on one preview."""

    import_id: int
    action: str  # route | store | cancel


def encode_import(press: ImportPress) -> str:
    """Pack a press into callback data."""
    return fits_a_button(f"imp:{press.import_id}:{_CODE_OF[press.action]}")


def decode_import(data: str) -> ImportPress | None:
    """The press *data* holds, or None if it holds none of these."""
    parts = data.split(":")
    if len(parts) != 3 or parts[0] != "imp" or parts[2] not in _CODES:
        return None
    import_id = parse_id(parts[1])
    return None if import_id is None else ImportPress(import_id, _CODES[parts[2]])


def import_keyboard(lang: str, import_id: int, *, held: bool,
                    anything: bool) -> InlineKeyboardMarkup:
    """Import, the default way first (offered for a file of up to 1,000 rows, into nurture
    for a larger one) and the other way beside it, and Cancel; Cancel alone when no row
    would become a lead."""
    def button(action: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(t_raw(lang, f"import.button.{action}"),
                                    callback_data=encode_import(ImportPress(import_id, action)))

    ways = ["store", "route"] if held else ["route", "store"]
    rows = [[button(way) for way in ways]] if anything else []
    return InlineKeyboardMarkup([*rows, [button("cancel")]])
