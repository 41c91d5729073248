"""Races between two leadrelay instances on one database, hundreds of rounds each: every round
has exactly one winner and leaves the lead, its offers and its messages consistent."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Collection
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from core.app import App
from core.clock import ManualClock
from core.config import OfficeConfig
from core.errors import LeadAlreadyHandled, OfferNoLongerOpen
from core.lifecycle.answers import accept_offer, assign_lead, decline_offer
from core.lifecycle.deadlines import escalate_expired_offers
from core.lifecycle.roster_import import sync_roster
from core.model import DeclineReason, Lead, LeadStatus, Offer, OfferStatus
from core.ports import ROUTING_STATE
from core.roster import link_chat
from leadrelay.bootstrap import bootstrap, sql_uow_factory
from storage.db import create_engine
from storage.migrate import upgrade
from storage.tables import outbox, rotations
from storage.uow import SqlUnitOfWork
from tests.office import (
    AYSE,
    HOT,
    MEHMET,
    SELIN,
    TOKEN,
    ZEYNEP,
    office_data,
    pool_office,
)

pytestmark = pytest.mark.slow  # a whole leadrelay runs: see README, Tests

# "Hundreds of times" (issue 4): every race runs this many rounds on each backend. On SQLite
# every transaction takes the database's one write lock at BEGIN, so the two sides queue whole
# and these rounds check the services' re-checks; on PostgreSQL they meet at row locks.
ROUNDS = 200
START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=5)  # the hot accept window of the test office
OKAN = 1010  # a second manager, so that two managers can race


def race_office(**changes: object) -> OfficeConfig:
    """The test office with a second manager, where missed offers cost nobody their turn."""
    data = office_data()
    agents = data["agents"]
    assert isinstance(agents, list)
    agents = [*agents, {"telegram_id": OKAN, "name": "Okan", "role": "manager"}]
    # Races let hundreds of offers expire on purpose; no SLA penalty should skew routing.
    return OfficeConfig.model_validate({**data, "agents": agents,
                                        "routing": {"penalty": {"misses": 1000}}, **changes})


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@dataclass
class Pair:
    """Two instances of leadrelay, each with its own engine, like two processes."""

    first: App
    second: App
    engine: AsyncEngine  # for reading what the instances committed


@asynccontextmanager
async def two_instances(config: OfficeConfig, database_url: str,
                        clock: ManualClock) -> AsyncIterator[Pair]:
    """Two bootstrapped apps on one migrated database, everyone's chat linked."""
    engines = [create_engine(database_url) for _ in range(2)]
    try:
        await upgrade(engines[0])
        apps = [bootstrap(config=config, clock=clock, uow_factory=sql_uow_factory(engine))
                for engine in engines]
        for app in apps:  # each process syncs the roster as it starts
            await app.run(sync_roster)
        for person in config.agents:
            await apps[0].run(link_chat, telegram_id=person.telegram_id, chat_id=person.telegram_id)
        yield Pair(apps[0], apps[1], engines[0])
    finally:
        for engine in engines:
            await engine.dispose()


async def receive(app: App, numbers: range) -> list[int]:
    """Post one hot lead per number, all at once (so they share intake batches)."""
    results = await asyncio.gather(*(app.receive_lead(
        source_token=TOKEN, payload={**HOT, "phone": f"+90555{n:07d}"}) for n in numbers))
    return [r.lead_id for r in results]


async def at_once(*calls: Callable[[], Awaitable[Any]], flip: bool = False) -> list[Any]:
    """Run every call as its own task, released together; what each returned or raised.

    The tasks wait at a starting line until all of them exist, so neither gets a head start
    of a whole database round trip; *flip* releases them in the other order.
    """
    go = asyncio.Event()

    async def runner(call: Callable[[], Awaitable[Any]]) -> Any:
        await go.wait()
        return await call()

    order = range(len(calls) - 1, -1, -1) if flip else range(len(calls))
    tasks = {i: asyncio.create_task(runner(calls[i])) for i in order}
    await asyncio.sleep(0)  # every task is now parked at the starting line
    go.set()
    await asyncio.gather(*tasks.values(), return_exceptions=True)
    return [tasks[i].exception() or tasks[i].result() for i in range(len(calls))]


def won(result: Any, loses_with: type[Exception]) -> bool:
    """Whether one side of a race won; losing must be *loses_with*, anything else is a bug."""
    if isinstance(result, loses_with):
        return False
    if isinstance(result, BaseException):
        raise result
    return True


def moved(result: Any) -> list[int]:
    """The offers a sweep moved; a sweep that failed fails the test with its own error."""
    if isinstance(result, BaseException):
        raise result
    assert isinstance(result, list)
    return result


@dataclass
class Trail:
    """Everything the database holds about one lead."""

    lead: Lead
    offers: list[Offer]
    events: list[tuple[str, int | None, dict[str, Any]]]
    messages: list[tuple[int, str, dict[str, Any]]]

    @property
    def pending(self) -> list[Offer]:
        """The offers still waiting for an answer."""
        return [o for o in self.offers if o.status is OfferStatus.PENDING]

    def offer(self, offer_id: int) -> Offer:
        """One of the lead's offers as stored now."""
        return next(o for o in self.offers if o.id == offer_id)

    def kinds(self) -> Counter[str]:
        """How many events of each kind the lead's history holds."""
        return Counter(kind for kind, _, _ in self.events)

    def sent(self, template: str) -> list[int]:
        """The chats a message of *template* about this lead is queued for, sorted."""
        return sorted(chat for chat, name, _ in self.messages if name == template)


async def trails_of(engine: AsyncEngine, lead_ids: Collection[int]) -> dict[int, Trail]:
    """Read leads, their offers, their history and their queued messages in one go."""
    async with SqlUnitOfWork(engine) as uow:
        leads = {lead_id: await uow.leads.get(lead_id) for lead_id in lead_ids}
        offers = await uow.offers.for_leads(list(lead_ids))
        events = await uow.events.for_leads(list(lead_ids))
    async with engine.connect() as conn:
        rows = list(await conn.execute(select(outbox).where(
            outbox.c.params["lead_id"].as_integer().in_(list(lead_ids))).order_by(outbox.c.id)))
    trails = {}
    for lead_id, lead in leads.items():
        assert lead is not None
        trails[lead_id] = Trail(
            lead, [o for o in offers if o.lead_id == lead_id],
            [(e.kind, e.agent_id, e.data) for e in events if e.lead_id == lead_id],
            [(r.chat_id, r.template, r.params) for r in rows
             if r.params["lead_id"] == lead_id])
    return trails


async def trail_of(engine: AsyncEngine, lead_id: int) -> Trail:
    """What the database holds about one lead."""
    return (await trails_of(engine, [lead_id]))[lead_id]


def assert_moved_on_once(trail: Trail, gone: Offer) -> Offer:
    """The lead has exactly one new offer, to someone else, and nothing else is open."""
    [successor] = trail.pending
    assert trail.lead.status is LeadStatus.OFFERED
    assert trail.lead.owner_id is None
    assert successor.agent_id != gone.agent_id
    assert successor.sequence == gone.sequence + 1
    assert len(trail.offers) == 2
    assert trail.kinds()["offered"] == 2
    assert trail.kinds()["routed"] == 2
    assert trail.sent("offer") == sorted([gone.agent_id, successor.agent_id])
    assert trail.sent("card") == []
    return successor


def sweep(app: App) -> Callable[[], Awaitable[list[int]]]:
    """One sweep of *app*, to race against something else."""
    return partial(app.run_in_turns, escalate_expired_offers)


def accept(app: App, offer: Offer) -> Callable[[], Awaitable[Lead]]:
    """Pressing Accept on *offer*, through *app*."""
    return partial(app.run, accept_offer, agent_id=offer.agent_id, offer_id=offer.id,
                   token=offer.token)


async def settle(app: App, offer: Offer) -> None:
    """Accept the successor offer, so that no later sweep in the test finds it overdue."""
    await accept(app, offer)()


async def test_accept_racing_the_sweep_of_another_instance_has_one_winner(
    database_url: str, clock: ManualClock,
) -> None:
    async with two_instances(race_office(), database_url, clock) as pair:
        for n in range(ROUNDS):
            [lead_id] = await receive(pair.first, range(n, n + 1))
            [offer] = (await trail_of(pair.engine, lead_id)).pending
            clock.advance(WINDOW)
            accepted, swept = await at_once(
                accept(pair.first, offer), sweep(pair.second), flip=n % 2 == 1)
            swept = moved(swept)
            assert won(accepted, OfferNoLongerOpen) != (offer.id in swept), (n, accepted, swept)
            trail = await trail_of(pair.engine, lead_id)
            if offer.id in swept:
                assert trail.offer(offer.id).status is OfferStatus.EXPIRED
                assert trail.kinds()["expired"] == 1
                assert trail.sent("offer_expired") == [offer.agent_id]
                await settle(pair.first, assert_moved_on_once(trail, offer))
            else:
                assert (trail.lead.status, trail.lead.owner_id) == (
                    LeadStatus.OWNED, offer.agent_id)
                assert [o.status for o in trail.offers] == [OfferStatus.ACCEPTED]
                assert trail.kinds()["accepted"] == 1
                assert trail.kinds()["expired"] == 0
                assert trail.sent("card") == [offer.agent_id]
                assert trail.sent("offer_expired") == []


async def test_two_claims_through_two_instances_leave_one_owner(
    database_url: str, clock: ManualClock,
) -> None:
    async with two_instances(pool_office(), database_url, clock) as pair:
        lead_ids = await receive(pair.first, range(ROUNDS))
        for n, lead_id in enumerate(lead_ids):
            offers = {o.agent_id: o for o in (await trail_of(pair.engine, lead_id)).pending}
            assert set(offers) == {AYSE, MEHMET}
            ayse, mehmet = await at_once(accept(pair.first, offers[AYSE]),
                                         accept(pair.second, offers[MEHMET]), flip=n % 2 == 1)
            assert won(ayse, OfferNoLongerOpen) != won(mehmet, OfferNoLongerOpen), n
            winner, loser = (AYSE, MEHMET) if won(ayse, OfferNoLongerOpen) else (MEHMET, AYSE)
            trail = await trail_of(pair.engine, lead_id)
            assert (trail.lead.status, trail.lead.owner_id) == (LeadStatus.OWNED, winner)
            assert trail.offer(offers[winner].id).status is OfferStatus.ACCEPTED
            assert trail.offer(offers[loser].id).status is OfferStatus.WITHDRAWN
            assert trail.kinds()["accepted"] == 1
            assert trail.sent("card") == [winner]
            assert trail.sent("claim_taken") == [loser]


async def test_two_managers_assigning_through_two_instances_leave_one_owner(
    database_url: str, clock: ManualClock,
) -> None:
    config = race_office(sla={"hot": {"accept_within": "5m", "offers_before_managers": 1}})
    async with two_instances(config, database_url, clock) as pair:
        lead_ids = await receive(pair.first, range(ROUNDS))
        clock.advance(WINDOW)
        assert len(await pair.first.run_in_turns(escalate_expired_offers)) == ROUNDS
        for n, lead_id in enumerate(lead_ids):
            by_selin, by_okan = await at_once(
                partial(pair.first.run, assign_lead, manager_id=SELIN, lead_id=lead_id,
                        agent_id=MEHMET),
                partial(pair.second.run, assign_lead, manager_id=OKAN, lead_id=lead_id,
                        agent_id=ZEYNEP),
                flip=n % 2 == 1)
            assert won(by_selin, LeadAlreadyHandled) != won(by_okan, LeadAlreadyHandled), n
            manager, agent, name = ((SELIN, MEHMET, "Selin")
                                    if won(by_selin, LeadAlreadyHandled)
                                    else (OKAN, ZEYNEP, "Okan"))
            trail = await trail_of(pair.engine, lead_id)
            assert (trail.lead.status, trail.lead.owner_id) == (LeadStatus.OWNED, agent)
            assert [e for e in trail.events if e[0] == "assigned"] == [
                ("assigned", agent, {"by": manager})]
            assert trail.sent("card") == [agent]
            closed = [m for m in trail.messages if m[1] == "escalation_closed"]
            assert sorted(chat for chat, _, _ in closed) == [SELIN, OKAN]
            assert {params["by"] for _, _, params in closed} == {name}
            assert trail.pending == []


async def test_a_double_click_on_accept_through_two_instances_accepts_once(
    database_url: str, clock: ManualClock,
) -> None:
    async with two_instances(race_office(), database_url, clock) as pair:
        lead_ids = await receive(pair.first, range(ROUNDS))
        for n, lead_id in enumerate(lead_ids):
            [offer] = (await trail_of(pair.engine, lead_id)).pending
            clicks = await at_once(accept(pair.first, offer), accept(pair.second, offer),
                                   flip=n % 2 == 1)
            assert sorted(won(c, OfferNoLongerOpen) for c in clicks) == [False, True], n
            trail = await trail_of(pair.engine, lead_id)
            assert (trail.lead.status, trail.lead.owner_id) == (
                LeadStatus.OWNED, offer.agent_id)
            assert [o.status for o in trail.offers] == [OfferStatus.ACCEPTED]
            assert trail.kinds()["accepted"] == 1
            assert trail.sent("card") == [offer.agent_id]


async def test_a_decline_racing_the_sweep_of_another_instance_moves_the_lead_on_once(
    database_url: str, clock: ManualClock,
) -> None:
    async with two_instances(race_office(), database_url, clock) as pair:
        for n in range(ROUNDS):
            [lead_id] = await receive(pair.first, range(n, n + 1))
            [offer] = (await trail_of(pair.engine, lead_id)).pending
            clock.advance(WINDOW)
            declined, swept = await at_once(
                partial(pair.first.run, decline_offer, agent_id=offer.agent_id, offer_id=offer.id,
                        token=offer.token, reason=DeclineReason.BUSY),
                sweep(pair.second), flip=n % 2 == 1)
            swept = moved(swept)
            assert won(declined, OfferNoLongerOpen) != (offer.id in swept), (n, declined, swept)
            trail = await trail_of(pair.engine, lead_id)
            if offer.id in swept:
                assert trail.offer(offer.id).status is OfferStatus.EXPIRED
                assert trail.sent("offer_expired") == [offer.agent_id]
                assert trail.sent("offer_declined") == []
            else:
                assert trail.offer(offer.id).status is OfferStatus.DECLINED
                assert trail.sent("offer_declined") == [offer.agent_id]
                assert trail.sent("offer_expired") == []
            assert trail.kinds()["expired"] + trail.kinds()["declined"] == 1
            await settle(pair.first, assert_moved_on_once(trail, offer))


async def test_two_sweeps_from_two_instances_move_each_overdue_offer_once(
    database_url: str, clock: ManualClock,
) -> None:
    # Each round adds three leads; the leftovers of earlier rounds fall due again, so the
    # sweeps also race over second offers and over escalations to the managers.
    config = race_office(sla={"hot": {"accept_within": "5m", "offers_before_managers": 2}})
    async with two_instances(config, database_url, clock) as pair:
        for n in range(ROUNDS):
            await receive(pair.first, range(3 * n, 3 * n + 3))
            clock.advance(WINDOW)
            async with SqlUnitOfWork(pair.engine) as uow:
                due = {o.id: o for o in await uow.offers.overdue(clock.now(), limit=1000)}
            first, second = await at_once(sweep(pair.first),
                                          sweep(pair.second),
                                          flip=n % 2 == 1)
            first, second = moved(first), moved(second)
            assert not set(first) & set(second), n
            assert sorted(first + second) == sorted(due), n
            trails = await trails_of(pair.engine, {o.lead_id for o in due.values()})
            for lead_id, trail in trails.items():
                gone = {o.id for o in trail.offers if o.status is OfferStatus.EXPIRED}
                assert {o.id for o in due.values() if o.lead_id == lead_id} <= gone
                expired = Counter(data["offer_id"] for kind, _, data in trail.events
                                  if kind == "expired")
                assert expired == Counter(gone), (n, lead_id, expired)
                assert trail.sent("offer_expired") == sorted(
                    o.agent_id for o in trail.offers if o.status is OfferStatus.EXPIRED)
                if trail.lead.status is LeadStatus.WITH_MANAGERS:
                    assert trail.pending == []
                    assert trail.kinds()["escalated"] == 1
                    assert trail.sent("escalated") == [SELIN, OKAN]
                else:
                    assert trail.lead.status is LeadStatus.OFFERED
                    assert len(trail.pending) == 1
                    assert trail.sent("escalated") == []


async def test_a_decline_racing_a_sweep_that_also_moves_an_earlier_lead_moves_both_on_once(
    database_url: str, clock: ManualClock,
) -> None:
    # Every writer takes its leads (in id order) before the routing row; a sweep that took
    # the routing row between two leads deadlocked with a decline on PostgreSQL.
    async with two_instances(race_office(), database_url, clock) as pair:
        for n in range(ROUNDS):
            leads = await receive(pair.first, range(2 * n, 2 * n + 2))
            trails = await trails_of(pair.engine, leads)
            [earlier], [later] = (trails[lead_id].pending for lead_id in leads)
            clock.advance(WINDOW)
            declined, swept = await at_once(
                partial(pair.first.run, decline_offer, agent_id=later.agent_id, offer_id=later.id,
                        token=later.token, reason=DeclineReason.BUSY),
                sweep(pair.second), flip=n % 2 == 1)
            swept = moved(swept)
            assert won(declined, OfferNoLongerOpen) != (later.id in swept), (n, declined, swept)
            assert earlier.id in swept
            trails = await trails_of(pair.engine, leads)
            for offer in (earlier, later):
                await settle(pair.first, assert_moved_on_once(trails[offer.lead_id], offer))


async def test_two_instances_taking_leads_at_once_offer_each_lead_exactly_once(
    database_url: str, clock: ManualClock,
) -> None:
    # Each instance stores its own leads and then routes whatever waits, whoever stored it:
    # the two routing turns meet at the routing row and at the waiting leads' rows.
    async with two_instances(race_office(), database_url, clock) as pair:
        offered: Counter[int] = Counter()
        for n in range(ROUNDS):
            mine, theirs = range(6 * n, 6 * n + 3), range(6 * n + 3, 6 * n + 6)
            results = await at_once(partial(receive, pair.first, mine),
                                    partial(receive, pair.second, theirs), flip=n % 2 == 1)
            lead_ids = [lead_id for result in results for lead_id in moved(result)]
            for lead_id, trail in (await trails_of(pair.engine, lead_ids)).items():
                [offer] = trail.offers
                assert trail.lead.status is LeadStatus.OFFERED, (n, lead_id)
                assert trail.kinds() == Counter(received=1, routed=1, offered=1), (n, lead_id)
                assert trail.sent("offer") == [offer.agent_id], (n, lead_id)
                offered[offer.agent_id] += 1
        # One rotation, advanced once per lead, whichever instance routed it.
        assert sorted(offered) == [AYSE, MEHMET, ZEYNEP]
        assert max(offered.values()) - min(offered.values()) <= 1, offered


async def test_intake_answers_without_waiting_while_another_instance_routes(
    database_url: str, clock: ManualClock,
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has one writer: an instance never finds the routing row taken")
    async with two_instances(race_office(), database_url, clock) as pair:
        await receive(pair.first, range(1))  # the routing row exists from now on
        async with pair.engine.connect() as other:  # another instance, mid-routing turn
            await other.execute(select(rotations.c.state).where(
                rotations.c.key == ROUTING_STATE).with_for_update())
            [waiting] = await asyncio.wait_for(
                asyncio.gather(pair.second.receive_lead(
                    source_token=TOKEN, payload={**HOT, "phone": "+905550000099"},
                    routed=False)), timeout=5)
            assert (await trail_of(pair.engine, waiting.lead_id)).lead.status is LeadStatus.NEW
            await other.rollback()  # its turn ends; the second instance's own pass follows
        await pair.second.route_new_leads()
        trail = await trail_of(pair.engine, waiting.lead_id)
        assert trail.lead.status is LeadStatus.OFFERED
        assert len(trail.pending) == 1
        assert trail.kinds() == Counter(received=1, routed=1, offered=1)
