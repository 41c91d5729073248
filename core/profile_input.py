"""Reading what a manager types or picks for a field of someone's profile: a list of
territories, a capacity, working hours like `mon-fri 09:00-18:00` (`pzt-cum 9:00-18:00`).

Each reader gives the value the field takes, or raises BadProfileValue naming the field;
the value is then checked once more by AgentProfile itself, as leadrelay.yaml's is.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any, get_args

from pydantic import ValidationError

from core.config.office import Language
from core.errors import BadProfileValue
from core.model import AgentProfile, Role, Tier, Weekday, WorkingHours
from core.spelling import fold
from core.when import weekday_of


class ProfileField(StrEnum):
    """What a profile edit changes: a field of AgentProfile, or the person's name, language
    or role."""

    NAME = "name"
    TEAM = "team"
    TERRITORIES = "territories"
    SPECIALTIES = "specialties"
    CAPACITY = "capacity"
    WEIGHT = "weight"
    HOURS = "hours"
    TIER = "tier"
    BACKUP = "backup"
    LANGUAGE = "language"
    ROLE = "role"


# Answered by typing (a question waits in the chat), the rest by a button.
TYPED = frozenset({ProfileField.NAME, ProfileField.TEAM, ProfileField.TERRITORIES,
                   ProfileField.SPECIALTIES, ProfileField.CAPACITY, ProfileField.WEIGHT,
                   ProfileField.HOURS})
# What anyone may set for themselves (/settings); everything else is a manager's.
SELF_SERVICE = frozenset({ProfileField.HOURS, ProfileField.LANGUAGE})
LANGUAGES: tuple[str, ...] = get_args(Language)
AUTO_TIER = "auto"  # the tier choice that drops a set tier: earned (or B until enough data)
NOBODY = "none"  # the backup choice of nobody
# What clears a field that may be empty (no team, no limit, hours of the office).
_CLEAR = {"-", "–", "—", "none", "no", "yok", "sil", "clear", "hicbiri"}
_MAX_TEXT = 64
_MAX_ITEMS = 30
_HOURS = re.compile(r"^(?P<days>.*?)\s*(?P<h1>\d{1,2})[:.](?P<m1>\d{2})\s*[-–—]\s*"
                    r"(?P<h2>\d{1,2})[:.](?P<m2>\d{2})$")
_WEEK = list(Weekday)


def clears(text: str) -> bool:
    """Whether *text* asks for the field to be emptied."""
    return fold(text.strip()) in _CLEAR


def read_typed(field: ProfileField, text: str) -> Any:
    """The value typed *text* gives *field* (None: emptied); BadProfileValue if none."""
    text = " ".join(text.split())
    shown = text[:40]
    if field is ProfileField.NAME:
        if not text or len(text) > _MAX_TEXT or clears(text):
            raise BadProfileValue(field.value, shown)
        return text
    if clears(text):
        return [] if field in (ProfileField.TERRITORIES, ProfileField.SPECIALTIES) else None
    if field is ProfileField.TEAM:
        if len(text) > _MAX_TEXT:
            raise BadProfileValue(field.value, shown)
        return text
    if field in (ProfileField.TERRITORIES, ProfileField.SPECIALTIES):
        # One of each, however it is spelt: routing compares them folded anyway.
        folded: dict[str, str] = {}
        for part in (p.strip() for p in text.split(",")):
            if part:
                folded.setdefault(fold(part), part)
        items = list(folded.values())
        if not items or len(items) > _MAX_ITEMS or any(len(i) > _MAX_TEXT for i in items):
            raise BadProfileValue(field.value, shown)
        return items
    if field is ProfileField.CAPACITY:
        if not text.isascii() or not text.isdigit():
            raise BadProfileValue(field.value, shown)
        return int(text)
    if field is ProfileField.WEIGHT:
        try:
            return float(text.replace(",", ".")) if text.isascii() else None
        except ValueError:
            raise BadProfileValue(field.value, shown) from None
    if field is ProfileField.HOURS:
        hours = read_hours(text)
        if hours is None:
            raise BadProfileValue(field.value, shown)
        return hours
    raise BadProfileValue(field.value, shown)  # a choice, never typed


def read_hours(text: str) -> WorkingHours | None:
    """Working hours as people write them: `mon-fri 09:00-18:00`, `pzt,çar,cum 10.00-16.00`,
    or only the times for Monday to Friday; None if *text* is none of these."""
    found = _HOURS.match(fold(text.strip()))
    if found is None:
        return None
    days: list[Weekday] = []
    for part in re.split(r"[,\s]+", found["days"].strip()):
        if not part:
            continue
        ends = [day for word in re.split(r"[-–—]", part)
                if (day := weekday_of(word)) is not None]
        if len(ends) != len(re.split(r"[-–—]", part)) or len(ends) > 2:
            return None
        first, last = ends[0], ends[-1]
        span = (last - first) % 7 + 1  # `fri-mon` wraps over the weekend
        days += [_WEEK[(first + step) % 7] for step in range(span)]
    try:
        return WorkingHours.model_validate({
            **({"days": list(dict.fromkeys(days))} if days else {}),
            "start": f"{int(found['h1']):02d}:{found['m1']}",
            "end": f"{int(found['h2']):02d}:{found['m2']}"})
    except ValidationError:
        return None


def read_choice(field: ProfileField, choice: str) -> Any:
    """The value a button's *choice* gives *field*; BadProfileValue if it gives none."""
    if field is ProfileField.TIER and (choice == AUTO_TIER or choice in Tier.__members__):
        return None if choice == AUTO_TIER else Tier(choice)
    if field is ProfileField.LANGUAGE and choice in LANGUAGES:
        return choice
    if field is ProfileField.ROLE and choice in {r.value for r in Role}:
        return Role(choice)
    if field is ProfileField.BACKUP:
        if choice == NOBODY:
            return None
        if choice.isascii() and choice.isdigit():
            return int(choice)
    raise BadProfileValue(field.value, choice[:40])


def with_field(profile: AgentProfile, field: ProfileField, value: Any,
               **more: Any) -> AgentProfile:
    """*profile* with *field* (and *more*) set, checked by AgentProfile as the YAML is."""
    try:
        return AgentProfile.model_validate(
            {**profile.model_dump(), field.value: value, **more})
    except ValidationError:
        raise BadProfileValue(field.value, str(value)[:40]) from None
