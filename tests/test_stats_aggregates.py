"""`/stats` figures added up by the database equal the in-memory reference, on both backends."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from core.app import Signals
from core.model import (
    Agent,
    Contact,
    DeclineReason,
    Lead,
    LeadStatus,
    Offer,
    OfferStatus,
    Stage,
    Temperature,
)
from core.ports import UnitOfWork
from core.stats import compute_stats, summarise, tally
from storage.uow import SqlUnitOfWork
from tests.fakes import FakeDatabase, FakeUnitOfWork

START = datetime(2026, 11, 1, 0, 0, tzinfo=UTC)
END = START + timedelta(days=30)
ADA, BORA, CEM = 101, 102, 103
STRANGER = 999  # an agent id no longer on the roster: counted for the office only
ROSTER = [Agent(ADA, "Ada", position=0), Agent(BORA, "Bora", position=1),
          Agent(CEM, "Cem", position=2)]


@dataclass
class Made:
    """A lead to store and the offers made for it, each with its decision if any."""

    lead: Lead
    offers: list[Offer]


async def store(uow_factory: Callable[[], UnitOfWork], made: list[Made]) -> None:
    """Store the roster, the leads and their offers through the repositories, as the bot does:
    an offer is stored pending, then decided."""
    async with uow_factory() as uow:
        for agent in ROSTER:
            await uow.agents.save(agent)
        contact = Contact("+905550000000", None, "Deniz", START)
        await uow.contacts.add_all([contact])
        for m in made:
            m.lead.contact_id = contact.id
        await uow.leads.add_all([m.lead for m in made])
        decided: list[Offer] = []
        for m in made:
            for offer in m.offers:
                offer.lead_id = m.lead.id
                if offer.decided_at is not None:
                    decided.append(offer)
        wanted = {id(o): o.status for o in decided}
        for offer in decided:
            offer.status = OfferStatus.PENDING
        await uow.offers.add_all([o for m in made for o in m.offers])
        for offer in decided:
            assert offer.decided_at is not None
            offer.status = wanted[id(offer)]
            assert await uow.offers.decide(offer.id, status=offer.status, at=offer.decided_at,
                                           reason=offer.decline_reason)
        await uow.commit()


def lead(received_at: datetime, *, owner: int | None = None, stage: Stage = Stage.NEW,
         to_owner: timedelta | None = None, escalated: bool = False,
         status: LeadStatus = LeadStatus.OWNED, to_contact: timedelta | None = None) -> Lead:
    return Lead(contact_id=0, source="website", received_at=received_at, score=80,
                temperature=Temperature.HOT, owner_id=owner, stage=stage, status=status,
                accepted_at=received_at + to_owner if to_owner is not None else None,
                escalated_at=received_at + timedelta(minutes=5) if escalated else None,
                contacted_at=received_at + to_contact if to_contact is not None else None)


def offer(agent_id: int, created_at: datetime, status: OfferStatus,
          after: timedelta | None, *, window: timedelta = timedelta(minutes=5),
          kind: str = "offer", reason: DeclineReason | None = None) -> Offer:
    return Offer(lead_id=0, agent_id=agent_id, token="t", created_at=created_at,
                 deadline=created_at + window, sequence=1, status=status,
                 decided_at=created_at + after if after is not None else None,
                 kind=kind, decline_reason=reason)


# A lead waits in NEW for milliseconds before routing; the figures never see one.
ROUTED = [status for status in LeadStatus if status is not LeadStatus.NEW]


# The stages the seeds below were chosen for (each seed's draws must give medians of odd and
# even counts); a stage added since is counted like these, by its name.
DRAWN_STAGES = (Stage.NEW, Stage.CONTACTED, Stage.APPOINTMENT, Stage.OFFER, Stage.WON,
                Stage.LOST)


def random_office(seed: int, count: int) -> list[Made]:
    """Leads before, inside and after the period, with owners, stages and offers of every
    kind and status (pool claims won, lost and run out, declines by the agent and by the
    system); times to the microsecond, with ties and decisions exactly at the deadline."""
    rng = random.Random(seed)
    agents = [ADA, BORA, CEM, STRANGER]
    made: list[Made] = []
    arrivals = [START, END - timedelta(microseconds=1), END, START - timedelta(microseconds=1)]
    arrivals += [START + timedelta(microseconds=rng.randrange(-3 * 86400 * 10**6,
                                                            33 * 86400 * 10**6))
                 for _ in range(count - len(arrivals))]
    for received in arrivals:
        new = lead(received, owner=rng.choice([None, None, *agents]),
                   stage=rng.choice(DRAWN_STAGES), status=rng.choice(ROUTED),
                   to_owner=rng.choice([None, timedelta(seconds=30), timedelta(
                       microseconds=rng.randrange(1, 3600 * 10**6))]),
                   escalated=rng.random() < 0.2)
        if new.accepted_at is not None and new.stage is not Stage.NEW:
            # Reached after it was taken; derived, not drawn, so each seed draws as before.
            new.contacted_at = new.received_at + 3 * (new.accepted_at - new.received_at)
        offers = []
        for n in range(rng.randrange(0, 4)):
            created = received + timedelta(seconds=n * 300, microseconds=rng.randrange(10**6))
            window = rng.choice([timedelta(minutes=5), timedelta(minutes=30)])
            status = rng.choice(list(OfferStatus))
            after = None if status is OfferStatus.PENDING or rng.random() < 0.1 else rng.choice([
                window, timedelta(seconds=30), timedelta(microseconds=rng.randrange(
                    1, 2 * window // timedelta(microseconds=1)))])
            reason = None
            if after is not None and status is OfferStatus.DECLINED:
                reason = rng.choice(list(DeclineReason))
            elif after is not None and status is OfferStatus.WITHDRAWN:
                reason = rng.choice([None, DeclineReason.UNREACHABLE])  # lost, or post failed
            offers.append(offer(rng.choice(agents), created, status, after, window=window,
                                kind=rng.choice(["offer", "offer", "claim"]), reason=reason))
        made.append(Made(new, offers))
    return made


def in_memory(made: list[Made]) -> tuple[list[Lead], list[Offer]]:
    """The period's leads and their offers, as compute_stats was given them before."""
    leads = [m.lead for m in made if START <= m.lead.received_at < END]
    return leads, [o for m in made if START <= m.lead.received_at < END for o in m.offers]


@pytest.mark.parametrize("seed", [3, 4, 5])  # each has odd and even accept counts
async def test_sql_figures_equal_the_in_memory_ones_on_random_leads(
    engine: AsyncEngine, seed: int
) -> None:
    made = random_office(seed, 300)
    await store(lambda: SqlUnitOfWork(engine), made)
    leads, offers = in_memory(made)
    accepts = Counter(o.agent_id for o in offers
                      if o.status is OfferStatus.ACCEPTED and o.decided_at is not None)
    assert {n % 2 for n in accepts.values()} == {0, 1}, "medians of odd and even counts"
    kinds = {(o.kind, o.status, o.decline_reason) for o in offers if o.decided_at is not None}
    assert {("claim", OfferStatus.EXPIRED, None), ("claim", OfferStatus.ACCEPTED, None),
            ("claim", OfferStatus.WITHDRAWN, None),
            ("claim", OfferStatus.WITHDRAWN, DeclineReason.UNREACHABLE),
            ("offer", OfferStatus.DECLINED, DeclineReason.UNREACHABLE),
            ("offer", OfferStatus.DECLINED, DeclineReason.BUSY)} <= kinds, "every case left out"
    async with SqlUnitOfWork(engine) as uow:
        figures = await uow.leads.period_tally(START, END)
        roster = await uow.agents.list()
    assert figures == tally(leads, offers)
    assert 0 < figures.contacted < figures.owned, "first contacts made and missing"
    assert summarise(figures, roster, start=START, end=END) == compute_stats(
        leads, offers, ROSTER, start=START, end=END)


def counted_by_hand() -> list[Made]:
    """Four leads in the period and two outside it, small enough to count on paper."""
    t = START + timedelta(hours=1)
    five = timedelta(minutes=5)
    return [
        Made(lead(t, owner=ADA, stage=Stage.WON, to_owner=timedelta(seconds=60.5)),
             [offer(ADA, t, OfferStatus.ACCEPTED, timedelta(seconds=10.5))]),
        Made(lead(t, owner=ADA, stage=Stage.LOST, to_owner=timedelta(seconds=120.25),
                  escalated=True),
             [offer(BORA, t, OfferStatus.EXPIRED, five),
              offer(ADA, t + five, OfferStatus.ACCEPTED, timedelta(seconds=20.25))]),
        Made(lead(t, escalated=True, status=LeadStatus.WITH_MANAGERS),
             [offer(BORA, t, OfferStatus.DECLINED, five + timedelta(microseconds=1))]),
        Made(lead(t, owner=BORA, stage=Stage.CONTACTED, to_owner=timedelta(seconds=30)),
             [offer(BORA, t, OfferStatus.ACCEPTED, timedelta(microseconds=1))]),
        Made(lead(START - timedelta(microseconds=1), owner=ADA, to_owner=timedelta(seconds=1)),
             [offer(ADA, START, OfferStatus.ACCEPTED, timedelta(seconds=1000))]),
        Made(lead(END, owner=BORA), [offer(BORA, END, OfferStatus.DECLINED, None)]),
    ]


async def check_hand_counted_figures(uow_factory: Callable[[], UnitOfWork]) -> None:
    await store(uow_factory, counted_by_hand())
    async with uow_factory() as uow:
        stats = summarise(await uow.leads.period_tally(START, END), await uow.agents.list(),
                          start=START, end=END)
    assert (stats.leads_in, stats.leads_offered, stats.leads_escalated) == (4, 4, 2)
    assert stats.median_to_owner_s == 60.5
    office = stats.office
    assert (office.offered, office.accepted, office.declined, office.expired) == (5, 3, 1, 1)
    assert (office.answered, office.answered_in_time) == (4, 3)
    assert office.sla_met_pct == 60
    assert office.median_accept_s == 10.5
    assert office.stages == Counter(won=1, lost=1, new=1, contacted=1)
    [(ada, a), (bora, b)] = stats.per_agent
    assert (ada.name, a.offered, a.accepted, a.sla_met_pct) == ("Ada", 2, 2, 100)
    assert a.median_accept_s == 15.375, "the mean of the two middle values"
    assert a.stages == Counter(won=1, lost=1)
    assert (bora.name, b.offered, b.accepted, b.declined, b.expired) == ("Bora", 3, 1, 1, 1)
    assert (b.answered, b.answered_in_time, b.median_accept_s) == (2, 1, 1e-06)
    assert b.stages == Counter(contacted=1)


async def test_hand_counted_figures_come_out_of_the_database(engine: AsyncEngine) -> None:
    await check_hand_counted_figures(lambda: SqlUnitOfWork(engine))


async def test_hand_counted_figures_come_out_of_the_fakes() -> None:
    db = FakeDatabase()
    await check_hand_counted_figures(lambda: FakeUnitOfWork(db, Signals()))


def left_out_by_hand() -> list[Made]:
    """Five leads where pool rounds are lost, passed or run out, a group post fails and a
    chat refuses the bot: none of those offers counts for the agent they were made to."""
    t = START + timedelta(hours=2)
    five, claim, unreachable = timedelta(minutes=5), "claim", DeclineReason.UNREACHABLE
    return [
        Made(lead(t, owner=CEM, stage=Stage.CONTACTED, to_owner=five + timedelta(seconds=40)),
             [offer(ADA, t, OfferStatus.EXPIRED, five, kind=claim),
              offer(BORA, t, OfferStatus.EXPIRED, five, kind=claim),
              offer(CEM, t + five, OfferStatus.ACCEPTED, timedelta(seconds=40))]),
        Made(lead(t, owner=BORA, to_owner=timedelta(seconds=20)),
             [offer(BORA, t, OfferStatus.ACCEPTED, timedelta(seconds=20), kind=claim),
              offer(ADA, t, OfferStatus.WITHDRAWN, timedelta(seconds=20), kind=claim)]),
        Made(lead(t, escalated=True, status=LeadStatus.WITH_MANAGERS),
             [offer(ADA, t, OfferStatus.WITHDRAWN, timedelta(seconds=1), kind=claim,
                    reason=unreachable),
              offer(BORA, t, OfferStatus.WITHDRAWN, timedelta(seconds=1), kind=claim,
                    reason=unreachable),
              offer(CEM, t, OfferStatus.DECLINED, timedelta(seconds=60),
                    reason=DeclineReason.BUSY)]),
        Made(lead(t, escalated=True, status=LeadStatus.WITH_MANAGERS),
             [offer(ADA, t, OfferStatus.DECLINED, timedelta(seconds=2), reason=unreachable),
              offer(BORA, t, OfferStatus.EXPIRED, five)]),
        Made(lead(t, owner=BORA, to_owner=timedelta(seconds=30)),
             [offer(ADA, t, OfferStatus.DECLINED, timedelta(seconds=10), kind=claim,
                    reason=DeclineReason.BUSY),
              offer(BORA, t, OfferStatus.ACCEPTED, timedelta(seconds=30), kind=claim)]),
    ]


async def check_left_out_figures(uow_factory: Callable[[], UnitOfWork]) -> None:
    await store(uow_factory, left_out_by_hand())
    async with uow_factory() as uow:
        stats = summarise(await uow.leads.period_tally(START, END), await uow.agents.list(),
                          start=START, end=END)
    assert (stats.leads_in, stats.leads_offered, stats.leads_escalated) == (5, 5, 2)
    assert stats.median_to_owner_s == 30
    office = stats.office
    assert (office.offered, office.accepted, office.declined, office.expired) == (5, 3, 1, 1)
    assert (office.answered, office.answered_in_time, office.sla_met_pct) == (4, 4, 80)
    assert office.median_accept_s == 30
    assert office.stages == Counter(new=4, contacted=1)
    [(bora, b), (cem, c)] = stats.per_agent
    assert bora.name == "Bora", "Ada only lost, passed or never saw her offers: not listed"
    assert (b.offered, b.accepted, b.declined, b.expired) == (3, 2, 0, 1)
    assert (b.answered, b.answered_in_time, b.median_accept_s) == (2, 2, 25)
    assert b.stages == Counter(new=2)
    assert (cem.name, c.offered, c.accepted, c.declined, c.expired) == ("Cem", 2, 1, 1, 0)
    assert (c.answered, c.answered_in_time, c.sla_met_pct, c.median_accept_s) == (2, 2, 100, 40)
    assert c.stages == Counter(contacted=1)


async def test_lost_and_unclaimed_claims_and_system_declines_count_for_nobody_in_sql(
    engine: AsyncEngine,
) -> None:
    await check_left_out_figures(lambda: SqlUnitOfWork(engine))


async def test_lost_and_unclaimed_claims_and_system_declines_count_for_nobody_in_memory(
) -> None:
    db = FakeDatabase()
    await check_left_out_figures(lambda: FakeUnitOfWork(db, Signals()))


async def test_an_empty_period_has_no_medians(engine: AsyncEngine) -> None:
    async with SqlUnitOfWork(engine) as uow:
        figures = await uow.leads.period_tally(START, END)
    assert figures == tally([], [])
    assert (figures.leads_in, figures.median_to_owner_s, figures.office.median_accept_s,
            figures.by_agent) == (0, None, None, {})


async def check_own_entries_left_out(uow_factory: Callable[[], UnitOfWork]) -> None:
    entered = lead(START, owner=ADA, to_owner=timedelta(0))
    entered.source = "manual"
    await store(uow_factory, [Made(lead(START, owner=ADA, to_owner=timedelta(seconds=60)), []),
                              Made(entered, [])])
    async with uow_factory() as uow:
        figures = await uow.leads.period_tally(START, END)
    assert (figures.leads_in, figures.median_to_owner_s) == (2, 60)


async def test_a_lead_its_owner_entered_is_no_time_to_owner_in_sql(engine: AsyncEngine) -> None:
    await check_own_entries_left_out(lambda: SqlUnitOfWork(engine))


async def test_a_lead_its_owner_entered_is_no_time_to_owner_in_memory() -> None:
    db = FakeDatabase()
    await check_own_entries_left_out(lambda: FakeUnitOfWork(db, Signals()))


async def check_first_contact(uow_factory: Callable[[], UnitOfWork]) -> None:
    entered = lead(START, owner=ADA, to_owner=timedelta(0), to_contact=timedelta(seconds=5))
    entered.source = "manual"  # its owner's own: no wait to count
    await store(uow_factory, [
        Made(lead(START, owner=ADA, to_owner=timedelta(seconds=30),
                  to_contact=timedelta(seconds=120)), []),
        Made(lead(START, owner=BORA, to_owner=timedelta(seconds=60),
                  to_contact=timedelta(seconds=600)), []),
        Made(lead(START, owner=BORA, to_owner=timedelta(seconds=90)), []),  # not reached yet
        Made(lead(START, status=LeadStatus.OFFERED), []),  # nobody took it
        Made(entered, [])])
    async with uow_factory() as uow:
        stats = summarise(await uow.leads.period_tally(START, END), await uow.agents.list(),
                          start=START, end=END)
    assert (stats.owned, stats.contacted, stats.median_to_contact_s) == (3, 2, 360)
    assert stats.contact_rate_pct == pytest.approx(200 / 3)


async def test_speed_to_lead_and_the_contact_rate_come_out_of_the_database(
    engine: AsyncEngine,
) -> None:
    await check_first_contact(lambda: SqlUnitOfWork(engine))


async def test_speed_to_lead_and_the_contact_rate_come_out_of_the_fakes() -> None:
    db = FakeDatabase()
    await check_first_contact(lambda: FakeUnitOfWork(db, Signals()))
