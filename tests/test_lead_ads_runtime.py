"""The ad platforms' webhooks in a whole running leadrelay (the runtime, its timers and its
/metrics), with the Bot API sandbox and the Graph API's stand-in; on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from core.clock import ManualClock
from sandbox.graph import GraphStandIn
from storage.tables import lead_fetches, leads
from tests.harness import RunningOffice, running_office, until
from tests.office import AYSE, SELIN, office
from tests.test_google_ads import google_lead
from tests.test_meta_lead_ads import PAGE_TOKEN, deniz, leadgen_post
from tests.test_operations import parse_metrics
from tests.test_platform_sources import GOOGLE, META, WEBSITE
from webhooks.meta_platform import signature_of

HOUR = 3600.0


@asynccontextmanager
async def platform_office(database_url: str, graph: GraphStandIn, *,
                          sweep_seconds: float = 0.5) -> AsyncIterator[RunningOffice]:
    """leadrelay running with a Meta and a Google source, Ayşe its one agent, the Graph
    API's stand-in as META_GRAPH_URL, on a manual clock that starts now."""
    config = office(sources=[WEBSITE, META, GOOGLE],
                    agents=[{"telegram_id": AYSE, "name": "Ayşe"},
                            {"telegram_id": SELIN, "name": "Selin", "role": "manager"}])
    clock = ManualClock(datetime.now(UTC))  # noqa: TID251 - APScheduler wakes on wall time
    async with running_office(config, database_url, clock=clock, sweep_seconds=sweep_seconds,
                              meta_graph_url=graph.url) as running:
        yield running


@asynccontextmanager
async def graph_stand_in() -> AsyncIterator[GraphStandIn]:
    """The Graph API's stand-in, listening."""
    graph = GraphStandIn(PAGE_TOKEN)
    await graph.start()
    try:
        yield graph
    finally:
        await graph.stop()


async def post_meta(running: RunningOffice, post: dict[str, Any], *,
                    secret: str = META["app_secret"]) -> int:
    """POST *post* to /webhooks/meta signed with *secret*; the status."""
    raw = json.dumps(post).encode()
    async with running.session.post(
            f"http://127.0.0.1:{running.runtime.http_port}/webhooks/meta", data=raw,
            headers={"Content-Type": "application/json",
                     "X-Hub-Signature-256": signature_of(raw, secret)}) as answer:
        return answer.status


async def test_badly_signed_and_wrongly_keyed_posts_are_counted_in_metrics_by_channel(
    database_url: str,
) -> None:
    async with graph_stand_in() as graph, platform_office(database_url, graph) as running:
        base = f"http://127.0.0.1:{running.runtime.http_port}"
        assert await post_meta(running, leadgen_post("5005"), secret="not-the-secret-0123") \
            == 403
        assert await post_meta(running, leadgen_post("5006"), secret="another-wrong-one-45") \
            == 403
        assert await post_meta(running, leadgen_post("5007")) == 200  # signed: not counted
        async with running.session.post(f"{base}/webhooks/google-ads",
                                        json=google_lead(key="google-key-012345678X")) as r:
            assert r.status == 403
        async with running.session.get(f"{base}/metrics") as response:
            assert response.status == 200
            figures = parse_metrics(await response.text())
    refused = {channel: figures[f'leadrelay_webhook_refused_total{{channel="{channel}"}}']
               for channel in ("meta", "google_ads", "whatsapp")}
    assert refused == {"meta": 2, "google_ads": 1, "whatsapp": 0}


async def test_a_signed_lead_is_fetched_when_the_timers_wake_for_it_and_offered(
    database_url: str,
) -> None:
    # The periodic sweep runs once, at start-up: only the wake-up the post plans fetches it.
    async with graph_stand_in() as graph, platform_office(database_url, graph,
                                                          sweep_seconds=HOUR) as running:
        await running.start_chats(AYSE)
        await until(lambda: running.runtime.timers.sweeps >= 1)  # start-up's sweep is done
        deniz(graph, "6006")
        assert await post_meta(running, leadgen_post("6006")) == 200
        offer = await running[AYSE].wait_for(
            lambda message: "✅ Accept" in message.button_texts())
        async with running.runtime.engine.connect() as conn:
            [lead] = (await conn.execute(select(leads))).all()
            [fetch] = (await conn.execute(select(lead_fetches))).all()
        assert f"#{lead.id}" in offer.text
        assert (lead.external_id, lead.source) == ("6006", "facebook")
        assert (fetch.state, fetch.lead_id) == ("stored", lead.id)
        assert graph.asked == ["6006"]
