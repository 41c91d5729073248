"""`/openapi.json` describes exactly what the intake accepts: a valid OpenAPI 3.1 document
whose every example, posted over HTTP (the ad platforms' signed or keyed as they send them),
is answered as it says."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from openapi_spec_validator import validate

from core.config import OfficeConfig
from core.lifecycle.lead_ads import fetch_due_leads
from integrations.meta_graph import MetaGraph
from sandbox.graph import GraphStandIn
from tests.intake import AUTH, running_intake
from tests.office import office
from tests.partial_rows import partial_rows
from tests.test_platform_sources import GOOGLE, META, WEBSITE, WHATSAPP
from webhooks.meta_platform import signature_of
from webhooks.openapi import EXAMPLES
from webhooks.openapi_platforms import (
    GOOGLE_EXAMPLES,
    GOOGLE_KEY,
    META_EXAMPLES,
    META_HANDSHAKE,
    META_LEADGEN_ID,
    META_PAGE,
)
from webhooks.openapi_whatsapp import WHATSAPP_EXAMPLES, WHATSAPP_HANDSHAKE, WHATSAPP_NUMBER_ID


async def test_the_document_is_valid_openapi_and_every_example_is_answered_as_it_says(
    tmp_path: Path,
) -> None:
    database = f"sqlite+aiosqlite:///{tmp_path / 'intake.db'}"
    async with running_intake(database) as intake:
        async with intake.session.get(intake.url("/openapi.json")) as response:
            assert response.status == 200
            document: dict[str, Any] = await response.json()
        validate(document)
        post = document["paths"]["/webhooks/leads"]["post"]
        examples = post["requestBody"]["content"]["application/json"]["examples"]
        assert set(examples) == set(EXAMPLES)
        for name, example in examples.items():
            status, answer = await intake.post(headers=AUTH, json=example["value"])
            assert status == EXAMPLES[name][1], (name, answer)
            assert str(status) in post["responses"], (name, status)
        stored = await intake.stored()
    assert stored.leads == sum(1 for _, status in EXAMPLES.values() if status == 201)


def platform_office() -> OfficeConfig:
    """The test office with a Meta and a Google Ads source set up as the examples assume:
    the verify token, page and key they name (the app secret is the source's own)."""
    return office(sources=[WEBSITE, {
        **META, "verify_token": META_HANDSHAKE["hub.verify_token"], "page_ids": [META_PAGE]},
        {**GOOGLE, "google_key": GOOGLE_KEY}])


async def test_every_example_of_the_ad_platforms_is_answered_as_the_document_says(
    tmp_path: Path,
) -> None:
    graph = GraphStandIn(META["page_access_token"])
    await graph.start()
    graph.add_lead(META_LEADGEN_ID, {"full_name": "Deniz Kaya", "phone_number": "+905321234567"})
    client = MetaGraph(graph.url)
    database = f"sqlite+aiosqlite:///{tmp_path / 'intake.db'}"
    try:
        async with running_intake(database, config=platform_office()) as intake:
            async with intake.session.get(intake.url("/openapi.json")) as response:
                document: dict[str, Any] = await response.json()
            validate(document)
            meta, google = document["paths"]["/webhooks/meta"], document["paths"][
                "/webhooks/google-ads"]

            def answered(operation: dict[str, Any], status: int, content_type: str) -> None:
                assert content_type in operation["responses"][str(status)]["content"], (
                    status, content_type)

            handshake = {p["name"]: p["example"] for p in meta["get"]["parameters"]}
            for query, status in ((handshake, 200),
                                  ({**handshake, "hub.verify_token": "not-ours-0123"}, 403)):
                async with intake.session.get(intake.url("/webhooks/meta"),
                                              params=query) as response:
                    assert response.status == status
                    answered(meta["get"], status, response.content_type)
                    if status == 200:
                        assert await response.text() == handshake["hub.challenge"]

            examples = meta["post"]["requestBody"]["content"]["application/json"]["examples"]
            assert set(examples) == set(META_EXAMPLES)
            for name, example in examples.items():
                raw = json.dumps(example["value"]).encode()
                for signature, status in ((signature_of(raw, META["app_secret"]),
                                           META_EXAMPLES[name][1]), ("sha256=00", 403)):
                    async with intake.session.post(
                            intake.url("/webhooks/meta"), data=raw, headers={
                                "Content-Type": "application/json",
                                "X-Hub-Signature-256": signature}) as response:
                        assert response.status == status, (name, await response.text())
                        answered(meta["post"], status, response.content_type)
            fetched = await intake.relay.run_in_turns(fetch_due_leads, graph=client)
            assert graph.asked == [META_LEADGEN_ID]

            examples = google["post"]["requestBody"]["content"]["application/json"]["examples"]
            assert set(examples) == set(GOOGLE_EXAMPLES)
            answered_ids: set[int] = set(fetched)
            for name, example in examples.items():
                async with intake.session.post(intake.url("/webhooks/google-ads"),
                                               json=example["value"]) as response:
                    answer = await response.json()
                    assert response.status == GOOGLE_EXAMPLES[name][1], (name, answer)
                    answered(google["post"], response.status, response.content_type)
                    if response.status == 200 and answer["lead_id"] is not None:
                        answered_ids.add(answer["lead_id"])
            assert len(answered_ids) == 2  # Meta's lead and Google's; not the test lead
            # Kept: Google's test lead, the lead without a contact, the wrong key's post.
            assert await partial_rows(intake.engine, leads_answered=answered_ids, refused=3,
                                      changes_kept=1) == []
    finally:
        await client.close()
        await graph.stop()


async def test_every_whatsapp_example_is_answered_as_the_document_says(tmp_path: Path) -> None:
    config = office(sources=[WEBSITE, {
        **WHATSAPP, "verify_token": WHATSAPP_HANDSHAKE["hub.verify_token"],
        "phone_number_ids": [WHATSAPP_NUMBER_ID]}])
    database = f"sqlite+aiosqlite:///{tmp_path / 'intake.db'}"
    async with running_intake(database, config=config) as intake:
        async with intake.session.get(intake.url("/openapi.json")) as response:
            document: dict[str, Any] = await response.json()
        validate(document)
        whatsapp = document["paths"]["/webhooks/whatsapp"]

        def answered(operation: dict[str, Any], status: int, content_type: str) -> None:
            assert content_type in operation["responses"][str(status)]["content"], (
                status, content_type)

        handshake = {p["name"]: p["example"] for p in whatsapp["get"]["parameters"]}
        for query, status in ((handshake, 200),
                              ({**handshake, "hub.verify_token": "not-ours-0123"}, 403)):
            async with intake.session.get(intake.url("/webhooks/whatsapp"),
                                          params=query) as response:
                assert response.status == status
                answered(whatsapp["get"], status, response.content_type)
        examples = whatsapp["post"]["requestBody"]["content"]["application/json"]["examples"]
        assert set(examples) == set(WHATSAPP_EXAMPLES)
        leads: list[int] = []
        for name, example in examples.items():
            raw = json.dumps(example["value"]).encode()
            for signature, status in ((signature_of(raw, WHATSAPP["app_secret"]),
                                       WHATSAPP_EXAMPLES[name][1]), ("sha256=00", 403)):
                async with intake.session.post(
                        intake.url("/webhooks/whatsapp"), data=raw, headers={
                            "Content-Type": "application/json",
                            "X-Hub-Signature-256": signature}) as response:
                    assert response.status == status, (name, await response.text())
                    answered(whatsapp["post"], status, response.content_type)
                    if status == 200:
                        leads += (await response.json())["leads"]
        assert len(leads) == 1  # the first message; the photo joins its lead, the status nothing
        assert await partial_rows(intake.engine, leads_answered=set(leads), refused=0) == []
