"""The names of sent messages, `<prefix>:<id>[:<id>]`, by which a later message edits an
earlier one; stored in outbox rows, so never renamed."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import ClassVar, Self


@dataclass(frozen=True)
class Ref:
    """A name for a sent message, `<prefix>:<id>[:<id>]`, so a later row can edit it."""

    PREFIX: ClassVar[str]

    def format(self) -> str:
        """The reference as it is stored."""
        return ":".join([self.PREFIX, *(str(getattr(self, f.name)) for f in fields(self))])

    @classmethod
    def parse(cls, text: str | None) -> Self | None:
        """The reference *text* names, if it is one of this kind."""
        if text is None:
            return None
        prefix, *parts = text.split(":")
        names = [f.name for f in fields(cls)]
        if prefix != cls.PREFIX or len(parts) != len(names):
            return None
        try:
            return cls(**{name: int(part) for name, part in zip(names, parts, strict=True)})
        except ValueError:
            return None


@dataclass(frozen=True)
class OfferRef(Ref):
    """An offer's message in its agent's chat, which Accept, Decline and expiry edit."""

    PREFIX: ClassVar[str] = "offer"
    offer_id: int


@dataclass(frozen=True)
class RoundRef(Ref):
    """A claim pool round's one message in its group, edited once claimed or lapsed."""

    PREFIX: ClassVar[str] = "pool"
    lead_id: int
    sequence: int


@dataclass(frozen=True)
class EscalationRef(Ref):
    """An escalated lead in one manager's chat, edited once someone assigns it."""

    PREFIX: ClassVar[str] = "esc"
    lead_id: int
    manager_id: int


@dataclass(frozen=True)
class AssignmentRef(Ref):
    """The message that gave an agent a lead a manager assigned to them."""

    PREFIX: ClassVar[str] = "lead"
    lead_id: int
    agent_id: int


@dataclass(frozen=True)
class CardRef(Ref):
    """A lead's card in one chat, the *seq*-th sent there: every change edits the newest."""

    PREFIX: ClassVar[str] = "card"
    lead_id: int
    chat_id: int
    seq: int


@dataclass(frozen=True)
class ReminderRef(Ref):
    """The *number*-th reminder of a task (a snoozed task is reminded of again)."""

    PREFIX: ClassVar[str] = "rem"
    task_id: int
    number: int


@dataclass(frozen=True)
class MissRef(Ref):
    """A missed first contact (its clock's task) in one manager's chat, edited once the lead
    moves on."""

    PREFIX: ClassVar[str] = "miss"
    task_id: int
    manager_id: int


@dataclass(frozen=True)
class TeamPostRef(Ref):
    """The *number*-th announcement of an escalated lead in the team's group, edited once a
    manager assigns it."""

    PREFIX: ClassVar[str] = "team"
    lead_id: int
    number: int


@dataclass(frozen=True)
class DigestRef(Ref):
    """A manager's morning digest of an office day (`20261123`), which Monday's charts
    answer."""

    PREFIX: ClassVar[str] = "digest"
    day: int
    manager_id: int


REFS: tuple[type[Ref], ...] = (OfferRef, RoundRef, EscalationRef, AssignmentRef, CardRef,
                               ReminderRef, MissRef, TeamPostRef, DigestRef)


def parse_ref(text: str | None) -> Ref | None:
    """Whichever reference *text* is, if any."""
    return next((ref for kind in REFS if (ref := kind.parse(text)) is not None), None)


