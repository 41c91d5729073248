"""Leads from the ad platforms. Meta Lead Ads: each `leadgen` change kept by its
`leadgen_id` as soon as it arrives, its fields fetched from the Graph API by the timers'
sweep (retried with back-off), stored through intake's path, or moved to failed intake once
its source's time is up. Google Ads lead forms: a post read as intake's lead."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from core.config import SourceConfig
from core.deps import Deps, UowFactory
from core.errors import InvalidInput
from core.lifecycle.intake import IncomingLead, admit_named, store_in
from core.model import Channel
from core.model.failures import FailedIntake, FailureReason
from core.model.fetches import FetchState, LeadFetch
from core.platform_fields import (
    GOOGLE_CAMPAIGN,
    META_CAMPAIGN,
    campaign_of,
    google_payload,
    meta_payload,
)
from core.ports import UnitOfWork
from core.ports.fetches import GraphError, LeadAdsGraph

# A failed_intake row of this type is a leadgen change: a replay fetches its lead anew.
LEADGEN_TYPE = "application/vnd.leadrelay.meta-leadgen+json"
PLATFORM = Channel.META.value
# A try under way holds its row this long: one that dies is tried again after it.
_LEASE = timedelta(minutes=2)
_FIRST_WAIT = timedelta(seconds=30)
_LONGEST_WAIT = timedelta(hours=1)


@dataclass(frozen=True)
class LeadgenChange:
    """One `leadgen` change of a signed post: the page it names and its `value` as sent."""

    page_id: str
    value: Mapping[str, object]

    @property
    def leadgen_id(self) -> str | None:
        """The id Meta gives the lead; None when the change names none."""
        found = self.value.get("leadgen_id")
        if isinstance(found, int) and not isinstance(found, bool):
            return str(found)
        return found if isinstance(found, str) and found.strip() else None


@dataclass(frozen=True)
class Taken:
    """What a post's changes became: fetches kept (new, or a retry's), failures kept."""

    kept: int = 0
    again: int = 0
    failed: int = 0


def backoff(attempts: int) -> timedelta:
    """The wait after the *attempts*-th failed try: 30 s, doubling, at most an hour."""
    wait: timedelta = _FIRST_WAIT * 2 ** min(max(attempts - 1, 0), 20)
    return min(wait, _LONGEST_WAIT)


async def take_leadgen_changes(uow: UnitOfWork, deps: Deps, /, *,
                               changes: Sequence[LeadgenChange],
                               signers: Sequence[str]) -> Taken:
    """Keep each change of a post signed by the sources named *signers*, in one
    transaction: a fetch for a page one of them claims (a retry of Meta's finds its row and
    adds nothing), a failure (replayable) for a page none of them claims."""
    now = deps.clock.now()
    kept = again = failed = 0
    async with uow:
        for change in changes:
            source = deps.config.source_for_page(change.page_id)
            leadgen_id = change.leadgen_id
            problem = _problem(change, source, signers)
            if problem is not None or source is None or leadgen_id is None:
                await uow.failed_intake.add(_failure(
                    now, change, FailureReason.UNCLAIMED if leadgen_id else FailureReason.INVALID,
                    problem or "no leadgen_id", source=None))
                failed += 1
                continue
            fetch = LeadFetch(platform=PLATFORM, external_id=leadgen_id, source=source.name,
                              change={**change.value, "page_id": change.page_id},
                              received_at=now, next_try_at=now,
                              give_up_at=now + source.fetch_retry_for)
            if await uow.lead_fetches.add(fetch):
                kept += 1
            else:
                again += 1
        if kept:
            uow.wake_at(now)
        await uow.commit()
    return Taken(kept, again, failed)


def _problem(change: LeadgenChange, source: SourceConfig | None,
             signers: Sequence[str]) -> str | None:
    if change.leadgen_id is None:
        return "the change names no leadgen_id"
    if source is None:
        return f"no source claims page_id {change.page_id}; add it to a meta source's page_ids"
    if source.name not in signers:
        return (f"page_id {change.page_id} belongs to source {source.name!r}, whose "
                "app_secret did not sign this post")
    return None


def _failure(now: datetime, change: LeadgenChange | Mapping[str, object],
             reason: FailureReason, detail: str, *, source: str | None,
             received_at: datetime | None = None) -> FailedIntake:
    value = (dict({**change.value, "page_id": change.page_id})
             if isinstance(change, LeadgenChange) else dict(change))
    return FailedIntake(received_at=received_at or now, reason=reason, detail=detail[:500],
                        authenticated=True, source=source, content_type=LEADGEN_TYPE,
                        body=json.dumps(value, separators=(",", ":")).encode())


async def fetch_due_leads(uow_factory: UowFactory, deps: Deps, /, *, graph: LeadAdsGraph,
                          limit: int = 50) -> list[int]:
    """Fetch the fields of each announced lead whose try is due and store it; the ids of
    the leads stored. A try that fails waits longer each time until its source's
    `fetch_retry_for` has passed since it arrived; then it goes to failed intake."""
    async with uow_factory().reading() as uow:
        due = await uow.lead_fetches.due(deps.clock.now(), limit=limit)
    stored: list[int] = []
    for fetch in due:
        async with uow_factory() as uow:
            if not await uow.lead_fetches.claim(fetch, until=deps.clock.now() + _LEASE):
                continue  # another sweep (here or on another instance) took it
            await uow.commit()
        lead_id = await _try(uow_factory, deps, graph, fetch)
        if lead_id is not None:
            stored.append(lead_id)
    return stored


async def _try(uow_factory: UowFactory, deps: Deps, graph: LeadAdsGraph,
               fetch: LeadFetch) -> int | None:
    """One try at *fetch*, claimed: the Graph API asked outside any transaction, then the
    outcome settled in one."""
    source = deps.config.source_named(fetch.source)
    try:
        if source is None or source.page_access_token is None:
            raise GraphError(f"source {fetch.source!r} is no longer a meta source")
        answer = await graph.lead(fetch.external_id,
                                  access_token=source.page_access_token.get_secret_value())
        incoming = lead_from_graph(deps, source, fetch.change, answer,
                                   received_at=fetch.received_at)
    except GraphError as exc:
        await _failed_try(uow_factory, deps, fetch, str(exc))
        return None
    except InvalidInput as exc:
        detail = "; ".join(f"{p.field}: {p.problem}" for p in exc.problems)
        await _give_up(uow_factory, deps, fetch, FailureReason.INVALID, detail)
        return None
    async with uow_factory() as uow:
        [(lead, _created)] = await store_in(uow, deps, [incoming], deps.clock.now())
        if not await uow.lead_fetches.settle(fetch, state=FetchState.STORED, next_try_at=None,
                                             lead_id=lead.id):
            return None  # settled meanwhile by a sweep that outlived our lease: theirs stands
        await uow.commit()
    return lead.id


async def _failed_try(uow_factory: UowFactory, deps: Deps, fetch: LeadFetch,
                      error: str) -> None:
    now = deps.clock.now()
    if now >= fetch.give_up_at:
        await _give_up(uow_factory, deps, fetch, FailureReason.FETCH_FAILED,
                       f"after {fetch.attempts} tries: {error}")
        return
    again = min(now + backoff(fetch.attempts), max(fetch.give_up_at, now))
    async with uow_factory() as uow:
        if await uow.lead_fetches.settle(fetch, state=FetchState.WAITING, next_try_at=again,
                                         error=error):
            uow.wake_at(again)
            await uow.commit()


async def _give_up(uow_factory: UowFactory, deps: Deps, fetch: LeadFetch,
                   reason: FailureReason, detail: str) -> None:
    """Move *fetch* to failed intake, where `leadrelay intake replay` fetches it anew."""
    async with uow_factory() as uow:
        failure = _failure(deps.clock.now(), fetch.change, reason, detail,
                           source=fetch.source, received_at=fetch.received_at)
        failure_id = await uow.failed_intake.add(failure)
        if await uow.lead_fetches.settle(fetch, state=FetchState.FAILED, next_try_at=None,
                                         error=detail, failure_id=failure_id):
            await uow.commit()


def lead_from_graph(deps: Deps, source: SourceConfig, change: Mapping[str, object],
                    answer: Mapping[str, object], *,
                    received_at: datetime | None) -> IncomingLead:
    """The Graph API's lead as intake's: its questions as fields and extras (the source's
    mapping applied), its `leadgen_id` as external_id, the ad's ids as campaign fields."""
    payload = meta_payload(answer.get("field_data"))
    leadgen_id = answer.get("id") or change.get("leadgen_id")
    payload["external_id"] = str(leadgen_id)
    incoming = admit_named(deps, source_name=source.name, payload=payload)
    campaign = {**incoming.data.campaign, **campaign_of(META_CAMPAIGN, answer, change)}
    return replace(incoming, received_at=received_at,
                   data=replace(incoming.data, campaign=campaign))


def admit_google(deps: Deps, *, source_name: str, post: Mapping[str, object],
                 received_at: datetime | None = None) -> IncomingLead:
    """A Google Ads lead form's post as intake's lead: `user_column_data` as fields and
    extras, `lead_id` as external_id, the ad's ids as campaign fields; *received_at* when it
    arrived earlier (a replay)."""
    payload = google_payload(post.get("user_column_data"))
    if post.get("lead_id") not in (None, ""):
        payload["external_id"] = str(post["lead_id"])
    incoming = admit_named(deps, source_name=source_name, payload=payload)
    campaign = {**incoming.data.campaign, **campaign_of(GOOGLE_CAMPAIGN, post)}
    return replace(incoming, received_at=received_at,
                   data=replace(incoming.data, campaign=campaign))


async def refetch_failed(deps: Deps, graph: LeadAdsGraph, failure: FailedIntake) -> IncomingLead:
    """The lead a failed leadgen change makes now, fetched anew with the config in force (a
    page since claimed, a token since fixed); GraphError or InvalidInput when it still
    cannot, ValueError when the row is not a leadgen change."""
    change = json.loads(failure.body)
    if not isinstance(change, dict):
        raise ValueError("its body is not a leadgen change")
    page_id = str(change.get("page_id", ""))
    source = deps.config.source_for_page(page_id)
    if source is None or source.page_access_token is None:
        raise GraphError(f"no meta source claims page_id {page_id}")
    leadgen_id = LeadgenChange(page_id, change).leadgen_id
    if leadgen_id is None:
        raise ValueError("it names no leadgen_id")
    answer = await graph.lead(leadgen_id,
                              access_token=source.page_access_token.get_secret_value())
    return lead_from_graph(deps, source, change, answer, received_at=failure.received_at)


async def next_fetch(uow: UnitOfWork, deps: Deps, /) -> datetime | None:
    """When the soonest announced lead is next tried, for the timers' wake-up."""
    async with uow.reading():
        return await uow.lead_fetches.next_due()
