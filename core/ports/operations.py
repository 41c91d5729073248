"""What `/metrics` and `/readyz` read: the office's figures as the database holds them now,
whether the database answers, and whether the Telegram Bot API does."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol


class DeliveryErrorKind(StrEnum):
    """What kind of trouble a Telegram delivery met, for operators to tell apart."""

    RETRY_AFTER = "retry_after"  # 429: too many messages, wait
    FORBIDDEN = "forbidden"  # 403: blocked by the person, or the bot left the chat
    BAD_REQUEST = "bad_request"  # 400: a message Telegram will never take as it is
    NETWORK = "network"  # no answer, a timeout, a 5xx: worth another try
    OTHER = "other"


@dataclass(frozen=True)
class Snapshot:
    """Every figure /metrics reports, as the database held them at one moment."""

    leads_by_source: dict[str, int] = field(default_factory=dict)
    leads_by_status: dict[str, int] = field(default_factory=dict)
    offers_by_status: dict[str, int] = field(default_factory=dict)
    # Only offers that were their agent's to answer: not a lost or unclaimed pool offer, not
    # one Telegram refused to deliver (as in /stats).
    answerable_by_status: dict[str, int] = field(default_factory=dict)
    escalations: int = 0
    outbox_backlog: int = 0
    outbox_oldest_unsent: datetime | None = None
    outbox_sent: int = 0
    outbox_failed: int = 0
    delivery_errors: dict[str, int] = field(default_factory=dict)
    audit: dict[str, int] = field(default_factory=dict)  # the auditor's running totals
    # Payloads that could not become leads, by reason: those kept and those since purged.
    intake_failures: dict[str, int] = field(default_factory=dict)

    @property
    def offers(self) -> int:
        """Every offer ever made, whatever became of it."""
        return sum(self.offers_by_status.values())

    def outbox_lag(self, now: datetime) -> float:
        """Seconds the oldest unsent message has waited at *now*; 0 when none waits."""
        if self.outbox_oldest_unsent is None:
            return 0.0
        return max(0.0, (now - self.outbox_oldest_unsent).total_seconds())


class OfficeFigures(Protocol):
    """Aggregate reads for /metrics and /readyz; each one short and read-only."""

    async def ping(self) -> None:
        """Run a trivial query; raises if the database does not answer."""
        ...

    async def snapshot(self) -> Snapshot:
        """Every figure, read in one transaction."""
        ...


class InstanceHealth(Protocol):
    """Whether this instance's own work runs: the loops that send, sweep and audit."""

    def problems(self) -> dict[str, str]:
        """What has stopped, by name, and why; empty when everything runs."""
        ...


class BotApiHealth(Protocol):
    """Whether the Telegram Bot API answers this bot now."""

    async def problem(self) -> str | None:
        """None when it answers (or did lately); otherwise why it does not, in one line."""
        ...
