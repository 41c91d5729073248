"""What people type after `/away`: whom (a manager may name anyone) and until when.

`/away`, `/away until friday`, `/away yarın`, `/away 2026-12-24`, `/away for 3 days`,
`/away 3 gün`, `/away cumaya kadar`, and the same after a name or an id
(`/away Ayşe until pzt`). A day is read by `core.when.parse_day`; "for N days" counts today as
the first, so the person is back on the N+1st. The name is what comes before the first
words that read as a period (a person named like a day is named by their id instead).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from core.spelling import fold
from core.when import parse_day

_FOR_DAYS = re.compile(
    r"(?:for\s+)?(\d{1,3})\s*(?:days?|d|gun|gunluk|gunlugune|gun\s+boyunca|gunlugu)")
_UNTIL = re.compile(r"(?:until|till|til|to|thru|through)\s+(.+)")
_KADAR = re.compile(r"(.+?)\s*kadar")
_DATIVE = ("'ye", "'ya", "'e", "'a", "’ye", "’ya", "’e", "’a", "ye", "ya", "e", "a")
MAX_DAYS = 365  # nobody is away longer; a bigger number is a typo


@dataclass(frozen=True)
class AwayAsk:
    """Who (the words naming them, None for oneself) and until when (None: until /back)."""

    who: str | None
    until: date | None


def read_period(text: str, *, today: date) -> date | bool | None:
    """The last day away *text* names; None for no text (until /back); False if it names
    no period."""
    words = fold(text).strip()
    if not words:
        return None
    if (days := _FOR_DAYS.fullmatch(words)) is not None:
        count = int(days.group(1))
        return today + timedelta(days=count - 1) if 0 < count <= MAX_DAYS else False
    until = _UNTIL.fullmatch(words)
    if until is not None:
        words = until.group(1)
    elif (kadar := _KADAR.fullmatch(words)) is not None:
        return _dative_day(kadar.group(1), today)
    day = parse_day(words, today=today)
    return day if day is not None else False


def _dative_day(words: str, today: date) -> date | bool:
    """`cumaya`, `yarına`, `24.12'ye`: the day before a dative suffix."""
    for suffix in ("", *_DATIVE):
        if words.endswith(suffix) and (day := parse_day(words.removesuffix(suffix) if suffix
                                                        else words, today=today)):
            return day
    return False


def parse_away(text: str, *, today: date) -> AwayAsk | None:
    """What `/away` was asked for, or None if the words after the name read as no period
    (or the day is already past)."""
    words = text.split()
    for start in range(len(words) + 1):
        until = read_period(" ".join(words[start:]), today=today)
        if until is False or until is True:
            continue
        if until is not None and until < today:
            return None
        return AwayAsk(" ".join(words[:start]) or None, until)
    return None
