"""Claim pools and the system's own actions never count against an agent: no SLA penalty
and no `/stats` figures for offers the agent lost, let run out by choice or never saw."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from core.app import App, Signals
from core.clock import ManualClock
from core.config import OfficeConfig
from core.lifecycle.answers import accept_offer, decline_offer
from core.lifecycle.deadlines import chat_unreachable, escalate_expired_offers
from core.model import DeclineReason, Offer, OfferStatus
from core.ports import UnitOfWork
from core.queries import office_stats
from leadrelay.bootstrap import bootstrap, sql_uow_factory
from storage.db import create_engine
from storage.metrics import MetricsStore
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWork
from tests.fakes import FakeDatabase, FakeUnitOfWork, fake_uow_factory
from tests.office import AYSE, HOT, MEHMET, SELIN, TOKEN, ZEYNEP, linked, office, pool_office
from tests.test_operations import parse_metrics
from tests.test_stats_aggregates import ADA, BORA, CEM, Made, lead, offer, store
from webhooks.operations import render_metrics

START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
FIVE = timedelta(minutes=5)

MakeRelay = Callable[[OfficeConfig], Awaitable[App]]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
async def sql_relay(database_url: str, clock: ManualClock) -> AsyncIterator[MakeRelay]:
    engine = create_engine(database_url)
    await upgrade(engine)

    async def make(config: OfficeConfig) -> App:
        return await linked(bootstrap(config=config, clock=clock,
                                     uow_factory=sql_uow_factory(engine)))

    yield make
    await engine.dispose()


@pytest.fixture
def fake_relay(clock: ManualClock) -> MakeRelay:
    db = FakeDatabase()
    tokens = (f"tok{i}" for i in itertools.count())

    async def make(config: OfficeConfig) -> App:
        return await linked(bootstrap(config=config, clock=clock,
                                     uow_factory=fake_uow_factory(db),
                                     token_factory=lambda: next(tokens)))

    return make


def hot(n: int) -> dict[str, object]:
    """A hot lead from its own contact, so no continuity rule steers it."""
    return {**HOT, "phone": f"+90532123450{n}"}


async def offers_of(relay: App, lead_id: int) -> list[Offer]:
    async with relay.uow() as uow:
        return await uow.offers.for_lead(lead_id)


async def pending(relay: App, lead_id: int) -> dict[int, Offer]:
    return {o.agent_id: o for o in await offers_of(relay, lead_id)
            if o.status is OfferStatus.PENDING}


# --- the SLA penalty ---------------------------------------------------------------------


async def check_unclaimed_rounds_are_no_misses(make: MakeRelay, clock: ManualClock) -> None:
    relay = await make(pool_office())
    for n in range(2):
        lead_id = (await relay.receive_lead(source_token=TOKEN, payload=hot(n))).lead_id
        assert set(await pending(relay, lead_id)) == {AYSE, MEHMET}, "the pool, not on penalty"
        clock.advance(FIVE)
        # Nobody claimed: the fallback offers Zeynep.
        await relay.run_in_turns(escalate_expired_offers)
        assert set(await pending(relay, lead_id)) == {ZEYNEP}
        clock.advance(FIVE)
        # Zeynep let her own offer run out: a miss.
        await relay.run_in_turns(escalate_expired_offers)
    third = (await relay.receive_lead(source_token=TOKEN, payload=hot(2))).lead_id
    assert set(await pending(relay, third)) == {AYSE, MEHMET}
    clock.advance(FIVE)
    await relay.run_in_turns(escalate_expired_offers)
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


# --- /stats ------------------------------------------------------------------------------


async def check_pool_rounds_count_for_the_claimer_only(make: MakeRelay,
                                                      clock: ManualClock) -> None:
    relay = await make(pool_office())
    claimed = (await relay.receive_lead(source_token=TOKEN, payload=hot(0))).lead_id
    clock.advance(timedelta(seconds=30))
    mine = (await pending(relay, claimed))[MEHMET]
    await relay.run(accept_offer, agent_id=MEHMET, offer_id=mine.id, token=mine.token)
    unclaimed = (await relay.receive_lead(source_token=TOKEN, payload=hot(1))).lead_id
    clock.advance(FIVE)
    await relay.run_in_turns(escalate_expired_offers)
    clock.advance(timedelta(seconds=10))
    hers = (await pending(relay, unclaimed))[ZEYNEP]
    await relay.run(accept_offer, agent_id=ZEYNEP, offer_id=hers.id, token=hers.token)
    statuses = sorted(o.status.value for o in [*await offers_of(relay, claimed),
                                                *await offers_of(relay, unclaimed)])
    assert statuses == ["accepted", "accepted", "expired", "expired", "withdrawn"]

    stats = await relay.run(office_stats, manager_id=SELIN, period="today")
    figures = {agent.name: (f.offered, f.accepted, f.declined, f.expired, f.answered,
                            f.answered_in_time) for agent, f in stats.per_agent}
    assert figures == {"Mehmet": (1, 1, 0, 0, 1, 1), "Zeynep": (1, 1, 0, 0, 1, 1)}
    assert (stats.leads_offered, stats.office.offered, stats.office.expired) == (2, 2, 0)
    assert stats.office.sla_met_pct == 100
    assert stats.office.median_accept_s == 20, "the claim's 30 s and Zeynep's 10 s"


async def test_a_pool_round_counts_in_stats_only_for_the_member_who_claimed_it(
    sql_relay: MakeRelay, clock: ManualClock,
) -> None:
    await check_pool_rounds_count_for_the_claimer_only(sql_relay, clock)


async def test_a_pool_round_counts_in_stats_only_for_the_claimer_on_the_fakes(
    fake_relay: MakeRelay, clock: ManualClock,
) -> None:
    await check_pool_rounds_count_for_the_claimer_only(fake_relay, clock)


async def check_unreachable_is_not_a_decline(make: MakeRelay, clock: ManualClock) -> None:
    relay = await make(office())
    lead_id = (await relay.receive_lead(source_token=TOKEN, payload=hot(0))).lead_id
    [(first, offer)] = (await pending(relay, lead_id)).items()
    await relay.run(chat_unreachable, chat_id=first, offer_id=offer.id, error="Forbidden: blocked")
    [(second, offer)] = (await pending(relay, lead_id)).items()
    clock.advance(timedelta(seconds=20))
    await relay.run(decline_offer, agent_id=second, offer_id=offer.id, token=offer.token,
                              reason=DeclineReason.BUSY)
    reasons = {o.agent_id: o.decline_reason for o in await offers_of(relay, lead_id)
               if o.status is OfferStatus.DECLINED}
    assert reasons == {first: DeclineReason.UNREACHABLE, second: DeclineReason.BUSY}

    stats = await relay.run(office_stats, manager_id=SELIN, period="today")
    by_id = {agent.telegram_id: f for agent, f in stats.per_agent}
    assert first not in by_id, "the agent who never saw the lead has nothing to show"
    own = by_id[second]
    assert (own.offered, own.declined, own.answered, own.answered_in_time) == (1, 1, 1, 1)
    assert (stats.office.declined, stats.office.answered) == (1, 1)


async def test_an_offer_telegram_refused_is_not_counted_as_the_agents_decline(
    sql_relay: MakeRelay, clock: ManualClock,
) -> None:
    await check_unreachable_is_not_a_decline(sql_relay, clock)


async def test_an_offer_telegram_refused_is_not_the_agents_decline_on_the_fakes(
    fake_relay: MakeRelay, clock: ManualClock,
) -> None:
    await check_unreachable_is_not_a_decline(fake_relay, clock)


async def test_metrics_count_a_refused_delivery_as_nobodys_decline(
    engine: AsyncEngine, clock: ManualClock,
) -> None:
    relay = await linked(bootstrap(config=office(), clock=clock,
                                  uow_factory=sql_uow_factory(engine)))
    lead_id = (await relay.receive_lead(source_token=TOKEN, payload=hot(0))).lead_id
    [(first, offer)] = (await pending(relay, lead_id)).items()
    await relay.run(chat_unreachable, chat_id=first, offer_id=offer.id, error="Forbidden: blocked")
    [(second, offer)] = (await pending(relay, lead_id)).items()
    await relay.run(decline_offer, agent_id=second, offer_id=offer.id, token=offer.token,
                              reason=DeclineReason.BUSY)
    text = render_metrics(await MetricsStore(engine).snapshot(), now=clock.now())
    figures = parse_metrics(text.decode())
    assert figures["leadrelay_offers_declined_total"] == 1, "only the agent's own decline"
    made = len(await offers_of(relay, lead_id))
    assert figures["leadrelay_offers_total"] == made, "every offer made is still counted"
