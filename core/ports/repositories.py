"""The storage the use cases need: repositories of the domain's entities, in a unit of work."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from core.digest import DigestCounts
from core.model import (
    Agent,
    Contact,
    DeclineReason,
    Lead,
    LeadEvent,
    Offer,
    OfferStatus,
    OutgoingMessage,
)
from core.ports.delivery import QueuedMessage
from core.stats import PeriodTally

# The rows of RotationRepository: what routing rules remember, the auditor's running totals.
ROUTING_STATE = "routing"
AUDIT_TOTALS = "audit"
# The import pool's release turn: held while one instance counts and releases (its state
# is empty; the count is the leads' own `released_at`).
IMPORT_POOL = "import_pool"

@dataclass(frozen=True)
class OwnerCounts:
    """An agent's owned leads: open now, and how the review period's leads went."""

    open: int
    reviewed: int
    won: int


@dataclass(frozen=True)
class OfferCounts:
    """An agent's offers: waiting now, the latest one, and recent missed deadlines."""

    pending: int
    last_offered_at: datetime | None
    misses: tuple[datetime, ...]


@dataclass(frozen=True)
class WaitingRow:
    """A lead nobody owns yet, with the agent and deadline of its newest pending offer."""

    lead: Lead
    holder_id: int | None
    deadline: datetime | None


@dataclass(frozen=True)
class PoolGroup:
    """Imported leads waiting in the import pool, of one source and file."""

    source: str
    file: str | None
    count: int


class AgentRepository(Protocol):
    """The roster with each person's chat."""

    async def list(self) -> list[Agent]:
        """Every agent and manager, in roster order."""
        ...

    async def get(self, telegram_id: int) -> Agent | None:
        """One person by Telegram id."""
        ...

    async def save(self, agent: Agent) -> None:
        """Insert or update one person."""
        ...


class ContactRepository(Protocol):
    """People, de-duplicated by phone and e-mail."""

    async def find_any(self, *, phones: Sequence[str], emails: Sequence[str]) -> list[Contact]:
        """Contacts with any of *phones* or *emails*, oldest first."""
        ...

    async def add_all(self, contacts: Sequence[Contact]) -> None:
        """Store new contacts and give each its id."""
        ...

    async def update(self, contact: Contact) -> None:
        """Save a contact's changed phone, e-mail or name."""
        ...


class LeadRepository(Protocol):
    """Leads; every change is conditional on the version read."""

    async def add_all(self, leads: Sequence[Lead]) -> None:
        """Store new leads and give each its id; a duplicate external id raises Conflict."""
        ...

    async def get(self, lead_id: int) -> Lead | None:
        """One lead by id."""
        ...

    async def lock(self, lead_id: int) -> Lead | None:
        """One lead by id, its row held until the transaction ends."""
        ...

    async def lock_all(self, lead_ids: Sequence[int]) -> dict[int, Lead]:
        """Several leads by id, each row held until the transaction ends (taken in id order)."""
        ...

    async def by_external_ids(
        self, keys: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str], Lead]:
        """The leads sources already sent, by (source, external_id)."""
        ...

    async def owners_of(self, contact_ids: Sequence[int]) -> dict[int, int]:
        """For each contact, the agent who owns its newest open lead."""
        ...

    async def with_open_lead(self, contact_ids: Sequence[int]) -> set[int]:
        """Those of these contacts with a lead new, offered, with the managers or owned."""
        ...

    async def orphaned(self) -> list[int]:
        """Leads marked as offered that have no pending offer: nobody holds them."""
        ...

    async def any_new(self) -> bool:
        """Whether a stored lead waits to be routed."""
        ...

    async def take_new(self, *, limit: int, ids: Sequence[int] | None = None) -> list[Lead]:
        """The oldest leads waiting to be routed (of *ids*, if given), each row held until
        the transaction ends; rows another transaction holds are passed over, not waited for."""
        ...

    async def nurtured_of(self, contact_ids: Sequence[int]) -> list[Lead]:
        """The leads of these contacts that sit in nurture, oldest first."""
        ...

    async def revive(self, lead_id: int) -> bool:
        """Take a lead out of nurture because its contact came back; False if it had left."""
        ...

    async def update(self, lead: Lead) -> None:
        """Save *lead* if nobody changed it since it was read, else raise Conflict."""
        ...

    async def settle_all(self, leads: Sequence[Lead]) -> None:
        """Save routing's outcome (status, escalation, close times) of locked leads, by version."""
        ...

    async def owner_counts(self, *, review_since: datetime | None) -> dict[int, OwnerCounts]:
        """Per owner: open leads, and leads received since *review_since* and won of them
        (none counted without a *review_since*: only tiers need them)."""
        ...

    async def received_since(self, starts: Mapping[int, datetime]) -> dict[int, int]:
        """Per agent in *starts*: leads they own, open or closed, taken at or after their
        start; agents with none may be left out."""
        ...

    async def open_of(self, agent_id: int, *, offset: int, limit: int) -> tuple[list[Lead], int]:
        """A page of the leads *agent_id* works now, newest first, and how many there are."""
        ...

    async def of_contacts(self, contact_ids: Sequence[int]) -> list[Lead]:
        """Every lead of these contacts, oldest first."""
        ...

    async def by_phone(self, phone: str) -> list[Lead]:
        """The leads left with this phone number (E.164), newest first."""
        ...

    async def waiting(self, *, limit: int) -> list[WaitingRow]:
        """The *limit* most urgent leads offered to someone, waiting for a manager or in
        nurture: a manager's first, then by the deadline of the newest pending offer (else
        since escalation, else arrival), then by id."""
        ...

    async def count_waiting(self) -> int:
        """How many leads are offered to someone, waiting for a manager or in nurture."""
        ...

    async def any_queued(self) -> bool:
        """Whether an imported lead waits in the import pool."""
        ...

    async def released_since(self, since: datetime) -> int:
        """How many leads the import pool released to routing after *since*."""
        ...

    async def release_queued(self, *, limit: int, at: datetime) -> list[int]:
        """Move up to *limit* of the oldest leads in the import pool to routing, released
        *at*; their ids. Rows another transaction holds are passed over, not waited for."""
        ...

    async def pool_groups(self) -> list[PoolGroup]:
        """The import pool by source and file, the largest first."""
        ...

    async def period_tally(self, start: datetime, end: datetime, *,
                           now: datetime | None = None) -> PeriodTally:
        """Figures of the leads received in [start, end), of every offer made for them and of
        the events of [start, end) (first-contact deadlines judged at *now*; None: every
        deadline passed), added up by the database, as core.stats.tally adds them up in
        memory."""
        ...

    async def digest_counts(self, start: datetime, end: datetime, *,
                            now: datetime) -> DigestCounts:
        """The morning digest's figures: the leads of [start, end), the escalations and
        missed first contacts of [start, end), and what is open at *now*, added up by the
        database as core.digest.count_digest adds them up in memory."""
        ...


class OfferRepository(Protocol):
    """Offers; the status column decides every race."""

    async def add_all(self, offers: Sequence[Offer]) -> list[Offer]:
        """Store new offers, give each its id, and return them."""
        ...

    async def get(self, offer_id: int) -> Offer | None:
        """One offer by id."""
        ...

    async def start_clock(self, offer_id: int, *, delivered_at: datetime,
                          deadline: datetime) -> bool:
        """Record delivery of a pending offer and its new deadline; False if already done."""
        ...

    async def decide(
        self,
        offer_id: int,
        *,
        status: OfferStatus,
        at: datetime,
        reason: DeclineReason | None = None,
        due_by: datetime | None = None,
    ) -> bool:
        """Close a pending offer; False if it was no longer pending (or not due by *due_by*)."""
        ...

    async def decide_all(self, offer_ids: Sequence[int], *, status: OfferStatus, at: datetime,
                         due_by: datetime | None = None) -> set[int]:
        """Close those of *offer_ids* still pending (and due by *due_by*); the ids closed."""
        ...

    async def for_lead(self, lead_id: int) -> list[Offer]:
        """Every offer made for one lead, first first."""
        ...

    async def for_leads(self, lead_ids: Sequence[int]) -> list[Offer]:
        """Every offer made for any of *lead_ids*."""
        ...

    async def overdue(self, now: datetime, *, limit: int) -> list[Offer]:
        """Pending offers whose deadline has passed, earliest first."""
        ...

    async def pending_deadlines(self) -> list[datetime]:
        """The deadline of every offer still waiting for an answer, soonest first."""
        ...

    async def pending_of(self, agent_id: int) -> list[Offer]:
        """The offers still waiting for *agent_id*'s answer, first first."""
        ...

    async def offer_counts(self, *, since: datetime) -> dict[int, OfferCounts]:
        """Per agent: pending offers, the latest offer made since *since*, and the accept
        deadlines of one-to-one offers missed since then (an unclaimed pool round is no miss)."""
        ...


class RotationRepository(Protocol):
    """What routing rules remember between decisions (pointers, weights), as JSON."""

    async def lock(self, key: str) -> dict[str, Any]:
        """Lock the row for this transaction and return what it holds."""
        ...

    async def try_lock(self, key: str) -> dict[str, Any] | None:
        """Lock the row for this transaction and return what it holds; None, at once, if
        another transaction holds it."""
        ...

    async def read(self, key: str) -> dict[str, Any]:
        """What the row holds, without locking it (empty if there is no row yet)."""
        ...

    async def save(self, key: str, state: dict[str, Any]) -> None:
        """Replace what the row holds."""
        ...


class EventRepository(Protocol):
    """A lead's history."""

    async def add(self, event: LeadEvent) -> None:
        """Record one event."""
        ...

    async def add_all(self, events: Sequence[LeadEvent]) -> None:
        """Record several events."""
        ...

    async def recent(self, lead_id: int, *, kinds: Sequence[str], limit: int) -> list[LeadEvent]:
        """The lead's newest *limit* events of these kinds, newest first."""
        ...

    async def for_leads(self, lead_ids: Sequence[int]) -> list[LeadEvent]:
        """The history of any of *lead_ids*, oldest first."""
        ...


class Outbox(Protocol):
    """Messages to send after commit, and those that went out."""

    async def add(self, message: OutgoingMessage) -> None:
        """Queue one message in the current transaction."""
        ...

    async def add_all(self, messages: Sequence[OutgoingMessage]) -> None:
        """Queue several messages in the current transaction."""
        ...

    async def mark_sent(self, message: QueuedMessage, *, at: datetime,
                        message_id: int | None, hold: timedelta) -> None:
        """Settle a row as delivered and remember the message it became; the chat stays
        with the sender until *hold* after *at*."""
        ...


@dataclass(frozen=True)
class HeldMessage:
    """An outbox row about a lead, as held: what it said and whether it went out."""

    chat_id: int
    template: str
    params: dict[str, Any]
    created_at: datetime
    sent_at: datetime | None


class PersonalData(Protocol):
    """What is held about people, read for an export and erased on request or by age.

    Erasing keeps every row and every figure the statistics count; only the fields that
    say who someone is, or what they wrote, are emptied.
    """

    async def leads_of(self, contact_ids: Sequence[int]) -> list[Lead]:
        """Every lead of these contacts, oldest first."""
        ...

    async def messages_about(self, lead_ids: Sequence[int]) -> list[HeldMessage]:
        """Every outbox row about any of *lead_ids*, oldest first."""
        ...

    async def erase_contacts(self, contact_ids: Sequence[int]) -> None:
        """Empty the phone, e-mail and name of these contacts."""
        ...

    async def erase_leads(self, lead_ids: Sequence[int]) -> None:
        """Empty who these leads are from and what they wrote; keep what they were about."""
        ...

    async def erase_history(self, lead_ids: Sequence[int]) -> None:
        """Drop the free-text notes from these leads' history."""
        ...

    async def erase_messages(self, lead_ids: Sequence[int]) -> None:
        """Empty the personal fields of every outbox row about these leads."""
        ...

    async def erase_entries(self, phones: Sequence[str]) -> None:
        """Drop the leads being entered with /new (not stored yet) whose answers so far give
        one of these phone numbers."""
        ...

    async def closed_before(self, moment: datetime, *, limit: int) -> list[Lead]:
        """Up to *limit* leads closed before *moment* that still hold personal fields."""
        ...
