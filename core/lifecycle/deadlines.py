"""The clocks: offers that passed their deadline, accept clocks started on delivery, chats
Telegram refuses, and the auditor that repairs what a bug or a hand edit left stuck."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from core.deps import Deps, UowFactory
from core.errors import Conflict
from core.lifecycle.common import lock_lead, managers_in, message, others_pending
from core.lifecycle.notices import group_message
from core.lifecycle.router import Router
from core.lifecycle.routing import move_on, offer_next
from core.messages import (
    AgentUnreachableParams,
    AuditReportParams,
    ExpiredParams,
    GroupUnreachableParams,
    LeadParams,
    LeadSummary,
    OfferRef,
    RoundRef,
    Template,
)
from core.model import DeclineReason, LeadEvent, LeadStatus, Offer, OfferStatus
from core.ports import AUDIT_TOTALS, QueuedMessage, UnitOfWork
from core.roster import lock_roster


async def escalate_expired_offers(
    uow_factory: UowFactory, deps: Deps, /, *, limit: int = 500, batch: int = 100
) -> list[int]:
    """Withdraw every offer past its deadline and move its lead on; return the offer ids.

    Offers move in batches, one transaction and one read of the office's load per batch
    (10,000 offers coming due must not mean 10,000 reads of every agent's load); a batch of
    100 holds SQLite's one writer for ~50 ms, short enough for a new lead waiting behind it,
    and long enough for 2,000 offers overdue at a restart to move within 5 s. Each
    offer still moves only from pending and only once past due, so a restart, a second
    sweep, another instance or a racing Accept never moves the same offer twice.
    """
    now = deps.clock.now()
    moved: list[int] = []
    while True:
        # A look that takes no write turn: each batch rechecks its offers under their locks.
        async with uow_factory().reading() as uow:
            due = await uow.offers.overdue(now, limit=limit)
        for start in range(0, len(due), batch):
            chunk = due[start:start + batch]
            try:
                moved += await _expire(uow_factory, deps, chunk, due_by=now)
            except Conflict:
                for offer in chunk:  # someone changed one of them: take them one by one
                    try:
                        moved += await _expire(uow_factory, deps, [offer], due_by=now)
                    except Conflict:
                        continue  # changed again under us: the next sweep looks again
        if len(due) < limit:
            return moved


async def _expire(uow_factory: UowFactory, deps: Deps, offers: Sequence[Offer], *,
                  due_by: datetime) -> list[int]:
    """Expire these offers in one transaction, leads locked in id order; the ids moved.

    A statement per table for the whole batch, not per offer: thousands coming due at once
    must not queue behind each other's round trips.
    """
    async with uow_factory() as uow:
        at = deps.clock.now()  # a long sweep records when each offer really moved
        leads = await uow.leads.lock_all([o.lead_id for o in offers])
        expired = await uow.offers.decide_all([o.id for o in offers if o.lead_id in leads],
                                              status=OfferStatus.EXPIRED, at=at, due_by=due_by)
        if not expired:
            return []
        moved = sorted((o for o in offers if o.id in expired), key=lambda o: (o.lead_id, o.id))
        history: dict[int, list[Offer]] = {}
        for offer in await uow.offers.for_leads(sorted({o.lead_id for o in moved})):
            history.setdefault(offer.lead_id, []).append(offer)
        # A claim pool moves on once, when its last member's offer is gone.
        stuck = [leads[lead_id] for lead_id, had in history.items()
                 if not any(o.status is OfferStatus.PENDING for o in had)]
        router = await Router.load(uow, deps, at) if stuck else None
        roster = router.roster if router else await uow.agents.list()
        people = {agent.telegram_id: agent for agent in roster}
        await uow.events.add_all([LeadEvent(o.lead_id, at, "expired", o.agent_id,
                                            {"offer_id": o.id}) for o in moved])
        edits = [
            message(deps, agent, Template.OFFER_EXPIRED, at, edit_ref=OfferRef(o.id),
                    params=ExpiredParams(summary=LeadSummary.of(leads[o.lead_id]), window_s=int(
                        (o.deadline - (o.delivered_at or o.created_at)).total_seconds())))
            for o in moved if o.group is None
            and (agent := people.get(o.agent_id)) is not None and agent.chat_id is not None]
        # A round posted to a group is told once, in the group, that nobody claimed it.
        rounds = {(o.lead_id, o.sequence): group for o in moved
                  if (group := o.group) is not None}
        stuck_ids = {lead.id for lead in stuck}
        edits += [group_message(deps, group, leads[lead_id], sequence,
                                Template.CLAIM_GROUP_EXPIRED,
                                LeadParams(summary=LeadSummary.of(leads[lead_id])), at)
                  for (lead_id, sequence), group in sorted(rounds.items())
                  if lead_id in stuck_ids]
        await uow.outbox.add_all(edits)
        if router is not None:
            await move_on(uow, deps, [(lead, history[lead.id]) for lead in stuck], router, at)
            await router.save(uow)
        await uow.commit()
    return [o.id for o in moved]


async def message_delivered(uow: UnitOfWork, deps: Deps, /, *, message: QueuedMessage,
                            message_id: int | None, at: datetime, hold: timedelta) -> None:
    """Settle an outbox row Telegram took, starting the accept clocks of the offers it made.

    One transaction, so a crash cannot leave an offer sent with its clock never started:
    it leaves both undone, and the row goes out once more.
    """
    async with uow:
        offer = OfferRef.parse(message.ref)
        round_ = RoundRef.parse(message.ref)
        if offer is not None:
            made = await uow.offers.get(offer.offer_id)
            if made is not None and _clock_to_start(made):
                # The lead first, as every change takes it (common.lock_lead): a claim or an
                # Accept that holds it and updates its offers then never waits on us.
                await uow.leads.lock(made.lead_id)
                await _start_clock(uow, deps, await uow.offers.get(made.id), at)
        elif round_ is not None:
            await uow.leads.lock(round_.lead_id)  # before its offers, as above
            for other in await uow.offers.for_lead(round_.lead_id):
                if other.sequence == round_.sequence:  # the round's one group post
                    await _start_clock(uow, deps, other, at)
        await uow.outbox.mark_sent(message, at=at, message_id=message_id, hold=hold)
        await uow.commit()


def _clock_to_start(offer: Offer) -> bool:
    """Whether *offer* waits for an answer and its clock has not started yet."""
    return offer.status is OfferStatus.PENDING and offer.delivered_at is None


async def _start_clock(uow: UnitOfWork, deps: Deps, offer: Offer | None,
                       at: datetime) -> None:
    """Start an offer's accept clock when its message reached the agent.

    The window counts from delivery (through the office's business hours, for a window that
    counts only those), so an agent is never timed out by our own backlog; the deadline
    never moves earlier, and a second report of the same delivery changes nothing.
    """
    if offer is None or not _clock_to_start(offer):
        return
    before = offer.deadline
    deadline = offer.start_clock(at, business=deps.calendar.add)
    if (await uow.offers.start_clock(offer.id, delivered_at=at, deadline=deadline)
            and deadline != before):
        uow.wake_at(deadline)


async def round_unreachable(uow: UnitOfWork, deps: Deps, /, *, lead_id: int, sequence: int,
                            error: str) -> None:
    """Telegram will not take a round's group post (the bot left the group, a wrong id):
    nobody can claim it, so move the lead on now instead of at the deadline, and tell the
    managers which group to fix."""
    now = deps.clock.now()
    async with uow:
        lead = await lock_lead(uow, lead_id)
        group = None
        for offer in await uow.offers.for_lead(lead_id):
            if offer.sequence != sequence or offer.status is not OfferStatus.PENDING:
                continue
            # Withdrawn, not declined or expired: the members never saw it, so it must not
            # count against them in the stats or the SLA penalty.
            if await uow.offers.decide(offer.id, status=OfferStatus.WITHDRAWN, at=now,
                                       reason=DeclineReason.UNREACHABLE):
                group = offer.group
                await uow.events.add(LeadEvent(lead.id, now, "unreachable", offer.agent_id, {
                    "offer_id": offer.id, "group": group, "error": error[:120]}))
        if group is None:
            return  # claimed, expired or moved on meanwhile: nothing is stuck
        if not await others_pending(uow, lead.id):
            await offer_next(uow, deps, lead, now)
        await uow.outbox.add_all([
            message(deps, boss, Template.GROUP_UNREACHABLE, now,
                    params=GroupUnreachableParams(chat=group, lead_id=lead.id))
            for boss in managers_in(await uow.agents.list())])
        await uow.commit()


async def chat_unreachable(uow: UnitOfWork, deps: Deps, /, *, chat_id: int,
                           offer_id: int | None, error: str) -> None:
    """Telegram will not deliver to *chat_id* (blocked, deleted): unlink that person until
    they press Start again, move their pending offer on, and tell the managers."""
    now = deps.clock.now()
    async with uow:
        await lock_roster(uow)  # a person's row is the roster's: written in its turn
        people = await uow.agents.list()
        gone = next((a for a in people if a.chat_id == chat_id), None)
        if gone is not None:
            gone.chat_id, gone.blocked_at = None, now
            await uow.agents.save(gone)
        offer = await uow.offers.get(offer_id) if offer_id is not None else None
        lead_id = None
        if offer is not None and offer.status is OfferStatus.PENDING:
            lead = await lock_lead(uow, offer.lead_id)
            if await uow.offers.decide(offer.id, status=OfferStatus.DECLINED, at=now,
                                       reason=DeclineReason.UNREACHABLE):
                lead_id = lead.id
                await uow.events.add(LeadEvent(lead.id, now, "unreachable", offer.agent_id,
                                               {"offer_id": offer.id, "error": error[:120]}))
                if not await others_pending(uow, lead.id):
                    await offer_next(uow, deps, lead, now)
        if gone is not None:  # only the first failure for a chat tells the managers
            await uow.outbox.add_all([
                message(deps, boss, Template.AGENT_UNREACHABLE, now,
                        params=AgentUnreachableParams(agent=gone.name, lead_id=lead_id))
                for boss in managers_in(people, but=gone.telegram_id)])
        await uow.commit()


async def audit_leads(uow_factory: UowFactory, deps: Deps, /) -> list[int]:
    """Find leads nobody holds (marked offered, no live offer) and route them again.

    A correct run never leaves one; the auditor is the net under bugs and hand edits. Each
    lead is fixed in its own transaction, rechecked under its lock, so a lead that moved on
    meanwhile is left alone.
    """
    now = deps.clock.now()
    async with uow_factory() as uow:
        suspects = await uow.leads.orphaned()
    fixed = []
    for lead_id in suspects:
        async with uow_factory() as uow:
            lead = await lock_lead(uow, lead_id)
            if lead.status is not LeadStatus.OFFERED or await others_pending(uow, lead.id):
                continue
            await uow.events.add(LeadEvent(lead.id, now, "audited",
                                           data={"problem": "no_live_offer"}))
            await offer_next(uow, deps, lead, now)
            await uow.commit()
            fixed.append(lead.id)
    return fixed


async def report_audit(uow: UnitOfWork, deps: Deps, /, *, rerouted: Sequence[int],
                       resent: int) -> None:
    """Add what the auditor fixed to its totals and, if it fixed anything, tell managers."""
    now = deps.clock.now()
    async with uow:
        totals = await uow.rotations.lock(AUDIT_TOTALS)
        totals = {"runs": int(totals.get("runs", 0)) + 1,
                  "rerouted": int(totals.get("rerouted", 0)) + len(rerouted),
                  "resent": int(totals.get("resent", 0)) + resent, "last_at": now.isoformat()}
        await uow.rotations.save(AUDIT_TOTALS, totals)
        if rerouted or resent:
            await uow.outbox.add_all([
                message(deps, boss, Template.AUDIT_REPORT, now,
                        params=AuditReportParams(leads=list(rerouted), resent=resent))
                for boss in managers_in(await uow.agents.list())])
        await uow.commit()


async def pending_deadlines(uow: UnitOfWork, deps: Deps, /) -> list[datetime]:
    """The deadline of every open offer, for the scheduler after a restart."""
    async with uow.reading():
        return await uow.offers.pending_deadlines()
