"""The leads of a period read page by page for an export, and the log of every export
(`uow.exports`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol


class ExportChannel(StrEnum):
    """Where an export went: a manager's chat, or the command line on the server."""

    CHAT = "chat"
    CLI = "cli"


@dataclass(frozen=True)
class ExportRow:
    """One lead as the export writes it: its fields, its owner and its offers counted."""

    id: int
    received_at: datetime
    source: str
    name: str | None
    phone: str | None
    email: str | None
    product: str | None
    region: str | None
    budget_min: int | None
    budget_max: int | None
    temperature: str
    score: int
    lead_type: str | None
    status: str
    stage: str
    owner: str | None  # the owner's name
    team: str | None  # the owner's team now
    accepted_at: datetime | None
    contacted_at: datetime | None
    offers: int  # offers that were their agent's to answer (as /stats counts them)
    declines: int
    lapses: int  # of them, let run out
    amount: int | None
    offer_amount: int | None
    lost_reason: str | None
    closed_at: datetime | None
    campaign: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ExportEntry:
    """One export in the log: who made it, when, of which period, and how much it held."""

    by_id: int | None  # the manager who asked in chat; None on the command line
    by_name: str | None  # the command line's login name
    at: datetime
    period_start: datetime
    period_end: datetime
    rows: int
    size: int  # the CSV's bytes (before any zip)
    channel: ExportChannel
    id: int = 0


class ExportRepository(Protocol):
    """The leads received in a period, a page at a time, and the exports' log."""

    async def page(self, start: datetime, end: datetime, *,
                   after: tuple[datetime, int] | None, limit: int) -> list[ExportRow]:
        """Up to *limit* leads received in [start, end), by arrival then id, after the
        (received_at, id) *after* (None: from the first)."""
        ...

    async def record(self, entry: ExportEntry) -> int:
        """Log *entry*; its new id."""
        ...

    async def latest(self, limit: int) -> list[ExportEntry]:
        """The last *limit* exports, newest first."""
        ...
