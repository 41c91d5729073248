"""What a partial row is in leadrelay's schema, found in a database after intake was hammered.

Intake stores a lead whole or not at all: its contact (with a phone or an e-mail, the lead's
own among them), the lead scored and banded, and its one `received` event carrying that score;
a refused post becomes one failed_intake row and nothing else. A Meta `leadgen` change kept
for its fields to be fetched is one lead_fetches row: waiting, or stored into its lead, or
given up on into its failed_intake row.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from core.lifecycle.lead_ads import LEADGEN_TYPE
from core.model import LeadStatus, Temperature
from core.model.failures import FailureReason
from core.model.fetches import FetchState
from storage.tables import contacts, failed_intake, lead_events, lead_fetches, leads


async def partial_rows(engine: AsyncEngine, *, leads_answered: Collection[int] | None = None,
                       refused: int | None = None,
                       changes_kept: int | None = None) -> list[str]:
    """Every partial row found, one line each (empty when the database is whole).

    *leads_answered*: the lead ids the senders were told of (each 200 and 201): every one must
    be stored and no other lead may be. *refused*: how many posts were answered with a 4xx
    that keeps them (and `leadgen` changes kept as failed, and Google's test leads): that
    many failed_intake rows, none of them tied to a lead. *changes_kept*: how many `leadgen`
    changes Meta's posts were told were kept: that many lead_fetches rows.
    """
    found: list[str] = []
    async with engine.connect() as conn:
        people: dict[int, Any] = {row.id: row for row in await conn.execute(select(contacts))}
        events: dict[int, list[dict[str, object]]] = {}
        for row in await conn.execute(select(lead_events.c.lead_id, lead_events.c.data)
                                      .where(lead_events.c.kind == "received")):
            events.setdefault(row.lead_id, []).append(row.data)
        stored = list(await conn.execute(select(leads)))
        failures = list(await conn.execute(select(failed_intake)))
        fetches = list(await conn.execute(select(lead_fetches)))
        lead_events_of_none = (await conn.execute(select(func.count()).select_from(lead_events)
                                                  .where(lead_events.c.lead_id.not_in(
                                                      select(leads.c.id))))).scalar_one()
    for lead in stored:
        found += [f"lead {lead.id}: {problem}" for problem in _lead_problems(lead, people,
                                                                               events)]
    with_leads = {lead.contact_id for lead in stored}
    for contact in people.values():
        if contact.id not in with_leads:
            found.append(f"contact {contact.id}: no lead")
        if contact.phone is None and contact.email is None:
            found.append(f"contact {contact.id}: neither phone nor e-mail")
    if lead_events_of_none:
        found.append(f"{lead_events_of_none} event(s) of no lead")
    if leads_answered is not None:
        ids = {lead.id for lead in stored}
        found += [f"lead {i}: answered, not stored" for i in sorted(set(leads_answered) - ids)]
        found += [f"lead {i}: stored, never answered" for i in sorted(ids - set(leads_answered))]
    found += _failure_problems(failures, refused)
    found += _fetch_problems(fetches, {lead.id: lead for lead in stored},
                             {row.id for row in failures}, changes_kept)
    return found


def _lead_problems(lead: Any, people: dict[int, Any],
                   events: dict[int, list[dict[str, object]]]) -> list[str]:
    problems: list[str] = []
    if lead.phone is None and lead.email is None:
        problems.append("neither phone nor e-mail")
    contact = people.get(lead.contact_id)
    if contact is None:
        problems.append("no contact")
    elif (lead.phone is not None and contact.phone is None) or (
            lead.email is not None and contact.email is None):
        problems.append("its contact lacks the lead's phone or e-mail")
    if not isinstance(lead.score, int) or not 0 <= lead.score <= 100:
        problems.append(f"score {lead.score!r}")
    if lead.temperature not in set(Temperature):
        problems.append(f"temperature {lead.temperature!r}")
    if lead.status not in set(LeadStatus):
        problems.append(f"status {lead.status!r}")
    received = events.get(lead.id, [])
    if len(received) != 1:
        problems.append(f"{len(received)} `received` events")
    elif (received[0].get("score"), received[0].get("temperature")) != (lead.score,
                                                                        lead.temperature):
        problems.append(f"its `received` event says {received[0]}")
    return problems


def _failure_problems(failures: list[Any], refused: int | None) -> list[str]:
    problems: list[str] = []
    if refused is not None and len(failures) != refused:
        problems.append(f"{refused} post(s) refused, {len(failures)} kept in failed_intake")
    for row in failures:
        if row.reason not in set(FailureReason):
            problems.append(f"failed_intake {row.id}: reason {row.reason!r}")
        if row.body is None or not row.detail:
            problems.append(f"failed_intake {row.id}: no body or no detail")
        # A leadgen change signed by an app secret, for a page no source claims, has none.
        leadgen = row.content_type == LEADGEN_TYPE and row.authenticated
        if row.authenticated != (row.source is not None) and not leadgen:
            problems.append(f"failed_intake {row.id}: authenticated without a source, or "
                            "the reverse")
        if row.lead_id is not None:
            problems.append(f"failed_intake {row.id}: tied to lead {row.lead_id}")
    return problems


def _fetch_problems(fetches: list[Any], stored: dict[int, Any], failure_ids: set[int],
                    kept: int | None) -> list[str]:
    problems: list[str] = []
    if kept is not None and len(fetches) != kept:
        problems.append(f"{kept} leadgen change(s) kept, {len(fetches)} in lead_fetches")
    for row in fetches:
        lead = stored.get(row.lead_id) if row.lead_id is not None else None
        if row.state == FetchState.STORED and (lead is None
                                               or lead.external_id != row.external_id):
            problems.append(f"lead_fetch {row.id}: stored, but not as lead {row.lead_id}")
        elif row.state == FetchState.FAILED and row.failure_id not in failure_ids:
            problems.append(f"lead_fetch {row.id}: failed, but no failed_intake row")
        elif row.state == FetchState.WAITING and (row.next_try_at is None
                                                  or row.lead_id is not None
                                                  or row.failure_id is not None):
            problems.append(f"lead_fetch {row.id}: waiting, yet settled or never tried")
        elif row.state not in set(FetchState):
            problems.append(f"lead_fetch {row.id}: state {row.state!r}")
    return problems
