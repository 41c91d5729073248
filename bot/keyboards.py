"""Inline keyboards and the callback data behind their buttons (at most 64 bytes each)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import t_raw
from core.model import DeclineReason, Stage

MAX_CALLBACK_BYTES = 64


@dataclass(frozen=True)
class OfferAction:
    """Accept, Decline (asks why), a decline reason, or Back, on one offer."""

    action: str  # "accept" | "decline" | "reason" | "back"
    offer_id: int
    token: str
    reason: DeclineReason | None = None


@dataclass(frozen=True)
class AssignAction:
    """A manager's choice of agent for an escalated lead."""

    lead_id: int
    agent_id: int


@dataclass(frozen=True)
class AssignListAction:
    """Open a waiting lead's assign buttons: the available agents, or everyone (Show all)."""

    lead_id: int
    everyone: bool


@dataclass(frozen=True)
class ReassignAction:
    """A manager's choice of agent for an owned lead whose first contact was missed."""

    lead_id: int
    agent_id: int


@dataclass(frozen=True)
class OutcomeAction:
    """An owner's outcome button on an accepted lead."""

    lead_id: int
    stage: Stage


@dataclass(frozen=True)
class ClaimAction:
    """Claim, pressed on a claim pool's group message: the round, not one member's offer."""

    lead_id: int
    sequence: int
    token: str


Action = (OfferAction | AssignAction | OutcomeAction | ClaimAction | ReassignAction
          | AssignListAction)
_OFFER_CODES = {"a": "accept", "d": "decline", "r": "reason", "b": "back"}
_CODE_OF = {v: k for k, v in _OFFER_CODES.items()}


class UnreadableButton(ValueError):
    """Callback data we did not write, or wrote for an older version."""


def encode(action: Action) -> str:
    """Pack an action into callback data."""
    if isinstance(action, OfferAction):
        data = f"{_CODE_OF[action.action]}:{action.offer_id}:{action.token}"
        if action.reason is not None:
            data += f":{action.reason.value}"
    elif isinstance(action, AssignAction):
        data = f"m:{action.lead_id}:{action.agent_id}"
    elif isinstance(action, ReassignAction):
        data = f"x:{action.lead_id}:{action.agent_id}"
    elif isinstance(action, AssignListAction):
        data = f"s:{action.lead_id}:{'a' if action.everyone else 'f'}"
    elif isinstance(action, ClaimAction):
        data = f"c:{action.lead_id}:{action.sequence}:{action.token}"
    else:
        data = f"o:{action.lead_id}:{action.stage.value}"
    return fits_a_button(data)


def fits_a_button(data: str) -> str:
    """*data*, if Telegram takes it as a button's callback data; else a ValueError."""
    if len(data.encode()) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {data!r}")
    return data


# ASCII digits only: int() also reads other scripts' digits ("٢") and fails on others ("²").
_ID = re.compile(r"[0-9]{1,19}")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,32}")
MAX_ID = 2**63 - 1  # the most any id column (a BIGINT) holds


def parse_id(text: str) -> int | None:
    """The id *text* writes in the digits 0-9, if it is one a database could hold."""
    if not _ID.fullmatch(text):
        return None
    value = int(text)
    return value if value <= MAX_ID else None


def decode(data: str) -> Action:
    """Unpack callback data, raising UnreadableButton for anything we would not have written."""
    parts = data.split(":")
    if len(parts) < 3 or parse_id(parts[1]) is None:
        raise UnreadableButton(data)
    if parts[0] in _OFFER_CODES and not _TOKEN.fullmatch(parts[2]):
        raise UnreadableButton(data)
    if parts[0] in ("m", "c", "x") and parse_id(parts[2]) is None:
        raise UnreadableButton(data)
    if parts[0] == "c" and (len(parts) != 4 or not _TOKEN.fullmatch(parts[3])):
        raise UnreadableButton(data)
    try:
        code = parts[0]
        if code in _OFFER_CODES and len(parts) in (3, 4):
            reason = DeclineReason(parts[3]) if len(parts) == 4 else None
            if (code == "r") != (reason is not None) or (
                    reason is not None and reason not in AGENT_REASONS):
                raise UnreadableButton(data)
            return OfferAction(_OFFER_CODES[code], int(parts[1]), parts[2], reason)
        if code == "c":
            return ClaimAction(int(parts[1]), int(parts[2]), parts[3])
        if code == "m" and len(parts) == 3:
            return AssignAction(int(parts[1]), int(parts[2]))
        if code == "s" and len(parts) == 3 and parts[2] in ("a", "f"):
            return AssignListAction(int(parts[1]), parts[2] == "a")
        if code == "x" and len(parts) == 3:
            return ReassignAction(int(parts[1]), int(parts[2]))
        if code == "o" and len(parts) == 3:
            return OutcomeAction(int(parts[1]), Stage(parts[2]))
    except ValueError as exc:
        raise UnreadableButton(data) from exc
    raise UnreadableButton(data)


# What an agent may give as a reason; "unreachable" is recorded by the system only.
AGENT_REASONS = (DeclineReason.BUSY, DeclineReason.NOT_MY_AREA, DeclineReason.NOT_MY_PRODUCT,
                 DeclineReason.OTHER)


def _button(lang: str, key: str, action: Action) -> InlineKeyboardButton:
    return InlineKeyboardButton(t_raw(lang, key), callback_data=encode(action))


def offer_keyboard(lang: str, offer_id: int, token: str) -> InlineKeyboardMarkup:
    """Accept and Decline."""
    return InlineKeyboardMarkup([[
        _button(lang, "button.accept", OfferAction("accept", offer_id, token)),
        _button(lang, "button.decline", OfferAction("decline", offer_id, token)),
    ]])


def claim_keyboard(lang: str, offer_id: int, token: str) -> InlineKeyboardMarkup:
    """Claim (first press wins) and Pass."""
    return InlineKeyboardMarkup([[
        _button(lang, "button.claim", OfferAction("accept", offer_id, token)),
        _button(lang, "button.pass",
                OfferAction("reason", offer_id, token, DeclineReason.BUSY)),
    ]])


def claim_group_keyboard(lang: str, lead_id: int, sequence: int,
                         token: str) -> InlineKeyboardMarkup:
    """Claim alone: in a group nobody needs to pass, the round simply runs out."""
    return InlineKeyboardMarkup([[
        _button(lang, "button.claim", ClaimAction(lead_id, sequence, token))]])


def decline_keyboard(lang: str, offer_id: int, token: str) -> InlineKeyboardMarkup:
    """One button per decline reason, and Back to Accept / Decline."""
    reasons = [
        InlineKeyboardButton(t_raw(lang, f"reason.{reason.value}"), callback_data=encode(
            OfferAction("reason", offer_id, token, reason)))
        for reason in AGENT_REASONS
    ]
    back = _button(lang, "button.back", OfferAction("back", offer_id, token))
    return InlineKeyboardMarkup([reasons[:2], reasons[2:], [back]])


def outcome_keyboard(lang: str, lead_id: int) -> InlineKeyboardMarkup:
    """The outcomes an owner logs most, one tap each."""
    stages = [Stage.CONTACTED, Stage.APPOINTMENT, Stage.WON, Stage.LOST]
    buttons = [_button(lang, f"button.{s.value}", OutcomeAction(lead_id, s)) for s in stages]
    return InlineKeyboardMarkup([buttons[:2], buttons[2:]])


# Telegram refuses an inline keyboard of more than 100 buttons.
MAX_KEYBOARD_BUTTONS = 100


def assign_keyboard(lead_id: int, choices: Sequence[tuple[int, str]], *, lang: str = "en",
                    marks: Mapping[str, str] | None = None, everyone: bool = False,
                    pick: Callable[[int], str] | None = None,
                    show: Callable[[bool], str] | None = None) -> InlineKeyboardMarkup:
    """One button per agent a manager can give the lead to, two to a row: the available
    ones, then Show all when some are *marks*ed (away, at capacity…); with *everyone*, the
    marked ones too, each saying why, then Show available. An agent's button carries
    *pick*(their id) and the switch *show*(everyone) (/reassign's own steps); Assign and
    its list by default."""
    marks = marks or {}
    pick = pick or (lambda agent_id: encode(AssignAction(lead_id, agent_id)))
    show = show or (lambda all_: encode(AssignListAction(lead_id, all_)))
    shown = [(agent_id, name) for agent_id, name in choices
             if everyone or str(agent_id) not in marks]
    hidden = len(choices) - len(shown)
    switch = None
    if hidden:
        switch = InlineKeyboardButton(t_raw(lang, "button.show_all", count=hidden),
                                      callback_data=show(True))
    elif everyone and marks:
        switch = InlineKeyboardButton(t_raw(lang, "button.show_available"),
                                      callback_data=show(False))
    room = MAX_KEYBOARD_BUTTONS - (switch is not None)
    buttons = [
        InlineKeyboardButton(_assign_label(lang, name, marks.get(str(agent_id))),
                             callback_data=pick(agent_id))
        for agent_id, name in shown[:room]
    ]
    rows = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    return InlineKeyboardMarkup([*rows, [switch]] if switch is not None else rows)


def _assign_label(lang: str, name: str, mark: str | None) -> str:
    if mark is None:
        return f"👤 {name}"
    return f"👤 {name} · {t_raw(lang, f'assign.mark.{mark}')}"


def pending_keyboard(lead_ids: Sequence[int]) -> InlineKeyboardMarkup | None:
    """/pending's Assign buttons, one per lead waiting for a manager (three to a row), each
    opening that lead's assign buttons; None when no lead waits for one."""
    buttons = [InlineKeyboardButton(f"👤 #{lead_id}",
                                    callback_data=encode(AssignListAction(lead_id, False)))
               for lead_id in lead_ids[:PENDING_BUTTONS]]
    if not buttons:
        return None
    return InlineKeyboardMarkup([buttons[i:i + 3] for i in range(0, len(buttons), 3)])


# /pending's Assign buttons: the first leads waiting for a manager, all among the rows shown
# (they come first, and this many of the longest rows fit one message).
PENDING_BUTTONS = 24


def reassign_keyboard(lead_id: int, choices: Sequence[tuple[int, str]], *, lang: str = "en",
                      marks: Mapping[str, str] | None = None) -> InlineKeyboardMarkup:
    """One button per agent a manager can hand an owned lead to, two to a row, the
    available first and the rest saying why routing would pass them over (as assign's)."""
    marks = marks or {}
    buttons = [InlineKeyboardButton(_assign_label(lang, name, marks.get(str(agent_id))),
                                    callback_data=encode(ReassignAction(lead_id, agent_id)))
               for agent_id, name in choices[:MAX_KEYBOARD_BUTTONS]]
    return InlineKeyboardMarkup([buttons[i:i + 2] for i in range(0, len(buttons), 2)])
