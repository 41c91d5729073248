"""What every part of a lead's life shares: taking a lead's lock, who may work it, the manager
check, and the messages a change sends."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from core.deps import Deps
from core.errors import NotAManager, NotFound, NotYourLead, UnknownAgent
from core.messages import Params, Ref, Template, to_person
from core.model import Agent, Lead, OfferStatus, OutgoingMessage, PromptKind
from core.ports import UnitOfWork


async def lock_lead(uow: UnitOfWork, lead_id: int) -> Lead:
    """Read a lead and hold its row until commit: every change takes the roster's row first
    when it changes the roster (core.roster.lock_roster), then its leads (in id order), then
    their offers, then the routing row, so two writers never wait on each other in opposite
    orders."""
    lead = await uow.leads.lock(lead_id)
    if lead is None:
        raise NotFound()
    return lead


async def others_pending(uow: UnitOfWork, lead_id: int) -> bool:
    """Whether any offer of the lead still waits for an answer (a claim pool's, say)."""
    return any(o.status is OfferStatus.PENDING for o in await uow.offers.for_lead(lead_id))


async def person(uow: UnitOfWork, telegram_id: int) -> Agent:
    """The roster entry behind *telegram_id*, active or not; UnknownAgent if there is none."""
    found = await uow.agents.get(telegram_id)
    if found is None:
        raise UnknownAgent()
    return found


async def owned_lead(uow: UnitOfWork, agent_id: int, lead_id: int) -> tuple[Agent, Lead]:
    """The person and the lead (locked) they may work: its owner, or any manager. Anyone
    else learns nothing, not even whether the lead exists."""
    person = await uow.agents.get(agent_id)
    if person is None or not person.active:
        raise UnknownAgent()
    lead = await uow.leads.lock(lead_id)
    if lead is None or (lead.owner_id != agent_id and not person.is_manager):
        raise NotYourLead()
    return person, lead


async def manager(uow: UnitOfWork, telegram_id: int) -> Agent:
    """The active manager behind *telegram_id*, or UnknownAgent / NotAManager."""
    person = await uow.agents.get(telegram_id)
    if person is None or not person.active:
        raise UnknownAgent()
    if not person.is_manager:
        raise NotAManager()
    return person


async def stop_asking(uow: UnitOfWork, person: Agent, kind: PromptKind, lead_id: int) -> None:
    """Stop waiting in *person*'s chat for the answer to *kind* about the lead, if that is the
    question waiting there (another goes on waiting: a /new entry, a note)."""
    waiting = await uow.prompts.pending(person.chat_id) if person.chat_id is not None else None
    if waiting is not None and waiting.kind is kind and waiting.lead_id == lead_id:
        await uow.prompts.clear(waiting.chat_id, asked_at=waiting.asked_at)


def managers_in(roster: Sequence[Agent], *, but: int | None = None) -> list[Agent]:
    """The managers the bot can write to (all but *but*)."""
    return [a for a in roster if a.is_manager and a.chat_id is not None and a.telegram_id != but]


def message(
    deps: Deps, to: Agent, template: Template, now: datetime, *, params: Params,
    ref: Ref | None = None, edit_ref: Ref | None = None,
) -> OutgoingMessage:
    """A message to *to*'s private chat, in their language (the office's if they set none)."""
    return to_person(to, template, params, office_language=deps.config.language, at=now,
                     ref=ref, edit_ref=edit_ref)
