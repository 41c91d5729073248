"""Questions a button asks and the person answers by typing: an amount, a note, a time.

One question waits per chat, in the database, so an answer reaches whichever instance
takes it; a new question replaces an unanswered one, and an answer an hour late is ordinary
text again.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.amounts import parse_amount
from core.deps import Deps
from core.errors import (
    Conflict,
    InvalidTransition,
    NotAManager,
    NotAnAmount,
    NotATime,
    NotYourLead,
    UnknownAgent,
)
from core.lifecycle.common import owned_lead
from core.lifecycle.roster_edit import ProfileEdited, answer_profile_in
from core.lifecycle.working import appointment_in, note_in, stage_in
from core.messages import AssignmentRef, CardRef, OfferRef, parse_ref
from core.model import Lead, Prompt, PromptKind, Stage
from core.ports import UnitOfWork
from core.roster import lock_roster
from core.when import parse_when

PROMPT_LIFETIME = timedelta(hours=1)
_STAGE_OF = {PromptKind.OFFER_AMOUNT: Stage.OFFER, PromptKind.WON_AMOUNT: Stage.WON,
             PromptKind.APPOINTMENT: Stage.APPOINTMENT}


@dataclass(frozen=True)
class Answered:
    """What a typed answer did: the question it answered and the lead it changed."""

    kind: PromptKind
    lead: Lead


async def ask_for(uow: UnitOfWork, deps: Deps, /, *, agent_id: int, lead_id: int,
                  kind: PromptKind) -> Lead:
    """Wait for *agent_id* to type the answer *kind* asks for about a lead they may work;
    a question whose answer the lead's stage would refuse is refused now."""
    now = deps.clock.now()
    async with uow:
        person, lead = await owned_lead(uow, agent_id, lead_id)
        stage = _STAGE_OF.get(kind)
        if stage is Stage.APPOINTMENT and not lead.is_open:
            raise InvalidTransition(stage=lead.stage.value)
        if stage in (Stage.OFFER, Stage.WON):
            copy.copy(lead).record_stage(stage, now)  # raises what the answer would meet
        assert person.chat_id is not None  # the question came from their private chat
        await uow.prompts.ask(Prompt(person.chat_id, kind, now, lead.id))
        await uow.commit()
    return lead


async def answer_prompt(uow: UnitOfWork, deps: Deps, /, *, agent_id: int,
                        text: str) -> Answered | ProfileEdited | None:
    """Carry out the answer *text* gives to the question waiting in the person's chat; None
    when no question waits. An answer that does not read (not an amount, not a time) raises
    why and leaves the question waiting; one its lead can no longer take (won or lost since,
    or no longer theirs) raises why and drops the question."""
    now = deps.clock.now()
    async with uow:
        person = await uow.agents.get(agent_id)
        if person is None or person.chat_id is None:
            return None
        prompt = await uow.prompts.pending(person.chat_id)
        if (prompt is not None and prompt.kind is PromptKind.PROFILE_FIELD
                and now - prompt.asked_at <= PROMPT_LIFETIME):
            return await _profile_answer(uow, deps, agent_id, prompt, text, now)
        if (prompt is None or prompt.lead_id is None or now - prompt.asked_at > PROMPT_LIFETIME
                or prompt.kind is PromptKind.NEW_LEAD):
            return None
        lead_id = prompt.lead_id
        # Two messages answering one question take turns on its lead, as ask_for does: the
        # second finds the question answered and is read again, as ordinary text.
        await uow.leads.lock(lead_id)
        if await uow.prompts.pending(person.chat_id) != prompt:
            raise Conflict()
        try:
            lead = await _carry_out(uow, deps, prompt.kind, agent_id=agent_id,
                                    lead_id=lead_id, text=text, now=now)
        except (InvalidTransition, NotYourLead, UnknownAgent):
            # Raised before anything is written: without this, every message for the next
            # hour would meet the same refusal instead of being read as text.
            await uow.prompts.clear(person.chat_id, asked_at=prompt.asked_at)
            await uow.commit()
            raise
        await uow.prompts.clear(person.chat_id, asked_at=prompt.asked_at)
        await uow.commit()
    return Answered(prompt.kind, lead)


async def _profile_answer(uow: UnitOfWork, deps: Deps, agent_id: int, prompt: Prompt,
                          text: str, now: datetime) -> ProfileEdited:
    """A typed value for someone's profile: one that does not do raises why and leaves the
    question waiting for another try; one its typist may no longer set drops it."""
    await lock_roster(uow)  # as the edit will: answers to one question take turns
    if await uow.prompts.pending(prompt.chat_id) != prompt:
        raise Conflict()
    try:
        edited = await answer_profile_in(uow, deps, by=agent_id, prompt=prompt, text=text,
                                         now=now)
    except (NotAManager, UnknownAgent):
        await uow.prompts.clear(prompt.chat_id, asked_at=prompt.asked_at)
        await uow.commit()
        raise
    await uow.prompts.clear(prompt.chat_id, asked_at=prompt.asked_at)
    await uow.commit()
    return edited


async def _carry_out(uow: UnitOfWork, deps: Deps, kind: PromptKind, *, agent_id: int,
                     lead_id: int, text: str, now: datetime) -> Lead:
    """What the answer *text* to a question of *kind* does to the lead."""
    if kind in (PromptKind.OFFER_AMOUNT, PromptKind.WON_AMOUNT):
        amount = parse_amount(text, cap=deps.config.max_amount)
        if amount is None or amount.low != amount.high:
            raise NotAnAmount(text=text.strip()[:40])
        return await stage_in(uow, deps, agent_id=agent_id, lead_id=lead_id,
                              stage=_STAGE_OF[kind], amount=amount.low)
    if kind is PromptKind.APPOINTMENT:
        when = parse_when(text, now=now.astimezone(deps.config.zone))
        if when is None:
            raise NotATime(text=text.strip()[:40])
        return await appointment_in(uow, deps, agent_id=agent_id, lead_id=lead_id, at=when)
    return await note_in(uow, deps, agent_id=agent_id, lead_id=lead_id, text=text)


async def cancel_prompt(uow: UnitOfWork, deps: Deps, /, *, chat_id: int) -> bool:
    """Stop waiting for an answer in *chat_id*; whether a question was waiting."""
    async with uow:
        cancelled = await uow.prompts.clear(chat_id)
        await uow.commit()
    return cancelled


async def replied_lead(uow: UnitOfWork, deps: Deps, /, *, chat_id: int,
                       message_id: int) -> int | None:
    """The lead whose card (or offer) the bot's message *message_id* in *chat_id* is."""
    async with uow.reading():
        ref = parse_ref(await uow.cards.ref_of_message(chat_id, message_id))
        if isinstance(ref, CardRef | AssignmentRef):
            return ref.lead_id
        if isinstance(ref, OfferRef):
            offer = await uow.offers.get(ref.offer_id)
            return offer.lead_id if offer else None
    return None


async def forget_stale_prompts(uow: UnitOfWork, deps: Deps, /) -> int:
    """Drop the questions nobody answered within their hour (an entry left halfway holds a
    name and a phone number); how many there were."""
    async with uow:
        forgotten = await uow.prompts.forget_before(deps.clock.now() - PROMPT_LIFETIME)
        await uow.commit()
    return forgotten
