"""The buttons of moving a lead by hand and their callback data (each within Telegram's 64
bytes, `keyboards.fits_a_button`): /reassign's agents and reasons
(`H:<lead>:<owner>:<a|f>`, `h:<lead>:<owner>:<agent>[:<reason>]`; the owner it was chosen
from, so that a second manager's choice made meanwhile loses), and an owner's Return with
its reasons (`g:<lead>[:<reason>]`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import t_raw
from bot.keyboards import assign_keyboard, fits_a_button, parse_id
from core.model import ReassignReason, ReturnReason

# The codes are stored in sent keyboards: never reuse one.
_REASSIGN = {"n": ReassignReason.NOT_CONTACTED, "c": ReassignReason.CUSTOMER_ASKED,
             "f": ReassignReason.BETTER_FIT, "w": ReassignReason.WORKLOAD,
             "o": ReassignReason.OTHER}
_RETURN = {"a": ReturnReason.NOT_MY_AREA, "u": ReturnReason.CANT_REACH,
           "b": ReturnReason.TOO_BUSY, "c": ReturnReason.CONFLICT, "o": ReturnReason.OTHER}
_REASSIGN_CODE = {reason: code for code, reason in _REASSIGN.items()}
_RETURN_CODE = {reason: code for code, reason in _RETURN.items()}


@dataclass(frozen=True)
class ReassignList:
    """Show /reassign's agents again: the available ones, or everyone (Show all)."""

    lead_id: int
    owner_id: int
    everyone: bool


@dataclass(frozen=True)
class ReassignPick:
    """A manager's choice of agent for an owned lead (its reasons next), or, with a
    *reason*, the reassignment itself."""

    lead_id: int
    owner_id: int
    agent_id: int
    reason: ReassignReason | None = None


@dataclass(frozen=True)
class ReturnPress:
    """Return, pressed on the owner's card (its reasons next), or one of its reasons."""

    lead_id: int
    reason: ReturnReason | None = None


Handover = ReassignList | ReassignPick | ReturnPress


def encode_handover(action: Handover) -> str:
    """Pack a hand-over action into callback data."""
    if isinstance(action, ReassignList):
        data = f"H:{action.lead_id}:{action.owner_id}:{'a' if action.everyone else 'f'}"
    elif isinstance(action, ReassignPick):
        data = f"h:{action.lead_id}:{action.owner_id}:{action.agent_id}"
        if action.reason is not None:
            data += f":{_REASSIGN_CODE[action.reason]}"
    else:
        data = f"g:{action.lead_id}"
        if action.reason is not None:
            data += f":{_RETURN_CODE[action.reason]}"
    return fits_a_button(data)


def decode_handover(data: str) -> Handover | None:
    """The hand-over action callback data *data* holds, or None if it holds none."""
    parts = data.split(":")
    ids = [parse_id(part) for part in parts[1:]]
    if parts[0] == "g" and len(parts) in (2, 3) and ids[0] is not None:
        if len(parts) == 2:
            return ReturnPress(ids[0])
        given = _RETURN.get(parts[2])
        return ReturnPress(ids[0], given) if given is not None else None
    if parts[0] == "H" and len(parts) == 4 and None not in ids[:2] and parts[3] in ("a", "f"):
        lead_id, owner_id = _ints(ids[:2])
        return ReassignList(lead_id, owner_id, parts[3] == "a")
    if parts[0] == "h" and len(parts) in (4, 5) and None not in ids[:3]:
        lead_id, owner_id, agent_id = _ints(ids[:3])
        if len(parts) == 4:
            return ReassignPick(lead_id, owner_id, agent_id)
        why = _REASSIGN.get(parts[4])
        return ReassignPick(lead_id, owner_id, agent_id, why) if why is not None else None
    return None


def _ints(values: Sequence[int | None]) -> list[int]:
    return [value for value in values if value is not None]


def reassign_agents(lang: str, lead_id: int, owner_id: int, choices: Sequence[tuple[int, str]],
                    *, marks: Mapping[str, str] | None = None,
                    everyone: bool = False) -> InlineKeyboardMarkup:
    """Whom to give an owned lead to: the assign list (the available first, the rest behind
    Show all), each button leading to the reasons."""
    return assign_keyboard(
        lead_id, choices, lang=lang, marks=marks, everyone=everyone,
        pick=lambda agent_id: encode_handover(ReassignPick(lead_id, owner_id, agent_id)),
        show=lambda all_: encode_handover(ReassignList(lead_id, owner_id, all_)))


def reassign_reasons(lang: str, lead_id: int, owner_id: int,
                     agent_id: int) -> InlineKeyboardMarkup:
    """Why the lead moves: one button per reason, two to a row, and Back to the agents."""
    buttons = [InlineKeyboardButton(
        t_raw(lang, f"reassign_reason.{reason.value}"),
        callback_data=encode_handover(ReassignPick(lead_id, owner_id, agent_id, reason)))
        for reason in ReassignReason]
    back = InlineKeyboardButton(t_raw(lang, "button.back"), callback_data=encode_handover(
        ReassignList(lead_id, owner_id, False)))
    return InlineKeyboardMarkup([*(buttons[i:i + 2] for i in range(0, len(buttons), 2)),
                                 [back]])


def return_button(lang: str, lead_id: int) -> InlineKeyboardButton:
    """Return, on the owner's card."""
    return InlineKeyboardButton(t_raw(lang, "button.give_back"),
                                callback_data=encode_handover(ReturnPress(lead_id)))


def return_reasons(lang: str, lead_id: int, back: str) -> InlineKeyboardMarkup:
    """Why the owner hands the lead back, one button per reason, and *back* (the card's own
    Back, which shows the card as it is)."""
    buttons = [InlineKeyboardButton(
        t_raw(lang, f"return_reason.{reason.value}"),
        callback_data=encode_handover(ReturnPress(lead_id, reason))) for reason in ReturnReason]
    return InlineKeyboardMarkup([buttons[:2], buttons[2:4], buttons[4:],
                                 [InlineKeyboardButton(t_raw(lang, "button.back"),
                                                       callback_data=back)]])
