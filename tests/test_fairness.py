"""Claim pools never count against an agent: a pool round nobody claimed is no missed SLA."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest

from core.clock import ManualClock
from core.config import OfficeConfig
from core.model import Offer, OfferStatus
from core.ports import UnitOfWork
from leadrelay.bootstrap import Leadrelay, Signals, bootstrap, sql_uow_factory
from storage.db import create_engine
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWork
from tests.fakes import FakeDatabase, FakeUnitOfWork, fake_uow_factory
from tests.office import AYSE, CAN, HOT, MEHMET, SELIN, TOKEN, ZEYNEP, pool_office
from tests.test_stats_aggregates import ADA, BORA, CEM, Made, lead, offer, store

START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
FIVE = timedelta(minutes=5)

MakeRelay = Callable[[OfficeConfig], Awaitable[Leadrelay]]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


async def ready(relay: Leadrelay) -> Leadrelay:
    """The relay with its roster stored and every person's chat linked."""
    await relay.sync_roster()
    for person in (AYSE, MEHMET, ZEYNEP, CAN, SELIN):
        await relay.link_chat(telegram_id=person, chat_id=person)
    return relay


@pytest.fixture
async def sql_relay(database_url: str, clock: ManualClock) -> AsyncIterator[MakeRelay]:
    engine = create_engine(database_url)
    await upgrade(engine)

    async def make(config: OfficeConfig) -> Leadrelay:
        return await ready(bootstrap(config=config, clock=clock,
                                     uow_factory=sql_uow_factory(engine)))

    yield make
    await engine.dispose()


@pytest.fixture
def fake_relay(clock: ManualClock) -> MakeRelay:
    db = FakeDatabase()
    tokens = (f"tok{i}" for i in itertools.count())

    async def make(config: OfficeConfig) -> Leadrelay:
        return await ready(bootstrap(config=config, clock=clock,
                                     uow_factory=fake_uow_factory(db),
                                     token_factory=lambda: next(tokens)))

    return make


def hot(n: int) -> dict[str, object]:
    """A hot lead from its own contact, so no continuity rule steers it."""
    return {**HOT, "phone": f"+90532123450{n}"}


async def offers_of(relay: Leadrelay, lead_id: int) -> list[Offer]:
    async with relay.uow() as uow:
        return await uow.offers.for_lead(lead_id)


async def pending(relay: Leadrelay, lead_id: int) -> dict[int, Offer]:
    return {o.agent_id: o for o in await offers_of(relay, lead_id)
            if o.status is OfferStatus.PENDING}


# --- the SLA penalty ---------------------------------------------------------------------


async def check_unclaimed_rounds_are_no_misses(make: MakeRelay, clock: ManualClock) -> None:
    relay = await make(pool_office())
    for n in range(2):
        lead_id = (await relay.receive_lead(source_token=TOKEN, payload=hot(n))).lead_id
        assert set(await pending(relay, lead_id)) == {AYSE, MEHMET}, "the pool, not on penalty"
        clock.advance(FIVE)
        await relay.escalate_expired_offers()  # nobody claimed: the fallback offers Zeynep
        assert set(await pending(relay, lead_id)) == {ZEYNEP}
        clock.advance(FIVE)
        await relay.escalate_expired_offers()  # Zeynep let her own offer run out: a miss
    third = (await relay.receive_lead(source_token=TOKEN, payload=hot(2))).lead_id
    assert set(await pending(relay, third)) == {AYSE, MEHMET}
    clock.advance(FIVE)
    await relay.escalate_expired_offers()
    assert await pending(relay, third) == {}, "Zeynep's two misses keep hot leads from her"
    async with relay.uow() as uow:
        [*_, routed] = [e for e in await uow.events.for_leads([third]) if e.kind == "routed"]
    skipped = {agent: reason for step in routed.data["steps"]
               for agent, reason, _ in step["skipped"]}
    assert skipped[ZEYNEP] == "penalty"
    assert (routed.data["outcome"], skipped[AYSE]) == ("managers", "already_offered")


async def test_unclaimed_pool_rounds_cost_no_penalty_but_missed_offers_do(
    sql_relay: MakeRelay, clock: ManualClock,
) -> None:
    await check_unclaimed_rounds_are_no_misses(sql_relay, clock)


async def test_unclaimed_pool_rounds_cost_no_penalty_but_missed_offers_do_on_the_fakes(
    fake_relay: MakeRelay, clock: ManualClock,
) -> None:
    await check_unclaimed_rounds_are_no_misses(fake_relay, clock)


async def check_missed_deadlines(uow_factory: Callable[[], UnitOfWork]) -> None:
    """Expire two pool rounds and two one-to-one offers straight through the repository."""
    claim = "claim"
    since = START - timedelta(days=7)
    await store(uow_factory, [
        Made(lead(START), [offer(ADA, START, OfferStatus.EXPIRED, FIVE, kind=claim),
                           offer(BORA, START, OfferStatus.EXPIRED, FIVE, kind=claim),
                           offer(CEM, START + FIVE, OfferStatus.EXPIRED, FIVE)]),
        Made(lead(START), [offer(ADA, START, OfferStatus.EXPIRED, FIVE, kind=claim),
                           offer(BORA, START, OfferStatus.WITHDRAWN, FIVE, kind=claim),
                           offer(CEM, START + FIVE, OfferStatus.EXPIRED, FIVE)]),
    ])
    async with uow_factory() as uow:
        counts = await uow.offers.offer_counts(since=since)
    assert (counts[ADA].misses, counts[BORA].misses) == ((), ()), "claiming is optional"
    assert counts[CEM].misses == (START + 2 * FIVE, START + 2 * FIVE)


async def test_the_database_counts_only_missed_one_to_one_offers(database_url: str) -> None:
    engine = create_engine(database_url)
    await upgrade(engine)
    try:
        await check_missed_deadlines(lambda: SqlUnitOfWork(engine))
    finally:
        await engine.dispose()


async def test_the_fakes_count_only_missed_one_to_one_offers() -> None:
    db = FakeDatabase()
    await check_missed_deadlines(lambda: FakeUnitOfWork(db, Signals()))
