"""The buttons of /new's questions and their callback data (at most 64 bytes):
`n:<question>:<choice>` for an answer, `n:x` for Cancel."""

from __future__ import annotations

import re
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import t_raw
from bot.keyboards import fits_a_button
from core.lifecycle.entry import SKIP, SKIPPABLE, TIMINGS

CANCEL = "cancel"
# code → question; the codes are stored in sent keyboards: never reuse one.
QUESTION_CODES = {"p": "product", "r": "region", "b": "budget", "t": "timing"}
_CODE_OF = {question: code for code, question in QUESTION_CODES.items()}
_CHOICE = re.compile("|".join([SKIP, "[0-9]{1,2}", *TIMINGS]))


@dataclass(frozen=True)
class EntryAction:
    """A press on a question of /new: an answer to *question*, or Cancel (question "")."""

    question: str
    choice: str


def encode_entry(action: EntryAction) -> str:
    """Pack a press on a question of /new into callback data."""
    data = "n:x" if action.choice == CANCEL else \
        f"n:{_CODE_OF[action.question]}:{action.choice}"
    return fits_a_button(data)


def decode_entry(data: str) -> EntryAction | None:
    """The press on a question of /new that *data* holds, or None if it holds none."""
    if data == "n:x":
        return EntryAction("", CANCEL)
    parts = data.split(":")
    if len(parts) != 3 or parts[0] != "n" or parts[1] not in QUESTION_CODES or \
            not _CHOICE.fullmatch(parts[2]):
        return None
    return EntryAction(QUESTION_CODES[parts[1]], parts[2])


def _press(label: str, action: EntryAction) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=encode_entry(action))


def entry_keyboard(lang: str, question: str,
                   products: tuple[str, ...] = ()) -> InlineKeyboardMarkup:
    """The question's choices (products two to a row, or the timings), then Skip where the
    question may be skipped, and Cancel on every one."""
    rows: list[list[InlineKeyboardButton]] = []
    if question == "product":
        offered = [_press(name, EntryAction(question, str(i))) for i, name in enumerate(products)]
        rows += [offered[i:i + 2] for i in range(0, len(offered), 2)]
    elif question == "timing":
        timings = [_press(t_raw(lang, f"button.timing_{choice}"), EntryAction(question, choice))
                   for choice in TIMINGS]
        rows += [timings[i:i + 2] for i in range(0, len(timings), 2)]
    last = [_press(t_raw(lang, "button.skip"), EntryAction(question, SKIP))] \
        if question in SKIPPABLE else []
    rows.append([*last, _press(t_raw(lang, "button.cancel"), EntryAction("", CANCEL))])
    return InlineKeyboardMarkup(rows)
