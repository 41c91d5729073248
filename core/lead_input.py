"""Validating and normalising an incoming lead before it touches storage."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

import phonenumbers

from core.config import Fit, IntentLevel
from core.errors import FieldProblem, InvalidInput

FIELDS = (
    "name", "phone", "email", "product", "region", "postal_code", "budget_min", "budget_max",
    "timing", "message", "external_id", "language", "tags", "company", "intent", "fit",
)
MAX_LENGTH = {"name": 120, "phone": 40, "email": 254, "product": 60, "region": 120,
               "postal_code": 12, "timing": 60, "message": 2000, "external_id": 128,
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
# A form's textarea sends CRLF; stored text has one kind of line break.
_LINE_BREAK = re.compile(r"\r\n?")
# Tab and line breaks are text; other control characters are not (PostgreSQL refuses NUL).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Lone surrogates: what JSON's "\ud800" or a byte that is not UTF-8 decodes to.
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_UNSHOWABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_SHOWN_NAME = 64
# Without these the lead cannot be routed well; it is still taken, but flagged.
ROUTING_FIELDS = ("product", "region", "budget", "timing")


@dataclass(frozen=True)
class LeadInput:
    """A lead's fields after validation: phone in E.164, e-mail lower-cased."""

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


def _text(value: object, field: str, problems: list[FieldProblem]) -> str | None:
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        problems.append(FieldProblem(field, "must be a string"))
        return None
    problem = _text_problem(value)
    if problem is not None:
        problems.append(FieldProblem(field, problem))
        return None
    value = _LINE_BREAK.sub("\n", value).strip()
    if not value:
        return None
    if len(value) > MAX_LENGTH[field]:
        problems.append(FieldProblem(field, f"is longer than {MAX_LENGTH[field]} characters"))
        return None
    return value


def clean_text(value: str, field: str) -> str | None:
    """One typed text *field* as intake keeps it: line breaks made one kind, trimmed, None
    when blank; ValueError saying why it cannot be kept (too long, a control character)."""
    problems: list[FieldProblem] = []
    cleaned = _text(value, field, problems)
    if problems:
        raise ValueError(problems[0].problem)
    return cleaned


def _text_problem(value: str) -> str | None:
    """Why *value* cannot be stored as text, if it cannot."""
    if _SURROGATE.search(value):
        return "is not valid Unicode text"
    if _CONTROL.search(value):
        return "contains a control character (only tab and line breaks are allowed)"
    return None


def _shown(name: str) -> str:
    """A field name as sent, safe to echo and log: escaped where not text, and cut short."""
    shown = _UNSHOWABLE.sub(lambda m: ascii(m[0])[1:-1], name)
    return shown if len(shown) <= _SHOWN_NAME else shown[:_SHOWN_NAME] + "…"


def _amount(value: object, field: str, problems: list[FieldProblem]) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        problems.append(FieldProblem(field, "must be a number"))
        return None
    if isinstance(value, str):
        cleaned = value.strip().replace(",", "").replace("_", "").replace(" ", "")
        try:
            value = float(cleaned)
        except ValueError:
            problems.append(FieldProblem(field, "must be a number"))
            return None
    if not isinstance(value, int | float):
        problems.append(FieldProblem(field, "must be a number"))
        return None
    if (isinstance(value, float) and not math.isfinite(value)) or not 0 <= value <= MAX_BUDGET:
        problems.append(FieldProblem(field, f"must be between 0 and {MAX_BUDGET}"))
        return None
    return int(value)


def validate_lead(payload: Mapping[str, object], *, default_region: str) -> LeadInput:
    """Check every field of *payload*, raising InvalidInput that names each one at fault."""
    problems: list[FieldProblem] = []
    unknown = sorted(set(payload) - set(FIELDS))
    problems.extend(FieldProblem(_shown(name), "is not a known field") for name in unknown)
    text = {f: _text(payload.get(f), f, problems) for f in FIELDS if f not in
            ("budget_min", "budget_max", "tags")}
    tags = _tags(payload.get("tags"), problems)
    budget_min = _amount(payload.get("budget_min"), "budget_min", problems)
    budget_max = _amount(payload.get("budget_max"), "budget_max", problems)
    if budget_min is not None and budget_max is not None and budget_min > budget_max:
        problems.append(FieldProblem("budget_max", "must not be below budget_min"))
    phone = email = None
    if text["phone"]:
        try:
            phone = normalize_phone(text["phone"], default_region)
        except ValueError as exc:
            problems.append(FieldProblem("phone", str(exc)))
    if text["email"]:
        try:
            email = normalize_email(text["email"])
        except ValueError as exc:
            problems.append(FieldProblem("email", str(exc)))
    if not text["phone"] and not text["email"] and not any(
        p.field in ("phone", "email") for p in problems
    ):
        problems.append(FieldProblem("phone", "phone or email is required"))
    intent = text["intent"].lower().replace(" ", "_").replace("-", "_") if text["intent"] else None
    if intent is not None and intent not in INTENTS:
        problems.append(FieldProblem("intent", "must be one of " + ", ".join(INTENTS)))
    fit = text["fit"].lower() if text["fit"] else None
    if fit is not None and fit not in set(Fit):
        problems.append(FieldProblem("fit", "must be strong or weak"))
    if problems:
        raise InvalidInput(problems)
    return LeadInput(
        name=text["name"], phone=phone, email=email, product=text["product"],
        region=text["region"], budget_min=budget_min, budget_max=budget_max,
        timing=text["timing"], message=text["message"], external_id=text["external_id"],
        postal_code=text["postal_code"], language=text["language"], tags=tags,
        company=text["company"], intent=intent, fit=fit,
    )


def _tags(value: object, problems: list[FieldProblem]) -> tuple[str, ...]:
    """Tags as a list of strings, or one comma-separated string (what an HTML form sends)."""
    if value is None:
        return ()
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(t, str) for t in items):
        problems.append(FieldProblem("tags", "must be a list of strings"))
        return ()
    problem = next((p for p in map(_text_problem, items) if p is not None), None)
    if problem is not None:
        problems.append(FieldProblem("tags", problem))
        return ()
    tags = tuple(dict.fromkeys(t.strip() for t in items if t.strip()))
    if len(tags) > _MAX_TAGS or any(len(t) > 40 for t in tags):
        problems.append(FieldProblem("tags", f"at most {_MAX_TAGS} tags of 40 characters"))
        return ()
    return tags
