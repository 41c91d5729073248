"""Office statistics for managers: speed to accept, SLA, escalations and outcomes, per agent."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.errors import FieldProblem, InvalidInput
from core.model import Agent, Lead, Offer, OfferStatus, Stage

PERIODS = ("today", "7d", "30d")


def period_start(period: str, *, now: datetime, zone: ZoneInfo) -> datetime:
    """The start of `today` (office midnight), `7d` or `30d` before *now*."""
    if period == "today":
        local = now.astimezone(zone)
        return datetime.combine(local.date(), time(0), tzinfo=zone)
    if period in ("7d", "30d"):
        return now - timedelta(days=int(period[:-1]))
    raise InvalidInput([FieldProblem("period", "must be today, 7d or 30d")])


@dataclass
class Figures:
    """The same counts for the whole office or for one agent."""

    offered: int = 0
    accepted: int = 0
    declined: int = 0
    expired: int = 0
    answered_in_time: int = 0
    answered: int = 0
    accept_seconds: list[float] = field(default_factory=list)
    stages: Counter[str] = field(default_factory=Counter)

    @property
    def median_accept_s(self) -> float | None:
        """Median seconds from the offer to Accept."""
        return statistics.median(self.accept_seconds) if self.accept_seconds else None

    @property
    def sla_met_pct(self) -> float | None:
        """Share of decided offers answered (Accept or Decline) within their window."""
        decided = self.accepted + self.declined + self.expired
        return 100.0 * self.answered_in_time / decided if decided else None


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


def compute_stats(
    leads: Sequence[Lead], offers: Sequence[Offer], agents: Sequence[Agent], *,
    start: datetime, end: datetime,
) -> Stats:
    """Summarise the leads received in [start, end) and every offer made for them."""
    office = Figures()
    per_agent: dict[int, Figures] = {}
    for offer in offers:
        figures = per_agent.setdefault(offer.agent_id, Figures())
        for f in (office, figures):
            _count_offer(f, offer)
    for lead in leads:
        if lead.owner_id is not None:
            per_agent.setdefault(lead.owner_id, Figures()).stages[lead.stage.value] += 1
        office.stages[lead.stage.value] += 1
    offered_leads = {o.lead_id for o in offers}
    to_owner = [(lead.accepted_at - lead.received_at).total_seconds()
                for lead in leads if lead.accepted_at is not None]
    by_id = {a.telegram_id: a for a in agents}
    rows = [(by_id[aid], figs) for aid, figs in per_agent.items() if aid in by_id]
    rows.sort(key=lambda row: (-row[1].accepted, row[0].position))
    return Stats(
        start=start, end=end, leads_in=len(leads), leads_offered=len(offered_leads),
        leads_escalated=sum(lead.escalated_at is not None for lead in leads),
        median_to_owner_s=statistics.median(to_owner) if to_owner else None,
        office=office, per_agent=rows,
    )


def _count_offer(figures: Figures, offer: Offer) -> None:
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
            figures.accept_seconds.append((offer.decided_at - offer.created_at).total_seconds())


STAGES = [s.value for s in Stage]
