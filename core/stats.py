"""Office statistics for managers: speed to accept, SLA, escalations and outcomes, per agent."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from core.config import MANUAL_SOURCE
from core.model import (
    Agent,
    DeclineReason,
    Lead,
    LeadEvent,
    Offer,
    OfferStatus,
    Stage,
)


@dataclass
class Figures:
    """The same counts for the whole office or for one agent."""

    offered: int = 0
    accepted: int = 0
    declined: int = 0
    expired: int = 0
    answered_in_time: int = 0
    answered: int = 0
    median_accept_s: float | None = None  # seconds from the offer to Accept
    stages: Counter[str] = field(default_factory=Counter)

    @property
    def sla_met_pct(self) -> float | None:
        """Share of decided offers answered (Accept or Decline) within their window."""
        decided = self.accepted + self.declined + self.expired
        return 100.0 * self.answered_in_time / decided if decided else None


@dataclass
class PeriodTally:
    """One period's figures by agent id, as a repository adds them up (no roster yet)."""

    leads_in: int
    leads_offered: int
    leads_escalated: int
    median_to_owner_s: float | None
    office: Figures
    by_agent: dict[int, Figures]
    # Leads an agent took (not entered themselves), how many of them were reached or tried
    # (a first contact), and the median arrival → first contact: speed to lead.
    owned: int = 0
    contacted: int = 0
    median_to_contact_s: float | None = None
    # Of those with a first-contact deadline, the ones judged (the deadline passed, or was
    # met first) and the ones contacted by it.
    contact_due: int = 0
    contacted_in_time: int = 0
    # Events in the period: leads taken back from their owner, per reason; leads moved to
    # nurture.
    reclaimed: Counter[str] = field(default_factory=Counter)
    nurtured: int = 0


@dataclass
class Stats:
    """What `/stats` shows for one period."""

    start: datetime
    end: datetime
    leads_in: int
    leads_offered: int
    leads_escalated: int
    median_to_owner_s: float | None
    office: Figures
    per_agent: list[tuple[Agent, Figures]]
    owned: int = 0
    contacted: int = 0
    median_to_contact_s: float | None = None
    contact_due: int = 0
    contacted_in_time: int = 0
    reclaimed: Counter[str] = field(default_factory=Counter)
    nurtured: int = 0

    @property
    def contact_rate_pct(self) -> float | None:
        """Share of the leads agents took that had a first contact."""
        return 100.0 * self.contacted / self.owned if self.owned else None

    @property
    def first_contact_sla_pct(self) -> float | None:
        """Share of the first-contact deadlines passed or met that were met."""
        return 100.0 * self.contacted_in_time / self.contact_due if self.contact_due else None


def median_of_middle(middle_us: Sequence[int]) -> float | None:
    """The median in seconds of a sorted series given only its one or two middle values (µs).

    Seconds are made the way timedelta.total_seconds() makes them, and the two middle values
    are averaged the way statistics.median averages them, so the SQL figures equal the
    in-memory ones to the last bit.
    """
    return statistics.median([us / 10**6 for us in middle_us]) if middle_us else None


def counts_for_agent(offer: Offer) -> bool:
    """Whether *offer* counts in its agent's (and the office's) figures: it was theirs to answer.

    Left out, because the agent did nothing and was not asked to: an offer the system
    declined as unreachable (Telegram refused the chat, so the agent never saw the lead);
    a withdrawn offer (a pool member someone else beat to the claim, or a round whose group
    post failed); and any other pool offer (kind "claim") but the one that won the claim,
    since claiming is optional, so a pass or a round nobody claimed is no answer and no miss.
    The winner's claim counts as an accepted offer. A lead whose every offer is left out
    still counts in `leads_offered`: the office did put it to someone.
    """
    if offer.status is OfferStatus.WITHDRAWN or offer.decline_reason is DeclineReason.UNREACHABLE:
        return False
    return offer.kind != "claim" or offer.status is OfferStatus.ACCEPTED


def first_contact_judged(lead: Lead, now: datetime | None) -> bool | None:
    """Whether *lead* met its first-contact deadline: None while it cannot be told yet (no
    deadline, or one not passed at *now* and not met; *now* None: every deadline passed)."""
    due, contacted = lead.contact_due_at, lead.contacted_at
    if due is None:
        return None
    if contacted is not None and contacted <= due:
        return True
    return False if now is None or due < now else None


def tally(leads: Sequence[Lead], offers: Sequence[Offer], events: Sequence[LeadEvent] = (),
          *, now: datetime | None = None) -> PeriodTally:
    """Add up *leads*, every offer made for them and the period's *events* in memory: the
    reference the SQL follows. First-contact deadlines are judged at *now*."""
    office = Figures()
    per_agent: dict[int, Figures] = {}
    accept_seconds: dict[int | None, list[float]] = {None: []}  # None: the whole office
    for offer in offers:
        if not counts_for_agent(offer):
            continue
        figures = per_agent.setdefault(offer.agent_id, Figures())
        seconds = accept_seconds.setdefault(offer.agent_id, [])
        for f, s in ((office, accept_seconds[None]), (figures, seconds)):
            _count_offer(f, s, offer)
    for lead in leads:
        if lead.owner_id is not None:
            per_agent.setdefault(lead.owner_id, Figures()).stages[lead.stage.value] += 1
        office.stages[lead.stage.value] += 1
    for key, figures in (*per_agent.items(), (None, office)):
        accepts = accept_seconds.get(key)
        figures.median_accept_s = statistics.median(accepts) if accepts else None
    taken = [lead for lead in leads
             if lead.accepted_at is not None and lead.source != MANUAL_SOURCE]
    to_owner = [(lead.accepted_at - lead.received_at).total_seconds() for lead in taken
                if lead.accepted_at is not None]
    to_contact = [(lead.contacted_at - lead.received_at).total_seconds() for lead in taken
                  if lead.contacted_at is not None]
    judged = [met for lead in taken if (met := first_contact_judged(lead, now)) is not None]
    return PeriodTally(
        leads_in=len(leads), leads_offered=len({o.lead_id for o in offers}),
        leads_escalated=sum(lead.escalated_at is not None for lead in leads),
        median_to_owner_s=statistics.median(to_owner) if to_owner else None,
        office=office, by_agent=per_agent, owned=len(taken), contacted=len(to_contact),
        median_to_contact_s=statistics.median(to_contact) if to_contact else None,
        contact_due=len(judged), contacted_in_time=sum(judged),
        reclaimed=Counter(str(e.data.get("reason") or "") for e in events
                          if e.kind == "reclaimed"),
        nurtured=len({e.lead_id for e in events
                      if e.kind == "stage" and e.data.get("to") == Stage.NURTURE.value}),
    )


def summarise(
    figures: PeriodTally, agents: Sequence[Agent], *, start: datetime, end: datetime
) -> Stats:
    """The `/stats` figures of a period: the office, then the roster's agents, busiest first."""
    by_id = {a.telegram_id: a for a in agents}
    rows = [(by_id[aid], figs) for aid, figs in figures.by_agent.items() if aid in by_id]
    rows.sort(key=lambda row: (-row[1].accepted, row[0].position, row[0].telegram_id))
    return Stats(
        start=start, end=end, leads_in=figures.leads_in, leads_offered=figures.leads_offered,
        leads_escalated=figures.leads_escalated, median_to_owner_s=figures.median_to_owner_s,
        office=figures.office, per_agent=rows, owned=figures.owned,
        contacted=figures.contacted, median_to_contact_s=figures.median_to_contact_s,
        contact_due=figures.contact_due, contacted_in_time=figures.contacted_in_time,
        reclaimed=figures.reclaimed, nurtured=figures.nurtured,
    )


def compute_stats(
    leads: Sequence[Lead], offers: Sequence[Offer], agents: Sequence[Agent], *,
    start: datetime, end: datetime, events: Sequence[LeadEvent] = (),
    now: datetime | None = None,
) -> Stats:
    """Summarise the leads received in [start, end), every offer made for them and the
    events of [start, end), in memory."""
    return summarise(tally(leads, offers, events, now=now), agents, start=start, end=end)


def _count_offer(figures: Figures, accept_seconds: list[float], offer: Offer) -> None:
    figures.offered += 1
    if offer.status is OfferStatus.ACCEPTED:
        figures.accepted += 1
    elif offer.status is OfferStatus.DECLINED:
        figures.declined += 1
    elif offer.status is OfferStatus.EXPIRED:
        figures.expired += 1
    if offer.decided_at is not None and offer.status is not OfferStatus.EXPIRED:
        figures.answered += 1
        if offer.decided_at <= offer.deadline:
            figures.answered_in_time += 1
        if offer.status is OfferStatus.ACCEPTED:
            accept_seconds.append((offer.decided_at - offer.created_at).total_seconds())


STAGES = [s.value for s in Stage]
