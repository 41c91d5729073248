"""`/stats` after Accept: first-contact SLA, leads reclaimed by reason and nurtured, added up
by the database as in memory (by hand on both, and on random leads and events)."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from core.app import Signals
from core.model import RECLAIM_REASONS, LeadEvent, LeadStatus, Stage
from core.ports import UnitOfWork
from core.stats import Figures, Stats, summarise, tally
from sandbox import parse_html
from storage.uow import SqlUnitOfWork
from tests.fakes import FakeDatabase, FakeUnitOfWork
from tests.test_numbers import renderer
from tests.test_stats_aggregates import (
    ADA,
    BORA,
    END,
    START,
    Made,
    in_memory,
    lead,
    random_office,
    store,
)

NOW = START + timedelta(hours=10)


async def store_events(uow_factory: Callable[[], UnitOfWork], made: Sequence[Made],
                       events: Sequence[tuple[int, LeadEvent]]) -> None:
    """Store each event on the lead at its index in *made* (stored already)."""
    async with uow_factory() as uow:
        for index, event in events:
            event.lead_id = made[index].lead.id
        await uow.events.add_all([event for _, event in events])
        await uow.commit()


def due(received: datetime, *, within: timedelta, contact: timedelta | None,
        owner: int = ADA) -> Made:
    """A lead taken at once, its first contact due *within* of arrival, made after *contact*."""
    new = lead(received, owner=owner, to_owner=timedelta(seconds=10), to_contact=contact)
    new.contact_due_at = received + within
    return Made(new, [])


def by_hand() -> tuple[list[Made], list[tuple[int, LeadEvent]]]:
    t, hour = START + timedelta(hours=1), timedelta(hours=1)
    made = [
        due(t, within=hour, contact=timedelta(minutes=5)),  # met
        due(t, within=hour, contact=hour),  # met at the deadline itself
        due(t, within=hour, contact=hour + timedelta(microseconds=1)),  # late: a miss
        due(t, within=hour, contact=None, owner=BORA),  # passed, nobody called: a miss
        due(NOW - timedelta(minutes=30), within=hour, contact=None),  # not yet due
        due(NOW - timedelta(minutes=30), within=hour, contact=timedelta(minutes=1)),  # met early
        Made(lead(t, owner=ADA, to_owner=timedelta(seconds=5)), []),  # no deadline
        Made(lead(t, status=LeadStatus.OFFERED), []),
    ]
    entered = due(t, within=hour, contact=None)  # its owner's own: not a lead they were given
    entered.lead.source = "manual"
    before = due(START - timedelta(minutes=1), within=hour, contact=None)  # another period
    made += [entered, before]

    def reclaimed(at: datetime, reason: str, owner: int = ADA) -> LeadEvent:
        return LeadEvent(0, at, "reclaimed", owner, {"reason": reason})

    def stage(at: datetime, to: Stage, was: Stage = Stage.CONTACTED) -> LeadEvent:
        return LeadEvent(0, at, "stage", ADA, {"from": was.value, "to": to.value})

    events = [
        (3, reclaimed(t + hour, "first_contact", BORA)),
        (2, reclaimed(t + 2 * hour, "no_progress")),
        (1, reclaimed(t + 3 * hour, "no_progress")),
        (9, reclaimed(START - timedelta(microseconds=1), "too_long")),  # before the period
        (0, reclaimed(END, "no_contact")),  # after it
        (0, stage(t, Stage.NURTURE)),
        (0, stage(t + hour, Stage.CONTACTED, was=Stage.NURTURE)),
        (0, stage(t + 2 * hour, Stage.NURTURE)),  # the same lead again: one lead nurtured
        (1, stage(START, Stage.NURTURE)),
        (2, stage(t, Stage.LOST)),
        (9, stage(START - timedelta(seconds=1), Stage.NURTURE)),  # before the period
        (2, LeadEvent(0, t, "attempt", ADA, {"to": "nurture"})),  # not a stage change
    ]
    return made, events


async def check_by_hand(uow_factory: Callable[[], UnitOfWork]) -> None:
    made, events = by_hand()
    await store(uow_factory, made)
    await store_events(uow_factory, made, events)
    async with uow_factory() as uow:
        stats = summarise(await uow.leads.period_tally(START, END, now=NOW),
                          await uow.agents.list(), start=START, end=NOW)
        every_deadline = await uow.leads.period_tally(START, END)
    assert (stats.contact_due, stats.contacted_in_time) == (5, 3)
    assert stats.first_contact_sla_pct == 60
    assert stats.reclaimed == Counter(first_contact=1, no_progress=2)
    assert stats.nurtured == 2
    assert (every_deadline.contact_due, every_deadline.contacted_in_time) == (6, 3)


async def test_first_contact_sla_reclaims_and_nurture_come_out_of_the_database(
    engine: AsyncEngine,
) -> None:
    await check_by_hand(lambda: SqlUnitOfWork(engine))


async def test_first_contact_sla_reclaims_and_nurture_come_out_of_the_fakes() -> None:
    db = FakeDatabase()
    await check_by_hand(lambda: FakeUnitOfWork(db, Signals()))


async def test_no_deadline_and_no_events_is_no_share(engine: AsyncEngine) -> None:
    async with SqlUnitOfWork(engine) as uow:
        stats = summarise(await uow.leads.period_tally(START, END, now=NOW), [],
                          start=START, end=NOW)
    assert (stats.contact_due, stats.first_contact_sla_pct, stats.nurtured) == (0, None, 0)
    assert stats.reclaimed == Counter()


def random_events(rng: random.Random, made: Sequence[Made]) -> list[tuple[int, LeadEvent]]:
    """Reclaims and stage changes around the period, some exactly at its edges."""
    moments = [START, END, END - timedelta(microseconds=1), START - timedelta(microseconds=1)]
    events: list[tuple[int, LeadEvent]] = []
    for n in range(200):
        at = moments[n] if n < len(moments) else START + timedelta(
            microseconds=rng.randrange(-3 * 86400 * 10**6, 33 * 86400 * 10**6))
        index = rng.randrange(len(made))
        if rng.random() < 0.5:
            events.append((index, LeadEvent(0, at, "reclaimed", ADA,
                                            {"reason": rng.choice(RECLAIM_REASONS)})))
        else:
            to, was = rng.sample([Stage.NURTURE, Stage.CONTACTED, Stage.LOST], 2)
            events.append((index, LeadEvent(0, at, "stage", BORA,
                                            {"from": was.value, "to": to.value})))
    return events


@pytest.mark.parametrize("seed", [3, 4])
async def test_sql_after_accept_figures_equal_the_in_memory_ones_on_random_leads(
    engine: AsyncEngine, seed: int
) -> None:
    rng = random.Random(seed)
    made = random_office(seed, 300)
    for m in made:
        if m.lead.accepted_at is not None and rng.random() < 0.8:
            m.lead.contact_due_at = m.lead.accepted_at + rng.choice([
                timedelta(minutes=5), timedelta(hours=1),
                timedelta(microseconds=rng.randrange(1, 86400 * 10**6))])
    events = random_events(rng, made)
    await store(lambda: SqlUnitOfWork(engine), made)
    await store_events(lambda: SqlUnitOfWork(engine), made, events)
    leads, offers = in_memory(made)
    of_period = [e for _, e in events if START <= e.at < END]
    now = START + timedelta(days=15)
    async with SqlUnitOfWork(engine) as uow:
        figures = await uow.leads.period_tally(START, END, now=now)
        every_deadline = await uow.leads.period_tally(START, END)
    assert figures == tally(leads, offers, of_period, now=now)
    assert every_deadline == tally(leads, offers, of_period)
    assert 0 < figures.contacted_in_time < figures.contact_due < every_deadline.contact_due
    assert set(figures.reclaimed) == set(RECLAIM_REASONS)
    assert figures.nurtured > 0


@pytest.mark.parametrize(("lang", "line"), [
    ("en", "First contact within SLA: 75% (3/4) · reclaimed: 1,203 (first contact late 2, "
           "open too long 1,200, other 1) · nurtured: 7"),
    ("tr", "Zamanında ilk temas: %75 (3/4) · geri alınan: 1.203 (ilk temas gecikmesi 2, "
           "çok uzun süre açık 1.200, diğer 1) · takibe alınan: 7"),
])
def test_stats_show_the_first_contact_sla_the_reclaims_by_reason_and_nurture(
    lang: str, line: str,
) -> None:
    stats = Stats(start=START, end=NOW, leads_in=4, leads_offered=4, leads_escalated=0,
                  median_to_owner_s=None, office=Figures(), per_agent=[], contact_due=4,
                  contacted_in_time=3, reclaimed=Counter(first_contact=2, too_long=1_200,
                                                         odd=1), nurtured=7)
    text = parse_html(renderer().stats(lang, "7d", stats))[0]
    assert line in text


def test_stats_say_none_when_no_deadline_was_due() -> None:
    stats = Stats(start=START, end=NOW, leads_in=0, leads_offered=0, leads_escalated=0,
                  median_to_owner_s=None, office=Figures(), per_agent=[])
    text = parse_html(renderer().stats("en", "today", stats))[0]
    assert "First contact within SLA: n/a (0/0) · reclaimed: 0 · nurtured: 0" in text
