"""The buttons of /agents, a profile and /settings, and their callback data (at most 64 bytes):

`T:l:<page>` a page of the team, `T:p:<id>` a profile, `T:e:<id>:<field>` edit a field (a typed
question or the field's choices), `T:v:<id>:<field>:<choice>` a choice, `T:b:<id>:<page>` a
page of the backup picker, `T:a:<id>:<choice>` away (`m` the choices, a number of days, `0`
until back, `b` back), `T:d:<id>` deactivate (asks first); `U:` instead of `T:` for the same
presses on /settings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import t_raw
from bot.keyboards import fits_a_button, parse_id
from core.model import Role, Tier
from core.profile_input import AUTO_TIER, LANGUAGES, NOBODY, ProfileField
from core.roster_view import RosterLine, RosterPage

PROFILE, SETTINGS = "T", "U"  # which message a press came from: a profile, or /settings
_CODES = {"l": "page", "p": "profile", "e": "edit", "v": "set", "b": "backups", "a": "away",
          "d": "deactivate"}
# What a manager can pick from a profile's Away…: days away (today the first), until back,
# or back now.
AWAY_CHOICES = ("1", "3", "7", "14", "0", "b")
_CODE_OF = {action: code for code, action in _CODES.items()}
_FIELDS = frozenset(field.value for field in ProfileField)
_CHOICE = re.compile(r"[A-Za-z0-9_]{1,20}")
# The fields a manager edits from a profile, two to a row, in this order.
_PROFILE_FIELDS = (ProfileField.NAME, ProfileField.ROLE, ProfileField.TEAM,
                   ProfileField.TERRITORIES, ProfileField.SPECIALTIES, ProfileField.CAPACITY,
                   ProfileField.WEIGHT, ProfileField.TIER, ProfileField.HOURS,
                   ProfileField.BACKUP, ProfileField.LANGUAGE)


@dataclass(frozen=True)
class RosterAction:
    """A press on the team list, a profile or /settings."""

    view: str  # PROFILE or SETTINGS: the message to show again after the press
    action: str  # page | profile | edit | set | backups | away | deactivate
    number: int  # the page (page), else whose profile
    field: ProfileField | None = None
    choice: str = ""  # set: the value picked; backups: the page; away: one of AWAY_CHOICES


def encode_roster(action: RosterAction) -> str:
    """Pack a press into callback data."""
    parts = [action.view, _CODE_OF[action.action], str(action.number)]
    if action.field is not None:
        parts.append(action.field.value)
    if action.choice:
        parts.append(action.choice)
    return fits_a_button(":".join(parts))


def decode_roster(data: str) -> RosterAction | None:
    """The press *data* holds, or None if it holds none of these."""
    parts = data.split(":")
    if len(parts) < 3 or parts[0] not in (PROFILE, SETTINGS) or parts[1] not in _CODES:
        return None
    action, number = _CODES[parts[1]], parse_id(parts[2])
    wanted = {"page": 3, "profile": 3, "edit": 4, "set": 5, "backups": 4, "away": 4,
              "deactivate": 3}[action]
    if number is None or len(parts) != wanted:
        return None
    field = None
    if action in ("edit", "set"):
        if parts[3] not in _FIELDS:
            return None
        field = ProfileField(parts[3])
    choice = (parts[4] if action == "set" else parts[3] if action in ("backups", "away")
              else "")
    if choice and not _CHOICE.fullmatch(choice):
        return None
    if action == "away" and choice not in (*AWAY_CHOICES, "m"):
        return None
    return RosterAction(parts[0], action, number, field, choice)


def _press(label: str, action: RosterAction) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=encode_roster(action))


def _pairs(buttons: list[InlineKeyboardButton]) -> list[list[InlineKeyboardButton]]:
    return [buttons[i:i + 2] for i in range(0, len(buttons), 2)]


def _pager(lang: str, page: int, pages: int, at: int) -> list[InlineKeyboardButton]:
    """‹ Previous and Next › around a page, as far as there are pages; *at* makes the action."""
    row = []
    if page > 0:
        row.append(_press(t_raw(lang, "button.page_prev"), _page_action(at, page - 1)))
    if page < pages - 1:
        row.append(_press(t_raw(lang, "button.page_next"), _page_action(at, page + 1)))
    return row


def _page_action(at: int, page: int) -> RosterAction:
    # at < 0: the team list; else the backup picker of person *at*
    return (RosterAction(PROFILE, "page", page) if at < 0
            else RosterAction(PROFILE, "backups", at, choice=str(page)))


def roster_keyboard(lang: str, page: RosterPage) -> InlineKeyboardMarkup:
    """A button per person on the page, two to a row, then the pages around it."""
    rows = _pairs([_press(line.agent.name, RosterAction(PROFILE, "profile", line.id))
                   for line in page.lines])
    pager = _pager(lang, page.page, page.pages, -1)
    return InlineKeyboardMarkup([*rows, pager] if pager else rows)


def profile_keyboard(lang: str, agent_id: int) -> InlineKeyboardMarkup:
    """What a manager can change on a profile, then back to the team."""
    rows = _pairs([_press(t_raw(lang, f"button.field.{field.value}"),
                          RosterAction(PROFILE, "edit", agent_id, field))
                   for field in _PROFILE_FIELDS])
    rows.append([_press(t_raw(lang, "button.away_menu"), RosterAction(PROFILE, "away", agent_id,
                                                                      choice="m")),
                 _press(t_raw(lang, "button.deactivate"),
                        RosterAction(PROFILE, "deactivate", agent_id))])
    rows.append([_press(t_raw(lang, "button.team_list"), RosterAction(PROFILE, "page", 0))])
    return InlineKeyboardMarkup(rows)


def away_keyboard(lang: str, agent_id: int) -> InlineKeyboardMarkup:
    """How long a manager sets someone away, or back now, then Back to the profile."""
    row = [_press(t_raw(lang, f"button.away.{choice}"),
                  RosterAction(PROFILE, "away", agent_id, choice=choice))
           for choice in AWAY_CHOICES]
    return InlineKeyboardMarkup([*_pairs(row), [_back(lang, PROFILE, agent_id)]])


def settings_keyboard(lang: str, agent_id: int) -> InlineKeyboardMarkup:
    """/settings: working hours (typed) and a button per language."""
    return InlineKeyboardMarkup([
        [_press(t_raw(lang, "button.field.hours"),
                RosterAction(SETTINGS, "edit", agent_id, ProfileField.HOURS))],
        [_press(t_raw(lang, f"button.lang.{code}"),
                RosterAction(SETTINGS, "set", agent_id, ProfileField.LANGUAGE, code))
         for code in LANGUAGES]])


def choice_keyboard(lang: str, view: str, agent_id: int,
                    field: ProfileField) -> InlineKeyboardMarkup:
    """The choices of tier, language or role, then Back to the profile."""
    if field is ProfileField.TIER:
        labels = [(tier.value, tier.value) for tier in Tier]
        labels.append((t_raw(lang, "button.tier_auto"), AUTO_TIER))
    elif field is ProfileField.LANGUAGE:
        labels = [(t_raw(lang, f"button.lang.{code}"), code) for code in LANGUAGES]
    else:
        labels = [(t_raw(lang, f"button.role.{role.value}"), role.value) for role in Role]
    row = [_press(label, RosterAction(view, "set", agent_id, field, choice))
           for label, choice in labels]
    return InlineKeyboardMarkup([*_pairs(row), [_back(lang, view, agent_id)]])


def backup_keyboard(lang: str, agent_id: int, page: RosterPage) -> InlineKeyboardMarkup:
    """Everyone active but the person, two to a row, Nobody, the pages, and Back."""
    people = [line for line in page.lines if line.agent.active and line.id != agent_id]
    rows = _pairs([_backup(line, agent_id) for line in people])
    rows.append([_press(t_raw(lang, "button.backup_none"), RosterAction(
        PROFILE, "set", agent_id, ProfileField.BACKUP, NOBODY))])
    pager = _pager(lang, page.page, page.pages, agent_id)
    return InlineKeyboardMarkup([*rows, *([pager] if pager else []),
                                 [_back(lang, PROFILE, agent_id)]])


def _backup(line: RosterLine, agent_id: int) -> InlineKeyboardButton:
    return _press(line.agent.name, RosterAction(PROFILE, "set", agent_id, ProfileField.BACKUP,
                                                str(line.id)))


def _back(lang: str, view: str, agent_id: int) -> InlineKeyboardButton:
    return _press(t_raw(lang, "button.back"), RosterAction(view, "profile", agent_id))
