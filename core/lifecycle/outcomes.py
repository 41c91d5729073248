"""How far the owner takes a lead: contacted, appointment, offer, won or lost."""

from __future__ import annotations

from typing import Any

from core.deps import Deps
from core.errors import AmountTooLarge, NotAnAmount, NotYourLead, UnknownAgent
from core.model import Lead, LeadEvent, Stage
from core.ports import UnitOfWork


async def record_outcome(
    uow: UnitOfWork, deps: Deps, /, *, agent_id: int, lead_id: int, stage: Stage,
    note: str | None = None,
) -> Lead:
    """Move an owned lead along new → contacted → appointment → offer → won, or to lost."""
    now = deps.clock.now()
    # Checked before anything is read, so a refused amount changes nothing.
    amount = won_amount(note, cap=deps.config.max_amount) if stage is Stage.WON else None
    async with uow:
        person = await uow.agents.get(agent_id)
        if person is None or not person.active:
            raise UnknownAgent()
        lead = await uow.leads.get(lead_id)
        if lead is None or (lead.owner_id != agent_id and not person.is_manager):
            raise NotYourLead()
        data: dict[str, Any] = {"from": lead.stage.value, "to": stage.value}
        lead.record_stage(stage, now)
        if amount is not None:
            lead.amount, data["amount"] = amount, amount
        elif note:
            data["note"] = note
        await uow.leads.update(lead)
        await uow.events.add(LeadEvent(lead.id, now, "outcome", agent_id, data))
        await uow.commit()
    return lead


def won_amount(note: str | None, *, cap: int) -> int | None:
    """The amount a Won note gives ("2500000", "2.500.000", "2,500,000"), if it is one.

    A note of other words stays a note. One of digits that are not 0-9 ("²³", "٢٥٠٠") is
    refused: `int()` reads some of those as another number and fails on the rest. One over
    *cap* is refused before it is converted, however many digits it has.
    """
    if not note:
        return None
    cleaned = note.strip().replace(",", "").replace(".", "").replace(" ", "")
    if not cleaned or not all(char.isnumeric() for char in cleaned):
        return None
    if not (cleaned.isascii() and cleaned.isdigit()):
        raise NotAnAmount(text=note.strip()[:40])
    significant = cleaned.lstrip("0") or "0"
    if len(significant) > len(str(cap)) or int(significant) > cap:
        raise AmountTooLarge(cap=cap)
    return int(significant)
