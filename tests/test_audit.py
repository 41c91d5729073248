"""The auditor: a lead nobody holds is offered again, a message stuck in the outbox is sent,
managers are told, and /metrics counts it; a healthy office is left alone."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, update

from core.app import App
from core.clock import ManualClock
from core.lifecycle.deadlines import audit_leads, report_audit
from core.lifecycle.roster_import import sync_roster
from core.model import LeadStatus, OfferStatus
from core.roster import link_chat
from leadrelay.bootstrap import bootstrap
from storage.tables import offers, outbox
from tests.fakes import FakeDatabase, fake_uow_factory
from tests.harness import offer_for, running_office, text_has
from tests.office import AYSE, CAN, HOT, MEHMET, SELIN, TOKEN, ZEYNEP, office
from tests.test_operations import parse_metrics

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
SLOW = {"hot": {"accept_within": "10m", "offers_before_managers": 3}}


async def linked_relay(db: FakeDatabase) -> App:
    tokens = (f"tok{i}" for i in itertools.count())
    relay = bootstrap(config=office(sla=SLOW), clock=ManualClock(NOW),
                      uow_factory=fake_uow_factory(db), token_factory=lambda: next(tokens))
    await relay.run(sync_roster)
    for person in (AYSE, MEHMET, ZEYNEP, CAN, SELIN):
        await relay.run(link_chat, telegram_id=person, chat_id=person)
    return relay


async def test_a_lead_whose_offer_vanished_is_offered_to_the_next_agent() -> None:
    db = FakeDatabase()
    relay = await linked_relay(db)
    lead_id = (await relay.receive_lead(source_token=TOKEN, payload=HOT)).lead_id
    [broken] = [o for o in db.offers.values() if o.lead_id == lead_id]
    broken.status = OfferStatus.EXPIRED  # corrupted on purpose: the lead did not move on
    assert await relay.run_in_turns(audit_leads) == [lead_id]
    live = [o for o in db.offers.values()
            if o.lead_id == lead_id and o.status is OfferStatus.PENDING]
    assert [o.agent_id for o in live] == [MEHMET]
    assert db.leads[lead_id].status is LeadStatus.OFFERED
    assert [e.data for e in db.events if e.kind == "audited"] == [{"problem": "no_live_offer"}]
    await relay.run(report_audit, rerouted=[lead_id], resent=0)
    [report] = [m for m in db.outbox if m.template == "audit_report"]
    assert (report.chat_id, report.params["leads"]) == (SELIN, [lead_id])
    assert db.rotations["audit"]["rerouted"] == 1


async def test_a_healthy_office_is_left_alone_and_nobody_is_bothered() -> None:
    db = FakeDatabase()
    relay = await linked_relay(db)
    await relay.receive_lead(source_token=TOKEN, payload=HOT)
    offers_before = len(db.offers)
    assert await relay.run_in_turns(audit_leads) == []
    await relay.run(report_audit, rerouted=[], resent=0)
    assert len(db.offers) == offers_before
    assert not [m for m in db.outbox if m.template == "audit_report"]
    assert db.rotations["audit"]["runs"] == 1


@pytest.mark.slow
async def test_the_running_auditor_repairs_corrupted_state_and_reports_it(
    database_url: str,
) -> None:
    async with running_office(office(sla=SLOW), database_url) as running:
        await running.start_chats(AYSE, MEHMET, ZEYNEP, SELIN)
        lead_id = await running.post_lead(HOT)
        await running[AYSE].wait_for(offer_for(lead_id))
        engine = running.runtime.engine
        long_ago = running.runtime.clock.now() - timedelta(minutes=10)
        async with engine.begin() as conn:  # two kinds of corruption, on purpose
            await conn.execute(update(offers).where(offers.c.lead_id == lead_id)
                               .values(status="expired"))
            await conn.execute(insert(outbox).values(
                chat_id=ZEYNEP, template="agent_unreachable",
                params={"agent": "Can", "lead_id": None, "lang": "en"}, created_at=long_ago,
                attempts=3, next_attempt_at=long_ago + timedelta(hours=2)))
        await running.runtime.audit()
        await running[MEHMET].wait_for(offer_for(lead_id))
        await running[ZEYNEP].wait_for(text_has("Telegram no longer delivers to Can"))
        await running[SELIN].wait_for(text_has("Audit", f"#{lead_id}", "1 message(s)"))
        base = f"http://127.0.0.1:{running.runtime.http_port}"
        async with running.session.get(f"{base}/metrics") as response:
            figures = parse_metrics(await response.text())
    assert figures["leadrelay_audit_rerouted_total"] == 1
    assert figures["leadrelay_audit_resent_total"] == 1
    assert figures["leadrelay_audit_runs_total"] == 1
