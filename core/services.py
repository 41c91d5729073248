"""The lead lifecycle: intake, offers, Accept / Decline, escalation, manager assignment, outcomes.

Every function runs inside one unit of work and changes state only through conditional
updates, so when two actors race (Accept vs. expiry, two managers) exactly one wins.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, overload

from core.clock import Clock
from core.config import OfficeConfig, SourceConfig
from core.errors import (
    AlreadyClaimed,
    Conflict,
    InvalidTransition,
    LeadAlreadyHandled,
    NotAManager,
    NotFound,
    NotInPool,
    NotYourLead,
    NotYourOffer,
    OfferNoLongerOpen,
    StartFirst,
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
from core.routing import AgentStats, Decision, RuleState, Situation, decide, warm_pools
from core.scoring import band, factors_for, score
from core.stats import Stats, period_start, summarise

ROUTING = "routing"  # the one row holding every rule's memory


@dataclass(frozen=True)
class Deps:
    """What every service needs besides a unit of work."""

    clock: Clock
    config: OfficeConfig
    new_token: Callable[[], str]


UowFactory = Callable[[], UnitOfWork]


@dataclass(frozen=True)
class IntakeResult:
    """The lead an intake request created or found again."""

    lead_id: int
    created: bool


# --- roster -----------------------------------------------------------------------------


def roster_from_config(config: OfficeConfig, stored: Sequence[Agent]) -> list[Agent]:
    """The roster as the config describes it, keeping the chats people opened; anyone the
    config no longer lists stays, inactive, so their history keeps its names."""
    known = {a.telegram_id: a for a in stored}
    roster = []
    for position, person in enumerate(config.agents):
        agent = known.pop(person.telegram_id, None) or Agent(person.telegram_id, person.name)
        agent.name, agent.role, agent.active = person.name, person.role, person.active
        agent.away, agent.language, agent.position = person.away, person.language, position
        agent.profile = person.profile
        roster.append(agent)
    for gone in known.values():
        gone.active = False
        roster.append(gone)
    return roster


async def sync_roster(uow: UnitOfWork, deps: Deps) -> None:
    """Make the stored roster match the office config; people dropped from it become inactive."""
    async with uow:
        people = roster_from_config(deps.config, await uow.agents.list())
        for agent in people:
            await uow.agents.save(agent)
        await uow.commit()
    warm_pools(deps.config.routing, Situation(people, {}, {}, deps.clock.now(), deps.config.zone))


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
    async with uow.reading():
        return await uow.agents.list()


async def whoami(uow: UnitOfWork, *, telegram_id: int) -> Agent | None:
    """The rostered person behind a Telegram id, if any."""
    async with uow.reading():
        agent = await uow.agents.get(telegram_id)
        return agent if agent is not None and agent.active else None


# --- intake -----------------------------------------------------------------------------


@dataclass(frozen=True)
class IncomingLead:
    """A lead whose source is authenticated and whose fields are valid, not yet stored."""

    source: SourceConfig
    data: LeadInput


def admit_lead(
    deps: Deps, *, source_token: str | None, payload: Mapping[str, object]
) -> IncomingLead:
    """Authenticate the source and validate the fields, without touching storage."""
    source = deps.config.source_by_token(source_token) if source_token else None
    if source is None:
        raise UnknownSource()
    return IncomingLead(source, validate_lead(payload, default_region=deps.config.default_region))


async def receive_lead(
    uow: UnitOfWork, deps: Deps, *, source_token: str | None, payload: Mapping[str, object]
) -> IntakeResult:
    """Validate, de-duplicate, score and store one lead, and offer it to its first agent."""
    incoming = admit_lead(deps, source_token=source_token, payload=payload)
    return (await receive_leads(uow, deps, [incoming]))[0]


async def receive_leads(
    uow: UnitOfWork, deps: Deps, batch: Sequence[IncomingLead]
) -> list[IntakeResult]:
    """Store admitted leads, then offer every lead waiting to be routed to its first agent."""
    results = await store_leads(uow, deps, batch)
    while await route_new_leads(uow, deps) == ROUTING_BATCH:
        pass
    return results


async def store_leads(
    uow: UnitOfWork, deps: Deps, batch: Sequence[IncomingLead]
) -> list[IntakeResult]:
    """De-duplicate, score and store admitted leads in one transaction, for routing next.

    The sender's answer waits for this commit only: once stored a lead cannot be lost, and
    instances storing at once never wait for each other. Routing follows in its own
    transaction (`route_new_leads`), which takes every lead waiting at that moment.
    """
    now = deps.clock.now()
    async with uow:
        known = await uow.leads.by_external_ids(
            [(i.source.name, i.data.external_id) for i in batch if i.data.external_id])
        book = _ContactBook(await uow.contacts.find_any(
            phones=[i.data.phone for i in batch if i.data.phone],
            emails=[i.data.email for i in batch if i.data.email]))
        slots: list[tuple[Lead, bool]] = []
        fresh: list[tuple[Lead, Contact]] = []
        for incoming in batch:
            key = (incoming.source.name, incoming.data.external_id or "")
            if incoming.data.external_id and key in known:
                slots.append((known[key], False))  # a sender's retry: same lead, nothing new
                continue
            contact, returning = book.resolve(incoming.data, now)
            lead = _new_lead(deps, incoming.data, incoming.source, returning, now)
            if incoming.data.external_id:
                known[key] = lead
            slots.append((lead, True))
            fresh.append((lead, contact))
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
        await uow.commit()
    return [IntakeResult(lead.id, created) for lead, created in slots]


ROUTING_BATCH = 500  # leads per routing transaction: a burst's backlog goes in a few turns


async def route_new_leads(uow: UnitOfWork, deps: Deps, *, limit: int = ROUTING_BATCH,
                          lead_id: int | None = None) -> int:
    """Offer the oldest stored leads nobody has routed yet (or only *lead_id*); how many
    were routed.

    Any instance routes any instance's leads, so one turn on the routing row routes every
    lead stored before it, however many instances stored them.
    """
    now = deps.clock.now()
    async with uow.reading():  # a look that takes no write turn: most sweeps find none
        if not await uow.leads.any_new():
            return 0
    async with uow:
        router = await _Router.load(uow, deps, now)
        leads = await uow.leads.take_new(
            limit=limit, ids=None if lead_id is None else [lead_id])
        if not leads:
            return 0
        await _route_new_leads(uow, deps, router, leads, now)
        await _revive_nurtured(uow, [lead for lead in leads if lead.returning], now)
        await uow.commit()
    return len(leads)


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


def _new_lead(
    deps: Deps, data: LeadInput, source: SourceConfig, returning: bool, now: datetime
) -> Lead:
    scoring = deps.config.scoring
    factors = factors_for(
        budget_min=data.budget_min, budget_max=data.budget_max, timing=data.timing,
        region=data.region, warmth=deps.config.warmth_of(source),
    )
    value = score(factors, scoring)
    return Lead(
        contact_id=0, source=source.name, received_at=now, score=value,
        temperature=band(value, scoring), name=data.name, phone=data.phone, email=data.email,
        product=data.product, region=data.region, budget_min=data.budget_min,
        budget_max=data.budget_max, timing=data.timing, message=data.message,
        external_id=data.external_id, missing=data.missing, returning=returning,
        postal_code=data.postal_code, language=data.language, tags=list(data.tags),
        company=data.company, intent=data.intent, fit=data.fit, status=LeadStatus.NEW,
    )


async def _route_new_leads(
    uow: UnitOfWork, deps: Deps, router: _Router, leads: Sequence[Lead], now: datetime
) -> None:
    """Decide, save and announce where each new lead goes: an agent, managers or nurture."""
    owners = await uow.leads.owners_of([lead.contact_id for lead in leads if lead.returning])
    decisions = []
    for lead in leads:
        decision = router.decide(lead, tried=set(), prefer=owners.get(lead.contact_id))
        _settle(lead, decision, now)
        decisions.append(decision)
    await uow.leads.update_all(leads)
    events: list[LeadEvent] = []
    messages: list[OutgoingMessage] = []
    offers = [offer for lead, d in zip(leads, decisions, strict=True)
              for offer in _new_offers(deps, lead, d, sequence=1, now=now)]
    await uow.offers.add_all(offers)
    offers_of: dict[int, list[Offer]] = {}
    for offer in offers:
        offers_of.setdefault(offer.lead_id, []).append(offer)
    for lead, decision in zip(leads, decisions, strict=True):
        notice = _notice(deps, lead, decision, router, offers=offers_of.get(lead.id, []),
                         tried=[], now=now)
        events.extend(notice.events)
        messages.extend(notice.messages)
    await uow.events.add_all(events)
    await uow.outbox.add_all(messages)
    for offer in offers:
        uow.wake_at(offer.deadline)
    await router.save(uow)


def _settle(lead: Lead, decision: Decision, now: datetime) -> None:
    """Put *lead* in the state its routing decision leaves it in."""
    if decision.outcome == "managers":
        lead.status, lead.escalated_at = LeadStatus.WITH_MANAGERS, now
    elif decision.outcome == "nurture":
        lead.status = LeadStatus.NURTURE
    elif decision.outcome == "disqualified":
        lead.status, lead.closed_at = LeadStatus.DISQUALIFIED, now
    else:
        lead.status = LeadStatus.OFFERED


async def _revive_nurtured(uow: UnitOfWork, leads: Sequence[Lead], now: datetime) -> None:
    """A contact in nurture who writes again is live again: their new inquiry, just routed,
    takes over, and the nurtured lead leaves the managers' nurture list pointing to it."""
    if not leads:
        return
    newest = {lead.contact_id: lead for lead in leads}  # batch order: the last one wins
    batch = {lead.id for lead in leads}
    events = []
    for old in await uow.leads.nurtured_of(list(newest)):
        if old.id in batch or not await uow.leads.revive(old.id):
            continue
        new = newest[old.contact_id]
        events += [LeadEvent(old.id, now, "revived", data={"by": new.id}),
                   LeadEvent(new.id, now, "revives", data={"lead_id": old.id})]
    await uow.events.add_all(events)


async def unrouted_leads(uow: UnitOfWork, *, limit: int) -> list[int]:
    """The ids of the oldest stored leads waiting to be routed (rarely needed: it takes a
    write turn, as the waiting rows are read the way routing takes them)."""
    async with uow:
        return [lead.id for lead in await uow.leads.take_new(limit=limit)]


async def hand_unroutable_to_managers(uow: UnitOfWork, deps: Deps, *, lead_id: int) -> bool:
    """Give a waiting lead that routing fails on to the managers; False if it is no longer
    waiting. One lead the rules choke on must not hold up the rest."""
    now = deps.clock.now()
    async with uow:
        waiting = await uow.leads.take_new(limit=1, ids=[lead_id])
        if not waiting:
            return False
        [lead] = waiting
        lead.status, lead.escalated_at = LeadStatus.WITH_MANAGERS, now
        await uow.leads.update(lead)
        notice = _manager_notice(deps, lead, await uow.agents.list(), tried=[],
                                 reason="routing_failed", now=now)
        await uow.events.add_all(notice.events)
        await uow.outbox.add_all(notice.messages)
        await uow.commit()
    return True


# --- routing and offers -----------------------------------------------------------------


class _Router:
    """The routing policy with the roster, each agent's load and the rules' memory.

    The rules' memory is one locked row, so concurrent writers (two instances, or a decline
    racing a new lead) queue behind each other instead of both taking the same turn.
    """

    def __init__(self, deps: Deps, situation: Situation) -> None:
        self._deps = deps
        self.situation = situation

    @classmethod
    async def load(cls, uow: UnitOfWork, deps: Deps, now: datetime, *,
                   lock: bool = True) -> _Router:
        """Read the roster and the agents' load, and lock the rules' memory (or, for a dry
        run that will not save it, only read it)."""
        policy = deps.config.routing
        roster = await uow.agents.list()
        states = await (uow.rotations.lock(ROUTING) if lock else uow.rotations.read(ROUTING))
        # Conversion over the review period walks every lead owned in it; only tiers need it.
        owned = await uow.leads.owner_counts(
            review_since=now - policy.tiers.review if policy.uses_tiers else None)
        # Penalties look back this far; an agent with no offer in it counts as idle longest.
        offered = await uow.offers.offer_counts(
            since=now - policy.penalty.within - policy.penalty.length)
        received: dict[int, int] = {}
        if policy.ramp_by_leads:  # only then is the count read, and only for new agents
            received = await uow.leads.received_since({
                a.telegram_id: datetime.combine(a.profile.start_date, time.min,
                                                deps.config.zone)
                for a in roster if a.active and a.profile.start_date is not None})
        stats: dict[int, AgentStats] = {}
        for agent_id in {*owned, *offered, *received}:
            own, off = owned.get(agent_id), offered.get(agent_id)
            stats[agent_id] = AgentStats(
                open_leads=(own.open if own else 0) + (off.pending if off else 0),
                last_offered_at=off.last_offered_at if off else None,
                misses=list(off.misses) if off else [],
                reviewed_leads=own.reviewed if own else 0,
                reviewed_won=own.won if own else 0,
                received=received.get(agent_id, 0))
        situation = Situation(roster, stats, {name: RuleState.from_json(state)
                                              for name, state in states.items()},
                              now, deps.config.zone)
        return cls(deps, situation)

    @property
    def roster(self) -> list[Agent]:
        """Everyone on the roster."""
        return self.situation.roster

    def decide(self, lead: Lead, *, tried: set[int], prefer: int | None) -> Decision:
        """Where *lead* goes, by the office's policy."""
        return decide(self._deps.config.routing, lead, self.situation, tried=tried,
                      prefer=prefer)

    def agent_by_id(self, agent_id: int) -> Agent:
        """A roster entry."""
        by_id: dict[int, Agent] | None = self.situation.cache.get("by_id")
        if by_id is None:
            by_id = self.situation.cache["by_id"] = {a.telegram_id: a for a in self.roster}
        return by_id[agent_id]

    async def save(self, uow: UnitOfWork) -> None:
        """Store the rules' memory."""
        await uow.rotations.save(ROUTING, {name: state.to_json()
                                           for name, state in self.situation.states.items()})


@dataclass(frozen=True)
class _Notice:
    """The history entry and the messages one routing outcome causes."""

    events: list[LeadEvent]
    messages: list[OutgoingMessage]


def _claim_chat(deps: Deps, decision: Decision) -> int | None:
    """The group a claim pool's round is posted to, or None for one message per member."""
    if decision.outcome != "pool":
        return None
    rule = next((r for r in deps.config.routing.rules if r.name == decision.rule), None)
    return rule.claim_chat if rule is not None else None


def _group_of(offer: Offer) -> int | None:
    """The group chat *offer*'s round was posted to, if it was posted to one."""
    chat = offer.trace.get("chat")
    return int(chat) if chat is not None else None


def _round_ref(lead_id: int, sequence: int) -> str:
    """The outbox ref of a round's one group message, which later edits name."""
    return f"pool:{lead_id}:{sequence}"


def _new_offers(deps: Deps, lead: Lead, decision: Decision, *, sequence: int,
                now: datetime) -> list[Offer]:
    """The offer a decision makes, or one per member of a claim pool (same round)."""
    window = deps.config.sla[lead.temperature].accept_within
    # The full trace goes once into the lead's history; each offer keeps only its headline.
    trace: dict[str, Any] = {"rule": decision.rule, "strategy": decision.strategy,
                             "reason": decision.reason}
    if decision.outcome == "pool":
        agents, kind = list(decision.pool), "claim"
        chat = _claim_chat(deps, decision)
        if chat is not None:
            # Kept on the offers, not looked up again: a reload must not move a live round.
            trace |= {"chat": chat, "round": deps.new_token()}
    elif decision.agent_id is not None:
        agents, kind = [decision.agent_id], "offer"
    else:
        return []
    return [Offer(lead_id=lead.id, agent_id=agent_id, token=deps.new_token(), created_at=now,
                  deadline=now + window, sequence=sequence, trace=trace,
                  kind=kind) for agent_id in agents]


def _offered(lead: Lead, offers: Sequence[Offer], decision: Decision, *,
             chat: int | None = None) -> LeadEvent:
    """The history entry of one round: one offer, or a whole claim pool (however wide)."""
    first = offers[0]
    if len(offers) == 1 and first.kind != "claim":
        return LeadEvent(lead.id, first.created_at, "offered", first.agent_id,
                         {"offer_id": first.id, "why": decision.reason})
    data: dict[str, Any] = {"offer_ids": [o.id for o in offers],
                            "agents": [o.agent_id for o in offers], "why": decision.reason}
    if chat is not None:
        data["chat"] = chat
    return LeadEvent(lead.id, first.created_at, "offered", None, data)


def _group_notice(deps: Deps, lead: Lead, offers: Sequence[Offer],
                  decision: Decision) -> _Notice:
    """One message in the pool's group for the whole round; each member still has an offer."""
    first = offers[0]
    chat = _group_of(first)
    assert chat is not None
    message = OutgoingMessage(chat, "claim_group", {
        **_summary(lead), "sequence": first.sequence, "token": first.trace["round"],
        "deadline": first.deadline.isoformat(),
        "window_s": int((first.deadline - first.created_at).total_seconds()),
        "pool_size": len(offers), "lang": deps.config.language,
    }, first.created_at, ref=_round_ref(lead.id, first.sequence))
    return _Notice([_offered(lead, offers, decision, chat=chat)], [message])


def _group_message(deps: Deps, chat: int, lead: Lead, sequence: int, template: str,
                   now: datetime, **params: Any) -> OutgoingMessage:
    """An edit of a round's group message: who claimed it, or that nobody did."""
    return OutgoingMessage(chat, template, {**_summary(lead), **params,
                                            "lang": deps.config.language},
                           now, edit_ref=_round_ref(lead.id, sequence))


def _offer_message(deps: Deps, lead: Lead, agent: Agent, offer: Offer,
                   decision: Decision) -> OutgoingMessage:
    template = "claim_offer" if offer.kind == "claim" else "offer"
    return _message(
        deps, agent, template, offer.created_at, ref=f"offer:{offer.id}",
        params={**_summary(lead), "offer_id": offer.id, "token": offer.token,
                "deadline": offer.deadline.isoformat(),
                "window_s": int((offer.deadline - offer.created_at).total_seconds()),
                "sequence": offer.sequence, "why": decision.reason,
                "pool_size": len(decision.pool)},
    )


def _manager_notice(deps: Deps, lead: Lead, roster: Sequence[Agent], *, tried: Sequence[int],
                    reason: str, now: datetime) -> _Notice:
    """The lead for every manager, with a button per agent they can assign it to."""
    names = {a.telegram_id: a.name for a in roster}
    choices = [[a.telegram_id, a.name] for a in roster
               if a.active and not a.away and a.chat_id is not None]
    params = {**_summary(lead), **_contact_details(lead), "reason": reason,
              "tried": [names.get(t, str(t)) for t in tried], "choices": choices}
    messages = [_message(deps, manager, "escalated", now,
                         ref=f"esc:{lead.id}:{manager.telegram_id}", params=params)
                for manager in roster if manager.is_manager and manager.chat_id is not None]
    return _Notice([LeadEvent(lead.id, now, "escalated", data={"reason": reason})], messages)


def _notice(deps: Deps, lead: Lead, decision: Decision, router: _Router, *,
            offers: Sequence[Offer], tried: Sequence[int], now: datetime) -> _Notice:
    """The history and messages of one routing decision, with its trace for `/why`."""
    routed = LeadEvent(lead.id, now, "routed", decision.agent_id, decision.as_trace())
    if offers and _group_of(offers[0]) is not None:
        notice = _group_notice(deps, lead, offers, decision)
    elif offers:
        # One history entry for the round: a pool of 27 is one row to write, not 27.
        notice = _Notice([_offered(lead, offers, decision)], [
            _offer_message(deps, lead, router.agent_by_id(o.agent_id), o, decision)
            for o in offers])
    elif decision.outcome in ("nurture", "disqualified"):
        kind = "nurtured" if decision.outcome == "nurture" else "disqualified"
        notice = _Notice([LeadEvent(lead.id, now, kind, data={"rule": decision.rule})], [])
    else:
        reason = "no_accept" if decision.reason == "limit" else "no_agent"
        notice = _manager_notice(deps, lead, router.roster, tried=tried, reason=reason, now=now)
    return _Notice([routed, *notice.events], notice.messages)


async def _offer_next(uow: UnitOfWork, deps: Deps, lead: Lead, now: datetime, *,
                      router: _Router | None = None) -> None:
    """After a decline or expiry, offer *lead* to the next agent or hand it to the managers.

    Given a *router*, the caller shares it between leads and saves it; otherwise one is
    loaded and saved here.
    """
    own_router = router is None
    if router is None:
        router = await _Router.load(uow, deps, now)
    await _move_on(uow, deps, [(lead, await uow.offers.for_lead(lead.id))], router, now)
    if own_router:
        await router.save(uow)


async def _move_on(uow: UnitOfWork, deps: Deps, cases: Sequence[tuple[Lead, list[Offer]]],
                   router: _Router, now: datetime) -> None:
    """Route each lead again, given every offer it has had; one write per table for all."""
    steps: list[tuple[Lead, Decision, list[Offer], list[int]]] = []
    for lead, history in cases:
        tried = list(dict.fromkeys(o.agent_id for o in history))
        rounds = len({o.sequence for o in history})  # a claim pool is one round, however wide
        limit = deps.config.sla[lead.temperature].offers_before_managers
        if rounds >= limit:
            decision = Decision(None, "managers", "sla", "", "limit", detail={"offers": rounds})
        else:
            decision = router.decide(lead, tried=set(tried), prefer=None)
        new = _new_offers(deps, lead, decision, sequence=rounds + 1, now=now)
        _settle(lead, decision, now)
        steps.append((lead, decision, new, tried))
    await uow.offers.add_all([offer for *_, new, _ in steps for offer in new])
    events: list[LeadEvent] = []
    messages: list[OutgoingMessage] = []
    for lead, decision, new, tried in steps:
        for offer in new:
            uow.wake_at(offer.deadline)
        notice = _notice(deps, lead, decision, router, offers=new, tried=tried, now=now)
        events += notice.events
        messages += notice.messages
    await uow.leads.update_all([lead for lead, *_ in steps])
    await uow.events.add_all(events)
    await uow.outbox.add_all(messages)


# --- agent actions ----------------------------------------------------------------------


async def check_offer(uow: UnitOfWork, *, agent_id: int, offer_id: int, token: str) -> Offer:
    """Return the offer if *agent_id* may still act on it, else raise why not."""
    async with uow.reading():
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
        lead = await _lock_lead(uow, offer.lead_id)
        if lead.status is not LeadStatus.OFFERED:
            raise OfferNoLongerOpen()
        await _accept(uow, deps, lead, offer, now)
        await uow.commit()
    return lead


async def claim_round(
    uow: UnitOfWork, deps: Deps, *, agent_id: int, lead_id: int, sequence: int, token: str
) -> Lead:
    """A group member pressed Claim on a pool's group message: accept THEIR offer of that
    round, if they are in the pool and nobody was first."""
    now = deps.clock.now()
    async with uow:
        lead = await uow.leads.lock(lead_id)
        if lead is None:
            raise OfferNoLongerOpen()
        round_ = [o for o in await uow.offers.for_lead(lead_id)
                  if o.sequence == sequence and o.kind == "claim"]
        if not round_ or any(o.trace.get("round") != token for o in round_):
            raise OfferNoLongerOpen()  # not a round we posted: forged or from an old version
        mine = next((o for o in round_ if o.agent_id == agent_id), None)
        if mine is None:
            person = await uow.agents.get(agent_id)
            if person is not None and person.chat_id is None:
                raise StartFirst()  # the pools only take people the bot can write to
            raise NotInPool()
        if mine.status is OfferStatus.WITHDRAWN or lead.owner_id not in (None, agent_id):
            raise AlreadyClaimed()
        if lead.status is not LeadStatus.OFFERED or mine.status is not OfferStatus.PENDING:
            raise OfferNoLongerOpen()
        await _accept(uow, deps, lead, mine, now)
        await uow.commit()
    return lead


async def _accept(uow: UnitOfWork, deps: Deps, lead: Lead, offer: Offer, now: datetime) -> None:
    """Give *lead* (locked) to the agent of *offer*, close the rest of its round, and tell
    them; the offer's conditional update is what makes exactly one claim win."""
    if not await uow.offers.decide(offer.id, status=OfferStatus.ACCEPTED, at=now):
        raise OfferNoLongerOpen()
    agent_id = offer.agent_id
    lead.status, lead.owner_id, lead.accepted_at = LeadStatus.OWNED, agent_id, now
    await uow.leads.update(lead)
    agent = await uow.agents.get(agent_id)
    assert agent is not None
    group = _group_of(offer)
    await _withdraw_others(uow, deps, lead, keep=offer.id, claimed_by=agent.name, now=now,
                           tell=group is None)
    await uow.events.add(LeadEvent(lead.id, now, "accepted", agent_id, {
        "offer_id": offer.id, "seconds": (now - offer.created_at).total_seconds(),
        "within_sla": now <= offer.deadline,
    }))
    if group is not None:
        await uow.outbox.add(_group_message(deps, group, lead, offer.sequence,
                                            "claim_group_taken", now, agent=agent.name))
    # From a group, the contact details go to the winner's private chat as a new message.
    await uow.outbox.add(_message(
        deps, agent, "offer_accepted", now,
        edit_ref=f"offer:{offer.id}" if group is None else None,
        params={**_summary(lead), **_contact_details(lead)},
    ))


async def decline_offer(
    uow: UnitOfWork, deps: Deps, *, agent_id: int, offer_id: int, token: str,
    reason: DeclineReason,
) -> None:
    """Record why the agent passed and offer the lead to the next agent at once."""
    now = deps.clock.now()
    async with uow:
        offer = await _open_offer(uow, agent_id=agent_id, offer_id=offer_id, token=token)
        lead = await _lock_lead(uow, offer.lead_id)
        if not await uow.offers.decide(offer.id, status=OfferStatus.DECLINED, at=now,
                                       reason=reason):
            raise OfferNoLongerOpen()
        await uow.events.add(LeadEvent(lead.id, now, "declined", agent_id,
                                       {"offer_id": offer.id, "reason": reason.value}))
        agent = await uow.agents.get(agent_id)
        assert agent is not None
        await uow.outbox.add(_message(
            deps, agent, "offer_declined", now, edit_ref=f"offer:{offer.id}",
            params={**_summary(lead), "reason": reason.value},
        ))
        if not await _others_pending(uow, lead.id):
            await _offer_next(uow, deps, lead, now)
        await uow.commit()


async def escalate_expired_offers(
    uow_factory: UowFactory, deps: Deps, *, limit: int = 500, batch: int = 100
) -> list[int]:
    """Withdraw every offer past its deadline and move its lead on; return the offer ids.

    Offers move in batches, one transaction and one read of the office's load per batch
    (10,000 offers coming due must not mean 10,000 reads of every agent's load); a batch of
    100 holds SQLite's one writer for ~50 ms, short enough for a new lead waiting behind it,
    and long enough for 2,000 offers overdue at a restart to move within 5 s. Each
    offer still moves only from pending and only once past due, so a restart, a second
    sweep, another instance or a racing Accept never moves the same offer twice.
    """
    now = deps.clock.now()
    moved: list[int] = []
    while True:
        async with uow_factory() as uow:
            due = await uow.offers.overdue(now, limit=limit)
        for start in range(0, len(due), batch):
            chunk = due[start:start + batch]
            try:
                moved += await _expire(uow_factory, deps, chunk, due_by=now)
            except Conflict:
                for offer in chunk:  # someone changed one of them: take them one by one
                    try:
                        moved += await _expire(uow_factory, deps, [offer], due_by=now)
                    except Conflict:
                        continue  # changed again under us: the next sweep looks again
        if len(due) < limit:
            return moved


async def _expire(uow_factory: UowFactory, deps: Deps, offers: Sequence[Offer], *,
                  due_by: datetime) -> list[int]:
    """Expire these offers in one transaction, leads locked in id order; the ids moved.

    A statement per table for the whole batch, not per offer: thousands coming due at once
    must not queue behind each other's round trips.
    """
    async with uow_factory() as uow:
        at = deps.clock.now()  # a long sweep records when each offer really moved
        leads = await uow.leads.lock_all([o.lead_id for o in offers])
        expired = await uow.offers.decide_all([o.id for o in offers if o.lead_id in leads],
                                              status=OfferStatus.EXPIRED, at=at, due_by=due_by)
        if not expired:
            return []
        moved = sorted((o for o in offers if o.id in expired), key=lambda o: (o.lead_id, o.id))
        history: dict[int, list[Offer]] = {}
        for offer in await uow.offers.for_leads(sorted({o.lead_id for o in moved})):
            history.setdefault(offer.lead_id, []).append(offer)
        # A claim pool moves on once, when its last member's offer is gone.
        stuck = [leads[lead_id] for lead_id, had in history.items()
                 if not any(o.status is OfferStatus.PENDING for o in had)]
        router = await _Router.load(uow, deps, at) if stuck else None
        roster = router.roster if router else await uow.agents.list()
        people = {agent.telegram_id: agent for agent in roster}
        await uow.events.add_all([LeadEvent(o.lead_id, at, "expired", o.agent_id,
                                            {"offer_id": o.id}) for o in moved])
        edits = [
            _message(deps, agent, "offer_expired", at, edit_ref=f"offer:{o.id}", params={
                **_summary(leads[o.lead_id]),
                "window_s": int((o.deadline - (o.delivered_at or o.created_at)).total_seconds()),
            }) for o in moved if _group_of(o) is None
            and (agent := people.get(o.agent_id)) is not None and agent.chat_id is not None]
        # A round posted to a group is told once, in the group, that nobody claimed it.
        rounds = {(o.lead_id, o.sequence): group for o in moved
                  if (group := _group_of(o)) is not None}
        stuck_ids = {lead.id for lead in stuck}
        edits += [_group_message(deps, group, leads[lead_id], sequence, "claim_group_expired", at)
                  for (lead_id, sequence), group in sorted(rounds.items())
                  if lead_id in stuck_ids]
        await uow.outbox.add_all(edits)
        if router is not None:
            await _move_on(uow, deps, [(lead, history[lead.id]) for lead in stuck], router, at)
            await router.save(uow)
        await uow.commit()
    return [o.id for o in moved]


async def offer_delivered(uow: UnitOfWork, deps: Deps, *, offer_id: int,
                          at: datetime) -> datetime | None:
    """Start an offer's accept clock when its message reached the agent; the new deadline.

    The window counts from delivery, so an agent is never timed out by our own backlog;
    the deadline never moves earlier, and a second report of the same delivery changes nothing.
    """
    async with uow:
        offer = await uow.offers.get(offer_id)
        if offer is None or offer.status is not OfferStatus.PENDING or offer.delivered_at:
            return None
        deadline = max(offer.deadline, at + (offer.deadline - offer.created_at))
        if not await uow.offers.start_clock(offer.id, delivered_at=at, deadline=deadline):
            return None
        if deadline != offer.deadline:
            uow.wake_at(deadline)
        await uow.commit()
    return deadline


async def round_delivered(uow: UnitOfWork, deps: Deps, *, lead_id: int, sequence: int,
                          at: datetime) -> None:
    """Start the accept clock of every offer in a round whose one group message went out."""
    async with uow:
        changed = False
        for offer in await uow.offers.for_lead(lead_id):
            if (offer.sequence != sequence or offer.status is not OfferStatus.PENDING
                    or offer.delivered_at):
                continue
            deadline = max(offer.deadline, at + (offer.deadline - offer.created_at))
            if await uow.offers.start_clock(offer.id, delivered_at=at, deadline=deadline):
                changed = True
                if deadline != offer.deadline:
                    uow.wake_at(deadline)
        if changed:
            await uow.commit()


async def round_unreachable(uow: UnitOfWork, deps: Deps, *, lead_id: int, sequence: int,
                            error: str) -> None:
    """Telegram will not take a round's group post (the bot left the group, a wrong id):
    nobody can claim it, so move the lead on now instead of at the deadline, and tell the
    managers which group to fix."""
    now = deps.clock.now()
    async with uow:
        lead = await _lock_lead(uow, lead_id)
        group = None
        for offer in await uow.offers.for_lead(lead_id):
            if offer.sequence != sequence or offer.status is not OfferStatus.PENDING:
                continue
            # Withdrawn, not declined or expired: the members never saw it, so it must not
            # count against them in the stats or the SLA penalty.
            if await uow.offers.decide(offer.id, status=OfferStatus.WITHDRAWN, at=now,
                                       reason=DeclineReason.UNREACHABLE):
                group = _group_of(offer)
                await uow.events.add(LeadEvent(lead.id, now, "unreachable", offer.agent_id, {
                    "offer_id": offer.id, "group": group, "error": error[:120]}))
        if group is None:
            return  # claimed, expired or moved on meanwhile: nothing is stuck
        if not await _others_pending(uow, lead.id):
            await _offer_next(uow, deps, lead, now)
        await uow.outbox.add_all([
            _message(deps, manager, "group_unreachable", now,
                     params={"chat": group, "lead_id": lead.id})
            for manager in await uow.agents.list()
            if manager.is_manager and manager.chat_id is not None])
        await uow.commit()


async def chat_unreachable(uow: UnitOfWork, deps: Deps, *, chat_id: int, offer_id: int | None,
                           error: str) -> None:
    """Telegram will not deliver to *chat_id* (blocked, deleted): unlink that person until
    they press Start again, move their pending offer on, and tell the managers."""
    now = deps.clock.now()
    async with uow:
        people = await uow.agents.list()
        person = next((a for a in people if a.chat_id == chat_id), None)
        if person is not None:
            person.chat_id = None
            await uow.agents.save(person)
        offer = await uow.offers.get(offer_id) if offer_id is not None else None
        lead_id = None
        if offer is not None and offer.status is OfferStatus.PENDING:
            lead = await _lock_lead(uow, offer.lead_id)
            if await uow.offers.decide(offer.id, status=OfferStatus.DECLINED, at=now,
                                       reason=DeclineReason.UNREACHABLE):
                lead_id = lead.id
                await uow.events.add(LeadEvent(lead.id, now, "unreachable", offer.agent_id,
                                               {"offer_id": offer.id, "error": error[:120]}))
                if not await _others_pending(uow, lead.id):
                    await _offer_next(uow, deps, lead, now)
        if person is not None:  # only the first failure for a chat tells the managers
            await uow.outbox.add_all([
                _message(deps, manager, "agent_unreachable", now,
                         params={"agent": person.name, "lead_id": lead_id})
                for manager in people if manager.is_manager and manager.chat_id is not None
                and manager.telegram_id != person.telegram_id])
        await uow.commit()


AUDIT = "audit"  # the row holding the auditor's running totals


async def audit_leads(uow_factory: UowFactory, deps: Deps) -> list[int]:
    """Find leads nobody holds (marked offered, no live offer) and route them again.

    A correct run never leaves one; the auditor is the net under bugs and hand edits. Each
    lead is fixed in its own transaction, rechecked under its lock, so a lead that moved on
    meanwhile is left alone.
    """
    now = deps.clock.now()
    async with uow_factory() as uow:
        suspects = await uow.leads.orphaned()
    fixed = []
    for lead_id in suspects:
        async with uow_factory() as uow:
            lead = await _lock_lead(uow, lead_id)
            if lead.status is not LeadStatus.OFFERED or await _others_pending(uow, lead.id):
                continue
            await uow.events.add(LeadEvent(lead.id, now, "audited",
                                           data={"problem": "no_live_offer"}))
            await _offer_next(uow, deps, lead, now)
            await uow.commit()
            fixed.append(lead.id)
    return fixed


async def report_audit(uow: UnitOfWork, deps: Deps, *, rerouted: Sequence[int],
                       resent: int) -> None:
    """Add what the auditor fixed to its totals and, if it fixed anything, tell managers."""
    now = deps.clock.now()
    async with uow:
        totals = await uow.rotations.lock(AUDIT)
        totals = {"runs": int(totals.get("runs", 0)) + 1,
                  "rerouted": int(totals.get("rerouted", 0)) + len(rerouted),
                  "resent": int(totals.get("resent", 0)) + resent, "last_at": now.isoformat()}
        await uow.rotations.save(AUDIT, totals)
        if rerouted or resent:
            await uow.outbox.add_all([
                _message(deps, manager, "audit_report", now,
                         params={"leads": list(rerouted), "resent": resent})
                for manager in await uow.agents.list()
                if manager.is_manager and manager.chat_id is not None])
        await uow.commit()


async def pending_deadlines(uow: UnitOfWork) -> list[datetime]:
    """The deadline of every open offer, for the scheduler after a restart."""
    async with uow.reading():
        return await uow.offers.pending_deadlines()


# --- managers ---------------------------------------------------------------------------


async def assign_lead(
    uow: UnitOfWork, deps: Deps, *, manager_id: int, lead_id: int, agent_id: int
) -> Lead:
    """A manager gives a lead nobody accepted to the agent of their choice."""
    now = deps.clock.now()
    async with uow:
        manager = await _manager(uow, manager_id)
        lead = await _lock_lead(uow, lead_id)
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
    async with uow.reading():
        return await _manager(uow, telegram_id)


@dataclass(frozen=True)
class WaitingLead:
    """A lead nobody owns yet, and who holds it now."""

    lead: Lead
    holder: str | None
    deadline: datetime | None


# More rows than one Telegram message can hold (tests/test_long_lists.py checks that the
# shortest rows overflow it), so the reply is full and nothing else is read.
WAITING_SHOWN = 150


@dataclass(frozen=True)
class WaitingLeads(Sequence[WaitingLead]):
    """The most urgent waiting leads, in order, and how many wait in all."""

    shown: tuple[WaitingLead, ...]
    total: int

    @overload
    def __getitem__(self, index: int) -> WaitingLead: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[WaitingLead, ...]: ...

    def __getitem__(self, index: int | slice) -> WaitingLead | tuple[WaitingLead, ...]:
        """One of the shown leads, or a slice of them."""
        return self.shown[index]

    def __len__(self) -> int:
        """How many leads are shown (not the total)."""
        return len(self.shown)


async def waiting_leads(
    uow: UnitOfWork, *, manager_id: int, limit: int = WAITING_SHOWN
) -> WaitingLeads:
    """The *limit* most urgent leads waiting for an Accept or for a manager, for `/pending`."""
    async with uow.reading():
        await _manager(uow, manager_id)
        rows = await uow.leads.waiting(limit=limit)
        total = await uow.leads.count_waiting()
        names = {a.telegram_id: a.name for a in await uow.agents.list()}
    shown = tuple(WaitingLead(
        row.lead, names.get(row.holder_id) if row.holder_id is not None else None, row.deadline,
    ) for row in rows)
    # PostgreSQL reads each statement at its own snapshot: never say fewer than were shown.
    return WaitingLeads(shown, max(total, len(shown)))


@dataclass(frozen=True)
class Explanation:
    """Every routing decision made for one lead, oldest first, for `/why`."""

    lead: Lead
    decisions: list[tuple[datetime, dict[str, Any]]]
    names: dict[int, str]


async def explain_lead(uow: UnitOfWork, *, person_id: int, lead_id: int) -> Explanation:
    """Why a lead went where it went; for managers and for the agents it was offered to."""
    async with uow.reading():
        person = await uow.agents.get(person_id)
        if person is None or not person.active:
            raise UnknownAgent()
        lead = await uow.leads.get(lead_id)
        if lead is None:
            raise NotFound()
        if not person.is_manager and person_id not in {
                o.agent_id for o in await uow.offers.for_lead(lead_id)}:
            raise NotFound()  # not "forbidden": an agent should not learn the lead exists
        events = await uow.events.for_leads([lead_id])
        names = {a.telegram_id: a.name for a in await uow.agents.list()}
    decisions = [(e.at, e.data) for e in events if e.kind == "routed"]
    return Explanation(lead, decisions, names)


async def preview_route(
    uow: UnitOfWork, deps: Deps, *, source_name: str, payload: Mapping[str, object]
) -> Decision:
    """Where a lead would go now, with its trace; reads current data and changes nothing."""
    source = deps.config.source_named(source_name)
    if source is None:
        raise UnknownSource(f"no source named {source_name!r}")
    data = validate_lead(payload, default_region=deps.config.default_region)
    now = deps.clock.now()
    async with uow.reading():  # the rules' memory and the load stay as they were
        matches = await uow.contacts.find_any(phones=[data.phone] if data.phone else [],
                                              emails=[data.email] if data.email else [])
        lead = _new_lead(deps, data, source, bool(matches), now)
        owners = await uow.leads.owners_of([c.id for c in matches])
        router = await _Router.load(uow, deps, now, lock=False)  # never holds up real routing
        # Try the policy on the roster as the config file says now, not as last synced.
        router.situation.roster = roster_from_config(deps.config, router.roster)
        prefer = next((owners[c.id] for c in matches if c.id in owners), None)
        return router.decide(lead, tried=set(), prefer=prefer)


# --- outcomes ---------------------------------------------------------------------------


async def my_leads(uow: UnitOfWork, *, agent_id: int) -> list[Lead]:
    """The open leads an agent owns, for `/leads`."""
    async with uow.reading():
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


async def _lock_lead(uow: UnitOfWork, lead_id: int) -> Lead:
    """Read a lead and hold its row until commit: every change takes its leads first (in id
    order), then their offers, then the routing row, so two writers never wait on each other
    in opposite orders."""
    lead = await uow.leads.lock(lead_id)
    if lead is None:
        raise NotFound()
    return lead


async def _others_pending(uow: UnitOfWork, lead_id: int) -> bool:
    return any(o.status is OfferStatus.PENDING for o in await uow.offers.for_lead(lead_id))


async def _withdraw_others(uow: UnitOfWork, deps: Deps, lead: Lead, *, keep: int,
                           claimed_by: str, now: datetime, tell: bool = True) -> None:
    """Close the rest of a claim pool and, unless its round was posted to a group (whose one
    message says it), tell each member who was first."""
    for other in await uow.offers.for_lead(lead.id):
        if other.id == keep or other.status is not OfferStatus.PENDING:
            continue
        if await uow.offers.decide(other.id, status=OfferStatus.WITHDRAWN, at=now) and tell:
            member = await uow.agents.get(other.agent_id)
            if member is not None and member.chat_id is not None:
                await uow.outbox.add(_message(
                    deps, member, "claim_taken", now, edit_ref=f"offer:{other.id}",
                    params={**_summary(lead), "agent": claimed_by}))


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
        "received_at": lead.received_at.isoformat(), "company": lead.company,
        "intent": lead.intent,
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
    async with uow.reading():
        await _manager(uow, manager_id)
        figures = await uow.leads.period_tally(start, now + timedelta(seconds=1))
        agents = await uow.agents.list()
    return summarise(figures, agents, start=start, end=now)
