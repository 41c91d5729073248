"""Lead types: a kind of lead (a demo request, an event lead) with windows of its own that
take the place of its temperature's, named by the source the lead came from or by the
routing rule that took it."""

from __future__ import annotations

from pydantic import model_validator

from core.config.durations import Duration
from core.model import Strict

# What a lead type may be called: it is stored with the lead (leads.lead_type, 40 chars).
LEAD_TYPE_NAME = r"^[A-Za-z0-9_.-]+$"


class LeadType(Strict):
    """How long a lead of this type waits for Accept, and how soon after Accept its owner
    must first try to reach the contact; with `business_hours`, each window counts only the
    office's open hours (`work.hours`, less public holidays and `work.closed_dates`)."""

    accept_within: Duration
    first_contact_within: Duration
    # Still no try by then (from Accept): the lead is taken back. null: only work.reclaim.
    reclaim_within: Duration | None = None
    business_hours: bool = False

    @model_validator(mode="after")
    def _reclaim_after_first_contact(self) -> LeadType:
        if self.reclaim_within is not None and self.reclaim_within <= self.first_contact_within:
            raise ValueError("reclaim_within must be longer than first_contact_within "
                             "(managers are told first)")
        return self

