"""A manager hands an owned lead to another agent (Reassign, on a missed first contact)."""

from __future__ import annotations

from dataclasses import replace

from core.deps import Deps
from core.errors import LeadAlreadyHandled, UnknownAgent
from core.lifecycle.after_accept import start_clocks
from core.lifecycle.cards import card_params, refresh_cards, send_card
from core.lifecycle.common import lock_lead, manager
from core.lifecycle.reclaim import settle_miss, tell_former_owner
from core.model import Lead, LeadEvent
from core.ports import UnitOfWork


async def reassign_lead(uow: UnitOfWork, deps: Deps, /, *, manager_id: int, lead_id: int,
                        agent_id: int) -> Lead:
    """A manager gives an owned lead to another agent: its open tasks go with it, its
    clocks start again for the new owner, and the one it was taken from is told."""
    now = deps.clock.now()
    async with uow:
        boss = await manager(uow, manager_id)
        lead = await lock_lead(uow, lead_id)
        if not lead.is_open or lead.owner_id == agent_id:
            raise LeadAlreadyHandled()
        agent = await uow.agents.get(agent_id)
        if agent is None or not agent.active or agent.chat_id is None:
            raise UnknownAgent()
        await settle_miss(uow, deps, lead, now, outcome="reassigned", agent=agent.name,
                          by=boss.name)
        former_id = lead.take_back()
        lead.give_to(agent_id, now)
        await start_clocks(uow, deps, lead, now)
        await uow.tasks.hand_over(lead.id, to=agent_id)
        await uow.leads.update(lead)
        await uow.events.add(LeadEvent(lead.id, now, "reassigned", agent_id,
                                       {"from": former_id, "by": manager_id}))
        await tell_former_owner(uow, deps, lead, await uow.agents.get(former_id), now,
                                reason="reassigned", to=agent.name, by=boss.name)
        await refresh_cards(uow, deps, lead, now)  # the managers' cards name the new owner
        params = replace(await card_params(uow, deps, lead, viewer=agent, now=now),
                         opened="assigned", by=boss.name)
        await send_card(uow, deps, lead, agent, now, params=params)
        await uow.commit()
    return lead
