"""The lead card's buttons and the pickers they open, with their callback data
(`w:<lead>:<code>[:<arg>]`, and `L:<page>` / `V:<lead>` for the /leads list; each within
Telegram's 64 bytes, `keyboards.fits_a_button`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.handover_keyboards import return_button
from bot.i18n import t_raw
from bot.keyboards import fits_a_button, parse_id
from core.model import STAGE_ORDER, LostReason, Stage, WorkingHours

# code → what a card button does; the codes are stored in sent keyboards: never reuse one.
CARD_CODES = {
    "c": "contacted", "u": "unreachable", "i": "info_sent", "a": "appointment",
    "d": "day", "t": "time", "o": "offer", "w": "won", "l": "lost", "r": "lost_reason",
    "n": "note", "m": "remind", "R": "remind_at", "z": "undo", "b": "back",
    "s": "still_working",
}
_CODE_OF = {name: code for code, name in CARD_CODES.items()}
_ARG = {"day": re.compile(r"[0-9]{8}"), "time": re.compile(r"[0-9]{12}"),
        "lost_reason": re.compile("|".join(reason.value for reason in LostReason)),
        "remind_at": re.compile(r"1h|tomorrow|3d")}
DAYS_OFFERED = 14
SLOT = timedelta(minutes=30)


@dataclass(frozen=True)
class CardAction:
    """A press on a lead's card or on a picker it opened."""

    lead_id: int
    action: str
    arg: str = ""


@dataclass(frozen=True)
class LeadsPageAction:
    """A page of /leads."""

    page: int


@dataclass(frozen=True)
class ShowCardAction:
    """A lead of the /leads list, whose card is sent again."""

    lead_id: int


@dataclass(frozen=True)
class ReminderAction:
    """Done or a Snooze, pressed on a reminder."""

    task_id: int
    action: str  # "done" | "1h" | "tomorrow"


_REMINDER_CODES = {"d": "done", "h": "1h", "t": "tomorrow"}
_REMINDER_CODE_OF = {name: code for code, name in _REMINDER_CODES.items()}
Pressed = CardAction | LeadsPageAction | ShowCardAction | ReminderAction


def encode_card(action: Pressed) -> str:
    """Pack a card action into callback data."""
    if isinstance(action, ReminderAction):
        data = f"k:{action.task_id}:{_REMINDER_CODE_OF[action.action]}"
    elif isinstance(action, LeadsPageAction):
        data = f"L:{action.page}"
    elif isinstance(action, ShowCardAction):
        data = f"V:{action.lead_id}"
    else:
        data = f"w:{action.lead_id}:{_CODE_OF[action.action]}"
        if action.arg:
            data += f":{action.arg}"
    return fits_a_button(data)


def decode_card(data: str) -> Pressed | None:
    """The card action callback data *data* holds, or None if it holds none."""
    parts = data.split(":")
    if parts[0] == "k":
        task_id = parse_id(parts[1]) if len(parts) == 3 else None
        action = _REMINDER_CODES.get(parts[2]) if len(parts) == 3 else None
        return ReminderAction(task_id, action) if task_id is not None and action else None
    if parts[0] in ("L", "V") and len(parts) == 2 and (number := parse_id(parts[1])) is not None:
        return LeadsPageAction(number) if parts[0] == "L" else ShowCardAction(number)
    if parts[0] != "w" or len(parts) not in (3, 4) or parts[2] not in CARD_CODES:
        return None
    lead_id = parse_id(parts[1])
    action = CARD_CODES[parts[2]]
    pattern = _ARG.get(action)
    arg = parts[3] if len(parts) == 4 else ""
    if lead_id is None or (pattern is None) != (arg == "") or (
            pattern is not None and not pattern.fullmatch(arg)):
        return None
    return CardAction(lead_id, action, arg)


def _press(lang: str, key: str, action: Pressed,
           label: str | None = None) -> InlineKeyboardButton:
    return InlineKeyboardButton(label or t_raw(lang, key), callback_data=encode_card(action))


def whatsapp_url(phone: str, text: str | None) -> str:
    """A wa.me link to *phone* (E.164) with *text* filled in, if any."""
    url = "https://wa.me/" + "".join(ch for ch in phone if ch.isdigit())
    return url + ("?text=" + quote(text) if text else "")


def card_keyboard(lang: str, lead_id: int, *, stage: Stage, closed: bool,
                  whatsapp: str | None, undo: bool,
                  give_back: bool = False) -> InlineKeyboardMarkup:
    """The card's buttons: reach the contact, log what happened, note, remind, undo, and
    for its owner (*give_back*) Return."""
    rows: list[list[InlineKeyboardButton]] = []
    if whatsapp:
        rows.append([InlineKeyboardButton(t_raw(lang, "button.whatsapp"), url=whatsapp)])

    def act(key: str, action: str) -> InlineKeyboardButton:
        return _press(lang, key, CardAction(lead_id, action))

    if not closed:
        ahead = stage is Stage.NURTURE or stage not in STAGE_ORDER
        rank = 0 if ahead else STAGE_ORDER.index(stage)
        rows.append([act("button.contacted", "contacted"), act("button.unreachable",
                                                                "unreachable")])
        middle = [act("button.info_sent", "info_sent")] if rank < 2 else []
        rows.append([*middle, act("button.appointment", "appointment")])
        offer = [act("button.offer", "offer")] if rank < 4 else []
        rows.append([*offer, act("button.won", "won"), act("button.lost", "lost")])
    last = [act("button.note", "note")]
    if not closed:
        last.append(act("button.remind", "remind"))
    if undo:
        last.append(act("button.undo", "undo"))
    rows.append(last)
    if give_back and not closed:
        rows.append([return_button(lang, lead_id)])
    return InlineKeyboardMarkup(rows)


def outcome_keyboard(lang: str, lead_id: int, *, stage: Stage) -> InlineKeyboardMarkup:
    """An outcome prompt's one-tap answers: the card's stage buttons still ahead of *stage*
    (the same callback data as the card's), and Still working on it."""
    def act(key: str, action: str) -> InlineKeyboardButton:
        return _press(lang, key, CardAction(lead_id, action))

    ahead = stage is Stage.NURTURE or stage not in STAGE_ORDER
    rank = 0 if ahead else STAGE_ORDER.index(stage)
    first = [act("button.contacted", "contacted")] if stage is Stage.NEW else []
    first += [act("button.info_sent", "info_sent")] if rank < 2 else []
    rows = [[*first, act("button.appointment", "appointment")]]
    offer = [act("button.offer", "offer")] if rank < 4 else []
    rows.append([*offer, act("button.won", "won"), act("button.lost", "lost")])
    rows.append([act("button.still_working", "still_working")])
    return InlineKeyboardMarkup(rows)


def _back(lang: str, lead_id: int) -> list[InlineKeyboardButton]:
    return [_press(lang, "button.back", CardAction(lead_id, "back"))]


def day_picker(lang: str, lead_id: int, today: date) -> InlineKeyboardMarkup:
    """Today, Tomorrow, and each day of the next two weeks, four to a row."""
    buttons = []
    for offset in range(DAYS_OFFERED):
        day = today + timedelta(days=offset)
        label = (t_raw(lang, "button.today") if offset == 0 else
                 t_raw(lang, "button.tomorrow") if offset == 1 else
                 f"{t_raw(lang, f'weekday.{day.weekday()}')} {day:%d.%m}")
        buttons.append(_press(lang, "", CardAction(lead_id, "day", f"{day:%Y%m%d}"), label))
    rows = [buttons[:2]] + [buttons[i:i + 4] for i in range(2, len(buttons), 4)]
    return InlineKeyboardMarkup([*rows, _back(lang, lead_id)])


def time_picker(lang: str, lead_id: int, day: date, *, hours: WorkingHours,
                now: datetime) -> InlineKeyboardMarkup:
    """The day's times in 30-minute steps within working hours, those still ahead."""
    slots = []
    moment = datetime.combine(day, hours.start, tzinfo=now.tzinfo)
    end = datetime.combine(day, hours.end, tzinfo=now.tzinfo)
    while moment < end:
        if moment > now:
            slots.append(_press(lang, "", CardAction(lead_id, "time", f"{moment:%Y%m%d%H%M}"),
                                f"{moment:%H:%M}"))
        moment += SLOT
    rows = [slots[i:i + 4] for i in range(0, len(slots), 4)]
    return InlineKeyboardMarkup([*rows, _back(lang, lead_id)])


def picked_time(arg: str, zone: ZoneInfo) -> datetime | None:
    """The moment a time-picker press names, in the office's zone (None if none)."""
    day = picked_day(arg[:8])
    hour, minute = int(arg[8:10] or 99), int(arg[10:12] or 99)
    if day is None or hour > 23 or minute > 59:
        return None
    return datetime.combine(day, time(hour, minute), tzinfo=zone)


def picked_day(arg: str) -> date | None:
    """The day a day-picker press names (None if none, or if no picker could have offered
    it: a forged year 9999 would book a moment that overflows on its way to UTC)."""
    try:
        day = date(int(arg[:4]), int(arg[4:6]), int(arg[6:8]))
    except ValueError:
        return None
    return day if 2000 <= day.year <= 2099 else None


def lost_picker(lang: str, lead_id: int) -> InlineKeyboardMarkup:
    """One button per reason a lead is lost."""
    reasons = [_press(lang, f"lost.{reason.value}",
                      CardAction(lead_id, "lost_reason", reason.value)) for reason in LostReason]
    return InlineKeyboardMarkup([reasons[:2], reasons[2:4], reasons[4:], _back(lang, lead_id)])


def remind_picker(lang: str, lead_id: int) -> InlineKeyboardMarkup:
    """In an hour, tomorrow at 10:00, or in three days."""
    return InlineKeyboardMarkup([
        [_press(lang, f"button.remind_{choice}", CardAction(lead_id, "remind_at", choice))
         for choice in ("1h", "tomorrow", "3d")], _back(lang, lead_id)])


def leads_keyboard(lang: str, lead_ids: list[int], labels: list[str], *, page: int,
                   pages: int) -> InlineKeyboardMarkup:
    """A button per lead (its card), two to a row, then the pages either side."""
    buttons = [_press(lang, "", ShowCardAction(i), label) for i, label in zip(lead_ids, labels,
                                                                              strict=True)]
    rows = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    paging = []
    if page > 0:
        paging.append(_press(lang, "button.prev", LeadsPageAction(page - 1)))
    if page + 1 < pages:
        paging.append(_press(lang, "button.next", LeadsPageAction(page + 1)))
    if paging:
        rows.append(paging)
    return InlineKeyboardMarkup(rows)


def reminder_keyboard(lang: str, task_id: int, lead_id: int) -> InlineKeyboardMarkup:
    """Done, Snooze an hour or till tomorrow, and the lead's card."""
    return InlineKeyboardMarkup([
        [_press(lang, "button.done", ReminderAction(task_id, "done")),
         _press(lang, "button.snooze_1h", ReminderAction(task_id, "1h")),
         _press(lang, "button.snooze_tomorrow", ReminderAction(task_id, "tomorrow"))],
        [_press(lang, "button.open_card", ShowCardAction(lead_id))]])
