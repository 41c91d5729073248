"""The fairness audit on both databases: leads routed by the real use cases, the answers
worked out by hand — an agent away half the period is owed half, weights are shares, hot
leads apart, and an agent who declines everything is flagged with declines as the cause."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from core.app import App
from core.clock import ManualClock
from core.config import OfficeConfig
from core.errors import InvalidInput, NotAManager
from core.lifecycle.answers import accept_offer, decline_offer
from core.lifecycle.availability import come_back, go_away
from core.lifecycle.fairness import fairness_audit
from core.model import DeclineReason, OfferStatus, Temperature
from core.numbers.fairness import FairnessAudit, FairShare, Tally, cause_of
from leadrelay.bootstrap import bootstrap, sql_uow_factory
from storage.db import create_engine
from storage.migrate import upgrade
from tests.office import AYSE, CAN, HOT, MEHMET, SELIN, TOKEN, ZEYNEP, linked, office

MONDAY = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # 10:00 in Istanbul
DAY = timedelta(days=1)
TEN_MINUTES = timedelta(minutes=10)
TWO = [{"telegram_id": AYSE, "name": "Ayşe"}, {"telegram_id": MEHMET, "name": "Mehmet"},
       {"telegram_id": SELIN, "name": "Selin", "role": "manager"}]
KEEP = {"away": {"leads_to": "keep"}}  # an agent going away keeps what they took

MakeRelay = Callable[..., Awaitable[App]]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(MONDAY)


@pytest.fixture
async def relay(database_url: str, clock: ManualClock) -> AsyncIterator[MakeRelay]:
    engine = create_engine(database_url)
    await upgrade(engine)

    async def make(config: OfficeConfig, people: tuple[int, ...]) -> App:
        return await linked(bootstrap(config=config, clock=clock,
                                      uow_factory=sql_uow_factory(engine)), people)

    yield make
    await engine.dispose()


class Leads:
    """Leads sent in one after another, each from its own contact."""

    def __init__(self, app: App, clock: ManualClock) -> None:
        self.app, self.clock, self.sent = app, clock, 0
        self.ids: list[int] = []

    async def send(self, *, hot: bool = True) -> int:
        self.sent += 1
        self.clock.advance(TEN_MINUTES)
        payload: dict[str, Any] = {**HOT, "phone": f"+90532{self.sent:07d}"}
        if not hot:
            payload = {"phone": payload["phone"], "name": "Ece Er", "timing": "just looking"}
        lead_id = (await self.app.receive_lead(source_token=TOKEN, payload=payload)).lead_id
        self.ids.append(lead_id)
        return lead_id

    async def offered(self, lead_id: int) -> tuple[int, int, str]:
        """The lead's pending offer: (agent, offer id, token)."""
        async with self.app.uow() as uow:
            [offer] = [o for o in await uow.offers.for_lead(lead_id)
                       if o.status is OfferStatus.PENDING]
        return offer.agent_id, offer.id, offer.token

    async def taken(self, *, hot: bool = True, declining: tuple[int, ...] = ()) -> int:
        """A lead sent and accepted by whoever is offered it, after those *declining* pass;
        who took it."""
        lead_id = await self.send(hot=hot)
        while True:
            agent, offer_id, token = await self.offered(lead_id)
            if agent not in declining:
                await self.app.run(accept_offer, agent_id=agent, offer_id=offer_id,
                                   token=token)
                return agent
            await self.app.run(decline_offer, agent_id=agent, offer_id=offer_id, token=token,
                               reason=DeclineReason.BUSY)


async def audit(app: App, period: str) -> dict[int, FairShare]:
    """The audit by agent, asked a minute after the last lead (a period ends before now)."""
    app.deps.clock.advance(timedelta(minutes=1))  # type: ignore[attr-defined]
    found: FairnessAudit = await app.run(fairness_audit, manager_id=SELIN, period=period)
    return {row.agent_id: row for row in found.agents}


def leads_of(row: FairShare) -> tuple[int, float, int, int]:
    return row.leads.decisions, round(row.leads.fair, 9), row.leads.offered, row.leads.received


async def test_an_agent_away_half_the_period_is_owed_half_and_is_not_flooded_on_return(
    relay: MakeRelay, clock: ManualClock,
) -> None:
    app = await relay(office(agents=TWO, work=KEEP), (AYSE, MEHMET, SELIN))
    leads = Leads(app, clock)
    monday = [await leads.taken() for _ in range(10)]
    clock.advance(DAY - 10 * TEN_MINUTES)
    await app.run(go_away, agent_id=AYSE, by=AYSE, until=None)
    tuesday = [await leads.taken() for _ in range(10)]
    clock.advance(DAY - 10 * TEN_MINUTES)
    await app.run(come_back, agent_id=AYSE, by=AYSE)
    wednesday = [await leads.taken() for _ in range(10)]
    assert (monday.count(AYSE), tuesday.count(AYSE), wednesday.count(AYSE)) == (5, 0, 5)

    # Monday and Tuesday: 20 leads, an equal split owes each 10; Ayşe, away on Tuesday, is
    # owed Monday's half of hers, 5, and Mehmet the other 15.
    two_days = await audit(app, "2026-11-23..2026-11-24")
    assert leads_of(two_days[AYSE]) == (10, 5.0, 5, 5)
    assert leads_of(two_days[MEHMET]) == (20, 15.0, 15, 15)
    assert two_days[AYSE].leads.skips == (("away", 10),)
    assert (two_days[AYSE].leads.deviation, two_days[MEHMET].leads.deviation) == (0.0, 0.0)
    assert (two_days[AYSE].leads.flag, two_days[MEHMET].leads.flag) == (None, None)
    assert (two_days[AYSE].name, two_days[MEHMET].name) == ("Ayşe", "Mehmet")

    # Back on Wednesday, she is owed half of Wednesday's leads and gets them: no more.
    wednesday_only = await audit(app, "2026-11-25..2026-11-25")
    assert leads_of(wednesday_only[AYSE]) == (10, 5.0, 5, 5)
    assert leads_of(wednesday_only[MEHMET]) == (10, 5.0, 5, 5)
    whole: FairnessAudit = await app.run(fairness_audit, manager_id=SELIN,
                                         period="2026-11-23..2026-11-25")
    assert [(r.name, r.leads.fair, r.leads.received) for r in whole.agents] == [
        ("Mehmet", 20.0, 20), ("Ayşe", 10.0, 10)]
    assert (whole.decisions, whole.since) == (30, MONDAY + TEN_MINUTES)


async def test_weights_two_to_one_owe_two_thirds_and_one_third(
    relay: MakeRelay, clock: ManualClock,
) -> None:
    agents = [{**TWO[0], "weight": 2}, TWO[1], TWO[2]]
    app = await relay(office(agents=agents, routing={"rules": [
        {"name": "default", "strategy": "weighted"}]}), (AYSE, MEHMET, SELIN))
    leads = Leads(app, clock)
    taken = [await leads.taken() for _ in range(9)]
    assert (taken.count(AYSE), taken.count(MEHMET)) == (6, 3)
    found = await audit(app, "today")
    assert leads_of(found[AYSE]) == (9, 6.0, 6, 6)
    assert leads_of(found[MEHMET]) == (9, 3.0, 3, 3)


async def test_hot_leads_are_audited_apart_and_a_small_share_is_not_judged(
    relay: MakeRelay, clock: ManualClock,
) -> None:
    app = await relay(office(agents=TWO), (AYSE, MEHMET, SELIN))
    leads = Leads(app, clock)
    # The rotation alternates Ayşe, Mehmet…; hot leads at the 1st, 3rd, 5th and 8th.
    heat = [True, False, True, False, True, False, False, True, False, False]
    taken = [await leads.taken(hot=hot) for hot in heat]
    assert taken == [AYSE, MEHMET] * 5
    async with app.uow() as uow:
        stored = [await uow.leads.get(lead_id) for lead_id in leads.ids]
    assert [lead is not None and lead.temperature is Temperature.HOT
            for lead in stored] == heat
    found = await audit(app, "today")
    ayse, mehmet = found[AYSE], found[MEHMET]
    assert leads_of(ayse) == leads_of(mehmet) == (10, 5.0, 5, 5)
    assert (ayse.hot.decisions, ayse.hot.fair, ayse.hot.offered, ayse.hot.received) == (
        4, 2.0, 3, 3)
    assert (mehmet.hot.fair, mehmet.hot.received) == (2.0, 1)
    # Hot: +50 % and −50 %, but 2 leads owed are too few to judge.
    assert (ayse.hot.deviation, mehmet.hot.deviation) == (0.5, -0.5)
    assert (ayse.hot.judged, ayse.hot.flag, mehmet.hot.flag) == (False, None, None)


async def test_an_agent_who_declines_everything_is_flagged_with_declines_as_the_cause(
    relay: MakeRelay, clock: ManualClock,
) -> None:
    app = await relay(office(), (AYSE, MEHMET, ZEYNEP, CAN, SELIN))
    leads = Leads(app, clock)
    taken = [await leads.taken(declining=(ZEYNEP,)) for _ in range(15)]
    # Ayşe, Mehmet, then each of Zeynep's turns passes to Ayşe, then Mehmet's comes…
    assert taken == [AYSE, MEHMET] * 7 + [AYSE]
    found = await audit(app, "today")
    zeynep, ayse, mehmet = found[ZEYNEP], found[AYSE], found[MEHMET]
    # Each of the three was eligible for all 15 first decisions: 5 leads owed apiece. Can is
    # away (skipped, owed nothing), the manager is in no pool, and the re-offers after a
    # decline are no decisions of their own.
    assert leads_of(zeynep) == (15, 5.0, 7, 0)
    assert (zeynep.leads.declined, zeynep.leads.lapsed, zeynep.leads.pending) == (7, 0, 0)
    assert (zeynep.leads.deviation, zeynep.leads.flag, zeynep.leads.cause) == (
        -1.0, "under", "declines")
    assert leads_of(ayse) == (15, 5.0, 1, 8)
    assert (ayse.leads.passed_on, ayse.leads.flag, ayse.leads.cause) == (
        7, "over", "others_declined")
    assert leads_of(mehmet) == (15, 5.0, 7, 7)
    assert (mehmet.leads.passed_on, mehmet.leads.flag, mehmet.leads.cause) == (
        0, "over", "others_declined")
    assert found[CAN].leads.skips == (("away", 15),)
    assert leads_of(found[CAN]) == (0, 0.0, 0, 0)
    assert SELIN not in found
    assert sum(row.leads.fair for row in found.values()) == 15


async def test_only_a_manager_sees_the_audit_of_a_period_they_can_name(
    relay: MakeRelay, clock: ManualClock,
) -> None:
    app = await relay(office(agents=TWO), (AYSE, MEHMET, SELIN))
    with pytest.raises(NotAManager):
        await app.run(fairness_audit, manager_id=AYSE, period="7d")
    with pytest.raises(InvalidInput):
        await app.run(fairness_audit, manager_id=SELIN, period="fortnight")
    empty: FairnessAudit = await app.run(fairness_audit, manager_id=SELIN, period=None)
    assert (empty.agents, empty.since, empty.period.name) == ((), None, "7d")


def test_the_likely_cause_follows_the_rule_of_thumb_on_the_evidence() -> None:
    owed = {"decisions": 30, "fair": 10.0}
    short = Tally(**owed, offered=10, received=4, declined=2, lapsed=1, pending=1,
                  skips=(("away", 9), ("outside_hours", 5), ("at_capacity", 3)))
    # Short by 6: declines and lapses (3) make half of it, declines the more.
    assert (short.deviation, short.flag) == (-0.6, "under")
    assert cause_of(short, []) == "declines"
    assert cause_of(replace(short, declined=1, lapsed=2), []) == "lapses"
    assert cause_of(replace(short, declined=0, lapsed=0, pending=3), []) == "pending"
    # Nothing of their own answers: what most often kept them out, away never (it lasts).
    assert cause_of(replace(short, declined=0, lapsed=0, pending=0), []) == "hours"
    assert cause_of(replace(short, declined=0, lapsed=0, pending=0, skips=()), []) == "rotation"
    over = Tally(**owed, offered=13, received=13)
    assert (over.flag, cause_of(over, [replace(short, declined=1, lapsed=1)])) == (
        "over", "others_declined")  # the others passed on 2 of the 3 extra: over half
    assert cause_of(over, [replace(short, declined=1, lapsed=0)]) == "hours"
    assert cause_of(over, [Tally(skips=(("penalty", 4),))]) == "penalty"
    assert cause_of(over, []) == "rotation"
    # Within ±20 %, or owed too few to judge: no flag and no cause.
    assert cause_of(replace(over, received=12), []) is None
    assert cause_of(Tally(decisions=8, fair=4.0, received=0, declined=4), []) is None
