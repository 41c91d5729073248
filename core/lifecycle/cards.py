"""A lead's card: what it shows, and keeping every live copy of it current.

The card is the owner's workspace after Accept (and a manager's view of the lead). Each
chat has one live card per lead, the newest; every change edits the live cards in the same
transaction as the change, through the outbox.
"""

from __future__ import annotations

from datetime import datetime

from core.deps import Deps
from core.errors import NotYourLead
from core.lifecycle.common import message, stop_asking
from core.messages import (
    CardMovedParams,
    CardParams,
    CardRef,
    ContactDetails,
    LeadSummary,
    Ref,
    Template,
    parse_ref,
)
from core.model import Agent, Lead, LeadEvent, LiveCard, PromptKind
from core.ports import UnitOfWork

NOTES_SHOWN = 3
NOTE_SHOWN_CHARS = 300  # a card holds three notes and the rest and stays one message
# /lead shows more of the history; the renderer cuts the notes further if it must.
MORE_NOTES_SHOWN, MORE_NOTE_CHARS = 10, 1000
EARLIER_SHOWN = 5
# The events that count as changing the stage, newest decides what Undo takes back.
STAGE_EVENTS = ("stage", "undo", "correction")


def may_see(person: Agent, lead: Lead) -> bool:
    """Whether *person* may see *lead*'s card: its owner and the managers."""
    return person.active and (person.is_manager or lead.owner_id == person.telegram_id)


async def card_params(uow: UnitOfWork, deps: Deps, lead: Lead, *, viewer: Agent,
                      now: datetime, notes: list[LeadEvent] | None = None,
                      more: bool = False) -> CardParams:
    """The card of *lead* as *viewer* sees it now (with *more* of its notes, for /lead)."""
    owner = await uow.agents.get(lead.owner_id) if lead.owner_id is not None else None
    shown, chars = (MORE_NOTES_SHOWN, MORE_NOTE_CHARS) if more else (NOTES_SHOWN,
                                                                    NOTE_SHOWN_CHARS)
    if notes is None:
        notes = await uow.events.recent(lead.id, kinds=("note",), limit=shown + 1)
    authors = {owner.telegram_id: owner.name} if owner else {}
    for note in notes:
        if note.agent_id is not None and note.agent_id not in authors:
            author = await uow.agents.get(note.agent_id)
            authors[note.agent_id] = author.name if author else "?"
    tasks = [t for t in await uow.tasks.open_for([lead.id]) if t.kind.shown]
    earlier = [other for other in await uow.leads.of_contacts([lead.contact_id])
               if other.id != lead.id][-EARLIER_SHOWN:]
    last = next(iter(await uow.events.recent(lead.id, kinds=STAGE_EVENTS, limit=1)), None)
    undo_until = None
    if last is not None and last.kind == "stage":
        undo_until = (last.at + deps.config.work.undo_within).isoformat()
    return CardParams(
        summary=LeadSummary.of(lead), contact=ContactDetails.of(lead), stage=lead.stage.value,
        closed=not lead.is_open, owner=owner.name if owner else None,
        owner_view=viewer.telegram_id == lead.owner_id, attempts=lead.attempts,
        first_contact_at=lead.contacted_at.isoformat() if lead.contacted_at else None,
        offer_amount=lead.offer_amount, amount=lead.amount, lost_reason=lead.lost_reason,
        notes=[[n.at.isoformat(), authors.get(n.agent_id or 0, "?"),
                _cut(str(n.data.get("note", "")), chars)] for n in notes[:shown]],
        notes_total=len(notes),
        next_task=[tasks[0].kind.value, tasks[0].due_at.isoformat()] if tasks else None,
        earlier=[[o.id, o.received_at.isoformat(), o.stage.value] for o in earlier],
        undo_until=undo_until, first_message=deps.config.work.first_message,
        office_lang=deps.config.language)


def _cut(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[:chars - 1].rstrip() + "…"


async def refresh_cards(uow: UnitOfWork, deps: Deps, lead: Lead, now: datetime) -> None:
    """Edit every live card of *lead* to show it as it is now (call with the lead locked)."""
    cards = await uow.cards.of_lead(lead.id)
    if not cards:
        return
    people = {p.chat_id: p for p in await uow.agents.list() if p.chat_id is not None}
    notes = await uow.events.recent(lead.id, kinds=("note",), limit=NOTES_SHOWN + 1)
    for card in cards:
        viewer = people.get(card.chat_id)
        ref = parse_ref(card.ref)
        if viewer is None or ref is None or not may_see(viewer, lead):
            continue  # someone who lost the lead keeps the card they had (issue: hand-over)
        params = await card_params(uow, deps, lead, viewer=viewer, now=now, notes=notes)
        await uow.outbox.add(message(deps, viewer, Template.CARD, now, params=params,
                                     edit_ref=ref))


async def send_card(uow: UnitOfWork, deps: Deps, lead: Lead, viewer: Agent, now: datetime,
                    *, edit: Ref | None = None, params: CardParams | None = None) -> None:
    """Give *viewer* a card of *lead* (with the lead locked): edited into *edit* when given
    (the offer message Accept turns into the card), else sent anew below, the older card in
    that chat edited to say so."""
    assert viewer.chat_id is not None  # callers pick people the bot can write to
    before = await uow.cards.of_chat(lead.id, viewer.chat_id)
    params = params or await card_params(uow, deps, lead, viewer=viewer, now=now,
                                         more=edit is None)
    if edit is not None:
        card = LiveCard(lead.id, viewer.chat_id, edit.format(), before.seq if before else 0)
        await uow.outbox.add(message(deps, viewer, Template.CARD, now, params=params,
                                     edit_ref=edit))
    else:
        seq = before.seq + 1 if before else 1
        ref = CardRef(lead.id, viewer.chat_id, seq)
        card = LiveCard(lead.id, viewer.chat_id, ref.format(), seq)
        if before is not None and (old := parse_ref(before.ref)) is not None:
            await uow.outbox.add(message(deps, viewer, Template.CARD_MOVED, now,
                                         params=CardMovedParams(lead_id=lead.id), edit_ref=old))
        await uow.outbox.add(message(deps, viewer, Template.CARD, now, params=params, ref=ref))
    await uow.cards.put(card)


async def redraw_cards(uow: UnitOfWork, deps: Deps, /, *, person_id: int, lead_id: int) -> None:
    """Show a lead's live cards as the lead is now (a picker closed without a choice), and
    stop waiting for a time typed for this lead's appointment."""
    now = deps.clock.now()
    async with uow:
        person = await uow.agents.get(person_id)
        lead = await uow.leads.lock(lead_id)
        if person is None or lead is None or not may_see(person, lead):
            raise NotYourLead()
        await stop_asking(uow, person, PromptKind.APPOINTMENT, lead.id)
        await refresh_cards(uow, deps, lead, now)
        await uow.commit()
