"""What a lead keeps for the managers' numbers, as the use cases keep it (whether it is a
duplicate; its furthest stage, its owner's team when they took it, the rule and strategy that
routed it), what the numbers make of it, and the same filled in by migration 0020 for the
leads stored before it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from core.app import App
from core.clock import ManualClock
from core.lifecycle.answers import accept_offer
from core.lifecycle.intake import admit_lead, store_leads
from core.lifecycle.numbers import office_numbers
from core.lifecycle.working import correct_stage, record_stage, undo_last_change
from core.model import (
    Agent,
    Contact,
    Lead,
    LeadStatus,
    OfferStatus,
    Role,
    Stage,
    Temperature,
)
from core.numbers.figures import Figures, Slice
from leadrelay.bootstrap import bootstrap, sql_uow_factory
from storage.db import create_engine
from storage.migrate import upgrade
from storage.tables import agents, contacts, lead_events, leads, offers
from tests.office import AYSE, HOT, SELIN, TOKEN, linked, office_data, office_without_clocks

NOW = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)  # 09:00 in Istanbul
NORTH = {"rules": [{"name": "north", "strategy": "weighted", "pool": {"agents": ["Ayşe"]},
                    "fallback": "managers"}]}


def with_teams() -> list[dict[str, object]]:
    people = office_data()["agents"]
    assert isinstance(people, list)
    return [{**person, "team": "Kuzey" if person["telegram_id"] == AYSE else "Güney"}
            for person in people]


async def taken_by_ayse(relay: App, clock: ManualClock, phone: str) -> int:
    """A lead posted a minute from now and accepted by Ayşe, the rule's only agent."""
    clock.advance(timedelta(minutes=1))
    lead_id = (await relay.receive_lead(source_token=TOKEN,
                                        payload={**HOT, "phone": phone})).lead_id
    async with relay.uow().reading() as uow:
        [offer] = [o for o in await uow.offers.for_lead(lead_id)
                   if o.status is OfferStatus.PENDING]
    await relay.run(accept_offer, agent_id=AYSE, offer_id=offer.id, token=offer.token)
    return lead_id


async def move_ayse_to(relay: App, team: str) -> None:
    async with relay.uow() as uow:
        ayse = await uow.agents.get(AYSE)
        assert ayse is not None
        ayse.profile = ayse.profile.model_copy(update={"team": team})
        await uow.agents.save(ayse)
        await uow.commit()


async def test_a_lead_keeps_its_furthest_stage_its_takers_team_and_its_first_rule(
    engine: AsyncEngine,
) -> None:
    clock = ManualClock(NOW)
    relay = await linked(bootstrap(
        config=office_without_clocks(agents=with_teams(), routing=NORTH), clock=clock,
        uow_factory=sql_uow_factory(engine)))
    lost = await taken_by_ayse(relay, clock, "+905320000001")
    for stage in (Stage.APPOINTMENT, Stage.LOST):
        await relay.run(record_stage, agent_id=AYSE, lead_id=lost, stage=stage, reason="price")
    await move_ayse_to(relay, "Güney")
    undone = await taken_by_ayse(relay, clock, "+905320000002")
    await relay.run(record_stage, agent_id=AYSE, lead_id=undone, stage=Stage.OFFER)
    await relay.run(undo_last_change, agent_id=AYSE, lead_id=undone)
    corrected = await taken_by_ayse(relay, clock, "+905320000003")
    await relay.run(record_stage, agent_id=AYSE, lead_id=corrected, stage=Stage.WON,
                    amount=2_000_000)
    await relay.run(correct_stage, manager_id=SELIN, lead_id=corrected,
                    stage=Stage.CONTACTED, reason="not signed yet")
    async with relay.uow().reading() as uow:
        kept = {i: (lead.furthest_stage, lead.team, lead.rule, lead.strategy)
                for i in (lost, undone, corrected) if (lead := await uow.leads.get(i))}
    assert kept == {lost: (Stage.APPOINTMENT, "Kuzey", "north", "weighted"),
                    undone: (Stage.NEW, "Güney", "north", "weighted"),
                    corrected: (Stage.CONTACTED, "Güney", "north", "weighted")}


async def test_the_numbers_count_each_lead_at_its_furthest_stage_for_the_team_that_took_it(
    engine: AsyncEngine,
) -> None:
    clock = ManualClock(NOW)
    relay = await linked(bootstrap(
        config=office_without_clocks(agents=with_teams(), routing=NORTH), clock=clock,
        uow_factory=sql_uow_factory(engine)))
    lost = await taken_by_ayse(relay, clock, "+905320000001")
    for stage in (Stage.APPOINTMENT, Stage.LOST):
        await relay.run(record_stage, agent_id=AYSE, lead_id=lost, stage=stage, reason="price")
    await move_ayse_to(relay, "Güney")  # her leads from now on count for Güney
    undone = await taken_by_ayse(relay, clock, "+905320000002")
    await relay.run(record_stage, agent_id=AYSE, lead_id=undone, stage=Stage.OFFER)
    await relay.run(undo_last_change, agent_id=AYSE, lead_id=undone)
    corrected = await taken_by_ayse(relay, clock, "+905320000003")
    await relay.run(record_stage, agent_id=AYSE, lead_id=corrected, stage=Stage.WON,
                    amount=2_000_000)
    await relay.run(correct_stage, manager_id=SELIN, lead_id=corrected,
                    stage=Stage.APPOINTMENT, reason="not signed yet")
    won = await taken_by_ayse(relay, clock, "+905320000004")
    await relay.run(record_stage, agent_id=AYSE, lead_id=won, stage=Stage.WON,
                    amount=1_000_000)

    clock.advance(timedelta(minutes=1))  # a period running to now ends before it
    by_team = await relay.run(office_numbers, manager_id=SELIN, period="today", by=Slice.TEAM)
    assert [(row.key, row.figures.leads) for row in by_team.rows] == [("Güney", 3),
                                                                       ("Kuzey", 1)]
    office = by_team.office
    # Lost after an appointment; an offer undone; a won corrected back to the appointment.
    assert (office.leads, office.accepted, office.contacted, office.appointment,
            office.offer, office.won, office.lost) == (4, 4, 3, 3, 1, 1, 1)
    assert (office.won_in_period, office.revenue) == (1, 1_000_000)
    by_rule = await relay.run(office_numbers, manager_id=SELIN, period="today", by=Slice.RULE)
    assert [(row.key, row.figures.leads) for row in by_rule.rows] == [("north", 4)]
    by_strategy = await relay.run(office_numbers, manager_id=SELIN, period="today",
                                  by=Slice.STRATEGY)
    assert [row.key for row in by_strategy.rows] == ["weighted"]


async def test_a_post_while_the_contacts_lead_is_open_is_a_duplicate_counted_nowhere(
    engine: AsyncEngine,
) -> None:
    clock = ManualClock(NOW)
    relay = await linked(bootstrap(
        config=office_without_clocks(agents=with_teams(), routing=NORTH), clock=clock,
        uow_factory=sql_uow_factory(engine)))
    first = await taken_by_ayse(relay, clock, str(HOT["phone"]))
    await relay.run(record_stage, agent_id=AYSE, lead_id=first, stage=Stage.LOST,
                    reason="price")
    clock.advance(timedelta(minutes=1))
    later = (await relay.receive_lead(source_token=TOKEN, payload=HOT)).lead_id
    again = (await relay.receive_lead(source_token=TOKEN, payload=HOT)).lead_id  # later's open
    twice = [admit_lead(relay.deps, source_token=TOKEN,
                        payload={**HOT, "phone": "+905320000009"}) for _ in range(2)]
    in_one_batch = [r.lead_id for r in await relay.run(store_leads, twice)]
    async with relay.uow().reading() as uow:
        kept = {i: (lead.returning, lead.duplicate) for i in (first, again, later, *in_one_batch)
                if (lead := await uow.leads.get(i)) is not None}
    assert kept == {first: (False, False), later: (True, False), again: (True, True),
                    in_one_batch[0]: (False, False), in_one_batch[1]: (True, True)}
    clock.advance(timedelta(minutes=1))
    office = (await relay.run(office_numbers, manager_id=SELIN, period="today",
                              by=None)).office
    assert office.leads == 3  # the first, the one after it was lost, the batch's first


async def test_the_p90_is_the_value_at_the_nearest_rank(engine: AsyncEngine) -> None:
    relay = bootstrap(config=office_without_clocks(), clock=ManualClock(NOW),
                      uow_factory=sql_uow_factory(engine))
    async with relay.uow() as uow:
        await uow.agents.save(Agent(SELIN, "Selin", role=Role.MANAGER))
        people = [Contact(f"+9053200000{n:02d}", None, None, NOW) for n in range(12)]
        await uow.contacts.add_all(people)
        arrived = NOW - timedelta(hours=2)
        await uow.leads.add_all([Lead(
            contact_id=person.id, source="website", received_at=arrived, score=50,
            temperature=Temperature.HOT, owner_id=AYSE, status=LeadStatus.OWNED,
            accepted_at=arrived, contacted_at=arrived + timedelta(minutes=minutes))
            for minutes, person in zip(range(1, 13), people, strict=True)])
        await uow.commit()
    office = (await relay.run(office_numbers, manager_id=SELIN, period="today",
                              by=None)).office
    # 1..12 minutes: rank ⌈0.9 × 12⌉ = 11 (linear interpolation would say 10.9 minutes).
    assert (office.to_contact_median_s, office.to_contact_p90_s) == (390.0, 660.0)


@pytest.fixture
async def at_0019(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    await upgrade(engine, "0019")
    yield engine
    await engine.dispose()


T = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def stage_event(number: int, lead_id: int, to: str, *, was: str = "new",
                kind: str = "stage", **data: object) -> dict[str, object]:
    return {"id": number, "lead_id": lead_id, "at": T + timedelta(minutes=number),
            "kind": kind, "agent_id": AYSE, "data": {"from": was, "to": to, **data}}


async def test_migration_0020_fills_in_the_leads_stored_before(at_0019: AsyncEngine) -> None:
    def row(lead_id: int, stage: str, owner: int | None = AYSE, *, contact: int = 1,
            **values: object) -> dict[str, object]:
        return {"id": lead_id, "contact_id": contact, "source": "website", "received_at": T,
                "score": 50, "temperature": "hot", "missing": [], "returning_contact": False,
                "status": "owned" if owner else "with_managers", "stage": stage,
                "owner_id": owner, "version": 1, "contacted_at": None, "closed_at": None,
                **values}
    async with at_0019.begin() as conn:
        await conn.execute(insert(agents), [
            {"telegram_id": AYSE, "name": "Ayşe", "role": "agent", "active": True,
             "away": False, "position": 0, "profile": {"team": "Kuzey"}}])
        await conn.execute(insert(contacts), [{"id": n, "created_at": T} for n in (1, 2)])
        await conn.execute(insert(leads), [  # only the columns leads had at 0019
            row(1, "lost", contacted_at=T + timedelta(seconds=90, microseconds=123456)),
            row(2, "appointment"), row(3, "contacted"), row(4, "contacted"),
            row(5, "new", owner=None),
            # The contact's leads 1 to 5 are owned or with the managers: 6 is a duplicate.
            row(6, "won", returning_contact=True),
            # Contact 2's first lead was lost an hour before the second came: no duplicate.
            row(7, "lost", contact=2, received_at=T - timedelta(hours=2), status="closed",
                closed_at=T - timedelta(hours=1)),
            row(8, "new", contact=2, returning_contact=True)])
        await conn.execute(insert(lead_events), [
            # 1: appointment, then lost: it reached the appointment.
            stage_event(1, 1, "contacted"), stage_event(2, 1, "appointment", was="contacted"),
            stage_event(3, 1, "lost", was="appointment"),
            # 2: an offer taken back by Undo.
            stage_event(4, 2, "appointment"), stage_event(5, 2, "offer", was="appointment"),
            stage_event(6, 2, "appointment", kind="undo", event_id=5, was="offer"),
            # 3: won by mistake, corrected back by a manager.
            stage_event(7, 3, "won"), stage_event(8, 3, "contacted", kind="correction",
                                                  was="won"),
            # 4: reached by a try (no stage event), then nothing.
            {"id": 9, "lead_id": 4, "at": T, "kind": "attempt", "agent_id": AYSE,
             "data": {"reached": True, "number": 1, "first_contact": True}},
            {"id": 10, "lead_id": 5, "at": T, "kind": "routed", "agent_id": None,
             "data": {"rule": "cold", "strategy": "round_robin", "outcome": "managers"}},
            {"id": 11, "lead_id": 5, "at": T, "kind": "routed", "agent_id": None,
             "data": {"rule": "sla", "strategy": "", "outcome": "managers"}},
        ])
        await conn.execute(insert(offers), [
            {"lead_id": 1, "agent_id": AYSE, "token": "t", "status": "accepted",
             # Made at .9997 s: its whole seconds are cut, not rounded up to the next.
             "created_at": T + timedelta(microseconds=999_700), "deadline": T,
             "sequence": 1, "kind": "offer",
             "decided_at": T + timedelta(seconds=43, microseconds=499_700),
             "trace": {"rule": "hot", "strategy": "weighted"}}])
    await upgrade(at_0019)
    async with at_0019.connect() as conn:
        kept = {r.id: (r.furthest_stage, r.team, r.rule, r.strategy, r.duplicate,
                       r.to_contact_us) for r in await conn.execute(select(leads))}
        answered = (await conn.execute(select(offers.c.answered_after_us))).scalar_one()
    assert kept == {
        1: ("appointment", "Kuzey", "hot", "weighted", False, 90_123_456),
        2: ("appointment", "Kuzey", None, None, False, None),
        3: ("contacted", "Kuzey", None, None, False, None),
        4: ("contacted", "Kuzey", None, None, False, None),
        5: ("new", None, "cold", "round_robin", False, None),
        6: ("won", "Kuzey", None, None, True, None),
        7: ("new", "Kuzey", None, None, False, None),  # lost, no stage on record
        8: ("new", "Kuzey", None, None, False, None),
    }
    assert answered == 42_500_000


def test_a_lead_with_nothing_counted_has_no_rates() -> None:
    assert Figures().rate("won") is None
    assert Figures().roi is None
