"""Taking a lead back from its owner by a reclaim rule or a missed first contact: routed
again without them, or handed to the managers.

The owner is told why in a new message, and their card is edited into a short note without
the contact details: a lead that is no longer theirs must not keep its phone on their screen.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from core.deps import Deps
from core.lifecycle.cards import refresh_cards
from core.lifecycle.clocks import close_clocks
from core.lifecycle.common import managers_in, message
from core.lifecycle.notices import manager_notice
from core.lifecycle.router import Router
from core.lifecycle.routing import offer_next
from core.lifecycle.team_group import announce_escalations
from core.messages import (
    LeadSummary,
    MissClosedParams,
    MissRef,
    ReclaimedParams,
    Template,
    parse_ref,
)
from core.model import Agent, Lead, LeadEvent
from core.ports import UnitOfWork


async def reclaim(uow: UnitOfWork, deps: Deps, lead: Lead, now: datetime, *,
                  reason: str) -> None:
    """Take *lead* (locked) back from its owner by rule *reason*, and route it again without
    them, or hand it to the managers if `work.reclaim.to` says so."""
    former_id = lead.take_back()
    await close_clocks(uow, lead, now)  # every open task: a new owner starts afresh
    await uow.events.add(LeadEvent(lead.id, now, "reclaimed", former_id, {"reason": reason}))
    await tell_former_owner(uow, deps, lead, await uow.agents.get(former_id), now,
                            reason=reason)
    if deps.config.work.reclaim.to == "managers":
        lead.escalate(now)
        await uow.leads.update(lead)
        router = await Router.load(uow, deps, now, lock=False)  # for who is available
        told = manager_notice(deps, lead, router.roster, tried=[former_id],
                              reason="reclaimed", now=now, situation=router.situation,
                              offers=await uow.offers.for_lead(lead.id))
        await uow.events.add_all(told.events)
        await uow.outbox.add_all(told.messages)
        await announce_escalations(uow, deps, told.escalated, now)
    else:
        await uow.leads.update(lead)
        await offer_next(uow, deps, lead, now, without=[former_id])
    await refresh_cards(uow, deps, lead, now)  # the managers' cards: nobody owns it now


async def tell_former_owner(uow: UnitOfWork, deps: Deps, lead: Lead, former: Agent | None,
                            now: datetime, *, reason: str, to: str | None = None,
                            by: str | None = None, why: str | None = None,
                            word: bool = True) -> None:
    """Tell *former* why the lead is no longer theirs (a new message, unless not *word*),
    and edit their card into a note without the contact details (it stops being a live
    card)."""
    if former is None or former.chat_id is None:
        return
    params = ReclaimedParams(summary=LeadSummary.of(lead), reason=reason, to=to, by=by,
                             why=why)
    card = await uow.cards.of_chat(lead.id, former.chat_id)
    if card is not None and (ref := parse_ref(card.ref)) is not None:
        await uow.cards.drop(lead.id, former.chat_id)
        await uow.outbox.add(message(deps, former, Template.RECLAIMED, now, edit_ref=ref,
                                     params=replace(params, brief=True)))
    if word:
        await uow.outbox.add(message(deps, former, Template.RECLAIMED, now, params=params))


async def missed_now(uow: UnitOfWork, lead: Lead) -> LeadEvent | None:
    """The first contact its current owner missed on *lead*, if they missed it."""
    missed = next(iter(await uow.events.recent(lead.id, kinds=("contact_missed",), limit=1)),
                  None)
    if missed is None or (lead.accepted_at is not None and missed.at < lead.accepted_at):
        return None
    return missed


async def settle_miss(uow: UnitOfWork, deps: Deps, lead: Lead, now: datetime, *,
                      outcome: str, agent: str | None = None, by: str | None = None) -> None:
    """Edit the managers' word of the lead's missed first contact to say how it ended, if
    its current ownership missed one."""
    missed = await missed_now(uow, lead)
    if missed is None or "task_id" not in missed.data:
        return
    task_id = int(missed.data["task_id"])
    await uow.outbox.add_all([
        message(deps, boss, Template.MISS_CLOSED, now, edit_ref=MissRef(task_id, boss.telegram_id),
                params=MissClosedParams(lead_id=lead.id, outcome=outcome, agent=agent, by=by))
        for boss in managers_in(await uow.agents.list())])
