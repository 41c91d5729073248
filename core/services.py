"""The lead lifecycle: intake, offers, Accept / Decline, escalation, manager assignment, outcomes.

Every function runs inside one unit of work and changes state only through conditional
updates, so when two actors race (Accept vs. expiry, two managers) exactly one wins.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from core.clock import Clock
from core.config import OfficeConfig, SourceConfig
from core.errors import (
    InvalidTransition,
    LeadAlreadyHandled,
    NotAManager,
    NotFound,
    NotYourLead,
    NotYourOffer,
    OfferNoLongerOpen,
    UnknownAgent,
    UnknownSource,
)
from core.intake import LeadInput, validate_lead
from core.model import (
    STAGE_ORDER,
    Agent,
    Contact,
    DeclineReason,
    Lead,
    LeadEvent,
    LeadStatus,
    Offer,
    OfferStatus,
    OutgoingMessage,
    Stage,
)
from core.ports import UnitOfWork
from core.routing import Decision, RoundRobin, Strategy, eligible
from core.scoring import band, factors_for, score
from core.stats import Stats, compute_stats, period_start

ROTATION = "agents"


@dataclass(frozen=True)
class Deps:
    """What every service needs besides a unit of work."""

    clock: Clock
    config: OfficeConfig
    new_token: Callable[[], str]
    strategy: Strategy = field(default_factory=RoundRobin)


UowFactory = Callable[[], UnitOfWork]


@dataclass(frozen=True)
class IntakeResult:
    """The lead an intake request created or found again."""

    lead_id: int
    created: bool


# --- roster -----------------------------------------------------------------------------


async def sync_roster(uow: UnitOfWork, deps: Deps) -> None:
    """Make the stored roster match the office config; people dropped from it become inactive."""
    async with uow:
        stored = {a.telegram_id: a for a in await uow.agents.list()}
        for position, person in enumerate(deps.config.agents):
            agent = stored.pop(person.telegram_id, None) or Agent(person.telegram_id, person.name)
            agent.name, agent.role, agent.active = person.name, person.role, person.active
            agent.away, agent.language, agent.position = person.away, person.language, position
            await uow.agents.save(agent)
        for gone in stored.values():
            gone.active = False
            await uow.agents.save(gone)
        await uow.commit()


async def link_chat(uow: UnitOfWork, deps: Deps, *, telegram_id: int, chat_id: int) -> Agent:
    """Remember the private chat of a rostered person who pressed Start."""
    async with uow:
        agent = await uow.agents.get(telegram_id)
        if agent is None or not agent.active:
            raise UnknownAgent()
        if agent.chat_id != chat_id:
            agent.chat_id = chat_id
            await uow.agents.save(agent)
            await uow.commit()
        return agent


async def roster(uow: UnitOfWork) -> list[Agent]:
    """Everyone on the stored roster."""
    async with uow:
        return await uow.agents.list()


async def whoami(uow: UnitOfWork, *, telegram_id: int) -> Agent | None:
    """The rostered person behind a Telegram id, if any."""
    async with uow:
        agent = await uow.agents.get(telegram_id)
        return agent if agent is not None and agent.active else None


# --- intake -----------------------------------------------------------------------------


async def receive_lead(
    uow: UnitOfWork, deps: Deps, *, source_token: str | None, payload: Mapping[str, object]
) -> IntakeResult:
    """Validate, de-duplicate, score and store a lead, and offer it to its first agent."""
    source = deps.config.source_by_token(source_token) if source_token else None
    if source is None:
        raise UnknownSource()
    data = validate_lead(payload, default_region=deps.config.default_region)
    now = deps.clock.now()
    async with uow:
        if data.external_id is not None:
            known = await uow.leads.by_external_id(source.name, data.external_id)
            if known is not None:
                return IntakeResult(known.id, created=False)
        contact, returning = await _contact_for(uow, data, now)
        lead = _new_lead(deps, data, source, contact, returning, now)
        owner = await _continuity_owner(uow, lead) if returning else None
        decision = await _decide(uow, deps, lead, tried=set(), prefer=owner)
        if decision.agent_id is None:
            lead.status, lead.escalated_at = LeadStatus.WITH_MANAGERS, now
        lead = await uow.leads.add(lead)
        await uow.events.add(LeadEvent(lead.id, now, "received", data={
            "source": source.name, "score": lead.score, "temperature": lead.temperature.value,
        }))
        await _act_on(uow, deps, lead, decision, offers_made=0, now=now)
        await uow.commit()
    return IntakeResult(lead.id, created=True)


def _new_lead(
    deps: Deps, data: LeadInput, source: SourceConfig, contact: Contact, returning: bool,
    now: datetime,
) -> Lead:
    scoring = deps.config.scoring
    factors = factors_for(
        budget_min=data.budget_min, budget_max=data.budget_max, timing=data.timing,
        region=data.region, warmth=deps.config.warmth_of(source),
    )
    value = score(factors, scoring)
    return Lead(
        contact_id=contact.id, source=source.name, received_at=now, score=value,
        temperature=band(value, scoring), name=data.name, phone=data.phone, email=data.email,
        product=data.product, region=data.region, budget_min=data.budget_min,
        budget_max=data.budget_max, timing=data.timing, message=data.message,
        external_id=data.external_id, missing=data.missing, returning=returning,
    )


async def _contact_for(uow: UnitOfWork, data: LeadInput, now: datetime) -> tuple[Contact, bool]:
    """Find the person by phone or e-mail, filling in what they did not give before."""
    matches = await uow.contacts.find(phone=data.phone, email=data.email)
    if not matches:
        contact = await uow.contacts.add(Contact(data.phone, data.email, data.name, now))
        return contact, False
    contact = matches[0]
    changed = False
    if contact.phone is None and data.phone is not None:
        contact.phone, changed = data.phone, True
    if contact.email is None and data.email is not None:
        contact.email, changed = data.email, True
    if contact.name is None and data.name is not None:
        contact.name, changed = data.name, True
    if changed:
        await uow.contacts.update(contact)
    return contact, True


async def _continuity_owner(uow: UnitOfWork, lead: Lead) -> int | None:
    """The agent who already works this contact, so one person has one point of contact."""
    for earlier in await uow.leads.open_for_contact(lead.contact_id):
        if earlier.owner_id is not None:
            return earlier.owner_id
    return None


# --- routing and offers -----------------------------------------------------------------


async def _decide(
    uow: UnitOfWork, deps: Deps, lead: Lead, *, tried: set[int], prefer: int | None = None
) -> Decision:
    """Choose the next agent for *lead*, or nobody, and say why."""
    roster = await uow.agents.list()
    candidates, skipped = eligible(roster, exclude=tried)
    if prefer is not None and any(a.telegram_id == prefer for a in candidates):
        return Decision(prefer, "continuity", "current_owner",
                        tuple(a.telegram_id for a in candidates), tuple(skipped))
    if not candidates:
        return Decision(None, deps.strategy.name, "no_candidates", (), tuple(skipped))
    last = await uow.rotations.lock(ROTATION)
    chosen = deps.strategy.pick(candidates, roster=roster, last_agent_id=last)
    await uow.rotations.save(ROTATION, chosen.telegram_id)
    return Decision(chosen.telegram_id, deps.strategy.name, "rotation",
                    tuple(a.telegram_id for a in candidates), tuple(skipped))


async def _act_on(
    uow: UnitOfWork, deps: Deps, lead: Lead, decision: Decision, *, offers_made: int,
    now: datetime,
) -> None:
    """Carry out a routing decision whose status is already on *lead*: offer, or managers."""
    if decision.agent_id is None:
        await _hand_to_managers(uow, deps, lead, now, reason="no_agent")
        return
    agent = await uow.agents.get(decision.agent_id)
    assert agent is not None  # eligible() checked it, within this transaction
    assert agent.chat_id is not None
    sla = deps.config.sla[lead.temperature]
    offer = await uow.offers.add(Offer(
        lead_id=lead.id, agent_id=agent.telegram_id, token=deps.new_token(), created_at=now,
        deadline=now + sla.accept_within, sequence=offers_made + 1, trace=decision.as_trace(),
    ))
    await uow.events.add(LeadEvent(lead.id, now, "offered", agent.telegram_id,
                                   {"offer_id": offer.id, "why": decision.reason}))
    await uow.outbox.add(_message(
        deps, agent, "offer", now, ref=f"offer:{offer.id}",
        params={**_summary(lead), "offer_id": offer.id, "token": offer.token,
                "deadline": offer.deadline.isoformat(),
                "window_s": int(sla.accept_within.total_seconds()),
                "sequence": offer.sequence, "why": decision.reason},
    ))
    uow.wake_at(offer.deadline)


async def _offer_next(uow: UnitOfWork, deps: Deps, lead: Lead, now: datetime) -> None:
    """After a decline or expiry, offer *lead* to the next agent or hand it to the managers."""
    offers = await uow.offers.for_lead(lead.id)
    limit = deps.config.sla[lead.temperature].offers_before_managers
    if len(offers) >= limit:
        lead.status = LeadStatus.WITH_MANAGERS
        await _hand_to_managers(uow, deps, lead, now, reason="no_accept")
        await uow.leads.update(lead)
        return
    decision = await _decide(uow, deps, lead, tried={o.agent_id for o in offers})
    lead.status = LeadStatus.OFFERED if decision.agent_id else LeadStatus.WITH_MANAGERS
    if decision.agent_id is None:
        await _hand_to_managers(uow, deps, lead, now, reason="no_agent")
        await uow.leads.update(lead)
        return
    await uow.leads.update(lead)
    await _act_on(uow, deps, lead, decision, offers_made=len(offers), now=now)


async def _hand_to_managers(
    uow: UnitOfWork, deps: Deps, lead: Lead, now: datetime, *, reason: str
) -> None:
    """Send the lead to every manager with a button per agent they can assign it to."""
    lead.escalated_at = now
    roster = await uow.agents.list()
    tried = [o.agent_id for o in await uow.offers.for_lead(lead.id)] if lead.id else []
    names = {a.telegram_id: a.name for a in roster}
    choices = [[a.telegram_id, a.name] for a in roster
               if a.active and not a.away and a.chat_id is not None]
    await uow.events.add(LeadEvent(lead.id, now, "escalated", data={"reason": reason}))
    for manager in roster:
        if manager.is_manager and manager.chat_id is not None:
            await uow.outbox.add(_message(
                deps, manager, "escalated", now, ref=f"esc:{lead.id}:{manager.telegram_id}",
                params={**_summary(lead), **_contact_details(lead), "reason": reason,
                        "tried": [names.get(t, str(t)) for t in tried], "choices": choices},
            ))


# --- agent actions ----------------------------------------------------------------------


async def check_offer(uow: UnitOfWork, *, agent_id: int, offer_id: int, token: str) -> Offer:
    """Return the offer if *agent_id* may still act on it, else raise why not."""
    async with uow:
        return await _open_offer(uow, agent_id=agent_id, offer_id=offer_id, token=token)


async def _open_offer(uow: UnitOfWork, *, agent_id: int, offer_id: int, token: str) -> Offer:
    offer = await uow.offers.get(offer_id)
    if offer is None or offer.token != token:
        raise OfferNoLongerOpen()
    if offer.agent_id != agent_id:
        raise NotYourOffer()
    if offer.status is not OfferStatus.PENDING:
        raise OfferNoLongerOpen()
    return offer


async def accept_offer(
    uow: UnitOfWork, deps: Deps, *, agent_id: int, offer_id: int, token: str
) -> Lead:
    """Make the lead the agent's and open its contact details, if the offer is still open."""
    now = deps.clock.now()
    async with uow:
        offer = await _open_offer(uow, agent_id=agent_id, offer_id=offer_id, token=token)
        if not await uow.offers.decide(offer.id, status=OfferStatus.ACCEPTED, at=now):
            raise OfferNoLongerOpen()
        lead = await _get_lead(uow, offer.lead_id)
        lead.status, lead.owner_id, lead.accepted_at = LeadStatus.OWNED, agent_id, now
        await uow.leads.update(lead)
        await uow.events.add(LeadEvent(lead.id, now, "accepted", agent_id, {
            "offer_id": offer.id, "seconds": (now - offer.created_at).total_seconds(),
            "within_sla": now <= offer.deadline,
        }))
        agent = await uow.agents.get(agent_id)
        assert agent is not None
        await uow.outbox.add(_message(
            deps, agent, "offer_accepted", now, edit_ref=f"offer:{offer.id}",
            params={**_summary(lead), **_contact_details(lead)},
        ))
        await uow.commit()
    return lead


async def decline_offer(
    uow: UnitOfWork, deps: Deps, *, agent_id: int, offer_id: int, token: str,
    reason: DeclineReason,
) -> None:
    """Record why the agent passed and offer the lead to the next agent at once."""
    now = deps.clock.now()
    async with uow:
        offer = await _open_offer(uow, agent_id=agent_id, offer_id=offer_id, token=token)
        if not await uow.offers.decide(offer.id, status=OfferStatus.DECLINED, at=now,
                                       reason=reason):
            raise OfferNoLongerOpen()
        lead = await _get_lead(uow, offer.lead_id)
        await uow.events.add(LeadEvent(lead.id, now, "declined", agent_id,
                                       {"offer_id": offer.id, "reason": reason.value}))
        agent = await uow.agents.get(agent_id)
        assert agent is not None
        await uow.outbox.add(_message(
            deps, agent, "offer_declined", now, edit_ref=f"offer:{offer.id}",
            params={**_summary(lead), "reason": reason.value},
        ))
        await _offer_next(uow, deps, lead, now)
        await uow.commit()


async def escalate_expired_offers(
    uow_factory: UowFactory, deps: Deps, *, limit: int = 500
) -> list[int]:
    """Withdraw every offer past its deadline and move its lead on; return the offer ids.

    Each offer moves in its own transaction, guarded by its pending status, so a restart,
    a second sweep or a racing Accept can never move the same offer twice.
    """
    now = deps.clock.now()
    async with uow_factory() as uow:
        due = await uow.offers.overdue(now, limit=limit)
    moved: list[int] = []
    for offer in due:
        async with uow_factory() as uow:
            if not await uow.offers.decide(offer.id, status=OfferStatus.EXPIRED, at=now,
                                           due_by=now):
                continue
            lead = await _get_lead(uow, offer.lead_id)
            await uow.events.add(LeadEvent(lead.id, now, "expired", offer.agent_id,
                                           {"offer_id": offer.id}))
            agent = await uow.agents.get(offer.agent_id)
            if agent is not None and agent.chat_id is not None:
                await uow.outbox.add(_message(
                    deps, agent, "offer_expired", now, edit_ref=f"offer:{offer.id}",
                    params={**_summary(lead),
                            "window_s": int((offer.deadline - offer.created_at).total_seconds())},
                ))
            await _offer_next(uow, deps, lead, now)
            await uow.commit()
            moved.append(offer.id)
    return moved


async def pending_deadlines(uow: UnitOfWork) -> list[datetime]:
    """The deadline of every open offer, for the scheduler after a restart."""
    async with uow:
        return sorted(o.deadline for o in await uow.offers.pending())


# --- managers ---------------------------------------------------------------------------


async def assign_lead(
    uow: UnitOfWork, deps: Deps, *, manager_id: int, lead_id: int, agent_id: int
) -> Lead:
    """A manager gives a lead nobody accepted to the agent of their choice."""
    now = deps.clock.now()
    async with uow:
        manager = await _manager(uow, manager_id)
        lead = await _get_lead(uow, lead_id)
        if lead.status is not LeadStatus.WITH_MANAGERS:
            raise LeadAlreadyHandled()
        agent = await uow.agents.get(agent_id)
        if agent is None or not agent.active or agent.chat_id is None:
            raise UnknownAgent()
        lead.status, lead.owner_id, lead.accepted_at = LeadStatus.OWNED, agent_id, now
        await uow.leads.update(lead)
        await uow.events.add(LeadEvent(lead.id, now, "assigned", agent_id,
                                       {"by": manager_id}))
        await uow.outbox.add(_message(
            deps, agent, "lead_assigned", now, ref=f"lead:{lead.id}:{agent_id}",
            params={**_summary(lead), **_contact_details(lead), "by": manager.name},
        ))
        for other in await uow.agents.list():
            if other.is_manager and other.chat_id is not None:
                await uow.outbox.add(_message(
                    deps, other, "escalation_closed", now,
                    edit_ref=f"esc:{lead.id}:{other.telegram_id}",
                    params={**_summary(lead), "agent": agent.name, "by": manager.name},
                ))
        await uow.commit()
    return lead


async def _manager(uow: UnitOfWork, telegram_id: int) -> Agent:
    person = await uow.agents.get(telegram_id)
    if person is None or not person.active:
        raise UnknownAgent()
    if not person.is_manager:
        raise NotAManager()
    return person


async def require_manager(uow: UnitOfWork, *, telegram_id: int) -> Agent:
    """The manager behind *telegram_id*, or NotAManager."""
    async with uow:
        return await _manager(uow, telegram_id)


@dataclass(frozen=True)
class WaitingLead:
    """A lead nobody owns yet, and who holds it now."""

    lead: Lead
    holder: str | None
    deadline: datetime | None


async def waiting_leads(uow: UnitOfWork, *, manager_id: int) -> list[WaitingLead]:
    """Leads waiting for an Accept or for a manager, for `/pending`."""
    async with uow:
        await _manager(uow, manager_id)
        leads = await uow.leads.waiting()
        offers = await uow.offers.for_leads([lead.id for lead in leads])
        names = {a.telegram_id: a.name for a in await uow.agents.list()}
    open_offer = {o.lead_id: o for o in offers if o.status is OfferStatus.PENDING}
    result = []
    for lead in leads:
        offer = open_offer.get(lead.id)
        result.append(WaitingLead(
            lead, names.get(offer.agent_id) if offer else None, offer.deadline if offer else None,
        ))
    return result


# --- outcomes ---------------------------------------------------------------------------


async def my_leads(uow: UnitOfWork, *, agent_id: int) -> list[Lead]:
    """The open leads an agent owns, for `/leads`."""
    async with uow:
        if await uow.agents.get(agent_id) is None:
            raise UnknownAgent()
        return await uow.leads.owned_by(agent_id)


async def record_outcome(
    uow: UnitOfWork, deps: Deps, *, agent_id: int, lead_id: int, stage: Stage,
    note: str | None = None,
) -> Lead:
    """Move an owned lead along new → contacted → appointment → offer → won, or to lost."""
    now = deps.clock.now()
    async with uow:
        person = await uow.agents.get(agent_id)
        if person is None or not person.active:
            raise UnknownAgent()
        lead = await uow.leads.get(lead_id)
        if lead is None or (lead.owner_id != agent_id and not person.is_manager):
            raise NotYourLead()
        if lead.status is not LeadStatus.OWNED:
            raise InvalidTransition(stage=lead.stage.value)
        if stage is not Stage.LOST and STAGE_ORDER.index(stage) <= STAGE_ORDER.index(lead.stage):
            raise InvalidTransition(stage=lead.stage.value)
        data: dict[str, Any] = {"from": lead.stage.value, "to": stage.value}
        lead.stage = stage
        if lead.contacted_at is None and stage is not Stage.NEW:
            lead.contacted_at = now
        if stage in (Stage.WON, Stage.LOST):
            lead.status, lead.closed_at = LeadStatus.CLOSED, now
            amount = _amount(note) if stage is Stage.WON else None
            if amount is not None:
                lead.amount, data["amount"] = amount, amount
            elif note:
                data["note"] = note
        elif note:
            data["note"] = note
        await uow.leads.update(lead)
        await uow.events.add(LeadEvent(lead.id, now, "outcome", agent_id, data))
        await uow.commit()
    return lead


def _amount(note: str | None) -> int | None:
    if not note:
        return None
    cleaned = note.strip().replace(",", "").replace(".", "").replace(" ", "")
    return int(cleaned) if cleaned.isdigit() else None


# --- helpers ----------------------------------------------------------------------------


async def _get_lead(uow: UnitOfWork, lead_id: int) -> Lead:
    lead = await uow.leads.get(lead_id)
    if lead is None:
        raise NotFound()
    return lead


def _message(
    deps: Deps, to: Agent, template: str, now: datetime, *, params: dict[str, Any],
    ref: str | None = None, edit_ref: str | None = None,
) -> OutgoingMessage:
    assert to.chat_id is not None
    language = to.language or deps.config.language
    return OutgoingMessage(to.chat_id, template, {**params, "lang": language}, now,
                           ref=ref, edit_ref=edit_ref)


def _summary(lead: Lead) -> dict[str, Any]:
    """What an agent may see before accepting: everything but how to reach the person."""
    first_name = lead.name.split()[0] if lead.name else None
    return {
        "lead_id": lead.id, "temperature": lead.temperature.value, "score": lead.score,
        "product": lead.product, "region": lead.region, "budget_min": lead.budget_min,
        "budget_max": lead.budget_max, "timing": lead.timing, "source": lead.source,
        "first_name": first_name, "missing": list(lead.missing), "returning": lead.returning,
        "received_at": lead.received_at.isoformat(),
    }


def _contact_details(lead: Lead) -> dict[str, Any]:
    return {"name": lead.name, "phone": lead.phone, "email": lead.email,
            "message": lead.message}



async def office_stats(
    uow: UnitOfWork, deps: Deps, *, manager_id: int, period: str = "today"
) -> Stats:
    """Figures for `/stats` over today, the last 7 or the last 30 days."""
    now = deps.clock.now()
    start = period_start(period, now=now, zone=deps.config.zone)
    async with uow:
        await _manager(uow, manager_id)
        leads = await uow.leads.received_between(start, now + timedelta(seconds=1))
        offers = await uow.offers.for_leads([lead.id for lead in leads])
        agents = await uow.agents.list()
    return compute_stats(leads, offers, agents, start=start, end=now)
