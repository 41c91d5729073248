"""Several instances share one outbox: each chat is sent from one place at a time, in order,
and a crashed instance's claims lapse, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from core.ports import DeliveryErrorKind, QueuedMessage
from storage.outbox import OutboxStore
from storage.tables import outbox, sent_messages
from storage.uow import SqlUnitOfWork

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
LEASE = timedelta(seconds=15)


async def queue(engine: AsyncEngine, *chats: int) -> None:
    """One outbox row per chat listed, in that order."""
    async with engine.begin() as conn:
        await conn.execute(insert(outbox), [
            {"chat_id": chat, "template": "offer", "params": {"n": n}, "created_at": NOW,
             "attempts": 0} for n, chat in enumerate(chats)])


async def mark_sent(engine: AsyncEngine, row: QueuedMessage, *,
                    hold: timedelta = timedelta(0)) -> None:
    """Settle *row* as sent at NOW, as the dispatcher does once Telegram took it."""
    async with SqlUnitOfWork(engine) as uow:
        await uow.outbox.mark_sent(row, at=NOW, message_id=None, hold=hold)
        await uow.commit()


async def test_two_instances_claiming_at_once_split_the_chats_between_them(
    engine: AsyncEngine,
) -> None:
    await queue(engine, *[chat for _ in range(5) for chat in range(1, 21)])
    store = OutboxStore(engine)
    first, second = await asyncio.gather(
        store.claim(NOW, owner="a", lease=LEASE), store.claim(NOW, owner="b", lease=LEASE))
    chats_a, chats_b = {r.chat_id for r in first}, {r.chat_id for r in second}
    assert not chats_a & chats_b, "a chat is sent from one instance at a time"
    assert chats_a | chats_b == set(range(1, 21))
    assert len(first) + len(second) == 100
    assert not {r.id for r in first} & {r.id for r in second}


async def test_a_chat_held_by_another_instance_waits_until_its_rows_are_settled(
    engine: AsyncEngine,
) -> None:
    await queue(engine, 7, 7, 8)
    store = OutboxStore(engine)
    held = await store.claim(NOW, owner="a", lease=LEASE, per_chat=1)
    assert [r.chat_id for r in held] == [7, 8]
    await queue(engine, 7)
    taken = await store.claim(NOW, owner="b", lease=LEASE)
    assert taken == [], "chat 7's later rows stay behind a's claim, in order"
    for row in held:
        await mark_sent(engine, row)
    taken = await store.claim(NOW, owner="b", lease=LEASE)
    assert [(r.chat_id, r.params["n"]) for r in taken] == [(7, 1), (7, 0)]


async def test_a_chat_stays_with_the_instance_that_sent_to_it_for_one_pace_window(
    engine: AsyncEngine,
) -> None:
    pace = timedelta(seconds=1.25)
    await queue(engine, 7, 8)
    store = OutboxStore(engine)
    for row in await store.claim(NOW, owner="a", lease=LEASE):
        await mark_sent(engine, row, hold=pace)
    await queue(engine, 7, 8)
    soon = NOW + pace - timedelta(milliseconds=10)
    assert await store.claim(soon, owner="b", lease=LEASE) == [], (
        "b's pacer has not seen a's messages: it would send the next one too soon")
    mine = await store.claim(soon, owner="a", lease=LEASE)
    assert sorted(r.chat_id for r in mine) == [7, 8], "a's pacer knows them: a goes on"


async def test_a_chat_sent_to_by_another_instance_is_free_once_its_pace_window_passed(
    engine: AsyncEngine,
) -> None:
    pace = timedelta(seconds=1.25)
    await queue(engine, 7)
    store = OutboxStore(engine)
    [row] = await store.claim(NOW, owner="a", lease=LEASE)
    await mark_sent(engine, row, hold=pace)
    await queue(engine, 7)
    later = await store.claim(NOW + pace, owner="b", lease=LEASE)
    assert [r.chat_id for r in later] == [7]


async def test_a_crashed_instances_claims_lapse_with_the_lease(engine: AsyncEngine) -> None:
    await queue(engine, 3, 3)
    store = OutboxStore(engine)
    assert len(await store.claim(NOW, owner="dead", lease=LEASE)) == 2
    assert await store.claim(NOW + LEASE - timedelta(seconds=1), owner="b", lease=LEASE) == []
    late = await store.claim(NOW + LEASE + timedelta(seconds=1), owner="b", lease=LEASE)
    assert [r.chat_id for r in late] == [3, 3]


async def test_an_instance_that_stops_gives_its_unsent_claims_back_at_once(
    engine: AsyncEngine,
) -> None:
    await queue(engine, 3, 3, 4)
    store = OutboxStore(engine)
    rows = await store.claim(NOW, owner="stopping", lease=LEASE)
    await mark_sent(engine, rows[0])
    assert await store.claim(NOW, owner="next", lease=LEASE) == []
    assert await store.release(owner="stopping") == 2
    taken = await store.claim(NOW, owner="next", lease=LEASE)
    assert sorted(r.id for r in taken) == sorted(r.id for r in rows[1:]), "not the sent one"


async def test_renewing_keeps_a_busy_chat_from_being_taken_over(engine: AsyncEngine) -> None:
    await queue(engine, 5, 5, 5)
    store = OutboxStore(engine)
    rows = await store.claim(NOW, owner="a", lease=LEASE)
    await store.renew([r.id for r in rows], owner="a", until=NOW + 2 * LEASE)
    assert await store.claim(NOW + LEASE + timedelta(seconds=1), owner="b", lease=LEASE) == []
    await store.renew([r.id for r in rows], owner="b", until=NOW + 10 * LEASE)  # not b's
    again = await store.claim(NOW + 2 * LEASE + timedelta(seconds=1), owner="b", lease=LEASE)
    assert len(again) == 3


async def test_a_chat_in_back_off_is_left_out_whole(engine: AsyncEngine) -> None:
    await queue(engine, 9, 9, 4)
    store = OutboxStore(engine)
    rows = await store.claim(NOW, owner="a", lease=LEASE)
    nine = [r for r in rows if r.chat_id == 9]
    await store.mark_retry(nine[0], error="retry_after", kind=DeliveryErrorKind.RETRY_AFTER,
                           at=NOW + timedelta(seconds=30))
    for row in rows:
        if row.chat_id == 4:
            await mark_sent(engine, row)
    assert await store.claim(NOW + timedelta(seconds=20), owner="a", lease=LEASE) == []
    later = await store.claim(NOW + timedelta(seconds=31), owner="b", lease=LEASE)
    assert [r.id for r in later] == [r.id for r in nine]


async def test_on_sqlite_new_mail_for_a_free_chat_is_the_dispatchers_as_it_commits(
    engine: AsyncEngine,
) -> None:
    from core.model import OutgoingMessage
    from storage.repositories.outbox import Claimant

    taken: list[QueuedMessage] = []
    claimant = Claimant(owner=lambda: "here", lease=LEASE, now=lambda: NOW, take=taken.extend)
    await queue(engine, 7)  # chat 7 has a message not sent yet: new mail waits behind it
    mail = [OutgoingMessage(chat, "offer", {"n": n}, created_at=NOW)
            for n, chat in enumerate((5, 7, 5, 6))]
    async with SqlUnitOfWork(engine, claimant=claimant) as uow:
        await uow.outbox.add_all(mail)
        assert taken == [], "nothing is handed over before the commit"
        await uow.commit()
    elsewhere = await OutboxStore(engine).claim(NOW, owner="there", lease=LEASE)
    if engine.dialect.name != "sqlite":
        assert taken == [], "on PostgreSQL the dispatchers claim as they always did"
        assert len(elsewhere) == 5
        return
    assert [(r.chat_id, r.params["n"]) for r in taken] == [(5, 0), (5, 2), (6, 3)]
    assert [(r.chat_id, r.params.get("n")) for r in elsewhere] == [(7, 0), (7, 1)], (
        "5 and 6 are this dispatcher's already; 7's new row waits behind its first")


async def test_a_ref_sent_again_names_its_newest_message(engine: AsyncEngine) -> None:
    """A lead escalated to the same manager twice: each message is delivered, and the ref
    names the second, which is the one a later Assign edits."""
    async with engine.begin() as conn:
        await conn.execute(insert(outbox), [
            {"chat_id": 7, "template": "escalated", "params": {}, "created_at": NOW,
             "attempts": 0, "ref": "esc:1:7"} for _ in range(2)])
    rows = await OutboxStore(engine).claim(NOW, limit=10, owner="a", lease=LEASE)
    for message_id, row in enumerate(rows, start=100):
        async with SqlUnitOfWork(engine) as uow:
            await uow.outbox.mark_sent(row, at=NOW, message_id=message_id, hold=timedelta(0))
            await uow.commit()
    async with engine.connect() as conn:
        named = (await conn.execute(select(sent_messages.c.chat_id, sent_messages.c.message_id)
                                    .where(sent_messages.c.ref == "esc:1:7"))).all()
        unsent = (await conn.execute(select(outbox.c.id).where(
            outbox.c.sent_at.is_(None)))).all()
    assert [tuple(row) for row in named] == [(7, 101)]
    assert unsent == []
