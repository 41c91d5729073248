"""The managers' morning digest (issue 16): yesterday's figures in the office zone and what
is open now, at 09:00 office time on working days only, once however often it is swept."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.render import Renderer
from core.app import App
from core.clock import ManualClock
from core.config import OfficeConfig
from core.deps import Deps
from core.digest import DigestCounts
from core.lifecycle.answers import accept_offer, decline_offer
from core.lifecycle.digest import send_digest_if_due
from core.model import DeclineReason, OfferStatus, OutgoingMessage
from core.ports import DIGEST_SENT, UnitOfWork
from leadrelay.bootstrap import bootstrap, sql_uow_factory
from storage.db import create_engine
from storage.migrate import upgrade
from storage.tables import outbox
from tests.fakes import FakeDatabase, fake_uow_factory
from tests.office import HOT, SELIN, TOKEN, linked, office, sweep_at

IST = ZoneInfo("Europe/Istanbul")
GROUP = -1001234567890
SLA = {"hot": {"accept_within": "5m", "offers_before_managers": 2,
               "first_contact_within": "15m"}}


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of November 2026 in the office's zone, as UTC."""
    return datetime(2026, 11, day, hour, minute, tzinfo=IST).astimezone(UTC)


def digest_office(**work: object) -> OfficeConfig:
    return office(sla=SLA, work={"digest": {"enabled": True}, "holidays": None,
                                 "team_group": GROUP, **work})


async def relay_on(config: OfficeConfig, clock: ManualClock, db: FakeDatabase) -> App:
    return await linked(bootstrap(config=config, clock=clock, uow_factory=fake_uow_factory(db)))


async def lead_at(relay: App, clock: ManualClock, moment: datetime) -> int:
    clock.advance(moment - clock.now())
    return (await relay.receive_lead(source_token=TOKEN, payload=HOT)).lead_id


def pending(db: FakeDatabase, lead_id: int) -> list:  # type: ignore[type-arg]
    return [o for o in db.offers.values()
            if o.lead_id == lead_id and o.status is OfferStatus.PENDING]


async def prepared_yesterday(relay: App, clock: ManualClock, db: FakeDatabase) -> None:
    """Monday 23:30 a lead left on offer; Tuesday one accepted in time whose first call is
    missed, one declined twice (to the managers), one at 23:30 left on offer; Wednesday
    00:30 one more."""
    await lead_at(relay, clock, local(23, 23, 30))
    accepted = await lead_at(relay, clock, local(24, 10))
    [offer] = pending(db, accepted)
    await relay.run(accept_offer, agent_id=offer.agent_id, offer_id=offer.id,
                    token=offer.token)
    await sweep_at(relay, clock, local(24, 10, 20))  # the first call was due at 10:15
    declined = await lead_at(relay, clock, local(24, 12))
    for _ in range(2):
        [offer] = pending(db, declined)
        await relay.run(decline_offer, agent_id=offer.agent_id, offer_id=offer.id,
                        token=offer.token, reason=DeclineReason.BUSY)
    await lead_at(relay, clock, local(24, 23, 30))
    await lead_at(relay, clock, local(25, 0, 30))


def digests(db: FakeDatabase) -> list[OutgoingMessage]:
    return [m for m in db.outbox if m.template in ("digest", "team_digest")]


async def test_the_digest_counts_yesterday_in_the_office_zone_and_comes_at_nine() -> None:
    db, clock = FakeDatabase(), ManualClock(local(23, 20))
    relay = await relay_on(digest_office(), clock, db)
    await prepared_yesterday(relay, clock, db)
    clock.advance(local(25, 8, 59) - clock.now())
    assert await relay.run(send_digest_if_due) == local(25, 9)
    assert digests(db) == [], "not before nine"
    clock.advance(local(25, 9) - clock.now())
    assert await relay.run(send_digest_if_due) == local(26, 9), "next: Thursday's"
    [boss, group] = digests(db)
    assert (boss.chat_id, boss.template, group.chat_id, group.template) == (
        SELIN, "digest", GROUP, "team_digest")
    p = boss.params
    assert (p["day"], p["since"]) == ("2026-11-25", "2026-11-24")
    assert (p["leads_in"], p["offered"], p["accepted_in_time"]) == (3, 3, 1), (
        "Tuesday 00:00 to 24:00 Istanbul: not Monday's 23:30 nor Wednesday's 00:30")
    assert (p["escalated"], p["contact_missed"]) == (1, 1)
    assert (p["with_managers"], p["on_offer"]) == (1, 3)
    assert p["overdue_tasks"] == 1, "the missed first call is still open"
    assert p["away"] == [["Can", None]]
    assert "phone" not in str(group.params)

    renderer = Renderer(zone=IST, office="Test Realty", clock=clock)
    text = renderer.outgoing("digest", boss.params).text
    assert text.startswith("☀️ <b>Good morning — Wed 25.11</b>\n\n<b>Yesterday</b>\n"
                           "Leads in: <b>3</b>\nAccepted within the SLA: <b>1</b> of 3 (33%)\n"
                           "Handed to the managers: 1\nFirst calls missed: 1\n\n<b>Now</b>\n"
                           "Without an owner: 4 (1 waiting for a manager)\nOverdue tasks: 1\n"
                           "Away today: Can"), text
    tr = renderer.outgoing("digest", {**boss.params, "lang": "tr"}).text
    assert tr.startswith("☀️ <b>Günaydın — Çar 25.11</b>\n\n<b>Dün</b>\nGelen talep: <b>3</b>\n"
                         "SLA içinde kabul edilen: <b>1</b> / 3 (%33)\n"), tr
    assert "Bugün izinli: Can" in tr
    group_text = renderer.outgoing("team_digest", group.params).text
    assert "Can" not in group_text
    assert "Overdue" not in group_text


async def test_the_digest_goes_once_however_many_sweeps_and_instances_run() -> None:
    db, clock = FakeDatabase(), ManualClock(local(25, 9, 5))
    first = await relay_on(digest_office(), clock, db)
    second = bootstrap(config=digest_office(), clock=clock, uow_factory=fake_uow_factory(db))
    for relay in (first, second, first, second):
        await relay.run(send_digest_if_due)
    assert len(digests(db)) == 2, "one to the manager, one to the group"
    assert db.settings[DIGEST_SENT] == {"day": "2026-11-25"}
    clock.advance(local(26, 9) - clock.now())
    await second.run(send_digest_if_due)
    await first.run(send_digest_if_due)
    assert len(digests(db)) == 4, "Thursday's, once"


async def test_an_office_without_the_digest_sends_none() -> None:
    db, clock = FakeDatabase(), ManualClock(local(25, 9, 5))
    relay = await relay_on(office(), clock, db)
    assert await relay.run(send_digest_if_due) is None
    assert digests(db) == []
    assert DIGEST_SENT not in db.settings


async def test_the_digest_is_the_same_in_sql_and_goes_once_from_two_apps(
    database_url: str,
) -> None:
    engine = create_engine(database_url)
    await upgrade(engine)
    try:
        clock = ManualClock(local(24, 11))
        one, two = (bootstrap(config=digest_office(), clock=clock,
                              uow_factory=sql_uow_factory(engine)) for _ in range(2))
        await linked(one)
        fake_clock = ManualClock(local(24, 11))
        fake = await relay_on(digest_office(), fake_clock, FakeDatabase())
        for relay, moment in ((one, clock), (fake, fake_clock)):
            declined = await lead_at(relay, moment, local(24, 12))
            for _ in range(2):
                await decline_first_pending(relay, declined)
            await lead_at(relay, moment, local(24, 23, 30))
            await lead_at(relay, moment, local(25, 0, 30))
            moment.advance(local(25, 9) - moment.now())
        await asyncio.gather(one.run(send_digest_if_due), two.run(send_digest_if_due))
        await two.run(send_digest_if_due)
        counts = await one.run(counts_of_tuesday)
        assert counts == await fake.run(counts_of_tuesday)
        assert (counts.leads_in, counts.offered, counts.escalated) == (2, 2, 1)
        assert (counts.with_managers, counts.on_offer) == (1, 2)
        async with engine.connect() as conn:
            sent = (await conn.execute(select(outbox.c.chat_id).where(
                outbox.c.template == "digest"))).scalars().all()
        assert sent == [SELIN], "one digest however many apps sweep"
        clock.advance(timedelta(days=1))
        await two.run(send_digest_if_due)
        async with engine.connect() as conn:
            assert len((await conn.execute(select(outbox.c.id).where(
                outbox.c.template == "digest"))).all()) == 2, "Thursday's claims anew"
    finally:
        await engine.dispose()


async def decline_first_pending(relay: App, lead_id: int) -> None:
    """The lead's pending offer declined by its agent, read through the ports alone."""
    async with relay.uow().reading() as uow:
        [offer] = [o for o in await uow.offers.for_lead(lead_id)
                   if o.status is OfferStatus.PENDING]
    await relay.run(decline_offer, agent_id=offer.agent_id, offer_id=offer.id,
                    token=offer.token, reason=DeclineReason.BUSY)


async def counts_of_tuesday(uow: UnitOfWork, deps: Deps, /) -> DigestCounts:
    async with uow.reading():
        return await uow.leads.digest_counts(local(24, 0), local(25, 0), now=local(25, 9))
