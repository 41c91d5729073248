"""What is held about people (core.ports.PersonalData): read for an export, erased on
request or by age, leaving every row the statistics count."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from core.model import Lead, LeadStatus, PromptKind
from core.ports import HeldMessage
from storage.repositories._rows import _lead
from storage.tables import contacts, lead_events, leads, outbox, prompts

# Who a lead is from and what they wrote; what it was about (product, region, budget,
# timing, source, score) stays for the figures.
_LEAD_PERSONAL = ("name", "phone", "email", "message", "company", "postal_code")
# The same, as the outbox parameters of any template carry them.
_MESSAGE_PERSONAL = ("name", "phone", "email", "message", "company", "first_name", "notes",
                     "earlier", "extras", "consent")
_CLOSED = (LeadStatus.CLOSED.value, LeadStatus.DISQUALIFIED.value)


class SqlPersonalData:
    """Exports and erasure, in the unit of work's transaction."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def leads_of(self, contact_ids: Sequence[int]) -> list[Lead]:
        """Every lead of these contacts, oldest first."""
        rows = await self._conn.execute(select(leads).where(
            leads.c.contact_id.in_(list(contact_ids))).order_by(leads.c.id))
        return [_lead(row) for row in rows]

    async def messages_about(self, lead_ids: Sequence[int]) -> list[HeldMessage]:
        """Every outbox row about any of *lead_ids*, oldest first."""
        rows = await self._conn.execute(select(outbox).where(_about(lead_ids))
                                        .order_by(outbox.c.id))
        return [HeldMessage(r.chat_id, r.template, dict(r.params), r.created_at, r.sent_at)
                for r in rows]

    async def erase_contacts(self, contact_ids: Sequence[int]) -> None:
        """Empty the phone, e-mail and name of these contacts."""
        if contact_ids:
            await self._conn.execute(update(contacts).where(
                contacts.c.id.in_(list(contact_ids))).values(phone=None, email=None, name=None))

    async def erase_leads(self, lead_ids: Sequence[int]) -> None:
        """Empty who these leads are from and what they wrote; keep what they were about."""
        if lead_ids:
            # A new version: a writer that read the lead before is refused, not let to
            # write the erased fields back.
            await self._conn.execute(update(leads).where(leads.c.id.in_(list(lead_ids))).values(
                **dict.fromkeys(_LEAD_PERSONAL), tags=[], extras=None, consent=None,
                version=leads.c.version + 1))

    async def erase_history(self, lead_ids: Sequence[int]) -> None:
        """Drop the free-text notes from these leads' history."""
        if not lead_ids:
            return
        rows = await self._conn.execute(select(lead_events.c.id, lead_events.c.data).where(
            lead_events.c.lead_id.in_(list(lead_ids))))
        for event_id, data in rows.all():
            if isinstance(data, dict) and "note" in data:
                kept = {key: value for key, value in data.items() if key != "note"}
                await self._conn.execute(update(lead_events).where(
                    lead_events.c.id == event_id).values(data=kept))

    async def erase_messages(self, lead_ids: Sequence[int]) -> None:
        """Empty the personal fields of every outbox row about these leads."""
        if not lead_ids:
            return
        rows = await self._conn.execute(select(outbox.c.id, outbox.c.params).where(
            _about(lead_ids)))
        for row_id, params in rows.all():
            scrubbed: dict[str, Any] = {
                key: None if key in _MESSAGE_PERSONAL else value for key, value in params.items()}
            if scrubbed != params:
                await self._conn.execute(update(outbox).where(outbox.c.id == row_id).values(
                    params=scrubbed))

    async def erase_entries(self, phones: Sequence[str]) -> None:
        """Drop the leads being entered with /new (not stored yet) whose answers so far give
        one of these phone numbers."""
        if phones:
            await self._conn.execute(delete(prompts).where(
                prompts.c.kind == PromptKind.NEW_LEAD.value,
                prompts.c.data[("answers", "phone")].as_string().in_(list(phones))))

    async def closed_before(self, moment: datetime, *, limit: int) -> list[Lead]:
        """Up to *limit* leads closed before *moment* that still hold personal fields."""
        rows = await self._conn.execute(select(leads).where(
            leads.c.status.in_(_CLOSED), leads.c.closed_at < moment,
            or_(*(leads.c[name].is_not(None) for name in _LEAD_PERSONAL)),
        ).order_by(leads.c.closed_at, leads.c.id).limit(limit))
        return [_lead(row) for row in rows]


def _about(lead_ids: Sequence[int]) -> Any:
    """Outbox rows whose parameters name one of *lead_ids* (every lead template does)."""
    return outbox.c.params["lead_id"].as_integer().in_(list(lead_ids))
