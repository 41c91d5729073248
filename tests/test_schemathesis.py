"""schemathesis against the intake's live `/openapi.json`, over real HTTP on both databases:
every operation answered as the document says, never a 5xx, and no partial row left behind.
The ad platforms' operations are run against configured sources: schemathesis cannot sign a
post nor guess a key, so each of its posts there must be refused as documented."""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import delete, insert

from bench.kit.office import UNLIMITED
from core.config import OfficeConfig
from storage.tables import contacts, lead_events
from tests.intake import AUTH, START, RunningIntake, running_intake
from tests.office import TOKEN, office
from tests.partial_rows import partial_rows
from tests.test_platform_sources import GOOGLE, META, WHATSAPP

# Per operation, mode and token: a few hundred requests in all, seconds on 2 cores.
EXAMPLES = int(os.environ.get("LEADRELAY_SCHEMATHESIS_EXAMPLES", "60"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
# Not run: `ignored_auth`: the run without the token does more (every answer to it must be a
# refusal), and its probes would go round the session that counts what was refused.
# Nor `negative_data_rejection` and `positive_data_acceptance`. The intake is lenient
# by design (a lead with a usable contact is kept whatever else is wrong, README "Kept, never
# refused"), so data outside the schema is often taken (201 with flags); and no schema can say
# which phone numbers exist, so data inside it may be refused (422).
REFUSALS = frozenset({400, 401, 408, 413, 415, 417, 422, 429})
# The answers, per path, whose post is kept in failed_intake. A platform's post is kept only
# once its key named a source (Google's 422) or its signature did (never, in this run); a
# wrong Google key is kept too, without the key.
KEPT = {"/webhooks/leads": REFUSALS, "/webhooks/google-ads": frozenset({403, 422}),
        "/webhooks/meta": frozenset(), "/webhooks/whatsapp": frozenset()}


def schema_office() -> OfficeConfig:
    """The test office, its source without a rate limit the run would run into, and a
    source of each ad platform the document describes."""
    return office(sources=[{"name": "website", "token": TOKEN, "channel": "web_form",
                            "requests_per_minute": UNLIMITED}, META, GOOGLE, WHATSAPP])


class Tally:
    """What the run was answered: statuses, and the ids of the leads 2xx answers named."""

    def __init__(self) -> None:
        self.statuses: Counter[int] = Counter()
        self.lead_ids: set[int] = set()
        self.refused = 0  # intake's 4xx, each of which is kept in failed_intake or counted
        self.changes_kept = 0  # Meta's `leadgen` changes kept to be fetched
        self.taken_without_token = 0  # a lead's 2xx to a post that carried no token


def _run(base_url: str, document: dict[str, Any], tally: Tally) -> None:
    """The stateless run: each operation, positive and negative, with and without the token."""
    schema = schemathesis.openapi.from_dict(document)
    with requests.Session() as session:
        # Every answer, to the cases and to the checks' own requests (ignored_auth's).
        session.hooks["response"].append(lambda response, **_: _count(tally, response))
        for result in schema.get_all_operations():
            operation = result.ok()
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                for headers in (AUTH, {}):
                    _probe(operation, mode, headers, base_url, session, tally)


def _probe(operation: Any, mode: GenerationMode, headers: dict[str, str], base_url: str,
           session: requests.Session, tally: Tally) -> None:
    """EXAMPLES cases of *operation* in *mode*, each sent with *headers* and checked."""
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def probe(case: Any) -> None:
        response = case.call(base_url=base_url, session=session, headers=headers, timeout=30)
        case.validate_response(response, checks=CHECKS, headers=headers,
                               transport_kwargs={"base_url": base_url, "session": session})

    probe()


def _count(tally: Tally, response: requests.Response) -> None:
    tally.statuses[response.status_code] += 1
    path = urlsplit(response.url).path
    if response.request.method != "POST" or path not in KEPT:
        return
    if response.status_code in KEPT[path]:
        tally.refused += 1
    if response.status_code not in (200, 201):
        return
    answer = response.json()
    if path == "/webhooks/meta":
        tally.changes_kept += answer.get("kept", 0)
        tally.refused += answer.get("failed", 0)
        return
    if path == "/webhooks/leads" and "Authorization" not in response.request.headers:
        tally.taken_without_token += 1
    if answer.get("test"):
        tally.refused += 1  # Google's test lead: kept apart, not a lead
    if answer["lead_id"] is not None:
        tally.lead_ids.add(int(answer["lead_id"]))


async def _document(intake: RunningIntake) -> dict[str, Any]:
    async with intake.session.get(intake.url("/openapi.json")) as response:
        assert response.status == 200
        document: dict[str, Any] = await response.json()
        return document


@pytest.mark.slow
async def test_schemathesis_finds_no_5xx_no_answer_off_the_document_and_no_partial_row(
    database_url: str,
) -> None:
    async with running_intake(database_url, config=schema_office(), body_timeout=2) as intake:
        tally = Tally()
        await asyncio.to_thread(_run, intake.url(""), await _document(intake), tally)
        assert tally.taken_without_token == 0
        assert not any(status >= 500 for status in tally.statuses), tally.statuses
        assert tally.statuses[201] > 0, tally.statuses
        assert tally.statuses[422] > 0, tally.statuses
        assert tally.statuses[403] > 0, tally.statuses  # the platforms' refusals
        assert await partial_rows(intake.engine, leads_answered=tally.lead_ids,
                                  refused=tally.refused,
                                  changes_kept=tally.changes_kept) == []


async def test_a_method_the_intake_does_not_take_is_answered_405_naming_the_ones_it_does(
    tmp_path: Path,
) -> None:
    # What schemathesis' coverage phase found: the 405 went out without its Allow header.
    async with running_intake(f"sqlite+aiosqlite:///{tmp_path / 'intake.db'}") as intake:
        for method in ("PUT", "DELETE", "TRACE"):
            async with intake.session.request(method, intake.url(), headers=AUTH) as response:
                assert response.status == 405
                assert response.headers["Allow"] == "POST"
                assert (await response.json())["error"] == "Method Not Allowed"
        stored = await intake.stored()
        assert (stored.leads, stored.contacts) == (0, 0)


async def test_the_search_for_partial_rows_finds_a_contact_without_a_lead_and_a_lead_half_stored(
    tmp_path: Path,
) -> None:
    async with running_intake(f"sqlite+aiosqlite:///{tmp_path / 'intake.db'}") as intake:
        status, answer = await intake.post(headers=AUTH, json={"phone": "0532 123 45 67"})
        assert status == 201
        assert await partial_rows(intake.engine, leads_answered={answer["lead_id"]},
                                  refused=0) == []
        async with intake.engine.begin() as conn:
            await conn.execute(insert(contacts).values(email="a@example.com",
                                                       created_at=START))
            await conn.execute(delete(lead_events).where(
                lead_events.c.lead_id == answer["lead_id"]))
        assert await partial_rows(intake.engine, leads_answered={answer["lead_id"]},
                                  refused=1) == [
            f"lead {answer['lead_id']}: 0 `received` events", "contact 2: no lead",
            "1 post(s) refused, 0 kept in failed_intake"]
