"""The SQL repositories on a real SQLite file and the real PostgreSQL: races have one winner."""

from __future__ import annotations

import asyncio
import itertools
import sqlite3
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from core.app import App
from core.clock import ManualClock
from core.errors import Conflict, OfferNoLongerOpen
from core.lifecycle.answers import accept_offer, assign_lead
from core.lifecycle.deadlines import escalate_expired_offers, message_delivered
from core.lifecycle.roster_import import sync_roster
from core.model import LeadStatus, OfferStatus
from core.roster import link_chat
from leadrelay.bootstrap import bootstrap, sql_uow_factory
from leadrelay.settings import SettingsError, load_storage_settings
from storage.db import create_engine
from storage.migrate import upgrade
from storage.outbox import OutboxStore
from storage.uow import SqlUnitOfWork
from tests.office import AYSE, CAN, HOT, MEHMET, SELIN, TOKEN, ZEYNEP, office

START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
async def relay(engine: AsyncEngine, clock: ManualClock) -> App:
    # These tests let many hot offers expire on purpose; no SLA penalty should kick in.
    lenient = office(routing={"penalty": {"misses": 1000}})
    app = bootstrap(config=lenient, clock=clock, uow_factory=sql_uow_factory(engine))
    await app.run(sync_roster)
    for person in (AYSE, MEHMET, ZEYNEP, CAN, SELIN):
        await app.run(link_chat, telegram_id=person, chat_id=person)
    return app


async def test_migrating_twice_is_harmless(engine: AsyncEngine) -> None:
    await upgrade(engine)


async def test_times_come_back_aware_and_in_utc(relay: App, engine: AsyncEngine) -> None:
    lead_id = (await relay.receive_lead(source_token=TOKEN, payload=HOT)).lead_id
    async with SqlUnitOfWork(engine) as uow:
        lead = await uow.leads.get(lead_id)
        offer = (await uow.offers.for_lead(lead_id))[0]
    assert lead is not None
    assert lead.received_at == START
    assert offer.deadline == START + timedelta(minutes=5)
    assert offer.deadline.tzinfo is not None


async def test_routing_reads_each_agents_pending_offers_latest_offer_and_missed_deadlines(
    relay: App, engine: AsyncEngine, clock: ManualClock
) -> None:
    first = (await relay.receive_lead(source_token=TOKEN, payload=HOT)).lead_id
    clock.advance(timedelta(minutes=1))
    second = (await relay.receive_lead(
        source_token=TOKEN, payload={**HOT, "phone": "+905550000077"})).lead_id
    clock.advance(timedelta(minutes=10))  # both deadlines pass: the first goes on to Mehmet
    await relay.run_in_turns(escalate_expired_offers)
    async with SqlUnitOfWork(engine) as uow:
        offered = {o.id: o for lead in (first, second) for o in await uow.offers.for_lead(lead)}
        counts = await uow.offers.offer_counts(since=START - timedelta(hours=1))
        later = await uow.offers.offer_counts(since=START + timedelta(minutes=30))
    expired = [o for o in offered.values() if o.status is OfferStatus.EXPIRED]
    pending = [o for o in offered.values() if o.status is OfferStatus.PENDING]
    assert expired, "the deadlines passed"
    for agent in {o.agent_id for o in offered.values()}:
        mine = [o for o in offered.values() if o.agent_id == agent]
        assert counts[agent].pending == sum(1 for o in pending if o.agent_id == agent)
        assert counts[agent].last_offered_at == max(o.created_at for o in mine)
        assert list(counts[agent].misses) == sorted(
            o.decided_at for o in expired if o.agent_id == agent and o.decided_at)
    assert all(not c.misses and c.last_offered_at is None for c in later.values()), (
        "nothing offered or missed since then; pending offers still count")
    assert sum(c.pending for c in later.values()) == len(pending)


async def test_a_stale_lead_version_is_a_conflict(relay: App, engine: AsyncEngine) -> None:
    lead_id = (await relay.receive_lead(source_token=TOKEN, payload=HOT)).lead_id
    async with SqlUnitOfWork(engine) as uow:
        stale = await uow.leads.get(lead_id)
    async with SqlUnitOfWork(engine) as uow:
        fresh = await uow.leads.get(lead_id)
        assert fresh is not None
        fresh.stage = fresh.stage  # any save bumps the version
        await uow.leads.update(fresh)
        await uow.commit()
    assert stale is not None
    async with SqlUnitOfWork(engine) as uow:
        with pytest.raises(Conflict):
            await uow.leads.update(stale)


async def test_nothing_is_kept_without_commit(relay: App, engine: AsyncEngine) -> None:
    lead_id = (await relay.receive_lead(source_token=TOKEN, payload=HOT)).lead_id
    async with SqlUnitOfWork(engine) as uow:
        offer = (await uow.offers.for_lead(lead_id))[0]
        assert await uow.offers.decide(offer.id, status=OfferStatus.ACCEPTED, at=START)
    async with SqlUnitOfWork(engine) as uow:
        again = await uow.offers.get(offer.id)
    assert again is not None
    assert again.status is OfferStatus.PENDING


async def test_leads_arriving_at_once_never_double_pick_an_agent(
    relay: App, engine: AsyncEngine
) -> None:
    payloads = [{**HOT, "phone": f"+9053212345{n:02d}"} for n in range(30)]
    results = await asyncio.gather(*(
        relay.receive_lead(source_token=TOKEN, payload=p) for p in payloads))
    async with SqlUnitOfWork(engine) as uow:
        offers = await uow.offers.for_leads([r.lead_id for r in results])
    assert Counter(o.agent_id for o in offers) == {AYSE: 10, MEHMET: 10, ZEYNEP: 10}


async def test_one_webhook_delivered_twice_at_once_stores_one_lead(
    relay: App, engine: AsyncEngine
) -> None:
    payload = {**HOT, "external_id": "meta-77"}
    results = await asyncio.gather(*(
        relay.receive_lead(source_token=TOKEN, payload=payload) for _ in range(5)))
    assert len({r.lead_id for r in results}) == 1
    assert sum(r.created for r in results) == 1


async def test_accept_racing_expiry_has_exactly_one_winner(
    relay: App, engine: AsyncEngine, clock: ManualClock
) -> None:
    outcomes = Counter[str]()
    for n in range(15):
        lead_id = (await relay.receive_lead(
            source_token=TOKEN, payload={**HOT, "phone": f"+9055512345{n:02d}"})).lead_id
        async with SqlUnitOfWork(engine) as uow:
            offer = next(o for o in await uow.offers.for_lead(lead_id)
                         if o.status is OfferStatus.PENDING)
        clock.advance(timedelta(minutes=5))

        async def accept(offer_id: int = offer.id, agent: int = offer.agent_id,
                         token: str = offer.token) -> str:
            try:
                await relay.run(accept_offer, agent_id=agent, offer_id=offer_id, token=token)
            except OfferNoLongerOpen:
                return "accept lost"
            return "accept won"

        async def expire(offer_id: int = offer.id) -> str:
            moved = await relay.run_in_turns(escalate_expired_offers)
            return "expiry won" if offer_id in moved else "expiry lost"

        first, second = await asyncio.gather(accept(), expire())
        assert {first, second} in ({"accept won", "expiry lost"}, {"accept lost", "expiry won"})
        outcomes[first] += 1
        async with SqlUnitOfWork(engine) as uow:
            lead = await uow.leads.get(lead_id)
            assert lead is not None
            status = (await uow.offers.get(offer.id)).status  # type: ignore[union-attr]
        if first == "accept won":
            assert (lead.status, status) == (LeadStatus.OWNED, OfferStatus.ACCEPTED)
        else:
            assert status is OfferStatus.EXPIRED
            assert lead.owner_id is None
        # Settle the next offer so the next round starts clean.
        clock.advance(timedelta(hours=1))
        await relay.run_in_turns(escalate_expired_offers)
    assert sum(outcomes.values()) == 15


async def test_two_managers_assigning_at_once_leave_one_owner(
    relay: App, engine: AsyncEngine, clock: ManualClock
) -> None:
    async with SqlUnitOfWork(engine) as uow:
        second_manager = await uow.agents.get(AYSE)
        assert second_manager is not None
    lead_id = (await relay.receive_lead(source_token=TOKEN, payload=HOT)).lead_id
    for _ in range(2):
        clock.advance(timedelta(minutes=5))
        await relay.run_in_turns(escalate_expired_offers)
    results = await asyncio.gather(
        relay.run(assign_lead, manager_id=SELIN, lead_id=lead_id, agent_id=MEHMET),
        relay.run(assign_lead, manager_id=SELIN, lead_id=lead_id, agent_id=ZEYNEP),
        return_exceptions=True)
    winners = [r for r in results if not isinstance(r, BaseException)]
    assert len(winners) == 1
    async with SqlUnitOfWork(engine) as uow:
        lead = await uow.leads.get(lead_id)
    assert lead is not None
    assert lead.owner_id == winners[0].owner_id


async def test_the_outbox_holds_each_message_until_it_is_marked_sent(
    relay: App, engine: AsyncEngine
) -> None:
    await relay.receive_lead(source_token=TOKEN, payload=HOT)
    store = OutboxStore(engine)
    due = await store.due(START)
    assert [(row.chat_id, row.template) for row in due] == [(AYSE, "offer")]
    await relay.run(message_delivered, message=due[0], message_id=77, at=START,
                    hold=timedelta(0))
    assert await store.due(START) == []
    assert await store.message_id(due[0].ref or "") == (AYSE, 77)


async def test_a_delivered_offer_has_its_clock_started_and_its_row_marked_sent_at_once(
    relay: App, engine: AsyncEngine, clock: ManualClock
) -> None:
    lead_id = (await relay.receive_lead(source_token=TOKEN, payload=HOT)).lead_id
    store = OutboxStore(engine)
    [row] = await store.due(START)
    clock.advance(timedelta(seconds=40))  # the offer waited in the outbox
    await relay.run(message_delivered, message=row, message_id=77, at=clock.now(),
                    hold=timedelta(0))
    async with SqlUnitOfWork(engine) as uow:
        [offer] = await uow.offers.for_lead(lead_id)
    assert (offer.delivered_at, offer.deadline) == (
        clock.now(), clock.now() + timedelta(minutes=5))
    assert await store.due(clock.now()) == []


async def test_an_offer_whose_sent_mark_cannot_be_written_keeps_its_clock_stopped(
    relay: App, engine: AsyncEngine
) -> None:
    lead_id = (await relay.receive_lead(source_token=TOKEN, payload=HOT)).lead_id
    store = OutboxStore(engine)
    [row] = await store.due(START)
    async with engine.begin() as conn:  # where the sent mark goes is gone: writing it fails
        await conn.execute(text("DROP TABLE sent_messages"))
    with pytest.raises(DBAPIError):
        await relay.run(message_delivered, message=row, message_id=77, at=START,
                        hold=timedelta(0))
    async with SqlUnitOfWork(engine) as uow:
        [offer] = await uow.offers.for_lead(lead_id)
    assert offer.delivered_at is None, "the clock started without the row marked sent"
    assert await store.due(START) == [row]


async def test_rotation_survives_a_new_engine(database_url: str, clock: ManualClock) -> None:
    owners = []
    for _ in range(2):  # two "processes", one after the other, on the same database
        engine = create_engine(database_url)
        await upgrade(engine)
        tokens = (f"t{i}" for i in itertools.count())
        app = bootstrap(config=office(), clock=clock, uow_factory=sql_uow_factory(engine),
                        token_factory=lambda tokens=tokens: next(tokens))
        await app.run(sync_roster)
        for person in (AYSE, MEHMET, ZEYNEP):
            await app.run(link_chat, telegram_id=person, chat_id=person)
        result = await app.receive_lead(source_token=TOKEN, payload={
            **HOT, "phone": f"+90532000000{len(owners)}"})
        async with SqlUnitOfWork(engine) as uow:
            owners.append((await uow.offers.for_lead(result.lead_id))[0].agent_id)
        await engine.dispose()
    assert owners == [AYSE, MEHMET]


@pytest.mark.parametrize(("query", "level"), [("", 2), ("?synchronous=normal", 1),
                                                ("?synchronous=FULL", 2)])
async def test_sqlite_syncs_every_commit_unless_the_url_says_normal(
    tmp_path: Path, query: str, level: int,
) -> None:
    # FULL: a lead answered 201 survives a power cut, not only a crash of the process.
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'leadrelay.db'}{query}")
    try:
        async with engine.connect() as conn:
            assert (await conn.exec_driver_sql("PRAGMA synchronous")).scalar_one() == level
            assert (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar_one() == "wal"
    finally:
        await engine.dispose()


def test_a_sqlite_url_asking_for_an_unknown_synchronous_level_is_refused_naming_the_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", "sqlite+aiosqlite:///leadrelay.db?synchronous=off")
    with pytest.raises(SettingsError) as caught:
        load_storage_settings()
    assert "DATABASE_URL" in str(caught.value)
    assert "synchronous: 'off' is not one of full, normal" in str(caught.value)


async def test_a_sqlite_file_that_cannot_be_opened_leaves_no_thread_behind(
    tmp_path: Path,
) -> None:
    # aiosqlite's worker thread of a connection that failed to open outlived the failure
    # and reported to an event loop closed since: a traceback from a thread, at random.
    def worker_threads() -> set[threading.Thread]:
        return {t for t in threading.enumerate() if "connection_worker" in t.name}

    before = worker_threads()
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'missing' / 'leadrelay.db'}")
    try:
        with pytest.raises(OperationalError):
            async with engine.connect():
                pass
        assert worker_threads() - before == set()
    finally:
        await engine.dispose()


async def test_a_sqlite_statement_costs_one_trip_to_the_driver_thread(tmp_path: Path) -> None:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    from storage.sqlite_trips import OneTripConnection

    trips: list[str] = []

    class Counting(OneTripConnection):
        async def _execute(self, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
            trips.append(getattr(fn, "__name__", "?"))
            return await super()._execute(fn, *args, **kwargs)

    path = str(tmp_path / "trips.db")
    engine = create_async_engine(
        "sqlite+aiosqlite://", async_creator=lambda: Counting(
            lambda: sqlite3.connect(path, check_same_thread=False), iter_chunk_size=64))
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)"))
            await conn.execute(text("INSERT INTO t (name) VALUES (:n)"),
                               [{"n": "a"}, {"n": "b"}, {"n": "c"}])
            inserted = await conn.execute(text("INSERT INTO t (name) VALUES ('d')"))
            assert inserted.lastrowid == 4
            trips.clear()
            rows = (await conn.execute(text("SELECT name FROM t ORDER BY id"))).all()
            assert [r.name for r in rows] == ["a", "b", "c", "d"]
            assert trips == ["_run"], "make a cursor, execute, fetch and close: one trip"
            changed = await conn.execute(text("UPDATE t SET name = 'x' WHERE id > 1"))
            assert changed.rowcount == 3
    finally:
        await engine.dispose()


async def test_a_sqlite_commit_that_fails_leaves_no_transaction_holding_the_write_lock(
    tmp_path: Path,
) -> None:
    from sqlalchemy import text

    from storage.db import begin_write

    path = tmp_path / "commit.db"
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    try:
        async with begin_write(engine) as conn:
            await conn.execute(text("CREATE TABLE p (id INTEGER PRIMARY KEY)"))
            await conn.execute(text("CREATE TABLE c (id INTEGER PRIMARY KEY, p INTEGER "
                                    "REFERENCES p(id) DEFERRABLE INITIALLY DEFERRED)"))
        with pytest.raises(IntegrityError):  # checked at COMMIT, which SQLite then refuses
            async with begin_write(engine) as conn:
                await conn.execute(text("INSERT INTO c VALUES (1, 99)"))
        other = sqlite3.connect(path, timeout=0.5)
        try:
            other.execute("BEGIN IMMEDIATE")  # another process can write again
            other.rollback()
        finally:
            other.close()
        async with begin_write(engine) as conn:
            await conn.execute(text("INSERT INTO p VALUES (1)"))
    finally:
        await engine.dispose()
