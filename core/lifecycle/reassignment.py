"""Who takes a lead a manager moves by hand (/assign, /reassign: the agent by Telegram id or
by the start of their name), and an owner handing a lead back (Return on the card)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.deps import Deps
from core.errors import (
    AlreadyTheirs,
    LeadAlreadyHandled,
    NoSuchAgent,
    NotFound,
    NotYourLead,
    UseAssign,
    UseReassign,
)
from core.lifecycle.cards import refresh_cards
from core.lifecycle.clocks import close_clocks
from core.lifecycle.common import manager, owned_lead
from core.lifecycle.notices import assign_choices
from core.lifecycle.reclaim import tell_former_owner
from core.lifecycle.router import Router
from core.lifecycle.routing import offer_next
from core.model import ASSIGNABLE, Lead, LeadEvent, ReturnReason
from core.ports import UnitOfWork
from core.roster import people_named


@dataclass(frozen=True)
class AgentPick:
    """Whom a manager means to give a lead to: *agent* ([telegram_id, name]) when the words
    named one person, else the *choices* to pick from (the available first, each one routing
    would pass over *marks*ed), as `assign_options` gives them."""

    lead_id: int
    owner: list[Any] | None  # [telegram_id, name] of the owner it is taken from (/reassign)
    agent: list[Any] | None = None
    choices: list[list[Any]] = field(default_factory=list)
    marks: dict[str, str] = field(default_factory=dict)


async def pick_agent(uow: UnitOfWork, deps: Deps, /, *, manager_id: int, lead_id: int,
                     wanted: str | None, reassign: bool) -> AgentPick:
    """The agent *wanted* names for a lead (/assign: nobody owns it; /reassign: someone
    does), or the people to choose from when it names none or several; NoSuchAgent when it
    names nobody the lead can go to."""
    now = deps.clock.now()
    async with uow.reading():
        await manager(uow, manager_id)
        lead = await uow.leads.get(lead_id)
        if lead is None:
            raise NotFound()
        _check_status(lead, reassign=reassign)
        owner = await uow.agents.get(lead.owner_id) if lead.owner_id is not None else None
        router = await Router.load(uow, deps, now, lock=False)  # never holds up routing
    choices, marks = assign_choices(deps, lead, router.roster, situation=router.situation)
    choices = [c for c in choices if c[0] != lead.owner_id]
    held = [owner.telegram_id, owner.name] if owner is not None else None
    if not wanted:
        return AgentPick(lead.id, held, choices=choices, marks=marks)
    found = people_named([*choices, *([held] if held else [])], wanted)
    if held is not None and found == [held]:  # the owner by name: "ayşe" is not "ayşegül"
        raise AlreadyTheirs(name=str(held[1]))
    found = [f for f in found if f != held]
    if len(found) == 1:
        return AgentPick(lead.id, held, agent=found[0])
    if found:
        return AgentPick(lead.id, held, choices=found,
                         marks={k: v for k, v in marks.items() if int(k) in {f[0] for f in found}})
    raise NoSuchAgent(name=wanted)


def _check_status(lead: Lead, *, reassign: bool) -> None:
    if reassign and lead.status in ASSIGNABLE:
        raise UseAssign(lead_id=lead.id)
    if not reassign and lead.is_open:
        raise UseReassign(lead_id=lead.id)
    if (reassign and not lead.is_open) or (not reassign and lead.status not in ASSIGNABLE):
        raise LeadAlreadyHandled()


async def return_lead(uow: UnitOfWork, deps: Deps, /, *, agent_id: int, lead_id: int,
                      reason: ReturnReason) -> Lead:
    """The owner hands a lead back, saying why: their clocks and tasks close, their card
    becomes a note without the contact details, and the lead is routed again without them
    (to the managers if nobody else can take it)."""
    now = deps.clock.now()
    async with uow:
        person, lead = await owned_lead(uow, agent_id, lead_id)
        if lead.owner_id != person.telegram_id or not lead.is_open:
            raise NotYourLead()  # a manager's copy has no Return: they /reassign instead
        former = lead.take_back()
        await close_clocks(uow, lead, now)
        await uow.events.add(LeadEvent(lead.id, now, "returned", former,
                                       {"reason": reason.value}))
        await tell_former_owner(uow, deps, lead, person, now, reason="returned",
                                why=reason.value, word=False)
        await uow.leads.update(lead)
        await offer_next(uow, deps, lead, now, without=[former])
        await refresh_cards(uow, deps, lead, now)  # the managers' cards: nobody owns it now
        await uow.commit()
    return lead
