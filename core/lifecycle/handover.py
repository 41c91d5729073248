"""A manager hands an owned lead to another agent: Reassign on a missed first contact, or
/reassign with a reason."""

from __future__ import annotations

from dataclasses import replace

from core.deps import Deps
from core.errors import AlreadyTheirs, ChangedHands, LeadAlreadyHandled, UnknownAgent, UseAssign
from core.lifecycle.after_accept import start_clocks
from core.lifecycle.cards import card_params, refresh_cards, send_card
from core.lifecycle.common import lock_lead, manager
from core.lifecycle.reclaim import settle_miss, tell_former_owner
from core.model import ASSIGNABLE, Lead, LeadEvent, ReassignReason
from core.ports import UnitOfWork


async def reassign_lead(uow: UnitOfWork, deps: Deps, /, *, manager_id: int, lead_id: int,
                        agent_id: int, reason: ReassignReason | None = None,
                        expected_owner: int | None = None) -> Lead:
    """A manager gives an owned lead to another agent: its open tasks go with it, its
    clocks start again for the new owner, and the one it was taken from is told (and
    why, given a *reason*). Chosen while *expected_owner* owned it: if someone moved it
    since, ChangedHands, and nothing changes (two managers at once: the first wins)."""
    now = deps.clock.now()
    async with uow:
        boss = await manager(uow, manager_id)
        lead = await lock_lead(uow, lead_id)
        if expected_owner is not None and lead.owner_id is None and lead.status in ASSIGNABLE:
            raise UseAssign(lead_id=lead.id)  # nobody owns it since the choice was made
        if expected_owner is not None and lead.owner_id != expected_owner:
            if lead.owner_id is None:
                raise LeadAlreadyHandled()
            now_with = await uow.agents.get(lead.owner_id)
            raise ChangedHands(lead_id=lead.id, owner=now_with.name if now_with else "?")
        if lead.status in ASSIGNABLE:
            raise UseAssign(lead_id=lead.id)
        if not lead.is_open:
            raise LeadAlreadyHandled()
        agent = await uow.agents.get(agent_id)
        if agent is None or not agent.active or agent.chat_id is None:
            raise UnknownAgent()
        if lead.owner_id == agent_id:
            raise AlreadyTheirs(name=agent.name)
        await settle_miss(uow, deps, lead, now, outcome="reassigned", agent=agent.name,
                          by=boss.name)
        former_id = lead.take_back()
        lead.give_to(agent, now)
        await start_clocks(uow, deps, lead, now)
        await uow.tasks.hand_over(lead.id, to=agent_id)
        await uow.leads.update(lead)
        data: dict[str, object] = {"from": former_id, "by": manager_id, "to": agent_id}
        if reason is not None:
            data["reason"] = reason.value
        await uow.events.add(LeadEvent(lead.id, now, "reassigned", agent_id, data))
        await tell_former_owner(uow, deps, lead, await uow.agents.get(former_id), now,
                                reason="reassigned", to=agent.name, by=boss.name,
                                why=reason.value if reason else None)
        await refresh_cards(uow, deps, lead, now)  # the managers' cards name the new owner
        params = replace(await card_params(uow, deps, lead, viewer=agent, now=now),
                         opened="assigned", by=boss.name)
        await send_card(uow, deps, lead, agent, now, params=params)
        await uow.commit()
    return lead
