"""Taking leads in: authenticate and validate, de-duplicate into contacts, score, store, and
route them in the same transaction when no other routing turn is running.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from core.config import OfficeConfig
from core.deps import Deps
from core.errors import Conflict, StorageUnavailable, UnknownSource
from core.intake_mapping import apply_mapping
from core.lead_input import LeadInput, known_products, validate_lead
from core.lifecycle.routing import ROUTING_BATCH, route_new_leads, route_waiting_if_free
from core.model import OPEN_STATUSES, Contact, Lead, LeadEvent, LeadStatus
from core.ports import UnitOfWork
from core.scoring import band, factors_for, score
from core.trace import mark


class RoutingFailed(Exception):
    """Routing failed on a batch as it was stored: nothing of the batch was committed."""


@dataclass(frozen=True)
class IntakeResult:
    """The lead an intake request created or found again."""

    lead_id: int
    created: bool
    routed: bool = False  # offered (or handed on) in the transaction that stored it
    # The fields it was kept despite, {field: problem} (core/lead_extras.py), for the sender.
    flags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class IncomingLead:
    """A lead whose source is authenticated and whose fields are valid, not yet stored:
    the source's name (what the lead carries) and warmth (what its score counts), and the
    fields. A configured source's, or `manual` for a lead entered with /new (core/lifecycle/
    entry.py)."""

    source: str
    warmth: float
    data: LeadInput
    # When it first arrived, if not now: a failed payload replayed keeps its arrival time.
    received_at: datetime | None = None


def admit_lead(
    deps: Deps, *, source_token: str | None, payload: Mapping[str, object],
    received_at: datetime | None = None,
) -> IncomingLead:
    """Authenticate the source and validate the fields, without touching storage."""
    source = deps.config.source_by_token(source_token) if source_token else None
    if source is None:
        raise UnknownSource()
    data = validate_lead(apply_mapping(source.mapping, payload),
                         default_region=deps.config.default_region,
                         products=office_products(deps.config), cap=deps.config.max_amount)
    return IncomingLead(source.name, deps.config.warmth_of(source), data, received_at)


def admit_named(deps: Deps, *, source_name: str,
                payload: Mapping[str, object]) -> IncomingLead:
    """A payload of the source called *source_name*, mapped and validated, for callers that
    need no token (`policy try`, `intake try`)."""
    source = deps.config.source_named(source_name)
    if source is None:
        raise UnknownSource(f"no source named {source_name!r}")
    data = validate_lead(apply_mapping(source.mapping, payload),
                         default_region=deps.config.default_region,
                         products=office_products(deps.config), cap=deps.config.max_amount)
    return IncomingLead(source.name, deps.config.warmth_of(source), data)


def office_products(config: OfficeConfig) -> frozenset[str]:
    """Every product the office's routing rules and roster name (folded): another product
    is kept on its lead, flagged. Worked out once per config (a /reload brings a new one)."""
    known = _PRODUCTS.get(id(config))
    if known is None or known[0] is not config:
        names = [name for rule in config.routing.rules
                 for name in (*rule.when.product, *rule.pool.specialties)]
        names += [name for agent in config.agents for name in agent.specialties]
        known = (config, known_products([n for n in names if n != "$product"]))
        _PRODUCTS.clear()  # one config is current at a time
        _PRODUCTS[id(config)] = known
    return known[1]


_PRODUCTS: dict[int, tuple[OfficeConfig, frozenset[str]]] = {}


def _lead_types(config: OfficeConfig) -> Mapping[str, str | None]:
    """Each configured source's lead type by its name, worked out once per config (a lead
    of a batch of thousands need not search the sources)."""
    known = _LEAD_TYPES.get(id(config))
    if known is None or known[0] is not config:
        known = (config, {s.name: s.lead_type for s in reversed(config.sources)})
        _LEAD_TYPES.clear()
        _LEAD_TYPES[id(config)] = known
    return known[1]


_LEAD_TYPES: dict[int, tuple[OfficeConfig, dict[str, str | None]]] = {}


async def receive_leads(
    uow: UnitOfWork, deps: Deps, /, batch: Sequence[IncomingLead]
) -> list[IntakeResult]:
    """Store admitted leads, then offer every lead waiting to be routed to its first agent."""
    results = await store_leads(uow, deps, batch)
    while await route_new_leads(uow, deps) == ROUTING_BATCH:
        pass
    return results


async def store_leads(
    uow: UnitOfWork, deps: Deps, /, batch: Sequence[IncomingLead], *, route: bool = False
) -> list[IntakeResult]:
    """De-duplicate, score and store admitted leads in one transaction; with *route*, route
    them (and any other waiting lead) in it too, unless another turn holds the routing row.

    The sender's answer waits for this commit: once stored a lead cannot be lost. Storing
    never waits for the routing row, so instances storing at once never wait for each other;
    a lead not routed here is routed by `route_new_leads` next. Joined, a lone lead costs one
    transaction and one turn of SQLite's writer on its way to the offer instead of two.
    """
    now = deps.clock.now()
    async with uow:
        slots = await store_in(uow, deps, batch, now)
        leads = [lead for lead, created in slots if created]
        routed: set[int] = set()
        if route:
            try:
                routed = set(await route_waiting_if_free(uow, deps, now) or ())
            except (Conflict, StorageUnavailable):
                raise
            except Exception as exc:
                raise RoutingFailed() from exc
        await uow.commit()
        mark("stored", (lead.id for lead in leads))
        mark("routed", routed)
    return [IntakeResult(lead.id, created, routed=lead.id in routed)
            for lead, created in slots]


async def store_in(uow: UnitOfWork, deps: Deps, batch: Sequence[IncomingLead],
                   now: datetime, *, status: LeadStatus = LeadStatus.NEW,
                   import_file: str | None = None) -> list[tuple[Lead, bool]]:
    """store_leads' work, in a transaction the caller holds: each lead of *batch* and
    whether it is new (False: a sender's retry of a lead stored before), the new ones
    de-duplicated into contacts, scored and stored with their history, waiting to be routed
    (or in *status*: an import's leads in nurture or the import pool, noting *import_file*).
    """
    known = await uow.leads.by_external_ids(
        [(i.source, i.data.external_id) for i in batch if i.data.external_id])
    book = _ContactBook(await uow.contacts.find_any(
        phones=[i.data.phone for i in batch if i.data.phone],
        emails=[i.data.email for i in batch if i.data.email]))
    slots: list[tuple[Lead, bool]] = []
    fresh: list[tuple[Lead, Contact]] = []
    open_in_batch: set[int] = set()  # the contacts (by identity) given an open lead above
    for incoming in batch:
        key = (incoming.source, incoming.data.external_id or "")
        if incoming.data.external_id and key in known:
            slots.append((known[key], False))  # a sender's retry: same lead, nothing new
            continue
        contact, returning = book.resolve(incoming.data, now)
        lead = new_lead(deps, incoming.data, incoming.source, incoming.warmth, returning,
                        incoming.received_at or now)
        lead.status, lead.import_file = status, import_file and import_file[:200]
        lead.duplicate = returning and id(contact) in open_in_batch
        if status in OPEN_STATUSES:
            open_in_batch.add(id(contact))
        if incoming.data.external_id:
            known[key] = lead
        slots.append((lead, True))
        fresh.append((lead, contact))
    await _mark_duplicates(uow, fresh)
    await uow.contacts.add_all(book.created)
    for contact in book.changed:
        await uow.contacts.update(contact)
    for lead, contact in fresh:
        lead.contact_id = contact.id
    leads = [lead for lead, _ in fresh]
    await uow.leads.add_all(leads)
    await uow.events.add_all([LeadEvent(lead.id, now, "received", data={
        "source": lead.source, "score": lead.score, "temperature": lead.temperature.value,
    }) for lead in leads])
    return slots


async def _mark_duplicates(uow: UnitOfWork, fresh: Sequence[tuple[Lead, Contact]]) -> None:
    """Mark the leads of contacts who have an open lead already: a second post while the
    first is worked makes a lead (routed to its owner first), counted in no figure."""
    known = sorted({contact.id for lead, contact in fresh
                    if lead.returning and contact.id and not lead.duplicate})
    if not known:
        return
    busy = await uow.leads.with_open_lead(known)
    for lead, contact in fresh:
        lead.duplicate = lead.duplicate or (lead.returning and contact.id in busy)


class _ContactBook:
    """The people a batch may belong to, matched by phone first, then e-mail."""

    def __init__(self, existing: Sequence[Contact]) -> None:
        self.created: list[Contact] = []
        self.changed: list[Contact] = []
        self._by_phone = {c.phone: c for c in existing if c.phone}
        self._by_email = {c.email: c for c in existing if c.email}

    def resolve(self, data: LeadInput, now: datetime) -> tuple[Contact, bool]:
        """The contact for *data* and whether we knew them, filling in what was missing."""
        contact = (self._by_phone.get(data.phone) if data.phone else None) or (
            self._by_email.get(data.email) if data.email else None)
        if contact is None:
            contact = Contact(data.phone, data.email, data.name, now)
            self.created.append(contact)
            self._index(contact)
            return contact, False
        changed = False
        if contact.phone is None and data.phone is not None:
            contact.phone, changed = data.phone, True
        if contact.email is None and data.email is not None:
            contact.email, changed = data.email, True
        if contact.name is None and data.name is not None:
            contact.name, changed = data.name, True
        if changed:
            self._index(contact)
            if contact.id and contact not in self.changed:
                self.changed.append(contact)
        return contact, True

    def _index(self, contact: Contact) -> None:
        if contact.phone:
            self._by_phone.setdefault(contact.phone, contact)
        if contact.email:
            self._by_email.setdefault(contact.email, contact)


def new_lead(
    deps: Deps, data: LeadInput, source: str, warmth: float, returning: bool, now: datetime
) -> Lead:
    """A stored-to-be lead from valid input of the source named *source*, as warm as
    *warmth*: scored, banded, of its source's lead type if it names one, waiting to be
    routed."""
    scoring = deps.config.scoring
    factors = factors_for(
        budget_min=data.budget_min, budget_max=data.budget_max, timing=data.timing,
        region=data.region, warmth=warmth,
    )
    value = score(factors, scoring)
    return Lead(
        contact_id=0, source=source, received_at=now, score=value,
        temperature=band(value, scoring), name=data.name, phone=data.phone, email=data.email,
        product=data.product, region=data.region, budget_min=data.budget_min,
        budget_max=data.budget_max, timing=data.timing, message=data.message,
        external_id=data.external_id, missing=data.missing, returning=returning,
        postal_code=data.postal_code, language=data.language, tags=list(data.tags),
        company=data.company, intent=data.intent, fit=data.fit, status=LeadStatus.NEW,
        lead_type=_lead_types(deps.config).get(source),
        extras=dict(data.extras), campaign=dict(data.campaign), consent=data.consent,
        flags=dict(data.flags),
    )
