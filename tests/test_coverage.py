"""Capacity and coverage, and automation health, as the database adds them up: on a
hand-built office of known timings, against figures counted on paper, on both backends."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.i18n import t
from bot.render.formatting import percent
from core.clock import ManualClock
from core.deps import Deps
from core.errors import NotAManager
from core.lifecycle.coverage import automation_health, coverage_report
from core.model import (
    Agent,
    AgentProfile,
    Contact,
    Lead,
    LeadEvent,
    LeadStatus,
    Offer,
    OfferKind,
    OfferStatus,
    Role,
    Stage,
    Temperature,
)
from core.numbers.coverage import AUTOMATION_LOW, LoadLevel, MissKind, RuleAutomation
from storage.repositories.reporting import _micros
from storage.tables import UtcDateTime
from storage.uow import SqlUnitOfWork
from tests.office import office

ADA, BORA, CEM, DENIZ, EMRE, FUAT, GUL, HALE, BOSS = 101, 102, 103, 104, 105, 106, 107, 108, 109
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
# "2026-11-02..2026-11-08" in Istanbul (UTC+3 all year): Monday 00:00 to the next Monday.
WEEK = "2026-11-02..2026-11-08"
START = datetime(2026, 11, 1, 21, 0, tzinfo=UTC)
END = START + timedelta(days=7)
H = timedelta(hours=1)


def deps(zone: str = "Europe/Istanbul") -> Deps:
    return Deps(clock=ManualClock(NOW), config=office(timezone=zone), new_token=lambda: "t")


def person(telegram_id: int, name: str, *, capacity: int | None = None,
           role: Role = Role.AGENT, away: bool = False, away_until: date | None = None,
           ) -> Agent:
    return Agent(telegram_id, name, role=role, away=away, position=telegram_id,
                 chat_id=telegram_id,
                 profile=AgentProfile(capacity=capacity, away_until=away_until))


ROSTER = [person(ADA, "Ada", capacity=5), person(BORA, "Bora"), person(CEM, "Cem"),
          person(DENIZ, "Deniz"), person(EMRE, "Emre", away=True),
          person(FUAT, "Fuat", capacity=2), person(GUL, "Gül"),
          person(HALE, "Hale", away_until=NOW.date()),  # on leave through today
          person(BOSS, "Boss", role=Role.MANAGER)]


def owned(owner: int, accepted: datetime, *, closed: datetime | None = None,
          nurtured: datetime | None = None, received: datetime | None = None) -> Lead:
    """A lead *owner* took at *accepted*, won at *closed* or moved to nurture at *nurtured*."""
    stage = Stage.WON if closed else Stage.NURTURE if nurtured else Stage.CONTACTED
    return Lead(contact_id=0, source="website", received_at=received or accepted - H,
                score=80, temperature=Temperature.HOT, owner_id=owner, accepted_at=accepted,
                status=LeadStatus.CLOSED if closed else LeadStatus.OWNED, stage=stage,
                closed_at=closed, stage_at=closed or nurtured)


async def store(engine: AsyncEngine, leads: Sequence[Lead], *,
                offers: Sequence[tuple[int, Offer]] = (),
                events: Sequence[tuple[int, LeadEvent]] = ()) -> list[int]:
    """The roster, *leads*, and offers and events of the lead at each index; the leads' ids."""
    async with SqlUnitOfWork(engine) as uow:
        for agent in ROSTER:
            await uow.agents.save(agent)
        contact = Contact("+905550000000", None, "Deniz", START - 30 * H)
        await uow.contacts.add_all([contact])
        for lead in leads:
            lead.contact_id = contact.id
        await uow.leads.add_all(list(leads))
        ids = [lead.id for lead in leads]
        for index, offer in offers:
            offer.lead_id = ids[index]
        await uow.offers.add_all([offer for _, offer in offers])
        for index, event in events:
            event.lead_id = ids[index]
        await uow.events.add_all([event for _, event in events])
        await uow.commit()
    return ids


def offer(agent_id: int, deadline: datetime, *, status: OfferStatus = OfferStatus.EXPIRED,
          kind: OfferKind = OfferKind.OFFER, rule: str | None = None) -> Offer:
    return Offer(lead_id=0, agent_id=agent_id, token="t", created_at=deadline - 5 * 60 * H / 60,
                 deadline=deadline, sequence=1, status=status, kind=kind,
                 trace={"rule": rule, "strategy": "round_robin", "reason": "rotation"})


HALF_SECOND, MICRO = timedelta(milliseconds=500), timedelta(microseconds=1)
# Boss's 84 hours and a microsecond, of the week's 168 hours.
BOSS_LOAD = (84 * 3600 * 10**6 + 1) / (168 * 3600 * 10**6)


def loads_office() -> tuple[list[Lead], list[tuple[int, Offer]]]:
    """Loads counted on paper over the week of 168 hours:

    Ada (capacity 5): three leads open all week, one closed as it began → 3.0
    Bora: 24 h → 108 h + ½ s, then 84 h + ½ s → the end; one taken at the end → 1.0
    Cem: taken before, moved to nurture at 42 h → 0.25
    Deniz: three leads open all week → 3.0;  Fuat (capacity 2): two → 2.0
    Boss (a manager): 84 h less 1 µs → won after the end → 0.5 and a bit
    Emre (away), Hale (on leave through today) and Gül: none
    """
    before = START - 48 * H
    leads = [owned(ADA, before) for _ in range(3)]
    leads += [owned(ADA, before, closed=START)]
    leads += [owned(BORA, START + 24 * H, closed=START + 108 * H + HALF_SECOND),
              owned(BORA, START + 84 * H + HALF_SECOND), owned(BORA, END)]
    leads += [owned(CEM, START - 10 * H, nurtured=START + 42 * H)]
    leads += [owned(DENIZ, before) for _ in range(3)]
    leads += [owned(FUAT, before) for _ in range(2)]
    leads += [owned(BOSS, START + 84 * H - MICRO, closed=END + 5 * H)]
    # A lead waiting for Ada's Accept counts against her capacity now, as routing counts it.
    waiting = Lead(contact_id=0, source="website", received_at=NOW, score=80,
                   temperature=Temperature.HOT)
    return [*leads, waiting], [(len(leads), offer(ADA, NOW + H, status=OfferStatus.PENDING))]


async def test_each_agents_average_load_is_the_time_their_leads_were_open_in_the_period(
    engine: AsyncEngine,
) -> None:
    leads, offers = loads_office()
    await store(engine, leads, offers=offers)
    report = await coverage_report(SqlUnitOfWork(engine), deps(), manager_id=BOSS, period=WEEK)
    assert (report.period.start, report.period.end) == (START, END)
    rows = {a.name: (a.average, a.leads, a.open_now, a.capacity) for a in report.agents}
    assert rows == {"Ada": (3.0, 3, 4, 5), "Bora": (1.0, 2, 2, None),
                    "Cem": (0.25, 1, 0, None), "Deniz": (3.0, 3, 3, None),
                    "Fuat": (2.0, 2, 2, 2), "Boss": (BOSS_LOAD, 1, 0, None),
                    "Emre": (0.0, 0, 0, None), "Gül": (0.0, 0, 0, None),
                    "Hale": (0.0, 0, 0, None)}
    assert [a.name for a in report.agents] == [
        "Ada", "Deniz", "Fuat", "Bora", "Boss", "Cem", "Emre", "Gül", "Hale"]
    # The median of the agents not away: 0, 0.25, 1, 2, 3, 3 → 1.5 (not Emre and Hale,
    # away, nor Boss, a manager).
    assert report.median == 1.5
    levels = {a.name: a.level for a in report.agents}
    assert levels == {
        "Ada": LoadLevel.NORMAL,  # 3.0 ≥ 1.5 × 1.5, but her capacity of 5 is what counts
        "Deniz": LoadLevel.OVERLOADED,  # no capacity: 3.0 ≥ 2.25
        "Fuat": LoadLevel.OVERLOADED,  # 2.0 reaches his capacity of 2 (though < 2.25)
        "Bora": LoadLevel.NORMAL,  # 1.0 > 0.75
        "Boss": LoadLevel.NORMAL,  # a manager is shown, not judged
        "Cem": LoadLevel.IDLE,  # 0.25 ≤ 0.75
        "Emre": LoadLevel.NORMAL,  # away: not idle
        "Gül": LoadLevel.IDLE,  # no lead at all
        "Hale": LoadLevel.NORMAL,  # on leave: not idle either
    }
    assert [a.name for a in report.agents if a.away] == ["Emre", "Hale"]
    assert [a.name for a in report.overloaded] == ["Deniz", "Fuat"]
    assert [a.name for a in report.idle] == ["Cem", "Gül"]
    assert [a.name for a in report.agents if a.at_capacity] == ["Fuat"]


async def test_only_a_manager_reads_coverage_and_automation(engine: AsyncEngine) -> None:
    await store(engine, [])
    with pytest.raises(NotAManager):
        await coverage_report(SqlUnitOfWork(engine), deps(), manager_id=ADA, period=WEEK)
    with pytest.raises(NotAManager):
        await automation_health(SqlUnitOfWork(engine), deps(), manager_id=ADA, period=WEEK)


def misses_at(moments: Sequence[tuple[str, datetime]]) -> tuple[list[Lead], list[tuple[int, Offer]],
                                                               list[tuple[int, LeadEvent]]]:
    """One lead per moment: an offer let lapse at its deadline (`offer`), a first contact
    missed (`contact`), and moments that are no miss (`claim` lapsed in a pool, `declined`,
    `withdrawn`, `escalated`)."""
    leads, offers, events = [], [], []
    for index, (what, at) in enumerate(moments):
        leads.append(owned(ADA, at - H))
        if what == "contact":
            events.append((index, LeadEvent(0, at, "contact_missed", ADA, {})))
        elif what == "escalated":
            events.append((index, LeadEvent(0, at, "escalated", None, {})))
        else:
            status = {"declined": OfferStatus.DECLINED, "withdrawn": OfferStatus.WITHDRAWN}.get(
                what, OfferStatus.EXPIRED)
            kind = OfferKind.CLAIM if what == "claim" else OfferKind.OFFER
            offers.append((index, offer(ADA, at, status=status, kind=kind)))
    return leads, offers, events


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def cells(grid: tuple[tuple[int, ...], ...]) -> dict[tuple[int, int], int]:
    return {(d, h): n for d, day in enumerate(grid) for h, n in enumerate(day) if n}


async def test_sla_misses_land_in_istanbuls_hour_and_weekday(engine: AsyncEngine) -> None:
    leads, offers, events = misses_at([
        ("offer", utc(2026, 11, 1, 20, 59, 59)),  # before the week: Sunday 23:59
        ("offer", utc(2026, 11, 1, 21, 0)),  # Monday 00:00, the first moment of the week
        ("offer", utc(2026, 11, 2, 6, 30)),  # Monday 09:30
        ("offer", datetime(2026, 11, 2, 6, 59, 59, 999_999, tzinfo=UTC)),  # Monday 09:59
        ("offer", utc(2026, 11, 2, 7, 0)),  # Monday 10:00
        ("claim", utc(2026, 11, 2, 6, 40)),  # a pool's round nobody claimed: no miss
        ("declined", utc(2026, 11, 2, 6, 40)), ("withdrawn", utc(2026, 11, 2, 6, 40)),
        ("contact", utc(2026, 11, 4, 21, 30)),  # Wednesday in UTC, Thursday 00:30 here
        ("contact", utc(2026, 11, 7, 10, 15)),  # Saturday 13:15
        ("escalated", utc(2026, 11, 7, 10, 15)),  # not an SLA miss
        ("offer", utc(2026, 11, 8, 20, 59)),  # Sunday 23:59
        ("contact", utc(2026, 11, 8, 21, 0)),  # the next Monday: after the week
    ])
    await store(engine, leads, offers=offers, events=events)
    report = await coverage_report(SqlUnitOfWork(engine), deps(), manager_id=BOSS, period=WEEK)
    misses = report.misses
    assert cells(misses.offers) == {(0, 0): 1, (0, 9): 2, (0, 10): 1, (6, 23): 1}
    assert cells(misses.contacts) == {(3, 0): 1, (5, 13): 1}
    assert misses.total == 7
    assert misses.by_weekday == (4, 0, 0, 1, 0, 1, 1)
    assert [misses.by_hour[h] for h in (0, 9, 10, 13, 23)] == [2, 2, 1, 1, 1]
    assert misses.worst(2) == [(0, 9, 2), (0, 0, 1)]


async def test_sla_misses_fold_into_berlins_hours_across_the_end_of_summer_time(
    engine: AsyncEngine,
) -> None:
    # Sunday 25 October 2026: 03:00 summer time (01:00 UTC) becomes 02:00 winter time, so
    # the office's 02:00–03:00 happens twice: 00:00–01:00 and 01:00–02:00 UTC.
    leads, offers, events = misses_at([
        ("offer", utc(2026, 10, 23, 22, 0)),  # Saturday 00:00 summer time: the first moment
        ("offer", utc(2026, 10, 24, 12, 0)),  # Saturday 14:00 summer time
        ("contact", utc(2026, 10, 25, 0, 30)),  # Sunday 02:30 summer time
        ("offer", utc(2026, 10, 25, 1, 30)),  # Sunday 02:30 winter time
        ("offer", utc(2026, 10, 25, 12, 0)),  # Sunday 13:00 winter time
        ("offer", utc(2026, 10, 25, 22, 59)),  # Sunday 23:59 winter time
        ("offer", utc(2026, 10, 25, 23, 0)),  # Monday 00:00: after the two days
    ])
    await store(engine, leads, offers=offers, events=events)
    report = await coverage_report(SqlUnitOfWork(engine), deps("Europe/Berlin"),
                                   manager_id=BOSS, period="2026-10-24..2026-10-25")
    assert (report.period.start, report.period.end) == (utc(2026, 10, 23, 22, 0),
                                                        utc(2026, 10, 25, 23, 0))
    misses = report.misses
    assert cells(misses.offers) == {(5, 0): 1, (5, 14): 1, (6, 2): 1, (6, 13): 1, (6, 23): 1}
    assert cells(misses.contacts) == {(6, 2): 1}
    assert misses.cell(6, 2) == 2, "both of the office's 02:00s"
    assert misses.by_weekday == (0, 0, 0, 0, 0, 2, 4)


async def test_sla_misses_keep_to_the_half_hours_of_a_zone_like_india(
    engine: AsyncEngine,
) -> None:
    # Kolkata is UTC+5:30: 03:29 and 03:31 UTC share a UTC hour, but are 08:59 and 09:01.
    leads, offers, events = misses_at([
        ("offer", utc(2026, 11, 2, 3, 29)), ("contact", utc(2026, 11, 2, 3, 31)),
        ("offer", utc(2026, 11, 1, 18, 30)),  # Monday 00:00, the first moment
        ("offer", utc(2026, 11, 1, 18, 29)),  # Sunday: before the day
    ])
    await store(engine, leads, offers=offers, events=events)
    report = await coverage_report(SqlUnitOfWork(engine), deps("Asia/Kolkata"),
                                   manager_id=BOSS, period="2026-11-02..2026-11-02")
    assert cells(report.misses.offers) == {(0, 0): 1, (0, 8): 1}
    assert cells(report.misses.contacts) == {(0, 9): 1}


def routed(rule: str | None, *, escalated: bool = False, received: datetime | None = None,
           source: str = "website", offers: int = 1, second_rule: str | None = None,
           kind: OfferKind = OfferKind.OFFER) -> dict[str, Any]:
    at = received or START + 10 * H
    lead = Lead(contact_id=0, source=source, received_at=at, score=80,
                temperature=Temperature.HOT, escalated_at=at + H if escalated else None,
                status=LeadStatus.WITH_MANAGERS if escalated else LeadStatus.OWNED,
                rule=rule, strategy="round_robin" if rule else None)
    made = [offer(ADA, at + H, rule=rule, kind=kind)][:offers]
    if second_rule is not None:
        made.append(offer(BORA, at + 2 * H, rule=second_rule))
    return {"lead": lead, "offers": made, "events": []}


def touched(made: dict[str, Any], *kinds: str) -> dict[str, Any]:
    made["events"] += [LeadEvent(0, START + 20 * H, kind, BORA, {"by": BOSS}) for kind in kinds]
    return made


async def store_routed(engine: AsyncEngine, made: Sequence[dict[str, Any]]) -> None:
    await store(engine, [m["lead"] for m in made],
                offers=[(i, o) for i, m in enumerate(made) for o in m["offers"]],
                events=[(i, e) for i, m in enumerate(made) for e in m["events"]])


async def test_automation_health_counts_each_rules_leads_routed_without_a_human_touch(
    engine: AsyncEngine,
) -> None:
    await store_routed(engine, [
        routed("istanbul"),  # accepted: untouched
        routed("istanbul", second_rule="fallback"),  # let lapse, the next took it: untouched
        touched(routed("istanbul"), "reassigned"),  # a manager moved it from its owner
        touched(routed("istanbul", escalated=True), "escalated", "assigned"),  # managers
        touched(routed("istanbul"), "reclaimed", "declined", "expired"),  # the system's own
        touched(routed("land"), "returned"),  # its owner handed it back
        routed("land"),
        routed("pool", kind=OfferKind.CLAIM),  # claimed from a pool: untouched
        routed(None, escalated=True, offers=0),  # nobody to offer it to: to the managers
        # Not counted: entered by hand, arrived before the week, never routed.
        touched(routed(None, source="manual", offers=0), "entered", "reassigned"),
        touched(routed("istanbul", received=START - timedelta(microseconds=1)), "reassigned"),
        routed(None, offers=0),
    ])
    health = await automation_health(SqlUnitOfWork(engine), deps(), manager_id=BOSS,
                                     period=WEEK)
    assert health.rules == (
        RuleAutomation("istanbul", routed=5, untouched=3, assigned=1, reassigned=1,
                       returned=0, escalated=1),
        RuleAutomation("land", routed=2, untouched=1, returned=1),
        RuleAutomation("pool", routed=1, untouched=1),
        RuleAutomation(None, routed=1, untouched=0, escalated=1),
    )
    istanbul = health.rules[0]
    assert (istanbul.untouched_share, istanbul.reassigned_share) == (0.6, 0.2)
    assert [r.below_target for r in health.rules] == [True, True, False, True]
    assert health.office == RuleAutomation(None, routed=9, untouched=5, assigned=1,
                                           reassigned=1, returned=1, escalated=2)
    assert health.advice == AUTOMATION_LOW, "5 of 9 routed alone: below 80 %"


async def test_an_office_routing_four_leads_in_five_alone_gets_no_advice(
    engine: AsyncEngine,
) -> None:
    await store_routed(engine, [*(routed("istanbul") for _ in range(4)),
                                touched(routed("istanbul"), "reassigned")])
    health = await automation_health(SqlUnitOfWork(engine), deps(), manager_id=BOSS,
                                     period=WEEK)
    assert (health.office.untouched_share, health.office.reassigned_share) == (0.8, 0.2)
    assert health.advice is None


async def test_a_moment_a_microsecond_before_a_whole_second_is_not_rounded_up(
    engine: AsyncEngine,
) -> None:
    # SQLite's strftime('%s') rounds a fraction of .9995 s and more up to the next second.
    before = datetime(2026, 11, 2, 6, 59, 59, 999_999, tzinfo=UTC)
    start = bindparam("start", before, type_=UtcDateTime())
    end = bindparam("end", before + timedelta(microseconds=2), type_=UtcDateTime())
    async with engine.connect() as conn:
        micros = (await conn.execute(select(_micros(conn, start, end)))).scalar_one()
    assert micros == 2


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_the_advice_and_each_load_level_and_miss_have_their_words(lang: str) -> None:
    words = {key: t(lang, key, share=percent(0.56, lang), target=percent(0.8, lang))
             for key in [AUTOMATION_LOW, *(f"coverage.level.{level}" for level in LoadLevel),
                         *(f"coverage.miss.{kind}" for kind in MissKind)]}
    assert all(words.values())
    assert percent(0.56, lang) in words[AUTOMATION_LOW]
