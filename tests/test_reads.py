"""Queries that only read never wait for a write's turn, and cannot write themselves."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from core.app import App, Signals
from core.clock import ManualClock
from core.lifecycle.answers import accept_offer, check_offer
from core.lifecycle.deadlines import escalate_expired_offers, pending_deadlines
from core.lifecycle.roster_import import sync_roster
from core.lifecycle.worklist import due_today, open_leads
from core.model import Agent, LeadStatus, TaskKind
from core.ports import ROUTING_STATE as ROUTING
from core.queries import (
    explain_lead,
    office_stats,
    preview_route,
    require_manager,
    waiting_leads,
)
from core.roster import link_chat, roster, whoami
from leadrelay.bootstrap import bootstrap, sql_uow_factory
from storage.uow import SqlUnitOfWork
from tests.fakes import FakeDatabase, FakeUnitOfWork
from tests.office import AYSE, CAN, HOT, MEHMET, SELIN, TOKEN, ZEYNEP, office

START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
PATIENCE = 10.0  # seconds; a read queued behind the open write would wait forever


@pytest.fixture
async def relay(engine: AsyncEngine) -> App:
    app = bootstrap(config=office(), clock=ManualClock(START),
                    uow_factory=sql_uow_factory(engine))
    await app.run(sync_roster)
    for person in (AYSE, MEHMET, ZEYNEP, CAN, SELIN):
        await app.run(link_chat, telegram_id=person, chat_id=person)
    return app


async def test_a_new_lead_is_stored_while_a_long_read_is_open(
        relay: App, engine: AsyncEngine) -> None:
    async with SqlUnitOfWork(engine).reading() as reader:
        assert len(await reader.agents.list()) == 5
        result = await asyncio.wait_for(
            relay.receive_lead(source_token=TOKEN, payload=HOT), PATIENCE)
        # The read keeps the one snapshot it started with, on both backends.
        assert await reader.leads.get(result.lead_id) is None
    async with SqlUnitOfWork(engine).reading() as reader:
        stored = await reader.leads.get(result.lead_id)
    assert stored is not None
    assert stored.status is LeadStatus.OFFERED


async def test_every_read_only_query_answers_while_a_write_holds_the_routing_row(
        relay: App, engine: AsyncEngine) -> None:
    offered = (await relay.receive_lead(source_token=TOKEN, payload=HOT)).lead_id
    owned = (await relay.receive_lead(
        source_token=TOKEN, payload={**HOT, "phone": "+905321234568"})).lead_id
    async with SqlUnitOfWork(engine).reading() as reader:
        offer = (await reader.offers.for_lead(offered))[0]
        second = (await reader.offers.for_lead(owned))[0]
    await relay.run(accept_offer, agent_id=second.agent_id, offer_id=second.id, token=second.token)

    async with SqlUnitOfWork(engine) as writer:  # as intake and the sweep hold them
        await writer.rotations.lock(ROUTING)
        await writer.leads.lock(offered)
        answers = await asyncio.wait_for(asyncio.gather(
            relay.run(office_stats, manager_id=SELIN, period="30d"),
            relay.run(waiting_leads, manager_id=SELIN),
            relay.run(explain_lead, person_id=SELIN, lead_id=offered),
            relay.run(open_leads, agent_id=second.agent_id),
            relay.run(due_today, agent_id=second.agent_id),
            relay.run(check_offer, agent_id=offer.agent_id, offer_id=offer.id, token=offer.token),
            relay.run(preview_route, source_name="website",
                                payload={**HOT, "phone": "+905321234569"}),
            relay.run(roster), relay.run(whoami, telegram_id=AYSE),
            relay.run(require_manager, telegram_id=SELIN), relay.run(pending_deadlines),
        ), PATIENCE)
    stats, waiting, why, mine, due, checked, decision, *_ = answers
    assert stats.leads_in == 2
    assert [w.lead.id for w in waiting] == [offered]
    assert why.decisions
    assert [lead.id for lead in mine.leads] == [owned]
    assert [(d.lead.id, d.task.kind) for d in due] == [(owned, TaskKind.FIRST_CONTACT)]
    assert checked.id == offer.id
    assert decision.agent_id in (AYSE, MEHMET, ZEYNEP)


async def test_a_sweep_looks_for_overdue_offers_without_waiting_for_a_writes_turn(
        relay: App, engine: AsyncEngine) -> None:
    await relay.receive_lead(source_token=TOKEN, payload=HOT)  # an offer, due in minutes
    async with SqlUnitOfWork(engine) as writer:  # as intake or the dispatcher hold it
        await writer.rotations.lock(ROUTING)
        moved = await asyncio.wait_for(relay.run_in_turns(escalate_expired_offers), PATIENCE)
    assert moved == []


async def test_a_reading_unit_of_work_refuses_to_write(engine: AsyncEngine) -> None:
    uow = SqlUnitOfWork(engine)
    async with uow.reading():
        with pytest.raises(DBAPIError):
            await uow.agents.save(Agent(AYSE, "Ayşe"))
    async with uow.reading():
        with pytest.raises(RuntimeError):
            await uow.commit()
    async with uow:  # the same unit of work writes again once it is not reading
        await uow.agents.save(Agent(AYSE, "Ayşe"))
        await uow.commit()
    async with uow.reading():
        assert [a.name for a in await uow.agents.list()] == ["Ayşe"]
        with pytest.raises(DBAPIError):
            await uow.agents.save(Agent(MEHMET, "Mehmet"))


async def test_the_fake_unit_of_work_refuses_to_commit_a_read() -> None:
    uow = FakeUnitOfWork(FakeDatabase(), Signals())
    async with uow.reading() as reader:
        assert reader is uow
        with pytest.raises(RuntimeError):
            await uow.commit()
