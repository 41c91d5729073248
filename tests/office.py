"""The office every test works with: three agents, one on vacation, and a manager."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import datetime

from core.app import App
from core.clock import ManualClock
from core.config import OfficeConfig
from core.lifecycle.answers import accept_offer
from core.lifecycle.reminders import send_due_reminders
from core.lifecycle.roster_import import sync_roster
from core.model import OfferStatus
from core.roster import link_chat
from leadrelay.bootstrap import bootstrap
from tests.fakes import FakeDatabase, fake_uow_factory

AYSE, MEHMET, ZEYNEP, CAN, SELIN = 1001, 1002, 1003, 1004, 1009
TOKEN = "website-token-0123456789"
HOT = {"phone": "+905321234567", "name": "Deniz Kaya", "product": "residential",
       "region": "Istanbul / Kadıköy", "budget_min": 1_000_000, "budget_max": 2_000_000,
       "timing": "this week"}


def office_data() -> dict[str, object]:
    """The test office as the YAML mapping an operator would write."""
    return {
        "name": "Test Realty", "timezone": "Europe/Istanbul", "default_region": "TR",
        "agents": [
            {"telegram_id": AYSE, "name": "Ayşe"}, {"telegram_id": MEHMET, "name": "Mehmet"},
            {"telegram_id": ZEYNEP, "name": "Zeynep"},
            {"telegram_id": CAN, "name": "Can", "away": True},
            {"telegram_id": SELIN, "name": "Selin", "role": "manager"},
        ],
        "sources": [{"name": "website", "token": TOKEN, "channel": "web_form"}],
        "sla": {"hot": {"accept_within": "5m", "offers_before_managers": 2}},
    }


def office(**changes: object) -> OfficeConfig:
    """The test office, with top-level keys replaced by *changes*."""
    return OfficeConfig.model_validate({**office_data(), **changes})


_NO_DEADLINE = {"first_contact_within": None, "reclaim_within": None}


def office_without_clocks(**changes: object) -> OfficeConfig:
    """The test office with no first-contact deadline, no reclaim rule and no outcome
    prompt: for tests of something else that an untouched lead's clocks would cut short."""
    data = office_data()
    return office(sla={"hot": {**data["sla"]["hot"], **_NO_DEADLINE},  # type: ignore[index]
                       "warm": _NO_DEADLINE, "cold": _NO_DEADLINE},
                  work={"reclaim": {"no_contact_within": None, "no_progress_within": None,
                                    "owned_longer_than": None},
                        "outcome_prompts": []}, **changes)


POOL = {"rules": [
    {"name": "pool", "strategy": "claim", "fallback": "default",
     "pool": {"agents": ["Ayşe", "Mehmet"]}},
    {"name": "default", "fallback": "managers"},
]}


def pool_office() -> OfficeConfig:
    """The test office with Ayşe and Mehmet in a first-to-claim pool for every lead."""
    return office(routing=POOL, sla={"hot": {"accept_within": "5m"}})


async def linked(relay: App,
                 people: Iterable[int] = (AYSE, MEHMET, ZEYNEP, CAN, SELIN)) -> App:
    """*relay* with its roster stored and each of *people* reachable (chat id = their id)."""
    await relay.run(sync_roster)
    for person in people:
        await relay.run(link_chat, telegram_id=person, chat_id=person)
    return relay


async def owned(relay: App, db: FakeDatabase) -> tuple[int, int]:
    """A hot lead received and accepted on fakes: its id and its owner."""
    lead_id = (await relay.receive_lead(source_token=TOKEN, payload=HOT)).lead_id
    offer = next(o for o in db.offers.values()
                 if o.lead_id == lead_id and o.status is OfferStatus.PENDING)
    await relay.run(accept_offer, agent_id=offer.agent_id, offer_id=offer.id, token=offer.token)
    return lead_id, offer.agent_id


async def on_fakes(config: OfficeConfig, clock: ManualClock, db: FakeDatabase) -> App:
    """*config*'s app through the real bootstrap on *db*, its offer tokens tok0, tok1…, with
    the test office's people linked."""
    tokens = (f"tok{i}" for i in itertools.count())
    return await linked(bootstrap(config=config, clock=clock, uow_factory=fake_uow_factory(db),
                                  token_factory=lambda: next(tokens)))


async def sweep_at(relay: App, clock: ManualClock, moment: datetime) -> None:
    """Move the clock to *moment* and run the timers' task sweep once."""
    clock.advance(moment - clock.now())
    await relay.run_in_turns(send_due_reminders)
