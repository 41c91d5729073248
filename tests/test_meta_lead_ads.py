"""Meta Lead Ads end to end: signed posts of Meta's own shape over real HTTP, the Graph API's
stand-in (sandbox/graph.py) asked by the timers' sweep on a manual clock, failures kept and
replayed by `leadrelay intake replay`; on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from core.lifecycle.lead_ads import backoff, fetch_due_leads
from integrations.meta_graph import MetaGraph
from sandbox.graph import GraphStandIn
from storage.tables import failed_intake, lead_fetches, leads
from tests.intake import RunningIntake, running_intake
from tests.office import office, office_data
from tests.test_platform_sources import META, WEBSITE
from tests.test_policy_cli import leadrelay
from webhooks.meta_platform import signature_of

PAGE = "111222333444555"
PAGE_TOKEN = META["page_access_token"]


def leadgen_post(*leadgen_ids: str, page: str = PAGE) -> dict[str, Any]:
    """What Meta posts for new leads of *page*: one entry, a `leadgen` change per lead."""
    return {"object": "page", "entry": [{
        "id": page, "time": 1772611200,
        "changes": [{"field": "leadgen", "value": {
            "leadgen_id": leadgen_id, "page_id": page, "form_id": "987654321012345",
            "ad_id": "238495873490", "adgroup_id": "238495873491",
            "created_time": 1772611200}} for leadgen_id in leadgen_ids]}]}


class Meta:
    """The intake, the Graph API's stand-in and a client of it, on one database."""

    def __init__(self, intake: RunningIntake, graph: GraphStandIn, client: MetaGraph) -> None:
        self.intake, self.graph, self.client = intake, graph, client

    async def post(self, post: dict[str, Any], *, secret: str = META["app_secret"],
                   signature: str | None = None) -> tuple[int, str]:
        """POST *post* to /webhooks/meta signed with *secret* (or with *signature*)."""
        raw = json.dumps(post).encode()
        headers = {"Content-Type": "application/json",
                   "X-Hub-Signature-256": signature if signature is not None
                   else signature_of(raw, secret)}
        async with self.intake.session.post(self.intake.url("/webhooks/meta"), data=raw,
                                            headers=headers) as answer:
            return answer.status, await answer.text()

    async def sweep(self) -> list[int]:
        """One pass of the timers' fetch of due leads."""
        return await self.intake.relay.run_in_turns(fetch_due_leads, graph=self.client)

    async def rows(self, table: Any) -> list[dict[str, Any]]:
        """Every row of *table*, oldest first."""
        async with self.intake.engine.connect() as conn:
            found = await conn.execute(select(table).order_by(table.c.id))
            return [dict(row._mapping) for row in found]


@asynccontextmanager
async def meta_office(database_url: str) -> AsyncIterator[Meta]:
    """The test office with a Meta source, served over HTTP, with the Graph API's stand-in."""
    graph = GraphStandIn(PAGE_TOKEN)
    await graph.start()
    client = MetaGraph(graph.url)
    try:
        async with running_intake(database_url,
                                  config=office(sources=[WEBSITE, META])) as intake:
            yield Meta(intake, graph, client)
    finally:
        await client.close()
        await graph.stop()


def deniz(graph: GraphStandIn, leadgen_id: str) -> None:
    """A lead of Deniz's on the stand-in, with a custom question."""
    graph.add_lead(leadgen_id, {"full_name": "Deniz Kaya", "phone_number": "+905321234567",
                                "email": "Deniz@Example.com", "city": "Istanbul",
                                "zip": "34710", "when_do_you_want_to_move?": "this_month"},
                   ad_id="238495873490", form_id="987654321012345",
                   campaign_id="238495873000")


async def test_a_bad_signature_is_refused_and_nothing_is_stored(database_url: str) -> None:
    async with meta_office(database_url) as meta:
        assert (await meta.post(leadgen_post("1001"), secret="not-the-app-secret-0123"))[0] \
            == 403
        assert (await meta.post(leadgen_post("1001"), signature="sha256=00"))[0] == 403
        assert (await meta.post(leadgen_post("1001"), signature=""))[0] == 403
        assert await meta.rows(lead_fetches) == []
        assert await meta.rows(failed_intake) == []


async def test_a_lead_is_fetched_and_stored_once_however_often_meta_delivers_it(
    database_url: str,
) -> None:
    async with meta_office(database_url) as meta:
        deniz(meta.graph, "1001")
        assert (await meta.post(leadgen_post("1001")))[0] == 200
        assert (await meta.post(leadgen_post("1001")))[0] == 200  # Meta's retry
        assert len(await meta.rows(lead_fetches)) == 1
        [lead_id] = await meta.sweep()
        assert await meta.sweep() == []
        lead = await meta.intake.lead(lead_id)
        assert (lead["source"], lead["name"], lead["phone"], lead["email"]) == (
            "facebook", "Deniz Kaya", "+905321234567", "deniz@example.com")
        assert (lead["external_id"], lead["region"], lead["postal_code"]) == (
            "1001", "Istanbul", "34710")
        assert lead["extras"] == {"when_do_you_want_to_move?": "this_month"}
        assert lead["campaign"]["ad_id"] == "238495873490"
        assert lead["campaign"]["form_id"] == "987654321012345"
        assert lead["campaign"]["campaign_id"] == "238495873000"
        assert lead["received_at"] == meta.intake.clock.now()
        assert (await meta.post(leadgen_post("1001")))[0] == 200  # hours later, again
        assert await meta.sweep() == []
        assert len(await meta.rows(leads)) == 1


async def test_a_page_no_source_claims_is_kept_as_failed_and_answered_200(
    database_url: str,
) -> None:
    async with meta_office(database_url) as meta:
        assert (await meta.post(leadgen_post("2002", page="999000999")))[0] == 200
        [failed] = await meta.rows(failed_intake)
        assert failed["reason"] == "unclaimed"
        assert "no source claims page_id 999000999" in failed["detail"]
        assert await meta.rows(lead_fetches) == []


async def test_the_graph_api_failing_then_recovering_is_retried_with_back_off(
    database_url: str,
) -> None:
    async with meta_office(database_url) as meta:
        deniz(meta.graph, "3003")
        meta.graph.failures_left = 2
        assert (await meta.post(leadgen_post("3003")))[0] == 200
        assert await meta.sweep() == []
        [row] = await meta.rows(lead_fetches)
        assert (row["attempts"], row["state"]) == (1, "waiting")
        assert "500" in row["last_error"]
        meta.intake.clock.advance(backoff(1) - timedelta(seconds=1))
        assert await meta.sweep() == []  # not due yet: the Graph API is not asked
        assert meta.graph.asked == ["3003"]
        meta.intake.clock.advance(timedelta(seconds=1))
        assert await meta.sweep() == []
        meta.intake.clock.advance(backoff(2))
        [lead_id] = await meta.sweep()
        assert meta.graph.asked == ["3003"] * 3
        [row] = await meta.rows(lead_fetches)
        assert (row["state"], row["lead_id"]) == ("stored", lead_id)


async def test_the_graph_api_failing_for_good_goes_to_failed_intake_and_replays_once_fixed(
    database_url: str, tmp_path: Path,
) -> None:
    async with meta_office(database_url) as meta:
        deniz(meta.graph, "4004")
        meta.graph.access_token = "a-token-we-do-not-have"  # the page token was revoked
        assert (await meta.post(leadgen_post("4004")))[0] == 200
        for _ in range(40):
            await meta.sweep()
            meta.intake.clock.advance(timedelta(hours=1))
        [row] = await meta.rows(lead_fetches)
        assert row["state"] == "failed"
        [failed] = await meta.rows(failed_intake)
        assert (failed["reason"], failed["source"]) == ("fetch_failed", "facebook")
        assert "Error validating access token" in failed["detail"]
        assert await meta.rows(leads) == []

        new_token = "EAAB-new-page-token-0123456789"
        meta.graph.access_token = new_token  # fixed in the console and in leadrelay.yaml
        data = office_data()
        data["sources"] = [WEBSITE, {**META, "page_access_token": new_token}]
        config = tmp_path / "leadrelay.yaml"
        config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        env = {"DATABASE_URL": database_url, "LEADRELAY_CONFIG": str(config),
               "META_GRAPH_URL": meta.graph.url}
        replayed = await asyncio.to_thread(leadrelay, "intake", "replay", str(failed["id"]),
                                           cwd=tmp_path, env=env)
        assert replayed.returncode == 0, replayed.stdout + replayed.stderr
        assert "lead #" in replayed.stdout
        [lead] = await meta.rows(leads)
        assert (lead["external_id"], lead["name"]) == ("4004", "Deniz Kaya")
        assert lead["received_at"] == failed["received_at"]
