"""The buttons under `/stats` and their callback data (at most 64 bytes,
`keyboards.fits_a_button`): `sts:<view>:<page>:<period>`, where the view is a slice's
letter or another view's two, and the period is written as typed with `_` for spaces."""

from __future__ import annotations

import re
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import t_raw
from bot.keyboards import fits_a_button
from core.lifecycle.stats_view import Shown, View
from core.numbers.figures import Slice

PATTERN = r"^sts:"  # the presses bot/numbers_handlers.py takes
_CODES: dict[str, Shown] = {
    "o": View.OVERVIEW, "of": View.OFFERS, "fr": View.FAIRNESS, "ld": View.LOAD,
    "au": View.AUTOMATION, "a": Slice.AGENT, "t": Slice.TEAM, "s": Slice.SOURCE,
    "c": Slice.CAMPAIGN, "r": Slice.RULE, "g": Slice.STRATEGY, "h": Slice.TEMPERATURE,
    "y": Slice.LEAD_TYPE}
_CODE_OF = {shown: code for code, shown in _CODES.items()}
_PERIOD = re.compile(r"^[a-z0-9_.\-]{1,40}$")
MAX_PAGE = 999
# Under the overview, three to a row.
BUTTONS: tuple[Shown, ...] = (Slice.AGENT, Slice.TEAM, Slice.SOURCE, Slice.RULE, View.OFFERS,
                              View.FAIRNESS, View.LOAD, View.AUTOMATION)


@dataclass(frozen=True)
class StatsPress:
    """Show one page of a view of a period."""

    period: str  # as parse_period reads it: `7d`, `this month`, `2026-11-01..2026-11-30`
    shown: Shown = View.OVERVIEW
    page: int = 0


def encode_stats(press: StatsPress) -> str:
    """Pack a press into callback data."""
    return fits_a_button(
        f"sts:{_CODE_OF[press.shown]}:{press.page}:{press.period.replace(' ', '_')}")


def decode_stats(data: str) -> StatsPress | None:
    """The press *data* holds, or None if it holds none of these."""
    parts = data.split(":", 3)
    if len(parts) != 4 or parts[0] != "sts" or not parts[2].isascii() \
            or not parts[2].isdigit() or int(parts[2]) > MAX_PAGE \
            or not _PERIOD.fullmatch(parts[3]):
        return None
    shown = _CODES.get(parts[1])
    if shown is None:
        return None
    return StatsPress(parts[3].replace("_", " "), shown, int(parts[2]))


def overview_keyboard(lang: str, period: str) -> InlineKeyboardMarkup:
    """The slices and the other views, three to a row."""
    buttons = [InlineKeyboardButton(t_raw(lang, f"numbers.button.{shown.value}"),
                                    callback_data=encode_stats(StatsPress(period, shown)))
               for shown in BUTTONS]
    return InlineKeyboardMarkup([buttons[i:i + 3] for i in range(0, len(buttons), 3)])


def table_keyboard(lang: str, press: StatsPress, *, pages: int) -> InlineKeyboardMarkup:
    """Back and Next through a slice's pages when it has more than one, and the overview."""
    rows: list[list[InlineKeyboardButton]] = []
    if pages > 1:
        turn = []
        if press.page > 0:
            turn.append(InlineKeyboardButton(t_raw(lang, "numbers.button.previous"),
                                             callback_data=encode_stats(StatsPress(
                                                 press.period, press.shown, press.page - 1))))
        turn.append(InlineKeyboardButton(
            t_raw(lang, "numbers.button.page", page=press.page + 1, pages=pages),
            callback_data=encode_stats(press)))
        if press.page + 1 < pages:
            turn.append(InlineKeyboardButton(t_raw(lang, "numbers.button.next"),
                                             callback_data=encode_stats(StatsPress(
                                                 press.period, press.shown, press.page + 1))))
        rows.append(turn)
    rows.append([InlineKeyboardButton(t_raw(lang, "numbers.button.overview"),
                                      callback_data=encode_stats(StatsPress(press.period)))])
    return InlineKeyboardMarkup(rows)


def read_slice(word: str) -> Slice | None:
    """The slice a `/stats … by WORD` names (`type` for lead type), or None."""
    word = word.lower()
    if word in ("type", "lead_type", "leadtype"):
        return Slice.LEAD_TYPE
    return next((by for by in Slice if by.value == word), None)


_VIEW_WORDS = {"offers": View.OFFERS, "fairness": View.FAIRNESS, "fair": View.FAIRNESS,
               "load": View.LOAD, "coverage": View.LOAD, "automation": View.AUTOMATION}


def read_stats_args(args: list[str]) -> tuple[str | None, Shown] | None:
    """The period and view `/stats` was given (`30d by source`, `last month fairness`), or
    None when a `by` names no slice."""
    words = [word.lower() for word in args]
    shown: Shown = View.OVERVIEW
    if "by" in words:
        at = words.index("by")
        if at + 1 >= len(words) or (by := read_slice(words[at + 1])) is None:
            return None
        shown = by
        words = words[:at] + words[at + 2:]
    named = [word for word in words if word in _VIEW_WORDS]
    if named:
        shown = _VIEW_WORDS[named[-1]]
        words = [word for word in words if word not in _VIEW_WORDS]
    return (" ".join(words) or None), shown
