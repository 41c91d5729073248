"""Routing stored leads, and moving a lead on after a decline or a missed deadline.

Every routing turn takes the routing row first; the leads it routes are taken with SKIP
LOCKED (never waited for), so instances routing at once queue on that one row only.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from core.deps import Deps
from core.lifecycle.notices import manager_notice, new_offers, notice
from core.lifecycle.router import Router
from core.lifecycle.team_group import announce_escalations
from core.messages import EscalatedParams
from core.model import Lead, LeadEvent, Offer, OutgoingMessage, RouteOutcome
from core.numbers.fairness import SharedDecision, shared_decision
from core.ports import UnitOfWork
from core.routing import Decision
from core.trace import mark

ROUTING_BATCH = 500  # leads per routing transaction: a burst's backlog goes in a few turns


async def route_new_leads(uow: UnitOfWork, deps: Deps, /, *, limit: int = ROUTING_BATCH,
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
        router = await Router.load(uow, deps, now)
        leads = await uow.leads.take_new(
            limit=limit, ids=None if lead_id is None else [lead_id])
        if not leads:
            return 0
        await _route_taken(uow, deps, router, leads, now)
        await uow.commit()
        mark("routed", (lead.id for lead in leads))
    return len(leads)


async def route_waiting_if_free(uow: UnitOfWork, deps: Deps, /, now: datetime) -> list[int] | None:
    """In the caller's transaction, route up to ROUTING_BATCH of the oldest waiting leads
    unless another transaction holds the routing row; the ids routed, or None if it was held.

    Intake calls it after storing, so a lead that finds nobody routing is offered in the
    transaction that stores it; one that finds the row taken is left to `route_new_leads`,
    and never waits for it.
    """
    router = await Router.take_if_free(uow, deps, now)
    if router is None:
        return None
    leads = await uow.leads.take_new(limit=ROUTING_BATCH)
    if leads:
        await _route_taken(uow, deps, router, leads, now)
    return [lead.id for lead in leads]


async def _route_taken(uow: UnitOfWork, deps: Deps, router: Router, leads: Sequence[Lead],
                       now: datetime) -> None:
    """Route leads taken in this transaction, and wake the nurtured ones they revive."""
    mark("routing", (lead.id for lead in leads))
    await _route(uow, deps, router, leads, now)
    await _revive_nurtured(uow, [lead for lead in leads if lead.returning], now)


async def _route(
    uow: UnitOfWork, deps: Deps, router: Router, leads: Sequence[Lead], now: datetime
) -> None:
    """Decide, save and announce where each new lead goes: an agent, managers or nurture."""
    owners = await uow.leads.owners_of([lead.contact_id for lead in leads if lead.returning])
    decisions = []
    for lead in leads:
        decision = router.decide(lead, tried=set(), prefer=owners.get(lead.contact_id))
        take_rule_type(deps, lead, decision)
        lead.settle(decision.outcome, now, rule=decision.rule, strategy=decision.strategy)
        decisions.append(decision)
    await uow.leads.settle_all(leads)
    events: list[LeadEvent] = []
    messages: list[OutgoingMessage] = []
    escalated: list[EscalatedParams] = []
    offers = [offer for lead, d in zip(leads, decisions, strict=True)
              for offer in new_offers(deps, lead, d, sequence=1, now=now)]
    await uow.offers.add_all(offers)
    offers_of: dict[int, list[Offer]] = {}
    for offer in offers:
        offers_of.setdefault(offer.lead_id, []).append(offer)
    shared: list[SharedDecision] = []
    for lead, decision in zip(leads, decisions, strict=True):
        if decision.shares:  # a lead's first decision only: the fairness audit's record
            [offer] = offers_of[lead.id]
            if (made := shared_decision(lead, decision, offer_id=offer.id, at=now)):
                shared.append(made)
        told = notice(deps, lead, decision, router, offers=offers_of.get(lead.id, []),
                      tried=[], now=now)
        events.extend(told.events)
        messages.extend(told.messages)
        escalated.extend(told.escalated)
    await uow.events.add_all(events)
    await uow.outbox.add_all(messages)
    await uow.fairness.record(shared)
    await announce_escalations(uow, deps, escalated, now)
    for offer in offers:
        uow.wake_at(offer.deadline)
    await router.save(uow)


def take_rule_type(deps: Deps, lead: Lead, decision: Decision) -> None:
    """Give *lead* the lead type of the rule that took it, or else of a rule that fell back
    to that one (a rule without a type leaves the lead's type, its source's, as it is)."""
    names = [decision.rule, *(step.rule for step in reversed(decision.steps))]
    rules = {rule.name: rule for rule in deps.config.routing.rules}
    for name in names:
        rule = rules.get(name)
        if rule is not None and rule.lead_type is not None:
            lead.lead_type = rule.lead_type
            return


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


async def unrouted_leads(uow: UnitOfWork, deps: Deps, /, *, limit: int) -> list[int]:
    """The ids of the oldest stored leads waiting to be routed (rarely needed: it takes a
    write turn, as the waiting rows are read the way routing takes them)."""
    async with uow:
        return [lead.id for lead in await uow.leads.take_new(limit=limit)]


async def hand_unroutable_to_managers(uow: UnitOfWork, deps: Deps, /, *,
                                      lead_id: int) -> bool:
    """Give a waiting lead that routing fails on to the managers; False if it is no longer
    waiting. One lead the rules choke on must not hold up the rest."""
    now = deps.clock.now()
    async with uow:
        waiting = await uow.leads.take_new(limit=1, ids=[lead_id])
        if not waiting:
            return False
        [lead] = waiting
        lead.escalate(now)
        await uow.leads.update(lead)
        router = await Router.load(uow, deps, now, lock=False)  # for who is available
        told = manager_notice(deps, lead, router.roster, tried=[],
                              reason="routing_failed", now=now, situation=router.situation)
        await uow.events.add_all(told.events)
        await uow.outbox.add_all(told.messages)
        await announce_escalations(uow, deps, told.escalated, now)
        await uow.commit()
    return True


async def offer_next(uow: UnitOfWork, deps: Deps, lead: Lead, now: datetime, *,
                     router: Router | None = None, without: Sequence[int] = ()) -> None:
    """After a decline or expiry, offer *lead* to the next agent or hand it to the managers;
    never to *without* (an owner it was taken back from) nor anyone offered it before.

    Given a *router*, the caller shares it between leads and saves it; otherwise one is
    loaded and saved here.
    """
    own_router = router is None
    if router is None:
        router = await Router.load(uow, deps, now)
    await move_on(uow, deps, [(lead, await uow.offers.for_lead(lead.id))], router, now,
                  without=without)
    if own_router:
        await router.save(uow)


async def move_on(uow: UnitOfWork, deps: Deps, cases: Sequence[tuple[Lead, list[Offer]]],
                  router: Router, now: datetime, *, without: Sequence[int] = ()) -> None:
    """Route each lead again, given every offer it has had (and never to *without*); one
    write per table for all."""
    steps: list[tuple[Lead, Decision, list[Offer], list[int], list[Offer]]] = []
    for lead, history in cases:
        tried = list(dict.fromkeys([*(o.agent_id for o in history), *without]))
        rounds = len({o.sequence for o in history})  # a claim pool is one round, however wide
        limit = deps.config.sla[lead.temperature].offers_before_managers
        if rounds >= limit:
            decision = Decision(agent_id=None, outcome=RouteOutcome.MANAGERS, rule="sla",
                                strategy="", reason="limit", detail={"offers": rounds})
        else:
            decision = router.decide(lead, tried=set(tried), prefer=None)
            take_rule_type(deps, lead, decision)
        new = new_offers(deps, lead, decision, sequence=rounds + 1, now=now)
        lead.settle(decision.outcome, now, rule=decision.rule, strategy=decision.strategy)
        steps.append((lead, decision, new, tried, history))
    await uow.offers.add_all([offer for _, _, new, _, _ in steps for offer in new])
    events: list[LeadEvent] = []
    messages: list[OutgoingMessage] = []
    escalated: list[EscalatedParams] = []
    for lead, decision, new, tried, history in steps:
        for offer in new:
            uow.wake_at(offer.deadline)
        returned = None
        if decision.outcome is RouteOutcome.MANAGERS and history:
            # The managers hear why an owner handed it back (rare: read only then).
            returned = {e.agent_id: str(e.data.get("reason", "other")) for e in reversed(
                await uow.events.recent(lead.id, kinds=("returned",), limit=20))
                        if e.agent_id is not None}
        told = notice(deps, lead, decision, router, offers=new, tried=tried, now=now,
                      history=history, returned=returned)
        events += told.events
        messages += told.messages
        escalated += told.escalated
    await uow.leads.settle_all([lead for lead, *_ in steps])
    await uow.events.add_all(events)
    await uow.outbox.add_all(messages)
    await announce_escalations(uow, deps, escalated, now)
