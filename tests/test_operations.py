"""/readyz and /metrics over real HTTP, on a real SQLite file and on PostgreSQL."""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import insert, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Bot

from bot.probe import BotApiProbe
from core.app import App
from core.clock import ManualClock
from core.lifecycle.answers import accept_offer, decline_offer
from core.lifecycle.deadlines import escalate_expired_offers
from core.lifecycle.roster_import import sync_roster
from core.model import DeclineReason, OfferStatus
from core.roster import link_chat
from leadrelay.bootstrap import bootstrap, sql_uow_factory
from sandbox import BotApiSandbox
from storage.db import create_engine
from storage.metrics import MetricsStore
from storage.migrate import upgrade
from storage.tables import offers, outbox
from tests.harness import BOT_TOKEN, running_office
from tests.office import AYSE, CAN, HOT, MEHMET, SELIN, TOKEN, ZEYNEP, office, office_data
from webhooks.app import build_intake_app
from webhooks.operations import Readiness

START = datetime(2026, 3, 4, 8, 0, tzinfo=UTC)
ADS_TOKEN = "meta-ads-token-0123456789"
ADS = 'meta "spring"'  # a quote and a space, so the label value needs escaping
SAMPLE = re.compile(r'^(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?P<labels>\{.*\})? (?P<value>\S+)$')


def two_sources() -> Any:
    """The test office, taking leads from the website and from an ads campaign."""
    sources = [*office_data()["sources"], {"name": ADS, "token": ADS_TOKEN}]  # type: ignore[misc]
    return office(sources=sources)


def parse_metrics(text: str) -> dict[str, float]:
    """Samples keyed by name and labels as written; every family must declare HELP and TYPE."""
    helped: set[str] = set()
    typed: set[str] = set()
    samples: dict[str, float] = {}
    for line in text.splitlines():
        if line.startswith("# HELP "):
            helped.add(line.split()[2])
        elif line.startswith("# TYPE "):
            _, _, name, kind = line.split()
            assert name in helped, f"TYPE before HELP for {name}"
            assert kind in {"counter", "gauge"}
            typed.add(name)
        else:
            match = SAMPLE.match(line)
            assert match is not None, f"not a sample line: {line!r}"
            assert match["name"] in typed, f"{match['name']} has no TYPE line"
            samples[match["name"] + (match["labels"] or "")] = float(match["value"])
    return samples


def closed_port() -> int:
    """A local port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Ops:
    """An intake server with /readyz and /metrics, its database, relay and clock."""

    def __init__(self, server: TestServer, session: aiohttp.ClientSession, engine: AsyncEngine,
                 relay: App, clock: ManualClock, loops: Loops) -> None:
        self.server, self.session, self.engine = server, session, engine
        self.relay, self.clock, self.loops = relay, clock, loops

    def url(self, path: str) -> str:
        return str(self.server.make_url(path))

    async def post_lead(self, phone: str, *, token: str = TOKEN) -> int:
        payload = {**HOT, "phone": phone}
        async with self.session.post(self.url("/webhooks/leads"), json=payload,
                                     headers={"Authorization": f"Bearer {token}"}) as response:
            assert response.status == 201, await response.text()
            lead_id = int((await response.json())["lead_id"])
        await self.relay.route_new_leads()  # the 201 comes once stored; routing just after
        return lead_id

    async def readyz(self) -> tuple[int, dict[str, Any]]:
        async with self.session.get(self.url("/readyz")) as response:
            assert response.content_type == "application/json"
            return response.status, await response.json()

    async def scrape(self) -> dict[str, float]:
        async with self.session.get(self.url("/metrics")) as response:
            assert response.status == 200
            assert response.headers["Content-Type"] == CONTENT_TYPE_LATEST
            return parse_metrics(await response.text())

    async def pending_offer(self, lead_id: int) -> tuple[int, int, str]:
        """(offer id, agent id, token) of the lead's one pending offer."""
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(offers.c.id, offers.c.agent_id, offers.c.token)
                                      .where(offers.c.lead_id == lead_id,
                                             offers.c.status == OfferStatus.PENDING.value))
                   ).one()
        return int(row.id), int(row.agent_id), str(row.token)


@dataclass
class Loops:
    """This instance's loops, as readiness sees them: a test says which has stopped."""

    stopped: dict[str, str] = field(default_factory=dict)

    def problems(self) -> dict[str, str]:
        return dict(self.stopped)


@asynccontextmanager
async def running_intake(
    database_url: str, *, bot_api_url: str, figures_url: str | None = None,
) -> AsyncIterator[Ops]:
    """The intake server on *database_url*, checking the Bot API at *bot_api_url*.

    /readyz and /metrics read from *figures_url* when given, else from *database_url*.
    """
    engine = create_engine(database_url)
    await upgrade(engine)
    clock = ManualClock(START)
    relay = bootstrap(config=two_sources(), clock=clock, uow_factory=sql_uow_factory(engine))
    await relay.run(sync_roster)
    for person in (AYSE, MEHMET, ZEYNEP, CAN, SELIN):
        await relay.run(link_chat, telegram_id=person, chat_id=person)
    bot = Bot(BOT_TOKEN, base_url=f"{bot_api_url}/bot", base_file_url=f"{bot_api_url}/file/bot")
    figures_engine = create_engine(figures_url) if figures_url else engine
    store = MetricsStore(figures_engine)
    loops = Loops()
    server = TestServer(build_intake_app(lambda: relay, figures=store,
                                         readiness=Readiness(store, loops),
                                         telegram=BotApiProbe(bot, timeout=2.0)))
    await server.start_server()
    try:
        async with aiohttp.ClientSession() as session:
            yield Ops(server, session, engine, relay, clock, loops)
    finally:
        await server.close()
        await relay.stop()
        await bot.shutdown()
        await figures_engine.dispose()
        await engine.dispose()


@pytest.fixture
async def sandbox() -> AsyncIterator[BotApiSandbox]:
    async with BotApiSandbox(token=BOT_TOKEN) as api:
        yield api


# --- /readyz: this instance, not the shared outbox nor Telegram -------------------------------


async def test_readyz_is_ready_when_its_database_and_loops_are_well(
    database_url: str, sandbox: BotApiSandbox
) -> None:
    async with running_intake(database_url, bot_api_url=sandbox.url) as ops:
        status, body = await ops.readyz()
    assert status == 200, body
    assert body["status"] == "ready"
    assert {name: check["ok"] for name, check in body["checks"].items()} == {
        "database": True, "loops": True}


async def test_a_burst_that_makes_the_outbox_lag_does_not_take_intake_out_of_service(
    database_url: str, sandbox: BotApiSandbox
) -> None:
    # A web form's token is public: anyone can queue hundreds of messages. Every instance
    # shares that outbox, so readiness that failed on its lag would fail everywhere at once.
    async with running_intake(database_url, bot_api_url=sandbox.url) as ops:
        await ops.post_lead("+905321230001")
        ops.clock.advance(timedelta(minutes=10))
        status, body = await ops.readyz()
        figures = await ops.scrape()
    assert status == 200, body
    assert figures["leadrelay_outbox_lag_seconds"] == 600, "for an alert, in /metrics"


async def test_telegram_not_answering_keeps_intake_ready_and_shows_in_metrics(
    database_url: str,
) -> None:
    async with running_intake(database_url,
                              bot_api_url=f"http://127.0.0.1:{closed_port()}") as ops:
        status, body = await ops.readyz()
        figures = await ops.scrape()
    assert status == 200, body
    assert figures["leadrelay_telegram_up"] == 0


async def test_metrics_say_when_telegram_refuses_the_bot_and_when_it_answers_again(
    database_url: str, sandbox: BotApiSandbox
) -> None:
    sandbox.fail_next("getMe", error_code=401, description="Unauthorized")
    async with running_intake(database_url, bot_api_url=sandbox.url) as ops:
        refused = await ops.scrape()
        recovered = await ops.scrape()
    assert refused["leadrelay_telegram_up"] == 0
    assert recovered["leadrelay_telegram_up"] == 1  # a failure is never cached


async def test_a_scrape_storm_asks_telegram_once(
    database_url: str, sandbox: BotApiSandbox
) -> None:
    async with running_intake(database_url, bot_api_url=sandbox.url) as ops:
        figures = await asyncio.gather(*(ops.scrape() for _ in range(20)))
    assert {f["leadrelay_telegram_up"] for f in figures} == {1}
    assert len(sandbox.calls("getMe")) == 1


async def test_readyz_fails_when_a_loop_of_this_instance_has_stopped(
    database_url: str, sandbox: BotApiSandbox
) -> None:
    async with running_intake(database_url, bot_api_url=sandbox.url) as ops:
        ops.loops.stopped["dispatcher"] = "the outbox is not being sent"
        status, body = await ops.readyz()
    assert status == 503, body
    assert body["checks"]["loops"] == {
        "ok": False, "error": "dispatcher: the outbox is not being sent"}
    assert body["checks"]["database"]["ok"] is True


async def test_readyz_and_metrics_answer_503_when_the_database_does_not_answer(
    database_url: str, sandbox: BotApiSandbox
) -> None:
    # The figures come from a database that is not there: a missing directory for SQLite,
    # a closed port for PostgreSQL.
    gone = make_url(database_url).set(port=closed_port()).render_as_string(
        hide_password=False) if database_url.startswith("postgresql") else (
        database_url.replace("leadrelay.db", "missing/leadrelay.db"))
    async with running_intake(database_url, bot_api_url=sandbox.url,
                              figures_url=gone) as ops:
        status, body = await ops.readyz()
        async with ops.session.get(ops.url("/metrics")) as response:
            assert response.status == 503
            assert "Traceback" not in await response.text()
    assert status == 503, body
    assert body["checks"]["database"]["ok"] is False
    assert body["checks"]["loops"]["ok"] is True


# --- /metrics ----------------------------------------------------------------------------------


async def test_metrics_count_leads_by_source_and_offers_by_outcome(
    database_url: str, sandbox: BotApiSandbox
) -> None:
    async with running_intake(database_url, bot_api_url=sandbox.url) as ops:
        accepted = await ops.post_lead("+905321230001")
        declined = await ops.post_lead("+905321230002")
        await ops.post_lead("+905321230003", token=ADS_TOKEN)  # nobody answers this one

        offer_id, agent_id, token = await ops.pending_offer(accepted)
        await ops.relay.run(accept_offer, agent_id=agent_id, offer_id=offer_id, token=token)
        offer_id, agent_id, token = await ops.pending_offer(declined)
        await ops.relay.run(decline_offer, agent_id=agent_id, offer_id=offer_id, token=token,
                                      reason=DeclineReason.BUSY)
        # The SLA runs out twice: the declined lead's second offer expires and it reaches the
        # managers (two offers before managers); the ignored lead expires, is offered again,
        # and expires again.
        for _ in range(2):
            ops.clock.advance(timedelta(minutes=6))
            await ops.relay.run_in_turns(escalate_expired_offers)

        figures = await ops.scrape()

    assert figures['leadrelay_leads_received_total{source="website"}'] == 2
    assert figures['leadrelay_leads_received_total{source="meta \\"spring\\""}'] == 1
    assert figures["leadrelay_offers_total"] == 5
    assert figures["leadrelay_offers_accepted_total"] == 1
    assert figures["leadrelay_offers_declined_total"] == 1
    assert figures["leadrelay_offers_expired_total"] == 3
    assert figures["leadrelay_escalations_total"] == 2
    assert figures['leadrelay_leads{status="owned"}'] == 1
    assert figures['leadrelay_leads{status="with_managers"}'] == 2
    assert figures['leadrelay_leads{status="offered"}'] == 0  # known statuses read 0
    # Nothing dispatches in this test, so every message still waits, the oldest for 12 min.
    assert figures["leadrelay_outbox_backlog"] > 0
    assert figures["leadrelay_outbox_lag_seconds"] == 12 * 60
    assert figures["leadrelay_outbox_sent_total"] == 0


async def test_metrics_read_zero_on_an_empty_office(
    database_url: str, sandbox: BotApiSandbox
) -> None:
    async with running_intake(database_url, bot_api_url=sandbox.url) as ops:
        figures = await ops.scrape()
    assert figures['leadrelay_leads_received_total{source="website"}'] == 0
    assert figures["leadrelay_offers_total"] == 0
    assert figures["leadrelay_outbox_backlog"] == 0
    assert figures["leadrelay_outbox_lag_seconds"] == 0
    assert figures['leadrelay_delivery_errors_total{kind="other"}'] == 0


async def test_metrics_count_refused_posts_by_reason(
    database_url: str, sandbox: BotApiSandbox
) -> None:
    async with running_intake(database_url, bot_api_url=sandbox.url) as ops:
        for headers in ({"Authorization": f"Bearer {TOKEN}"},
                        {"Authorization": "Bearer wrong-token-0123456789"}):
            async with ops.session.post(ops.url("/webhooks/leads"), json={"name": "x"},
                                        headers=headers) as response:
                assert response.status in (401, 422)
        figures = await ops.scrape()
    assert figures['leadrelay_intake_failures_total{reason="invalid"}'] == 1
    assert figures['leadrelay_intake_failures_total{reason="unauthenticated"}'] == 1
    assert figures['leadrelay_intake_failures_total{reason="spam"}'] == 0


async def test_metrics_keep_every_family_name_and_type_and_add_no_series(
    database_url: str, sandbox: BotApiSandbox
) -> None:
    async with (running_intake(database_url, bot_api_url=sandbox.url) as ops,
                ops.session.get(ops.url("/metrics")) as response):
        lines = (await response.text()).splitlines()
    types = dict(line.split()[2:4] for line in lines if line.startswith("# TYPE "))
    counters = ("leads_received offers offers_accepted offers_declined offers_expired escalations"
                " outbox_sent outbox_failed delivery_errors audit_runs audit_rerouted audit_resent"
                " intake_failures intake_failures_dropped webhook_refused")
    office = ("leads funnel_ratio speed_to_lead_seconds sla_met_ratio won_leads revenue"
              " commission")
    assert types == {**{f"leadrelay_{name}_total": "counter" for name in counters.split()},
                     "leadrelay_leads": "gauge", "leadrelay_outbox_backlog": "gauge",
                     "leadrelay_outbox_lag_seconds": "gauge", "leadrelay_telegram_up": "gauge",
                     **{f"leadrelay_office_{name}": "gauge" for name in office.split()}}
    # No `_created` series (a snapshot read from the database has no creation time to tell),
    # and no process or platform collectors.
    # The office's rates have no sample while no lead came.
    shown = {re.split(r"[{ ]", line)[0] for line in lines if not line.startswith("#")}
    assert shown == set(types) - {"leadrelay_office_funnel_ratio",
                                  "leadrelay_office_speed_to_lead_seconds",
                                  "leadrelay_office_sla_met_ratio"}


async def test_metrics_group_delivery_errors_by_kind_and_count_the_outbox(
    database_url: str, sandbox: BotApiSandbox
) -> None:
    async with running_intake(database_url, bot_api_url=sandbox.url) as ops:
        now = ops.clock.now()
        earlier = now - timedelta(seconds=30)
        # last_error and error_kind as bot/dispatcher.py writes them.
        rows: list[dict[str, Any]] = [
            {"sent_at": earlier},
            {"sent_at": earlier},
            {"sent_at": now, "last_error": "Timed out", "error_kind": "network"},  # then sent
            {"last_error": "retry_after", "error_kind": "retry_after"},
            {"last_error": "httpx.ConnectError: All connection attempts failed",
             "error_kind": "network"},
            {"last_error": "Conflict: terminated by other request", "error_kind": "other"},
            {"last_error": "an error nobody classified"},  # counts as other
            {"failed_at": now, "last_error": "Forbidden: bot was blocked by the user",
             "error_kind": "forbidden"},
            {"failed_at": now, "last_error": "Chat not found", "error_kind": "bad_request"},
            {"failed_at": now, "last_error": "Message_too_long", "error_kind": "bad_request"},
            {"created_at": now - timedelta(seconds=90)},  # the oldest, never tried yet
        ]
        async with ops.engine.begin() as conn:
            await conn.execute(insert(outbox), [
                {"chat_id": AYSE, "template": "offer", "params": {}, "attempts": 0,
                 "created_at": earlier, "sent_at": None, "failed_at": None,
                 "last_error": None, "error_kind": None, **row} for row in rows])
        figures = await ops.scrape()

    assert figures["leadrelay_outbox_backlog"] == 5
    assert figures["leadrelay_outbox_lag_seconds"] == 90
    assert figures["leadrelay_outbox_sent_total"] == 3
    assert figures["leadrelay_outbox_failed_total"] == 3
    errors = {key: value for key, value in figures.items()
              if key.startswith("leadrelay_delivery_errors_total")}
    assert errors == {
        'leadrelay_delivery_errors_total{kind="retry_after"}': 1,
        'leadrelay_delivery_errors_total{kind="forbidden"}': 1,
        'leadrelay_delivery_errors_total{kind="bad_request"}': 2,
        'leadrelay_delivery_errors_total{kind="network"}': 2,
        'leadrelay_delivery_errors_total{kind="other"}': 2,
    }


# --- wired into the running app ------------------------------------------------------------------


@pytest.mark.slow
async def test_the_running_app_serves_readyz_and_metrics(database_url: str) -> None:
    async with running_office(office(), database_url) as running:
        await running.start_chats(AYSE, MEHMET, ZEYNEP)
        await running.post_lead(HOT)
        base = f"http://127.0.0.1:{running.runtime.http_port}"
        async with running.session.get(f"{base}/readyz") as response:
            assert response.status == 200, await response.text()
        figures: dict[str, float] = {}
        for _ in range(100):  # until the lead is routed and the dispatcher has sent the offer
            async with running.session.get(f"{base}/metrics") as response:
                figures = parse_metrics(await response.text())
            if (figures['leadrelay_leads{status="new"}'] == 0
                    and figures["leadrelay_outbox_backlog"] == 0):
                break
            await asyncio.sleep(0.05)
    assert figures['leadrelay_leads_received_total{source="website"}'] == 1
    assert figures["leadrelay_offers_total"] == 1
    assert figures["leadrelay_outbox_backlog"] == 0
    assert figures["leadrelay_outbox_sent_total"] >= 1
    assert figures["leadrelay_telegram_up"] == 1


@pytest.mark.slow
async def test_the_running_app_is_not_ready_once_its_dispatcher_has_stopped(
    database_url: str,
) -> None:
    async with running_office(office(), database_url) as running:
        base = f"http://127.0.0.1:{running.runtime.http_port}"
        await running.runtime.dispatcher.stop()
        async with running.session.get(f"{base}/readyz") as response:
            status, body = response.status, await response.json()
    assert status == 503
    assert body["checks"]["loops"] == {
        "ok": False, "error": "dispatcher: the outbox is not being sent"}
