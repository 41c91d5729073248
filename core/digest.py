"""The morning digest's figures: what a day brought and what is open now, added up in memory
here as the reference the SQL (storage/repositories/digest.py) follows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from core.model import Lead, LeadEvent, LeadStatus, Offer, OfferStatus, Task
from core.stats import counts_for_agent


@dataclass(frozen=True)
class DigestCounts:
    """A period's figures and the office's open matters at one moment."""

    leads_in: int = 0  # leads received in the period
    offered: int = 0  # of them, those offered to someone
    accepted_in_time: int = 0  # of them, those an agent accepted within the offer's window
    escalated: int = 0  # leads handed to the managers during the period
    contact_missed: int = 0  # first contacts missed during the period
    with_managers: int = 0  # now: leads waiting for a manager to give them to someone
    on_offer: int = 0  # now: leads offered and not yet accepted
    overdue_tasks: int = 0  # now: open tasks of the kinds agents see, past their due time

    @property
    def in_time_ratio(self) -> float | None:
        """The share of the offered leads accepted within their window."""
        return self.accepted_in_time / self.offered if self.offered else None


def count_digest(leads: Sequence[Lead], offers: Sequence[Offer], events: Sequence[LeadEvent],
                 tasks: Sequence[Task], *, start: datetime, end: datetime,
                 now: datetime) -> DigestCounts:
    """The figures of [start, end) and of *now*, from every lead, offer, event and task."""
    received = {lead.id for lead in leads if start <= lead.received_at < end}
    offered = {o.lead_id for o in offers if o.lead_id in received}
    in_time = {o.lead_id for o in offers
               if o.lead_id in received and o.status is OfferStatus.ACCEPTED
               and counts_for_agent(o) and o.decided_at is not None
               and o.decided_at <= o.deadline}
    in_period = [e for e in events if start <= e.at < end]
    return DigestCounts(
        leads_in=len(received), offered=len(offered), accepted_in_time=len(in_time),
        escalated=len({e.lead_id for e in in_period if e.kind == "escalated"}),
        contact_missed=sum(e.kind == "contact_missed" for e in in_period),
        with_managers=sum(lead.status is LeadStatus.WITH_MANAGERS for lead in leads),
        on_offer=sum(lead.status is LeadStatus.OFFERED for lead in leads),
        overdue_tasks=sum(t.done_at is None and t.kind.shown and t.due_at < now
                          for t in tasks))
