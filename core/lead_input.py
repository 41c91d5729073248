"""Validating and normalising an incoming lead before it touches storage.

A lead with a usable contact (a valid phone or a valid e-mail) is never refused for its
other fields: a field that cannot be read is left out and flagged, its value as sent kept
in extras; text is cleaned or cut and flagged; fields intake has no place for are kept as
extras (core/lead_extras.py). Without a usable contact it is refused with InvalidInput.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

import phonenumbers

from core.config import Fit, IntentLevel
from core.errors import FieldProblem, InvalidInput
from core.lead_extras import (
    CAMPAIGN_FIELDS,
    CONSENT,
    CONTROL,
    LINE_BREAK,
    SURROGATE,
    Flag,
    as_text,
    cleaned,
    cut,
    read_amount,
    read_campaign,
    read_consent,
    read_extras,
)
from core.spelling import fold

FIELDS = (
    "name", "phone", "email", "product", "region", "postal_code", "budget_min", "budget_max",
    "timing", "message", "external_id", "language", "tags", "company", "intent", "fit",
    "budget",
)
# Kept whole up to these; a message is cut on the card, not here, up to 64 KiB.
MAX_LENGTH = {"name": 120, "phone": 40, "email": 254, "product": 60, "region": 120,
              "postal_code": 12, "timing": 60, "message": 64 * 1024, "external_id": 128,
              "language": 8, "company": 120, "intent": 32, "fit": 16}
MAX_BUDGET = 10**12
# What a B2B lead did, and how ready to buy that shows (../shared/domain.md, "B2B variant").
INTENTS: dict[str, IntentLevel] = {
    "demo_request": IntentLevel.HIGH, "pricing": IntentLevel.HIGH,
    "contact_sales": IntentLevel.HIGH, "high": IntentLevel.HIGH,
    "webinar": IntentLevel.MEDIUM, "downloads": IntentLevel.MEDIUM,
    "event": IntentLevel.MEDIUM, "medium": IntentLevel.MEDIUM,
    "download": IntentLevel.LOW, "newsletter": IntentLevel.LOW, "low": IntentLevel.LOW,
}
_MAX_TAGS = 10
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Free text: cleaned of what is not text and cut to its length, flagged either way.
_FREE_TEXT = ("name", "product", "region", "postal_code", "timing", "message", "company")
# Read whole or not at all: a cut or cleaned identifier would name something else.
_EXACT_TEXT = ("phone", "email", "external_id", "language", "intent", "fit")
# Without these the lead cannot be routed well; it is still taken, but flagged.
ROUTING_FIELDS = ("product", "region", "budget", "timing")


@dataclass(frozen=True)
class LeadInput:
    """A lead's fields after validation: phone in E.164, e-mail lower-cased; what intake
    kept besides (extras, campaign, consent) and the fields it was kept despite (flags)."""

    name: str | None
    phone: str | None
    email: str | None
    product: str | None
    region: str | None
    budget_min: int | None
    budget_max: int | None
    timing: str | None
    message: str | None
    external_id: str | None
    postal_code: str | None = None
    language: str | None = None
    tags: tuple[str, ...] = ()
    company: str | None = None
    intent: str | None = None
    fit: str | None = None
    extras: dict[str, str] = field(default_factory=dict)
    campaign: dict[str, str] = field(default_factory=dict)
    consent: dict[str, Any] | None = None
    flags: dict[str, str] = field(default_factory=dict)

    @property
    def missing(self) -> list[str]:
        """The routing fields the sender left out."""
        present = {
            "product": self.product, "region": self.region, "timing": self.timing,
            "budget": self.budget_min if self.budget_min is not None else self.budget_max,
        }
        return [f for f in ROUTING_FIELDS if present[f] is None]


def normalize_phone(raw: str, default_region: str) -> str:
    """Return *raw* in E.164, or raise ValueError saying why it is not a phone number."""
    try:
        parsed = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException as exc:
        raise ValueError("is not a phone number") from exc
    # A possible number may still be none at all (0000000000): it would join strangers.
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError("is not a valid phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def normalize_email(raw: str) -> str:
    """Return *raw* trimmed and lower-cased, or raise ValueError."""
    email = raw.strip().lower()
    if not _EMAIL.match(email):
        raise ValueError("is not an e-mail address")
    return email


def mask_phone(phone: str | None) -> str:
    """Hide all but the last three digits, for logs."""
    if not phone:
        return "-"
    return phone[:3] + "*" * max(0, len(phone) - 6) + phone[-3:]


def clean_text(value: str, field: str) -> str | None:
    """One typed text *field* as intake keeps it: line breaks made one kind, trimmed, None
    when blank; ValueError saying why it cannot be kept (too long, a control character)."""
    problem = _text_problem(value)
    if problem is not None:
        raise ValueError(problem)
    value = LINE_BREAK.sub("\n", value).strip()
    if len(value) > MAX_LENGTH[field]:
        raise ValueError(f"is longer than {MAX_LENGTH[field]} characters")
    return value or None


def _text_problem(value: str) -> str | None:
    """Why *value* cannot be stored as text, if it cannot."""
    if SURROGATE.search(value):
        return "is not valid Unicode text"
    if CONTROL.search(value):
        return "contains a control character (only tab and line breaks are allowed)"
    return None


class _Reading:
    """One payload being read: the flags and extras its fields leave."""

    def __init__(self, payload: Mapping[str, object]) -> None:
        self.payload = payload
        self.flags: dict[str, str] = {}
        self.extras: dict[str, str] = {}

    def unreadable(self, name: str) -> None:
        """Leave field *name* out, flagged, its value as sent kept in extras."""
        self.flags[name] = Flag.UNREADABLE
        self.extras[name] = as_text(self.payload[name])

    def free_text(self, name: str) -> str | None:
        """A free text field: cleaned of what is not text and cut to its length (flagged)."""
        value = self.payload.get(name)
        if value is None:
            return None
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.unreadable(name)
            return None
        text, changed = cleaned(value)
        if changed:
            self.flags[name] = Flag.CLEANED
        if len(text) > MAX_LENGTH[name]:
            text, self.flags[name] = cut(text, MAX_LENGTH[name]), Flag.CUT
        return text or None

    def exact_text(self, name: str) -> tuple[str | None, str | None]:
        """An identifier's text, and why it cannot be read if it cannot (the caller flags)."""
        value = self.payload.get(name)
        if value is None:
            return None, None
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            return None, "must be a string"
        problem = _text_problem(value)
        if problem is not None:
            return None, problem
        value = LINE_BREAK.sub("\n", value).strip()
        if len(value) > MAX_LENGTH[name]:
            return None, f"is longer than {MAX_LENGTH[name]} characters"
        return value or None, None

    def identifier(self, name: str) -> str | None:
        """An identifier, or None and the field flagged when it cannot be read."""
        value, problem = self.exact_text(name)
        if problem is not None:
            self.unreadable(name)
        return value

    def amount(self, name: str, *, cap: int) -> tuple[int, int] | None:
        """The bounds an amount field gives, or None (flagged when it cannot be read)."""
        try:
            amount = read_amount(self.payload.get(name), cap=cap)
        except ValueError:
            self.unreadable(name)
            return None
        return None if amount is None else (amount.low, amount.high)


def validate_lead(payload: Mapping[str, object], *, default_region: str,
                  products: Collection[str] = (), cap: int = MAX_BUDGET) -> LeadInput:
    """Read *payload* as a lead, flagging what cannot be read; InvalidInput naming the
    contact fields when it has neither a valid phone nor a valid e-mail.

    *products* are the office's products (folded): another product is kept, flagged. Budgets
    are read by core/amounts.py up to *cap*: `budget` gives both bounds, `budget_min` and
    `budget_max` each their own.
    """
    reading = _Reading(payload)
    phone, email = _contact(reading, default_region)
    text = {name: reading.free_text(name) for name in _FREE_TEXT}
    if text["product"] and products and fold(text["product"]) not in products:
        reading.flags.setdefault("product", Flag.UNKNOWN)
    budget_min, budget_max = _budget(reading, cap=min(cap, MAX_BUDGET))
    intent_text = reading.identifier("intent")
    intent = intent_text.lower().replace(" ", "_").replace("-", "_") if intent_text else None
    if intent is not None and intent not in INTENTS:
        intent = None
        reading.unreadable("intent")
    fit = (reading.identifier("fit") or "").lower() or None
    if fit is not None and fit not in set(Fit):
        fit = None
        reading.unreadable("fit")
    consent = read_consent(payload.get(CONSENT), reading.flags, reading.extras)
    external_id, language = reading.identifier("external_id"), reading.identifier("language")
    tags = _tags(reading)
    # Last: every field above may have left its value as sent here.
    others = [(str(name), value) for name, value in payload.items()
              if name not in FIELDS and name not in CAMPAIGN_FIELDS and name != CONSENT]
    extras = {**read_extras(others, reading.flags), **reading.extras}
    return LeadInput(
        name=text["name"], phone=phone, email=email, product=text["product"],
        region=text["region"], budget_min=budget_min, budget_max=budget_max,
        timing=text["timing"], message=text["message"],
        external_id=external_id, postal_code=text["postal_code"], language=language, tags=tags,
        company=text["company"], intent=intent, fit=fit, extras=extras,
        campaign=read_campaign(dict(payload)), consent=consent, flags=reading.flags,
    )


def _contact(reading: _Reading, default_region: str) -> tuple[str | None, str | None]:
    """The phone and e-mail; one that cannot be read is flagged if the other can, and
    without either the lead is refused, naming them."""
    found: dict[str, str | None] = {}
    problems: list[FieldProblem] = []
    for name in ("phone", "email"):
        raw, problem = reading.exact_text(name)
        found[name] = None
        if raw is not None:
            try:
                found[name] = (normalize_phone(raw, default_region) if name == "phone"
                               else normalize_email(raw))
            except ValueError as exc:
                problem = str(exc)
        if problem is not None:
            problems.append(FieldProblem(name, problem))
    if found["phone"] is None and found["email"] is None:
        raise InvalidInput(problems or [FieldProblem("phone", "phone or email is required")])
    for unread in problems:
        reading.unreadable(unread.field)
    return found["phone"], found["email"]


def _budget(reading: _Reading, *, cap: int) -> tuple[int | None, int | None]:
    """The budget's bounds: `budget` gives both, `budget_min` and `budget_max` each their
    own over it; a top below the bottom is left out, flagged."""
    low = high = None
    if (both := reading.amount("budget", cap=cap)) is not None:
        low, high = both
    if (given := reading.amount("budget_min", cap=cap)) is not None:
        low = given[0]
    if (given := reading.amount("budget_max", cap=cap)) is not None:
        high = given[1]
    if low is not None and high is not None and low > high:
        reading.unreadable("budget_max" if "budget_max" in reading.payload else "budget")
        high = None
    return low, high


def _tags(reading: _Reading) -> tuple[str, ...]:
    """Tags as a list of strings, or one comma-separated string (what an HTML form sends);
    the first ten of up to 40 characters, cleaned (flagged when any was left out)."""
    value = reading.payload.get("tags")
    if value is None:
        return ()
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(t, str) for t in items):
        reading.unreadable("tags")
        return ()
    texts = [cleaned(item) for item in items]
    tags = tuple(dict.fromkeys(text for text, _ in texts if text))
    kept = tuple(tag for tag in tags if len(tag) <= 40)[:_MAX_TAGS]
    if kept != tags:
        reading.unreadable("tags")
    elif any(changed for _, changed in texts):
        reading.flags["tags"] = Flag.CLEANED
    return kept


def known_products(names: Collection[str]) -> frozenset[str]:
    """Product names as validate_lead compares them."""
    return frozenset(fold(name.strip()) for name in names if name.strip())
