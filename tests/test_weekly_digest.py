"""Monday's morning digest (the first working day of a week) carries last week's key figures
against the week before's, for the managers only; other days' digests do not."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select

from bot.render import Renderer
from core.app import App
from core.clock import ManualClock
from core.lifecycle.answers import accept_offer
from core.lifecycle.digest import send_digest_if_due
from core.lifecycle.working import record_stage
from core.model import OfferStatus, Stage
from leadrelay.bootstrap import bootstrap, sql_uow_factory
from storage.db import create_engine
from storage.migrate import upgrade
from storage.tables import outbox
from tests.harness import BRISK, offer_for, running_office, text_has, until
from tests.office import AYSE, HOT, MEHMET, SELIN, TOKEN, ZEYNEP, linked, office
from tests.test_digest import GROUP, IST, digest_office, local
from tests.test_team_morning import SLA as MORNING_SLA
from tests.test_team_morning import WORK as MORNING_WORK


@pytest.fixture
async def office_db(database_url: str) -> AsyncIterator[tuple[App, ManualClock, Any]]:
    """An office with the digest on, on a real database, on Friday 13 November 2026."""
    engine = create_engine(database_url)
    await upgrade(engine)
    clock = ManualClock(local(13, 10))
    relay = await linked(bootstrap(config=digest_office(closed_dates=["2026-11-28"]),
                                   clock=clock, uow_factory=sql_uow_factory(engine)))
    try:
        yield relay, clock, engine
    finally:
        await relay.stop()
        await engine.dispose()


async def lead_at(relay: App, clock: ManualClock, moment: datetime, phone: str) -> int:
    clock.advance(moment - clock.now())
    return (await relay.receive_lead(source_token=TOKEN, payload={**HOT, "phone": phone})
            ).lead_id


async def taken_and_won(relay: App, clock: ManualClock, lead_id: int, amount: int) -> None:
    """The lead's agent accepts it and records it won for *amount*."""
    async with relay.uow().reading() as uow:
        [offer] = [o for o in await uow.offers.for_lead(lead_id)
                   if o.status is OfferStatus.PENDING]
    await relay.run(accept_offer, agent_id=offer.agent_id, offer_id=offer.id, token=offer.token)
    await relay.run(record_stage, agent_id=offer.agent_id, lead_id=lead_id,
                    stage=Stage.WON, amount=amount)


async def digests(engine: Any) -> list[tuple[int, str, dict[str, Any]]]:
    async with engine.connect() as conn:
        rows = await conn.execute(select(outbox.c.chat_id, outbox.c.template, outbox.c.params)
                                  .where(outbox.c.template.in_(["digest", "team_digest"]))
                                  .order_by(outbox.c.id))
        return [(r.chat_id, r.template, r.params) for r in rows]


async def test_mondays_digest_sets_last_week_beside_the_week_before_for_managers_only(
        office_db: tuple[App, ManualClock, Any]) -> None:
    relay, clock, engine = office_db
    # The week before (9–15 November): one lead. Last week (16–22): three, one won.
    await lead_at(relay, clock, local(13, 11), "+905321110001")
    await lead_at(relay, clock, local(16, 11), "+905321110002")
    won = await lead_at(relay, clock, local(18, 11), "+905321110003")
    await taken_and_won(relay, clock, won, 2_500_000)
    await lead_at(relay, clock, local(22, 23, 30), "+905321110004")
    await lead_at(relay, clock, local(23, 0, 30), "+905321110005")  # this week's: not counted
    clock.advance(local(23, 9) - clock.now())
    await relay.run(send_digest_if_due)
    [(boss, _, managers), (group, _, team)] = await digests(engine)
    assert (boss, group) == (SELIN, GROUP)
    week = managers["week"]
    assert (week["start"], week["end"]) == ("2026-11-16", "2026-11-22")
    assert (week["leads"], week["leads_before"]) == (3, 1)
    assert (week["won"], week["won_before"]) == (1, 0)
    assert (week["revenue"], week["revenue_before"]) == (2_500_000, 0)
    assert week["close_rate"] == pytest.approx(100 / 3)
    assert "week" not in team, "no money in the team's group"
    text = Renderer(zone=IST, office="Test", clock=clock, currency="TRY").outgoing(
        "digest", managers).text
    assert "Last week" in text
    assert "▲ 200%" in text, "three leads against one"
    assert "2,500,000" in text
    clock.advance(local(24, 9) - clock.now())
    await relay.run(send_digest_if_due)
    assert "week" not in (await digests(engine))[-2][2], "Tuesday's digest has no week"


async def test_no_digest_on_a_closed_day_and_mondays_covers_the_weekend(
        office_db: tuple[App, ManualClock, Any]) -> None:
    relay, clock, engine = office_db
    # Saturday 28.11 is a closed date, Sunday is not a working day.
    clock.advance(local(28, 10) - clock.now())
    assert await relay.run(send_digest_if_due) == local(30, 9), "next: Monday's"
    clock.advance(local(29, 12) - clock.now())
    assert await relay.run(send_digest_if_due) == local(30, 9)
    assert await digests(engine) == []
    await lead_at(relay, clock, local(29, 13), "+905321110006")
    clock.advance(local(30, 9) - clock.now())
    await relay.run(send_digest_if_due)
    [(_, _, boss), _] = await digests(engine)
    assert (boss["since"], boss["leads_in"]) == ("2026-11-27", 1)
    assert (boss["week"]["start"], boss["week"]["leads"]) == ("2026-11-23", 1)


@pytest.mark.slow
async def test_mondays_charts_come_as_an_album_in_reply_to_the_digest(
        database_url: str) -> None:
    clock = ManualClock(local(18, 11))  # Wednesday of last week
    config = office(sla=MORNING_SLA, timezone="Europe/Istanbul", work=MORNING_WORK)
    async with running_office(config, database_url, clock=clock, limits=BRISK) as running:
        await running.start_chats(AYSE, MEHMET, ZEYNEP, SELIN)
        lead_id = await running.post_lead(HOT)
        await running[AYSE].wait_for(offer_for(lead_id))
        await running.settled()
        clock.advance(local(23, 9) - clock.now())  # Monday, nine o'clock
        selin = running[SELIN]
        digest = await selin.wait_for(text_has("Good morning — Mon 23.11", "Last week"))
        await until(lambda: len(album(selin)) == 5)
        pictures = album(selin)
        assert len({m.media_group_id for m in pictures}) == 1, "one album"
        assert all(m.raw["reply_to_message"]["message_id"] == digest.message_id
                   for m in pictures[:1]), "under the digest: one thread"
        assert "16 Nov 2026 – 22 Nov 2026" in pictures[0].text
        assert not album(running[AYSE]), "agents get no charts"


def album(person: Any) -> list[Any]:
    """The photos of albums in *person*'s chat, in order."""
    return [m for m in person.messages if m.photo is not None and m.media_group_id]
