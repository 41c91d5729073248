"""What moves when someone stops taking leads (away, deactivated) and when they come back:
their pending offers move on at once, their open leads go to their backup (or back to
routing), and leads handed to the backup come back if the backup has not worked them since.

Each function runs in the caller's transaction, with every lead it touches locked first
(`lock_leads`, in id order, before the routing row), as `common.lock_lead` asks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from core.deps import Deps
from core.lifecycle.after_accept import start_clocks
from core.lifecycle.cards import card_params, refresh_cards, send_card
from core.lifecycle.clocks import close_clocks
from core.lifecycle.common import message, others_pending
from core.lifecycle.reclaim import tell_former_owner
from core.lifecycle.reclaim_rules import ACTIVITY
from core.lifecycle.router import Router
from core.lifecycle.routing import offer_next
from core.messages import (
    ContactRemovedParams,
    EscalationRef,
    LeadSummary,
    OfferRef,
    OfferWithdrawnParams,
    Template,
    parse_ref,
)
from core.model import (
    Agent,
    DeclineReason,
    Lead,
    LeadEvent,
    LeadStatus,
    Offer,
    OfferStatus,
    Role,
)
from core.ports import UnitOfWork

HANDED = "handed_over_away"  # a lead's event: given to the backup (or routing) while away
RETURNED = "returned_from_away"  # a lead's event: back with its owner from their backup
# What counts as the backup working a lead they were handed: then it stays with them.
WORKED = (*ACTIVITY, "undo")
# Ownership changed by anyone after the hand-over: the lead is no longer the one handed.
MOVED = ("reassigned", "reclaimed", "accepted", "assigned", HANDED, RETURNED)
_MOST_LEADS = 10_000  # an agent's open leads read at once; nobody works more


def away_on(agent: Agent, today: date) -> bool:
    """Whether *agent* is away on *today* (in the office's zone): by flag or by date."""
    until = agent.profile.away_until
    return agent.away or (until is not None and today <= until)


def can_cover(backup: Agent | None, agent: Agent, today: date) -> bool:
    """Whether *backup* can take *agent*'s leads now: active, reachable, not away."""
    return (backup is not None and backup.telegram_id != agent.telegram_id
            and backup.reachable and not away_on(backup, today))


@dataclass(frozen=True)
class Held:
    """What an agent holds: their pending offers and their open leads (locked)."""

    offers: list[Offer]
    leads: dict[int, Lead]  # every lead of either, locked, by id

    @property
    def owned(self) -> list[Lead]:
        """The open leads they own, by id."""
        return [lead for _, lead in sorted(self.leads.items())]


async def lock_held(uow: UnitOfWork, agent_id: int) -> Held:
    """Read *agent_id*'s pending offers and open leads, and lock every lead concerned."""
    offers = await uow.offers.pending_of(agent_id)
    owned, _ = await uow.leads.open_of(agent_id, offset=0, limit=_MOST_LEADS)
    leads = await uow.leads.lock_all(sorted({*(o.lead_id for o in offers),
                                             *(lead.id for lead in owned)}))
    return Held(offers, leads)


async def lock_all_held(uow: UnitOfWork, agent_ids: Sequence[int]) -> None:
    """Lock every lead several people hold, in one id-ordered take, before any of them is
    taken off: one at a time would lock the next one's leads after the routing row."""
    lead_ids: set[int] = set()
    for agent_id in agent_ids:
        lead_ids |= {o.lead_id for o in await uow.offers.pending_of(agent_id)}
        owned, _ = await uow.leads.open_of(agent_id, offset=0, limit=_MOST_LEADS)
        lead_ids |= {lead.id for lead in owned}
    await uow.leads.lock_all(sorted(lead_ids))


def owned_by(held: Held, agent_id: int) -> list[Lead]:
    """The locked leads *agent_id* still owns (rechecked under the locks)."""
    return [lead for lead in held.owned
            if lead.owner_id == agent_id and lead.status is LeadStatus.OWNED]


async def withdraw_offers(uow: UnitOfWork, deps: Deps, agent: Agent, held: Held,
                          now: datetime, router: Router, *, reason: str) -> int:
    """Withdraw *agent*'s pending offers, edit each offer message to say it went on, and
    move each lead on unless others of its pool still hold it; how many were withdrawn."""
    moved: list[Lead] = []
    for offer in held.offers:
        lead = held.leads.get(offer.lead_id)
        if lead is None or not await uow.offers.decide(
                offer.id, status=OfferStatus.WITHDRAWN, at=now, reason=DeclineReason.AWAY):
            continue  # answered or moved on meanwhile
        await uow.events.add(LeadEvent(lead.id, now, "withdrawn_away", agent.telegram_id,
                                       {"offer_id": offer.id, "reason": reason}))
        if offer.group is None and agent.chat_id is not None:
            await uow.outbox.add(message(
                deps, agent, Template.OFFER_WITHDRAWN, now, edit_ref=OfferRef(offer.id),
                params=OfferWithdrawnParams(summary=LeadSummary.of(lead), reason=reason)))
        if lead not in moved:
            moved.append(lead)
    for lead in moved:
        if lead.status is LeadStatus.OFFERED and not await others_pending(uow, lead.id):
            await offer_next(uow, deps, lead, now, router=router)
    return len(moved)


async def hand_over(uow: UnitOfWork, deps: Deps, agent: Agent, leads: Sequence[Lead],
                    now: datetime, router: Router, *, reason: str, backup: Agent | None,
                    tell: bool = True) -> list[tuple[int, str | None]]:
    """Give each of *agent*'s open *leads* to *backup*, or route it again without them when
    there is none; both told (*tell*: the former owner gets a message besides their card
    edited into a note without the contact details). The backup gets the lead's tasks with
    it (a booked meeting stays booked); a lead routed again has them closed, as nobody owns
    it. Each lead, and who has it now."""
    handed: list[tuple[int, str | None]] = []
    for lead in leads:
        former = lead.take_back()
        to = backup.telegram_id if backup is not None else None
        await uow.events.add(LeadEvent(lead.id, now, HANDED, to,
                                       {"from": former, "to": to, "reason": reason}))
        if tell:
            await tell_former_owner(uow, deps, lead, agent, now,
                                    reason=reason if backup else f"{reason}_routing",
                                    to=backup.name if backup else None)
        else:
            await strip_card(uow, deps, agent, lead, now)
        if backup is not None:
            await give(uow, deps, lead, backup, now, opened="handover", by=agent.name)
        else:
            await close_clocks(uow, lead, now)  # every task: nobody owns the lead now
            await uow.leads.update(lead)
            await offer_next(uow, deps, lead, now, router=router, without=[former])
            await refresh_cards(uow, deps, lead, now)
        handed.append((lead.id, backup.name if backup else None))
    return handed


async def give(uow: UnitOfWork, deps: Deps, lead: Lead, to: Agent, now: datetime, *,
               opened: str, by: str) -> None:
    """Make *to* the owner of *lead* (taken back, locked): its open tasks (meetings,
    reminders, follow-ups) with them and its clocks started again for them, the managers'
    cards updated, and a card of their own telling them why it came."""
    lead.give_to(to, now)
    await start_clocks(uow, deps, lead, now)  # closes the former owner's clocks first
    await uow.tasks.hand_over(lead.id, to=to.telegram_id)
    await uow.leads.update(lead)
    await refresh_cards(uow, deps, lead, now)
    params = replace(await card_params(uow, deps, lead, viewer=to, now=now),
                     opened=opened, by=by)
    await send_card(uow, deps, lead, to, now, params=params)


async def returnable(uow: UnitOfWork, agent: Agent) -> list[int]:
    """The leads handed from *agent* to their backup that the backup has not worked since
    and still holds, by id (read without locks; `give_back` checks again under them)."""
    backup_id = agent.profile.backup
    if backup_id is None:
        return []
    theirs, _ = await uow.leads.open_of(backup_id, offset=0, limit=_MOST_LEADS)
    history = await _histories(uow, [lead.id for lead in theirs])
    return [lead_id for lead_id, events in sorted(history.items())
            if untouched(events, agent.telegram_id, backup_id)]


async def _histories(uow: UnitOfWork, lead_ids: Sequence[int]) -> dict[int, list[LeadEvent]]:
    """The events of each of *lead_ids*, oldest first, by lead."""
    history: dict[int, list[LeadEvent]] = {}
    for event in await uow.events.for_leads(list(lead_ids)) if lead_ids else ():
        history.setdefault(event.lead_id, []).append(event)
    return history


def untouched(events: Sequence[LeadEvent], owner_id: int, backup_id: int) -> bool:
    """Whether a lead's *events* end with its hand-over from *owner_id* to *backup_id*
    and nothing since that worked it or moved it."""
    handed = [i for i, e in enumerate(events) if e.kind == HANDED]
    if not handed:
        return False
    last = events[handed[-1]]
    after = events[handed[-1] + 1:]
    return (last.data.get("from") == owner_id and last.agent_id == backup_id
            and not any(e.kind in WORKED or e.kind in MOVED for e in after))


async def give_back(uow: UnitOfWork, deps: Deps, agent: Agent, leads: dict[int, Lead],
                    now: datetime) -> list[int]:
    """Give the backup's untouched *leads* (locked) back to *agent*, both told, their
    tasks with them; the ids. Each is checked again under its lock: one the backup worked
    since `returnable` read it stays with them."""
    backup = await uow.agents.get(agent.profile.backup or 0)
    if backup is None or not agent.reachable:
        return []
    history = await _histories(uow, sorted(leads))
    back = []
    for lead_id, lead in sorted(leads.items()):
        if (lead.owner_id != backup.telegram_id or lead.status is not LeadStatus.OWNED
                or not untouched(history.get(lead_id, []), agent.telegram_id,
                                 backup.telegram_id)):
            continue
        former = lead.take_back()
        await uow.events.add(LeadEvent(lead.id, now, RETURNED, agent.telegram_id,
                                       {"from": former, "to": agent.telegram_id}))
        await tell_former_owner(uow, deps, lead, backup, now, reason="back_from_away",
                                to=agent.name)
        await give(uow, deps, lead, agent, now, opened="returned", by=backup.name)
        back.append(lead_id)
    return back


async def strip_card(uow: UnitOfWork, deps: Deps, person: Agent, lead: Lead,
                     now: datetime) -> None:
    """Edit *person*'s live card of *lead* into the lead without its contact details."""
    if person.chat_id is None:
        return
    card = await uow.cards.of_chat(lead.id, person.chat_id)
    if card is None or (ref := parse_ref(card.ref)) is None:
        return
    await uow.cards.drop(lead.id, person.chat_id)
    await uow.outbox.add(message(deps, person, Template.CONTACT_REMOVED, now, edit_ref=ref,
                                 params=ContactRemovedParams(summary=LeadSummary.of(lead))))


def in_private(person: Agent) -> Agent | None:
    """*person* with the private chat their cards and escalations are in, None if they never
    had one. The link to a chat is gone when they blocked the bot, but a private chat's id is
    its person's Telegram id (`link_chat`), so it is still known: edits there may not arrive,
    and a chat nobody is linked to tells no manager it is unreachable (`chat_unreachable`)."""
    if person.chat_id is not None:
        return person
    return replace(person, chat_id=person.telegram_id) if person.blocked_at is not None else None


async def strip_everything(uow: UnitOfWork, deps: Deps, person: Agent, now: datetime) -> int:
    """Edit every card left in *person*'s chat (closed leads' too) and, for a manager, every
    escalation still waiting, into messages without the contact details; how many."""
    stripped = await strip_cards(uow, deps, person, now)
    if person.role is Role.MANAGER:
        stripped += await strip_escalations(uow, deps, person, now)
    return stripped


async def strip_cards(uow: UnitOfWork, deps: Deps, person: Agent, now: datetime, *,
                      but_theirs: bool = False) -> int:
    """Edit the cards left in *person*'s chat (*but_theirs*: but those of the leads they
    own) into notes without the contact details, no longer live; how many."""
    chat = in_private(person)
    if chat is None or chat.chat_id is None:
        return 0
    stripped = 0
    for card in await uow.cards.in_chat(chat.chat_id):
        lead = await uow.leads.get(card.lead_id)
        if lead is not None and not (but_theirs and lead.owner_id == person.telegram_id):
            await strip_card(uow, deps, chat, lead, now)
            stripped += 1
    return stripped


async def strip_escalations(uow: UnitOfWork, deps: Deps, person: Agent, now: datetime) -> int:
    """Edit every escalation still waiting in *person*'s chat (sent while they were a
    manager) into the lead without the contact details and the buttons; how many."""
    chat = in_private(person)
    if chat is None:
        return 0
    stripped = 0
    for row in await uow.leads.waiting(limit=_MOST_LEADS):
        if row.lead.status is LeadStatus.WITH_MANAGERS:
            await uow.outbox.add(message(
                deps, chat, Template.CONTACT_REMOVED, now,
                edit_ref=EscalationRef(row.lead.id, person.telegram_id),
                params=ContactRemovedParams(summary=LeadSummary.of(row.lead))))
            stripped += 1
    return stripped


async def strip_manager_view(uow: UnitOfWork, deps: Deps, person: Agent,
                             now: datetime) -> int:
    """What *person* saw only as a manager, taken away as they become an agent: the
    escalations waiting in their chat and their cards of leads others own, edited without
    the contact details; how many. Those leads are locked first (in id order), so no card
    refresh of a moment before writes the manager's view over the edits."""
    chat = in_private(person)
    if chat is None or chat.chat_id is None:
        return 0
    cards = await uow.cards.in_chat(chat.chat_id)
    waiting = await uow.leads.waiting(limit=_MOST_LEADS)
    await uow.leads.lock_all(sorted({*(c.lead_id for c in cards),
                                     *(row.lead.id for row in waiting
                                       if row.lead.status is LeadStatus.WITH_MANAGERS)}))
    return (await strip_cards(uow, deps, person, now, but_theirs=True)
            + await strip_escalations(uow, deps, person, now))
