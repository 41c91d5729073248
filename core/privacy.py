"""Personal data on request (KVKK, GDPR): everything held about a person, written out;
their personal fields erased everywhere; closed leads' personal data erased by age.

Erasure keeps every lead, offer and event, so the office's figures do not change: only the
fields that say who someone is, or what they wrote, are emptied.
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from core.deps import Deps, UowFactory
from core.errors import FieldProblem, InvalidInput
from core.lead_input import normalize_email, normalize_phone
from core.model import Contact, Lead, LeadEvent, LeadStatus, Offer
from core.ports import HeldMessage, UnitOfWork


@dataclass(frozen=True)
class Person:
    """Whom a request is about: the phone or e-mail they gave, normalised."""

    phone: str | None
    email: str | None

    @classmethod
    def named(cls, who: str, *, default_region: str) -> Person:
        """The person behind a phone number or an e-mail address, or InvalidInput."""
        text = who.strip()
        try:
            if "@" in text:
                return cls(phone=None, email=normalize_email(text))
            return cls(phone=normalize_phone(text, default_region), email=None)
        except ValueError as exc:
            raise InvalidInput([FieldProblem("who", str(exc))]) from None


@dataclass(frozen=True)
class HeldData:
    """Everything held about one person: their contact records, leads and what was sent."""

    contacts: list[Contact]
    leads: list[Lead]
    history: list[LeadEvent]
    offers: list[Offer]
    messages: list[HeldMessage]

    def to_json(self) -> dict[str, Any]:
        """The export, as plain JSON-ready data."""
        def plain(items: list[Any]) -> list[dict[str, Any]]:
            return [_jsonable(asdict(item)) for item in items]

        return {"contacts": plain(self.contacts), "leads": plain(self.leads),
                "history": plain(self.history), "offers": plain(self.offers),
                "messages": plain(self.messages)}


@dataclass(frozen=True)
class Forgotten:
    """What a request to forget erased, in counts and ids: never the data itself."""

    contact_ids: list[int]
    lead_ids: list[int]


async def export_person(uow: UnitOfWork, deps: Deps, /, *, who: str) -> HeldData:
    """Everything held about the person with phone or e-mail *who*."""
    person = Person.named(who, default_region=deps.config.default_region)
    async with uow.reading():
        found = await _contacts(uow, person)
        held = await uow.personal.leads_of([c.id for c in found])
        lead_ids = [lead.id for lead in held]
        return HeldData(found, held, await uow.events.for_leads(lead_ids),
                        await uow.offers.for_leads(lead_ids),
                        await uow.personal.messages_about(lead_ids))


async def forget_person(uow: UnitOfWork, deps: Deps, /, *, who: str) -> Forgotten:
    """Erase the personal fields of the person with phone or e-mail *who*, everywhere."""
    person = Person.named(who, default_region=deps.config.default_region)
    now = deps.clock.now()
    async with uow:
        found = await _contacts(uow, person)
        contact_ids = [c.id for c in found]
        lead_ids = [lead.id for lead in await uow.personal.leads_of(contact_ids)]
        await _erase(uow, lead_ids, now, why="request")
        # A lead of theirs someone is entering with /new is not stored yet: only its answers.
        phones = {c.phone for c in found if c.phone} | ({person.phone} if person.phone else set())
        await uow.personal.erase_entries(sorted(phones))
        await uow.personal.erase_contacts(contact_ids)
        await uow.commit()
    return Forgotten(contact_ids, lead_ids)


async def forget_expired_leads(uows: UowFactory, deps: Deps, /, *,
                               batch: int = 200) -> list[int]:
    """Erase the personal fields of leads closed longer ago than the retention policy
    keeps them, a batch per transaction; the ids erased. Nothing without a policy."""
    months = deps.config.retention.closed_leads_months
    if months is None:
        return []
    now = deps.clock.now()
    cutoff = _months_back(now, months)
    erased: list[int] = []
    while True:
        async with uows() as uow:
            due = await uow.personal.closed_before(cutoff, limit=batch)
            if not due:
                return erased
            await _erase(uow, [lead.id for lead in due], now, why="retention")
            # A contact whose every lead is now erased keeps nothing to match a new lead on.
            await uow.personal.erase_contacts(await _spent_contacts(uow, due))
            await uow.commit()
        erased += [lead.id for lead in due]


async def _contacts(uow: UnitOfWork, person: Person) -> list[Contact]:
    return await uow.contacts.find_any(phones=[person.phone] if person.phone else [],
                                       emails=[person.email] if person.email else [])


async def _erase(uow: UnitOfWork, lead_ids: list[int], now: datetime, *, why: str) -> None:
    await uow.personal.erase_leads(lead_ids)
    await uow.personal.erase_history(lead_ids)
    await uow.personal.erase_messages(lead_ids)
    await uow.events.add_all([LeadEvent(lead_id, now, "forgotten", data={"why": why})
                              for lead_id in lead_ids])


async def _spent_contacts(uow: UnitOfWork, erased: list[Lead]) -> list[int]:
    """The contacts of *erased* none of whose leads still holds personal data or is open."""
    contact_ids = sorted({lead.contact_id for lead in erased})
    spent = set(contact_ids)
    for lead in await uow.personal.leads_of(contact_ids):
        still = lead.phone or lead.email or lead.name
        if still or lead.status not in (LeadStatus.CLOSED, LeadStatus.DISQUALIFIED):
            spent.discard(lead.contact_id)
    return sorted(spent)


def _months_back(moment: datetime, months: int) -> datetime:
    """*moment*, *months* calendar months earlier (the 31st of a shorter month becomes its
    last day)."""
    year, month = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    day = min(moment.day, monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def _jsonable(value: Any) -> Any:
    """*value* with dates written out and enums as their values, for json.dumps."""
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "model_dump"):  # an agent profile, should one turn up
        return _jsonable(value.model_dump())
    return value
