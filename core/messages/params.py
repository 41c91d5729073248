"""The base of every template's parameters, and the lead as anyone may see it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, Self, get_type_hints

from core.model import Lead

# A field's metadata for a key added later with a default: left out of the stored row while it
# has its default, so a row that does not need it is the same as one written before it.
OMIT_DEFAULT: Mapping[str, bool] = {"omit_default": True}
# What a message carries of the contact's message and of each extra: more than any view
# shows of them (bot/render/card.py).
_MESSAGE_KEPT = 1000
_EXTRA_KEPT = 300


@dataclass(frozen=True)
class Params:
    """A template's parameters, stored flat: a nested record's keys sit beside the others."""

    _TYPED: ClassVar[tuple[tuple[str, Any], ...] | None] = None

    def to_json(self) -> dict[str, Any]:
        """The flat JSON object stored in the outbox."""
        flat: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.metadata.get("omit_default") and value == f.default:
                continue
            if isinstance(value, Params):
                flat.update(value.to_json())
            else:
                flat[f.name] = value
        return flat

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        """The record a stored row holds; keys it does not know are left aside."""
        values: dict[str, Any] = {}
        for name, kind in cls._typed_fields():
            if isinstance(kind, type) and issubclass(kind, Params):
                values[name] = kind.from_json(data)
            elif name in data:
                values[name] = data[name]
        return cls(**values)

    @classmethod
    def carries_contact(cls) -> bool:
        """Whether the record holds how to reach the person (a ContactDetails field)."""
        return any(kind is ContactDetails for _, kind in cls._typed_fields())

    @classmethod
    def _typed_fields(cls) -> tuple[tuple[str, Any], ...]:
        """Each field's name and resolved type, worked out once per record class."""
        known: tuple[tuple[str, Any], ...] | None = cls.__dict__.get("_TYPED")
        if known is None:
            hints = get_type_hints(cls)
            known = tuple((f.name, hints[f.name]) for f in fields(cls))
            cls._TYPED = known
        return known


@dataclass(frozen=True)
class LeadSummary(Params):
    """What an agent may see before accepting: everything but how to reach the person."""

    lead_id: int
    temperature: str
    score: int
    product: str | None = None
    region: str | None = None
    budget_min: int | None = None
    budget_max: int | None = None
    timing: str | None = None
    source: str | None = None
    first_name: str | None = None
    missing: list[str] = field(default_factory=list)
    returning: bool = False
    received_at: str | None = None
    company: str | None = None
    intent: str | None = None

    @classmethod
    def of(cls, lead: Lead) -> LeadSummary:
        """The summary of *lead*."""
        return cls(
            lead_id=lead.id, temperature=lead.temperature.value, score=lead.score,
            product=lead.product, region=lead.region, budget_min=lead.budget_min,
            budget_max=lead.budget_max, timing=lead.timing, source=lead.source,
            first_name=lead.name.split()[0] if lead.name else None,
            missing=list(lead.missing), returning=lead.returning,
            received_at=lead.received_at.isoformat(), company=lead.company,
            intent=lead.intent)


@dataclass(frozen=True)
class ContactDetails(Params):
    """How to reach the person: only for the lead's owner and the managers."""

    name: str | None = None
    phone: str | None = None
    email: str | None = None
    message: str | None = None
    # What intake kept besides, which may name the person too; and the fields it was kept
    # despite (core/lead_extras.py). Left out of rows while empty.
    extras: dict[str, str] | None = field(default=None, metadata=OMIT_DEFAULT)
    consent: dict[str, Any] | None = field(default=None, metadata=OMIT_DEFAULT)
    flags: dict[str, str] | None = field(default=None, metadata=OMIT_DEFAULT)

    @classmethod
    def of(cls, lead: Lead) -> ContactDetails:
        """The contact details of *lead*."""
        # Cut to what a card can show, so that a row does not carry 64 KiB to each edit.
        message = lead.message if lead.message is None or len(lead.message) <= _MESSAGE_KEPT \
            else lead.message[:_MESSAGE_KEPT - 1] + "…"
        extras = {name: value if len(value) <= _EXTRA_KEPT else value[:_EXTRA_KEPT - 1] + "…"
                  for name, value in lead.extras.items()}
        return cls(name=lead.name, phone=lead.phone, email=lead.email, message=message,
                   extras=extras or None, consent=lead.consent, flags=dict(lead.flags) or None)
