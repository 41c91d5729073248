"""First-to-claim pools: a lead posted to several agents at once; the first press wins."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from core.app import App
from core.clock import ManualClock
from core.errors import OfferNoLongerOpen
from core.lifecycle.answers import accept_offer, decline_offer
from core.lifecycle.deadlines import escalate_expired_offers
from core.model import DeclineReason, LeadStatus, Offer, OfferStatus
from leadrelay.bootstrap import bootstrap, sql_uow_factory
from sandbox import SandboxMessage
from storage.db import create_engine
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWork
from tests.fakes import FakeDatabase, fake_uow_factory
from tests.harness import running_office, text_has
from tests.office import AYSE, HOT, MEHMET, SELIN, TOKEN, ZEYNEP, linked, pool_office

START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
async def fake_relay(clock: ManualClock) -> tuple[App, FakeDatabase]:
    db = FakeDatabase()
    tokens = (f"tok{i}" for i in itertools.count())
    relay = await linked(bootstrap(config=pool_office(), clock=clock,
                                   uow_factory=fake_uow_factory(db),
                                   token_factory=lambda: next(tokens)))
    return relay, db


def open_offers(db: FakeDatabase, lead_id: int) -> dict[int, tuple[int, str]]:
    return {o.agent_id: (o.id, o.token) for o in db.offers.values()
            if o.lead_id == lead_id and o.status is OfferStatus.PENDING}


async def test_a_pool_lead_is_offered_to_every_member_at_once(
    fake_relay: tuple[App, FakeDatabase],
) -> None:
    relay, db = fake_relay
    lead_id = (await relay.receive_lead(source_token=TOKEN, payload=HOT)).lead_id
    assert set(open_offers(db, lead_id)) == {AYSE, MEHMET}
    assert {m.chat_id for m in db.outbox if m.template == "claim_offer"} == {AYSE, MEHMET}
    [offered] = [e for e in db.events if e.kind == "offered"]
    assert sorted(offered.data["agents"]) == sorted([AYSE, MEHMET]), "one entry per round"


async def test_the_first_claim_wins_and_the_others_see_who_took_it(
    fake_relay: tuple[App, FakeDatabase],
) -> None:
    relay, db = fake_relay
    lead_id = (await relay.receive_lead(source_token=TOKEN, payload=HOT)).lead_id
    offers = open_offers(db, lead_id)
    await relay.run(accept_offer, agent_id=MEHMET, offer_id=offers[MEHMET][0],
                             token=offers[MEHMET][1])
    assert db.leads[lead_id].owner_id == MEHMET
    assert db.offers[offers[AYSE][0]].status is OfferStatus.WITHDRAWN
    taken = next(m for m in db.outbox if m.template == "claim_taken")
    assert (taken.chat_id, taken.params["agent"]) == (AYSE, "Mehmet")
    with pytest.raises(OfferNoLongerOpen):
        await relay.run(accept_offer, agent_id=AYSE, offer_id=offers[AYSE][0],
                        token=offers[AYSE][1])


async def test_when_everyone_passes_the_rules_fallback_takes_over_once(
    fake_relay: tuple[App, FakeDatabase],
) -> None:
    relay, db = fake_relay
    lead_id = (await relay.receive_lead(source_token=TOKEN, payload=HOT)).lead_id
    offers = open_offers(db, lead_id)
    await relay.run(decline_offer, agent_id=AYSE, offer_id=offers[AYSE][0], token=offers[AYSE][1],
                              reason=DeclineReason.BUSY)
    assert set(open_offers(db, lead_id)) == {MEHMET}, "one pass does not move the lead"
    await relay.run(decline_offer, agent_id=MEHMET, offer_id=offers[MEHMET][0],
                              token=offers[MEHMET][1], reason=DeclineReason.BUSY)
    assert set(open_offers(db, lead_id)) == {ZEYNEP}, "the default rule skips who passed"


async def test_an_unclaimed_pool_expires_into_one_fallback(
    fake_relay: tuple[App, FakeDatabase], clock: ManualClock,
) -> None:
    relay, db = fake_relay
    lead_id = (await relay.receive_lead(source_token=TOKEN, payload=HOT)).lead_id
    clock.advance(timedelta(minutes=5))
    assert len(await relay.run_in_turns(escalate_expired_offers)) == 2
    assert set(open_offers(db, lead_id)) == {ZEYNEP}
    assert db.leads[lead_id].status is LeadStatus.OFFERED


@pytest.fixture
async def sql_relay(database_url: str, clock: ManualClock) -> AsyncIterator[
        tuple[App, AsyncEngine]]:
    engine = create_engine(database_url)
    await upgrade(engine)
    relay = await linked(bootstrap(config=pool_office(), clock=clock,
                                   uow_factory=sql_uow_factory(engine)),
                         (AYSE, MEHMET, ZEYNEP, SELIN))
    yield relay, engine
    await engine.dispose()


async def test_two_claims_at_once_leave_exactly_one_owner(
    sql_relay: tuple[App, AsyncEngine],
) -> None:
    relay, engine = sql_relay
    for n in range(25):
        lead_id = (await relay.receive_lead(
            source_token=TOKEN, payload={**HOT, "phone": f"+9055512300{n:02d}"})).lead_id
        async with SqlUnitOfWork(engine) as uow:
            offers = {o.agent_id: o for o in await uow.offers.for_lead(lead_id)}

        async def claim(agent: int, offers: dict[int, Offer] = offers) -> bool:
            offer = offers[agent]
            try:
                await relay.run(accept_offer, agent_id=agent, offer_id=offer.id, token=offer.token)
            except OfferNoLongerOpen:
                return False
            return True

        results = await asyncio.gather(claim(AYSE), claim(MEHMET))
        assert sorted(results) == [False, True]
        async with SqlUnitOfWork(engine) as uow:
            lead = await uow.leads.get(lead_id)
            statuses = sorted(o.status.value for o in await uow.offers.for_lead(lead_id))
        assert lead is not None
        assert lead.owner_id == (AYSE if results[0] else MEHMET)
        assert statuses == ["accepted", "withdrawn"]


@pytest.mark.slow
async def test_members_see_the_pool_and_who_claimed_it(database_url: str) -> None:
    async with running_office(pool_office(), database_url) as running:
        await running.start_chats(AYSE, MEHMET, ZEYNEP, SELIN)
        lead_id = await running.post_lead(HOT)

        def claimable(message: SandboxMessage) -> bool:
            return f"#{lead_id}" in message.text and "🙋 Claim" in message.button_texts()

        ayse_offer = await running[AYSE].wait_for(claimable)
        await running[MEHMET].wait_for(claimable)
        assert "Posted to 2 agents at once" in ayse_offer.text
        answer = await running[AYSE].press(ayse_offer, "🙋 Claim")
        assert answer.text is not None
        assert "yours" in answer.text
        await running[MEHMET].wait_for(text_has(f"Lead #{lead_id} was claimed by Ayşe."))
        await running[AYSE].wait_for(text_has(f"Lead #{lead_id} is yours"))
