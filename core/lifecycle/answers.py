"""What agents and managers answer: Accept, Claim and Decline on an offer; Assign on an
escalated lead. The offer's conditional update decides every race: exactly one wins."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from core.deps import Deps
from core.errors import (
    AlreadyClaimed,
    LeadAlreadyHandled,
    NotInPool,
    NotYourOffer,
    OfferNoLongerOpen,
    StartFirst,
    UnknownAgent,
)
from core.lifecycle.after_accept import start_clocks
from core.lifecycle.cards import card_params, send_card
from core.lifecycle.common import lock_lead, manager, message, others_pending, person
from core.lifecycle.notices import group_message
from core.lifecycle.routing import offer_next
from core.lifecycle.team_group import settle_announcement
from core.messages import (
    ClaimedParams,
    DeclinedParams,
    EscalationClosedParams,
    EscalationRef,
    LeadSummary,
    OfferRef,
    Template,
)
from core.model import (
    ASSIGNABLE,
    DeclineReason,
    Lead,
    LeadEvent,
    LeadStatus,
    Offer,
    OfferKind,
    OfferStatus,
)
from core.ports import UnitOfWork


async def check_offer(uow: UnitOfWork, deps: Deps, /, *, agent_id: int, offer_id: int,
                      token: str) -> Offer:
    """Return the offer if *agent_id* may still act on it, else raise why not."""
    async with uow.reading():
        return await _open_offer(uow, agent_id=agent_id, offer_id=offer_id, token=token)


async def _open_offer(uow: UnitOfWork, *, agent_id: int, offer_id: int, token: str) -> Offer:
    """The offer, if it is *agent_id*'s and still waits for their answer; else why not."""
    offer = await uow.offers.get(offer_id)
    if offer is None or offer.token != token:
        raise OfferNoLongerOpen()
    if offer.agent_id != agent_id:
        raise NotYourOffer()
    if offer.status is not OfferStatus.PENDING:
        raise OfferNoLongerOpen()
    return offer


async def accept_offer(
    uow: UnitOfWork, deps: Deps, /, *, agent_id: int, offer_id: int, token: str
) -> Lead:
    """Make the lead the agent's and open its contact details, if the offer is still open."""
    now = deps.clock.now()
    async with uow:
        offer = await _open_offer(uow, agent_id=agent_id, offer_id=offer_id, token=token)
        lead = await lock_lead(uow, offer.lead_id)
        if lead.status is not LeadStatus.OFFERED:
            raise OfferNoLongerOpen()
        await _accept(uow, deps, lead, offer, now)
        await uow.commit()
    return lead


async def claim_round(
    uow: UnitOfWork, deps: Deps, /, *, agent_id: int, lead_id: int, sequence: int, token: str
) -> Lead:
    """A group member pressed Claim on a pool's group message: accept THEIR offer of that
    round, if they are in the pool and nobody was first."""
    now = deps.clock.now()
    async with uow:
        lead = await uow.leads.lock(lead_id)
        if lead is None:
            raise OfferNoLongerOpen()
        round_ = [o for o in await uow.offers.for_lead(lead_id)
                  if o.sequence == sequence and o.kind is OfferKind.CLAIM]
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
    agent_id = offer.agent_id
    agent = await person(uow, agent_id)
    if agent.chat_id is None:
        # Unlinked since the offer (blocked the bot, or a group chat was unlinked): the
        # contact details would have nowhere private to go.
        raise StartFirst()
    if not await uow.offers.decide(offer.id, status=OfferStatus.ACCEPTED, at=now):
        raise OfferNoLongerOpen()
    lead.give_to(agent, now)
    await start_clocks(uow, deps, lead, now)
    await uow.leads.update(lead)
    group = offer.group
    await _withdraw_others(uow, deps, lead, keep=offer.id, claimed_by=agent.name, now=now,
                           tell=group is None)
    await uow.events.add(LeadEvent(lead.id, now, "accepted", agent_id, {
        "offer_id": offer.id, "seconds": (now - offer.created_at).total_seconds(),
        "within_sla": now <= offer.deadline,
    }))
    if group is not None:
        await uow.outbox.add(group_message(
            deps, group, lead, offer.sequence, Template.CLAIM_GROUP_TAKEN,
            ClaimedParams(summary=LeadSummary.of(lead), agent=agent.name), now))
    # The offer message becomes the lead's card; from a group, the card (with the contact
    # details) goes to the winner's private chat as a new message.
    params = replace(await card_params(uow, deps, lead, viewer=agent, now=now),
                     opened="accepted")
    await send_card(uow, deps, lead, agent, now, params=params,
                    edit=OfferRef(offer.id) if group is None else None)


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
                await uow.outbox.add(message(
                    deps, member, Template.CLAIM_TAKEN, now, edit_ref=OfferRef(other.id),
                    params=ClaimedParams(summary=LeadSummary.of(lead), agent=claimed_by)))


async def decline_offer(
    uow: UnitOfWork, deps: Deps, /, *, agent_id: int, offer_id: int, token: str,
    reason: DeclineReason,
) -> None:
    """Record why the agent passed and offer the lead to the next agent at once."""
    now = deps.clock.now()
    async with uow:
        offer = await _open_offer(uow, agent_id=agent_id, offer_id=offer_id, token=token)
        lead = await lock_lead(uow, offer.lead_id)
        if not await uow.offers.decide(offer.id, status=OfferStatus.DECLINED, at=now,
                                       reason=reason):
            raise OfferNoLongerOpen()
        await uow.events.add(LeadEvent(lead.id, now, "declined", agent_id,
                                       {"offer_id": offer.id, "reason": reason.value}))
        agent = await person(uow, agent_id)
        await uow.outbox.add(message(
            deps, agent, Template.OFFER_DECLINED, now, edit_ref=OfferRef(offer.id),
            params=DeclinedParams(summary=LeadSummary.of(lead), reason=reason.value),
        ))
        if not await others_pending(uow, lead.id):
            await offer_next(uow, deps, lead, now)
        await uow.commit()


async def assign_lead(
    uow: UnitOfWork, deps: Deps, /, *, manager_id: int, lead_id: int, agent_id: int
) -> Lead:
    """A manager gives a lead nobody owns or is asked to accept (escalated to them, in
    nurture, or not routed yet) to the agent of their choice."""
    now = deps.clock.now()
    async with uow:
        boss = await manager(uow, manager_id)
        lead = await lock_lead(uow, lead_id)
        if lead.status not in ASSIGNABLE:
            raise LeadAlreadyHandled()  # /assign tells first that /reassign moves an owned one
        escalated = lead.status is LeadStatus.WITH_MANAGERS
        agent = await uow.agents.get(agent_id)
        if agent is None or not agent.active or agent.chat_id is None:
            raise UnknownAgent()
        lead.give_to(agent, now)
        await start_clocks(uow, deps, lead, now)
        await uow.leads.update(lead)
        await uow.events.add(LeadEvent(lead.id, now, "assigned", agent_id,
                                       {"by": manager_id}))
        params = replace(await card_params(uow, deps, lead, viewer=agent, now=now),
                         opened="assigned", by=boss.name)
        await send_card(uow, deps, lead, agent, now, params=params)
        for other in await uow.agents.list() if escalated else ():
            if other.is_manager and other.chat_id is not None:
                await uow.outbox.add(message(
                    deps, other, Template.ESCALATION_CLOSED, now,
                    edit_ref=EscalationRef(lead.id, other.telegram_id),
                    params=EscalationClosedParams(summary=LeadSummary.of(lead),
                                                  agent=agent.name, by=boss.name),
                ))
        await settle_announcement(uow, deps, lead, agent=agent.name, by=boss.name, now=now)
        await uow.commit()
    return lead
