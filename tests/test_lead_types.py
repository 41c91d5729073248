"""Lead types: a source's or a rule's type gives a lead its own windows, counted in the
office's business hours when the type says so, across weekends, public holidays and closed
dates; the offer says until when, its weekday included, in both languages. End to end
through the real bootstrap, SQLite or PostgreSQL and the Bot API sandbox, on a manual clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from pydantic import ValidationError

from core.business_hours import BusinessCalendar
from core.clock import ManualClock
from core.config import OfficeConfig
from core.deps import Deps
from core.model import Lead, Offer, Temperature
from core.sla import accept_deadline, first_contact_deadlines
from leadrelay.bootstrap import bootstrap
from leadrelay.office import ConfigError, load_office
from sandbox import SandboxMessage
from storage.db import create_engine
from storage.tables import leads
from tests.fakes import FakeDatabase, FakeUnitOfWork
from tests.harness import BRISK, RunningOffice, running_office, until
from tests.office import AYSE, HOT, MEHMET, SELIN, ZEYNEP, office_data

# Istanbul is UTC+3 all year.
FRIDAY_1755 = datetime(2027, 3, 5, 14, 55, tzinfo=UTC)  # Friday 5 March 2027, 17:55
MONDAY_0910 = datetime(2027, 3, 8, 6, 10, tzinfo=UTC)
# The day before Ramazan Bayramı 2027 (Tue 9 – Thu 11 March), 17:55; the office opens again
# on Friday the 12th.
BEFORE_FEAST_1755 = datetime(2027, 3, 8, 14, 55, tzinfo=UTC)
AFTER_FEAST_0910 = datetime(2027, 3, 12, 6, 10, tzinfo=UTC)

TYPES = {
    "demo_request": {"accept_within": "15m", "first_contact_within": "30m",
                     "reclaim_within": "1h", "business_hours": True},
    "event": {"accept_within": "2h", "first_contact_within": "48h", "reclaim_within": "72h"},
}
HOURS = {"hours": {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "09:00",
                   "end": "18:00"}}


def typed_office(*, language: str = "en", source_type: str | None = "demo_request",
                 **changes: Any) -> OfficeConfig:
    """The test office on 09:00–18:00 weekdays with Turkey's holidays and two lead types;
    its one source's leads are of *source_type*."""
    data = office_data()
    source = {**data["sources"][0]}  # type: ignore[index]
    if source_type is not None:
        source["lead_type"] = source_type
    return OfficeConfig.model_validate({**data, "language": language, "lead_types": TYPES,
                                        "work": {**HOURS, "holidays": "TR"},
                                        "sources": [source], **changes})


def live_offers(running: RunningOffice, lead_id: int) -> list[tuple[int, SandboxMessage]]:
    """Who holds an offer of *lead_id* now (an expired one is edited to say it moved on),
    with its message, in either language."""
    return [(person, m) for person in (AYSE, MEHMET, ZEYNEP) for m in running[person].messages
            if f"#{lead_id}" in m.text and "⏱" in m.text and len(m.button_texts()) == 2]


async def lead_type_stored(database_url: str, lead_id: int) -> str | None:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            return (await conn.execute(sa.select(leads.c.lead_type)
                                       .where(leads.c.id == lead_id))).scalar_one()
    finally:
        await engine.dispose()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(FRIDAY_1755)


async def start(config: OfficeConfig, database_url: str,
                clock: ManualClock) -> AsyncIterator[RunningOffice]:
    async with running_office(config, database_url, clock=clock, limits=BRISK) as running:
        await running.start_chats(AYSE, MEHMET, ZEYNEP, SELIN)
        yield running


async def first_offer(running: RunningOffice, lead_id: int) -> tuple[int, SandboxMessage]:
    await until(lambda: bool(live_offers(running, lead_id)))
    [held] = live_offers(running, lead_id)
    return held


async def moved_on_from(running: RunningOffice, lead_id: int,
                        holder: int) -> tuple[int, SandboxMessage]:
    """The next agent's offer, once the lead left *holder*."""
    def holders() -> list[int]:
        return [person for person, _ in live_offers(running, lead_id)]
    await until(lambda: len(holders()) == 1 and holders() != [holder])
    [held] = live_offers(running, lead_id)
    return held


def set_clock(clock: ManualClock, moment: datetime) -> None:
    clock.advance(moment - clock.now())


@pytest.mark.slow
@pytest.mark.parametrize(("lang", "shown", "window"), [
    ("en", "of office hours (by 09:10 Mon)", "15 min"),
    ("tr", "Pzt 09:10'a kadar kabul edin", "15 dk"),
])
async def test_a_demo_request_at_17_55_on_friday_waits_for_accept_until_09_10_on_monday(
    database_url: str, clock: ManualClock, lang: str, shown: str, window: str,
) -> None:
    async for running in start(typed_office(language=lang), database_url, clock):
        lead_id = await running.post_lead(HOT)
        holder, offer = await first_offer(running, lead_id)
        assert shown in offer.text
        assert window in offer.text
        assert await lead_type_stored(database_url, lead_id) == "demo_request"
        await running.settled()  # its delivery, which starts the clock, is recorded
        set_clock(clock, MONDAY_0910 - timedelta(minutes=1))  # the whole weekend: still open
        await running.settled()
        assert live_offers(running, lead_id) == [(holder, offer)]
        set_clock(clock, MONDAY_0910)
        _, again = await moved_on_from(running, lead_id, holder)
        # Offered at 09:10 on Monday: 15 minutes of office hours end the same morning.
        assert "09:25" in again.text
        assert ("Mon" not in again.text)
        assert ("Pzt" not in again.text)


@pytest.mark.slow
@pytest.mark.parametrize(("lang", "shown"), [("en", "(by 09:10 Fri)"),
                                             ("tr", "Cum 09:10'a kadar")])
async def test_a_business_window_skips_the_ramadan_feast_of_2027(
    database_url: str, lang: str, shown: str,
) -> None:
    clock = ManualClock(BEFORE_FEAST_1755)
    async for running in start(typed_office(language=lang), database_url, clock):
        lead_id = await running.post_lead(HOT)
        holder, offer = await first_offer(running, lead_id)
        assert shown in offer.text
        await running.settled()  # its delivery, which starts the clock, is recorded
        set_clock(clock, AFTER_FEAST_0910 - timedelta(seconds=30))  # Tue–Thu: closed
        await running.settled()
        assert live_offers(running, lead_id) == [(holder, offer)]
        set_clock(clock, AFTER_FEAST_0910)
        await moved_on_from(running, lead_id, holder)


@pytest.mark.slow
async def test_a_rules_lead_type_overrides_the_sources_and_other_leads_keep_the_sources(
    database_url: str, clock: ManualClock,
) -> None:
    routing = {"rules": [
        {"name": "demos", "when": {"product": ["demo"]}, "lead_type": "demo_request",
         "fallback": "default"},
        {"name": "default"},
    ]}
    config = typed_office(source_type="event", routing=routing)
    async for running in start(config, database_url, clock):
        demo = await running.post_lead({**HOT, "product": "demo"})
        event = await running.post_lead({**HOT, "phone": "+905321234568", "product": "land"})
        _, demo_offer = await first_offer(running, demo)
        _, event_offer = await first_offer(running, event)
        assert "Accept within <b>15 min</b> of office hours (by 09:10 Mon)" in demo_offer.html
        # An event lead's 2 hours run on the wall clock: 19:55 the same Friday.
        assert "Accept within <b>2 h</b> (by 19:55)" in event_offer.html
        assert await lead_type_stored(database_url, demo) == "demo_request"
        assert await lead_type_stored(database_url, event) == "event"


@pytest.mark.slow
async def test_a_lead_without_a_type_keeps_its_temperatures_window(
    database_url: str, clock: ManualClock,
) -> None:
    async for running in start(typed_office(source_type=None), database_url, clock):
        lead_id = await running.post_lead(HOT)
        _, offer = await first_offer(running, lead_id)
        assert "Accept within <b>5 min</b> (by 18:00)" in offer.html
        assert await lead_type_stored(database_url, lead_id) is None


def deps_of(config: OfficeConfig, now: datetime) -> Deps:
    """The deps the real bootstrap gives the use cases (the office's calendar included)."""
    db = FakeDatabase()
    app = bootstrap(config=config, clock=ManualClock(now),
                    uow_factory=lambda signals: lambda: FakeUnitOfWork(db, signals))
    return app.deps


def lead_of(lead_type: str | None) -> Lead:
    return Lead(contact_id=1, source="website", received_at=FRIDAY_1755, score=90,
                temperature=Temperature.HOT, lead_type=lead_type)


def test_first_contact_windows_of_a_business_hours_type_run_over_the_weekend() -> None:
    deps = deps_of(typed_office(), FRIDAY_1755)
    due = first_contact_deadlines(lead_of("demo_request"), FRIDAY_1755, deps)
    # 5 minutes on Friday, then 25 and 55 more from Monday's opening at 09:00.
    assert due.due_at == MONDAY_0910 + timedelta(minutes=15)
    assert due.reclaim_at == MONDAY_0910 + timedelta(minutes=45)
    assert accept_deadline(lead_of("demo_request"), FRIDAY_1755, deps) == MONDAY_0910


def test_first_contact_windows_of_a_wall_clock_type_and_of_a_temperature() -> None:
    deps = deps_of(typed_office(sla={"hot": {"accept_within": "5m",
                                             "first_contact_within": "15m",
                                             "reclaim_within": "30m"}}), FRIDAY_1755)
    event = first_contact_deadlines(lead_of("event"), FRIDAY_1755, deps)
    assert (event.due_at, event.reclaim_at) == (FRIDAY_1755 + timedelta(hours=48),
                                                FRIDAY_1755 + timedelta(hours=72))
    plain = first_contact_deadlines(lead_of(None), FRIDAY_1755, deps)
    assert (plain.due_at, plain.reclaim_at) == (FRIDAY_1755 + timedelta(minutes=15),
                                                FRIDAY_1755 + timedelta(minutes=30))
    # A type a reload took away: the lead falls back to its temperature's windows.
    gone = first_contact_deadlines(lead_of("webinar"), FRIDAY_1755, deps)
    assert gone == plain


def test_a_closed_date_in_the_config_closes_the_office_like_a_holiday() -> None:
    config = typed_office(work={**HOURS, "holidays": None, "closed_dates": ["2027-03-08"]})
    deps = deps_of(config, FRIDAY_1755)
    assert accept_deadline(lead_of("demo_request"), FRIDAY_1755, deps) == \
        MONDAY_0910 + timedelta(days=1)


def test_deps_built_without_a_calendar_count_the_config_hours_without_holidays() -> None:
    config = typed_office()
    deps = Deps(clock=ManualClock(BEFORE_FEAST_1755), config=config, new_token=lambda: "t")
    assert isinstance(deps.calendar, BusinessCalendar)
    assert accept_deadline(lead_of("demo_request"), BEFORE_FEAST_1755, deps) == \
        BEFORE_FEAST_1755 + timedelta(hours=15, minutes=15)  # Tuesday 09:10: no feast
    office_deps = deps_of(config, BEFORE_FEAST_1755)
    assert accept_deadline(lead_of("demo_request"), BEFORE_FEAST_1755, office_deps) == \
        AFTER_FEAST_0910


def test_an_offer_delivered_late_counts_its_business_window_from_delivery() -> None:
    calendar = deps_of(typed_office(), FRIDAY_1755).calendar
    offer = Offer(lead_id=1, agent_id=AYSE, token="t", created_at=FRIDAY_1755 - timedelta(
        minutes=10), deadline=MONDAY_0910 - timedelta(minutes=10), sequence=1,
        trace={"business_s": 900})
    assert offer.window == timedelta(minutes=15)
    # Delivered at 17:55, five minutes before closing: ten more on Monday morning.
    assert offer.start_clock(FRIDAY_1755, business=calendar.add) == MONDAY_0910
    never_earlier = Offer(lead_id=1, agent_id=AYSE, token="t", created_at=FRIDAY_1755,
                          deadline=MONDAY_0910 + timedelta(hours=1), sequence=1,
                          trace={"business_s": 900})
    assert never_earlier.start_clock(FRIDAY_1755, business=calendar.add) == \
        MONDAY_0910 + timedelta(hours=1)


@pytest.mark.parametrize(("change", "problem"), [
    ({"sources": [{"name": "website", "token": "website-token-0123456789",
                   "lead_type": "demo"}]},
     "sources[0].lead_type: 'demo' is not a lead type under lead_types (known: "
     "demo_request, event)"),
    ({"routing": {"rules": [{"name": "default", "lead_type": "webinar"}]}},
     "routing.rules[0].lead_type: 'webinar' is not a lead type under lead_types"),
    ({"lead_types": {"demo": {"accept_within": "5m", "first_contact_within": "1h",
                              "reclaim_within": "30m"}}},
     "lead_types.demo: reclaim_within must be longer than first_contact_within"),
    ({"lead_types": {"demo request": {"accept_within": "5m",
                                      "first_contact_within": "1h"}}},
     "'demo request' cannot name a lead type"),
    ({"lead_types": {"demo": {"accept_within": "5m"}}},
     "lead_types.demo.first_contact_within: Field required"),
])
def test_a_bad_lead_type_config_names_the_key_and_the_problem(
    tmp_path: Path, change: dict[str, Any], problem: str,
) -> None:
    data = {**office_data(), "lead_types": TYPES, **change}
    path = tmp_path / "leadrelay.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_office(path)
    assert problem in str(caught.value)
    assert str(caught.value).startswith(f"{path}: ")
    with pytest.raises(ValidationError):
        OfficeConfig.model_validate(data)


def test_the_example_office_ships_the_fields_lead_types() -> None:
    config = load_office(Path(__file__).parent.parent / "leadrelay.example.yaml")
    demo, download = config.lead_types["demo_request"], config.lead_types["content_download"]
    assert (demo.first_contact_within, demo.reclaim_within, demo.business_hours) == (
        timedelta(minutes=15), timedelta(minutes=30), True)
    assert download.business_hours
    assert download.first_contact_within == timedelta(hours=50)
    assert config.lead_types["high_intent"].reclaim_within == timedelta(hours=8)
    assert config.lead_types["event"].reclaim_within == timedelta(hours=72)
