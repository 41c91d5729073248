"""WhatsApp messages in: the first from a number with no open lead becomes a lead by intake's
own path; later ones while that lead is open join its history and are shown to its owner.

Each message is taken once, by its id (a retried delivery finds it in `uow.inbound`). The
office's WhatsApp messages are taken one at a time (the `whatsapp_intake` row, before any
lead's): two first messages of one new number arriving together make one lead, not two.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime

from core.deps import Deps
from core.lifecycle.common import lock_lead, message
from core.lifecycle.intake import IncomingLead, admit_named, store_in
from core.messages import ContactDetails, Template, WhatsAppMessageParams
from core.model import Lead, LeadEvent, LeadStatus
from core.platform_fields import whatsapp_campaign
from core.ports import UnitOfWork
from core.whatsapp_payload import WhatsAppMessage

# A lead the contact's next message joins: not yet closed, nor set aside. A message to a
# closed, disqualified or nurtured lead's number makes a new lead (a returning contact; a
# nurtured one is revived by it, as any returning contact's lead revives it).
OPEN = frozenset({LeadStatus.NEW, LeadStatus.OFFERED, LeadStatus.WITH_MANAGERS,
                  LeadStatus.OWNED})
MESSAGE_EVENT = "whatsapp_message"  # a later message, in its lead's history
# A failed_intake row of this type is a signed WhatsApp post: a replay takes its messages.
WHATSAPP_TYPE = "application/vnd.leadrelay.whatsapp+json"
_TURN = "whatsapp_intake"  # the rotations row that takes the office's messages in turn


@dataclass(frozen=True)
class WhatsAppTaken:
    """What became of one message: *lead_id* the lead it made or joined; *again* it was
    taken before (into *lead_id*); *created* a new lead (to be routed); *owner_told* its
    owner was sent it."""

    lead_id: int
    created: bool = False
    owner_told: bool = False
    again: bool = False


def message_key(message_id: str) -> str:
    """The key a message is remembered by: its id's SHA-256 (a WhatsApp id spells the
    sender's number, which is not kept apart from its lead)."""
    return hashlib.sha256(f"whatsapp:{message_id}".encode()).hexdigest()


def admit_whatsapp(deps: Deps, *, source: str, got: WhatsAppMessage) -> IncomingLead:
    """*got* as intake reads a lead of the source named *source*: the profile name, the
    number as phone, the text as message, the message id as external id, a Click-to-WhatsApp
    ad's referral as campaign fields. InvalidInput when the number cannot be read as one."""
    incoming = admit_named(deps, source_name=source, payload={
        "name": got.name, "phone": "+" + got.sender, "message": got.text,
        "external_id": got.message_id})
    campaign = {**incoming.data.campaign, **whatsapp_campaign(got.referral)}
    return replace(incoming, data=replace(incoming.data, campaign=campaign))


async def take_whatsapp_message(uow: UnitOfWork, deps: Deps, /, *, source: str,
                                got: WhatsAppMessage,
                                received_at: datetime | None = None) -> WhatsAppTaken:
    """Take one message of the WhatsApp source named *source*: a new lead (received at
    *received_at*, when a replay takes it late), or a line in its open lead's history (and
    its owner's chat); nothing new when it was taken before."""
    now = deps.clock.now()
    key = message_key(got.message_id)
    incoming = replace(admit_whatsapp(deps, source=source, got=got), received_at=received_at)
    async with uow:
        await uow.rotations.lock(_TURN)
        before = await uow.inbound.seen(key)
        if before is not None:
            return WhatsAppTaken(before, again=True)
        lead = await _open_lead(uow, incoming.data.phone)
        if lead is None:
            [(lead, created)] = await store_in(uow, deps, [incoming], now)
            taken = WhatsAppTaken(lead.id, created=created)
        else:
            taken = WhatsAppTaken(lead.id, owner_told=await _attach(uow, deps, lead, got))
        await uow.inbound.add(key, lead_id=lead.id, at=now)
        await uow.commit()
    return taken


async def _open_lead(uow: UnitOfWork, phone: str | None) -> Lead | None:
    """The newest open lead of the number *phone*, locked; None when it has none."""
    if phone is None:
        return None
    for lead in await uow.leads.by_phone(phone):
        if lead.status in OPEN:
            locked = await lock_lead(uow, lead.id)
            # Read again under its lock: closed meanwhile, the message makes a new lead.
            return locked if locked.status in OPEN else None
    return None


async def _attach(uow: UnitOfWork, deps: Deps, lead: Lead, got: WhatsAppMessage) -> bool:
    """Add *got* to *lead*'s history and send it to its owner; whether they were sent it
    (a lead nobody owns yet keeps it in its history only: its offer shows no contact's
    words, and whoever accepts it reaches the contact from the card)."""
    now = deps.clock.now()
    await uow.events.add(LeadEvent(lead.id, now, MESSAGE_EVENT, data={
        "type": got.kind, "text": got.text}))
    if lead.status is not LeadStatus.OWNED or lead.owner_id is None:
        return False
    owner = await uow.agents.get(lead.owner_id)
    if owner is None or owner.chat_id is None:
        return False
    params = WhatsAppMessageParams(
        lead_id=lead.id, text=got.text,
        contact=ContactDetails(name=lead.name or got.name,
                               phone=lead.phone or "+" + got.sender))
    await uow.outbox.add(message(deps, owner, Template.WHATSAPP_MESSAGE, now, params=params))
    return True
