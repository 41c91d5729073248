"""What intake keeps of a lead beyond its own fields, and the lenient readers it keeps them
with: no lead with a usable contact is refused for the rest (issue 17, "Never throw a lead
away").

- **extras**: fields intake has no place for, as text (a nested value as compact JSON), at
  most `EXTRAS_MAX_KEYS` of them; also the value as sent of a known field that could not be
  read (flagged `unreadable`), under the field's own name. They may hold personal data: they
  travel with the contact details and are erased with them.
- **campaign**: `CAMPAIGN_FIELDS`, for reporting.
- **consent**: `{"given": bool, "at": text, "form": text}` from a bool, a form's checkbox
  value or an object.
- **flags**: `{field: problem}`, the problem one of `Flag`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from core.amounts import Amount, parse_amount
from core.errors import DomainError

EXTRAS_MAX_KEYS = 50
EXTRA_CHARS = 1000  # an extra's value, cut with "…"
KEY_CHARS = 64  # a field's name as sent, cut with "…"
CAMPAIGN_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "gclid", "fbclid")
CAMPAIGN_CHARS = 200
CONSENT_CHARS = 120
CONSENT = "consent"
_YES = frozenset({"true", "1", "yes", "y", "on", "evet", "e", "kabul", "accepted", "given"})
_NO = frozenset({"false", "0", "no", "n", "off", "hayır", "hayir", "h", "declined"})
# A form's textarea sends CRLF; stored text has one kind of line break.
LINE_BREAK = re.compile(r"\r\n?")
# Tab and line breaks are text; other control characters are not (PostgreSQL refuses NUL).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Lone surrogates: what JSON's "\ud800" or a byte that is not UTF-8 decodes to.
SURROGATE = re.compile(r"[\ud800-\udfff]")
_UNSHOWABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


class Flag(StrEnum):
    """What was wrong with a field a lead was kept despite."""

    UNREADABLE = "unreadable"  # left out; the value as sent is in extras under its name
    CLEANED = "cleaned"  # characters that are not text were taken out, the rest kept
    CUT = "cut"  # longer than intake keeps: cut (a message beyond 64 KiB)
    UNKNOWN = "unknown"  # a product no rule or roster entry of the office names
    TOO_MANY = "too_many"  # extras: only the first EXTRAS_MAX_KEYS were kept


def shown_key(name: str) -> str:
    """A field name as sent, safe to store, echo and log: escaped where not text, cut short."""
    shown = _UNSHOWABLE.sub(lambda m: ascii(m[0])[1:-1], name)
    return shown if len(shown) <= KEY_CHARS else shown[:KEY_CHARS] + "…"


def cleaned(value: str) -> tuple[str, bool]:
    """*value* with one kind of line break, without control characters and with lone
    surrogates replaced, trimmed; and whether anything but line breaks had to change."""
    value = LINE_BREAK.sub("\n", value)
    kept = SURROGATE.sub("\ufffd", CONTROL.sub("", value))
    return kept.strip(), kept != value


def cut(text: str, limit: int) -> str:
    """*text*, ending in "…" within *limit* characters when it is longer."""
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def as_text(value: object, limit: int = EXTRA_CHARS) -> str:
    """Any JSON value as text to keep: a string as it is, anything else as compact JSON;
    cleaned and cut to *limit*."""
    if not isinstance(value, str):
        value = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return cut(cleaned(value)[0], limit)


def read_extras(items: Iterable[tuple[str, object]], flags: dict[str, str]) -> dict[str, str]:
    """The fields intake has no place for, as text, the first EXTRAS_MAX_KEYS of them (the
    rest flagged); blank ones left out."""
    extras: dict[str, str] = {}
    for name, value in items:
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if len(extras) == EXTRAS_MAX_KEYS:
            flags["extras"] = Flag.TOO_MANY
            break
        extras[shown_key(name)] = as_text(value)
    return extras


def read_campaign(payload: dict[str, object]) -> dict[str, str]:
    """The campaign fields the sender gave, as text."""
    return {name: as_text(payload[name], CAMPAIGN_CHARS) for name in CAMPAIGN_FIELDS
            if payload.get(name) not in (None, "")}


def read_consent(value: object, flags: dict[str, str],
                 extras: dict[str, str]) -> dict[str, Any] | None:
    """Consent as `{"given", "at", "form"}` from a bool, a checkbox's text or an object with
    those keys (any others kept beside them as text); unreadable: flagged, kept as sent."""
    if value is None or value == "":
        return None
    if isinstance(value, dict):
        given = _yes_or_no(value.get("given"))
        if given is None and value.get("given") is not None:
            flags[CONSENT] = Flag.UNREADABLE
            extras[CONSENT] = as_text(value)
        consent: dict[str, Any] = {"given": given}
        for key, item in list(value.items())[:10]:
            if key != "given" and item is not None:
                consent[shown_key(str(key))] = as_text(item, CONSENT_CHARS)
        return consent
    given = _yes_or_no(value)
    if given is None:
        flags[CONSENT] = Flag.UNREADABLE
        extras[CONSENT] = as_text(value)
        return None
    return {"given": given}


def _yes_or_no(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        return True if word in _YES else False if word in _NO else None
    return None


def read_amount(value: object, *, cap: int) -> Amount | None:
    """An amount or range however it is written (core/amounts.py), or a JSON number; None
    when blank; ValueError when it is not one, or not between 0 and *cap*."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError("is not an amount")
    if isinstance(value, int | float):
        if value != value or not 0 <= value <= cap:  # NaN is not equal to itself
            raise ValueError(f"is not an amount between 0 and {cap}")
        return Amount(int(value), int(value))
    if not isinstance(value, str):
        raise ValueError("is not an amount")
    try:
        amount = parse_amount(value, cap=cap)
    except DomainError:
        raise ValueError(f"is not an amount between 0 and {cap}") from None
    if amount is None:
        raise ValueError("is not an amount")
    return amount
