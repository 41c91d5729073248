"""Leads an ad platform announced by id (the lead_fetches table), and the platform's API
their fields are fetched from (Meta's Graph API; `integrations/meta_graph.py`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol

from core.model.fetches import FetchState, LeadFetch


class GraphError(Exception):
    """The Graph API did not give the lead: an error answer, a timeout, no connection.

    The message says what happened, in one line with no token in it.
    """


class LeadAdsGraph(Protocol):
    """Meta's Graph API, as far as Lead Ads needs it."""

    async def lead(self, leadgen_id: str, *, access_token: str) -> Mapping[str, object]:
        """The lead `GET /{leadgen_id}` answers (`field_data`, `ad_id`, `form_id`…);
        GraphError when it does not."""
        ...


class LeadFetchRepository(Protocol):
    """The announced leads, in this transaction."""

    async def add(self, fetch: LeadFetch) -> bool:
        """Store *fetch* unless its (platform, external_id) is stored already; whether it
        was new."""
        ...

    async def get(self, fetch_id: int) -> LeadFetch | None:
        """One by id."""
        ...

    async def due(self, now: datetime, *, limit: int) -> Sequence[LeadFetch]:
        """Those waiting whose next try is due by *now*, soonest first."""
        ...

    async def next_due(self) -> datetime | None:
        """When the soonest waiting one is next tried."""
        ...

    async def claim(self, fetch: LeadFetch, *, until: datetime) -> bool:
        """Take *fetch* for a try, as read (same attempts, still waiting): one more attempt,
        its next try moved to *until* in case this one dies; False when another took it."""
        ...

    async def settle(self, fetch: LeadFetch, *, state: FetchState,
                     next_try_at: datetime | None, error: str = "",
                     lead_id: int | None = None, failure_id: int | None = None) -> bool:
        """Record a try's end on *fetch* as claimed (same attempts, still waiting); False
        when it moved meanwhile."""
        ...
