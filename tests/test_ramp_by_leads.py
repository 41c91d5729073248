"""Ramp-up by leads received, through the storage: what counts as received, and the rhythm a
new agent's leads come in as they accept them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.render import Renderer
from core.app import App, Signals
from core.clock import ManualClock
from core.config import OfficeConfig
from core.lifecycle.answers import accept_offer
from core.lifecycle.roster_import import sync_roster
from core.model import Contact, Lead, LeadStatus, Stage, Temperature
from core.ports import UnitOfWork
from core.queries import explain_lead
from core.roster import link_chat
from leadrelay.bootstrap import bootstrap, sql_uow_factory
from storage.uow import SqlUnitOfWork
from tests.fakes import FakeDatabase, fake_uow_factory
from tests.office import AYSE, CAN, HOT, MEHMET, SELIN, TOKEN, ZEYNEP, office, office_data

ISTANBUL = ZoneInfo("Europe/Istanbul")
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # 12:00 in Istanbul
TODAY = date(2026, 11, 25)
AYSE_START = datetime(2026, 11, 20, 0, 0, tzinfo=ISTANBUL)
MEHMET_START = datetime(2026, 11, 24, 0, 0, tzinfo=ISTANBUL)


def taken(owner: int | None, at: datetime | None,
          status: LeadStatus = LeadStatus.OWNED) -> Lead:
    """A lead *owner* took at *at* (None: nobody took it yet)."""
    return Lead(contact_id=0, source="website", received_at=NOW - timedelta(days=10), score=50,
                temperature=Temperature.WARM, status=status, owner_id=owner, accepted_at=at,
                stage=Stage.LOST if status is LeadStatus.CLOSED else Stage.NEW)


async def store_and_count(uow: UnitOfWork) -> dict[int, int]:
    """Store a mix of leads and count the received ones for Ayşe and Mehmet."""
    async with uow:
        contact = Contact("+905321234567", None, "Deniz", NOW)
        await uow.contacts.add_all([contact])
        stored = [
            taken(AYSE, AYSE_START - timedelta(minutes=1)),  # before her start: not hers yet
            taken(AYSE, AYSE_START),
            taken(AYSE, AYSE_START + timedelta(days=1), LeadStatus.CLOSED),  # closed still counts
            taken(None, None, LeadStatus.OFFERED),  # an offer waiting is not received
            taken(MEHMET, AYSE_START + timedelta(days=1)),  # before Mehmet's own start
            taken(MEHMET, MEHMET_START + timedelta(hours=1)),
            taken(ZEYNEP, NOW),  # not asked about
        ]
        for lead in stored:
            lead.contact_id = contact.id
        await uow.leads.add_all(stored)
        await uow.commit()
    async with uow:
        return await uow.leads.received_since({AYSE: AYSE_START, MEHMET: MEHMET_START})


async def test_received_counts_leads_taken_since_each_agents_own_start_on_sql(
    engine: AsyncEngine,
) -> None:
    assert await store_and_count(SqlUnitOfWork(engine)) == {AYSE: 2, MEHMET: 1}


async def test_received_counts_the_same_on_the_fakes() -> None:
    uow = fake_uow_factory(FakeDatabase())(Signals())()
    assert await store_and_count(uow) == {AYSE: 2, MEHMET: 1}


async def test_nobody_asked_about_means_no_count(engine: AsyncEngine) -> None:
    async with SqlUnitOfWork(engine) as uow:
        assert await uow.leads.received_since({}) == {}


# --- a new agent's rhythm, lead by lead ---------------------------------------------------


def ramping_office(steps: list[dict[str, int]]) -> OfficeConfig:
    """The test office where Ayşe starts today and availability always tries her first."""
    people = cast(list[dict[str, Any]], office_data()["agents"])
    return office(agents=[{**p, "start_date": TODAY} if p["telegram_id"] == AYSE else p
                          for p in people],
                  routing={"rules": [{"name": "default", "strategy": "availability"}],
                           "ramp": steps})


@pytest.fixture
async def relay(engine: AsyncEngine) -> App:
    config = ramping_office([{"leads": 2, "every": 3}, {"leads": 4, "every": 2}])
    app = bootstrap(config=config, clock=ManualClock(NOW), uow_factory=sql_uow_factory(engine))
    await app.run(sync_roster)
    for person in (AYSE, MEHMET, ZEYNEP, CAN, SELIN):
        await app.run(link_chat, telegram_id=person, chat_id=person)
    return app


async def route_and_accept(app: App, engine: AsyncEngine, n: int) -> tuple[int, int]:
    """One new lead, accepted by whoever is offered it; the lead and that agent."""
    lead_id = (await app.receive_lead(
        source_token=TOKEN, payload={**HOT, "phone": f"+9053212300{n:02d}"})).lead_id
    async with SqlUnitOfWork(engine) as uow:
        [offer] = await uow.offers.for_lead(lead_id)
    await app.run(accept_offer, agent_id=offer.agent_id, offer_id=offer.id, token=offer.token)
    return lead_id, offer.agent_id


async def test_a_new_agent_gets_every_third_lead_then_every_second_then_like_everyone(
    relay: App, engine: AsyncEngine,
) -> None:
    owners = [(await route_and_accept(relay, engine, n))[1] for n in range(12)]
    rhythm = "".join("A" if owner == AYSE else "m" for owner in owners)
    # Two received at one in three, two more at one in two, then every lead (she is first).
    assert rhythm == "mmAmmA" + "mAmA" + "AA"
    assert set(owners) == {AYSE, MEHMET}


async def test_why_says_how_many_leads_the_new_agent_received(
    relay: App, engine: AsyncEngine,
) -> None:
    for n in range(3):
        await route_and_accept(relay, engine, n)
    lead_id, owner = await route_and_accept(relay, engine, 3)
    assert owner == MEHMET
    explanation = await relay.run(explain_lead, person_id=SELIN, lead_id=lead_id)
    [(_, trace)] = explanation.decisions
    assert [AYSE, "ramping_leads", {"every": 3, "leads": 2, "received": 1}] in \
        trace["steps"][0]["skipped"]
    renderer = Renderer(zone=ISTANBUL, office="Test Realty", clock=ManualClock(NOW))
    assert "Ayşe (new, 1 of 2 leads received: gets 1 lead in 3)" in renderer.why(
        "en", explanation)
    assert "Ayşe (yeni, 2 talebin 1 tanesini aldı: 3 talepten birini alıyor)" in renderer.why(
        "tr", explanation)
