"""`/rules`: everyone on the team reads the routing rules in plain words and sees whose pools
they are in; through the use case on fakes, and end to end through the sandbox in both
languages."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.app import App
from core.clock import ManualClock
from core.errors import UnknownAgent
from core.rules_view import office_rules
from leadrelay.bootstrap import bootstrap
from tests.fakes import FakeDatabase, fake_uow_factory
from tests.harness import running_office, text_has
from tests.office import AYSE, MEHMET, SELIN, ZEYNEP, linked, office, office_data

START = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)
RULES = {"rules": [
    {"name": "land", "when": {"product": ["land"], "budget": {"min": 1_000_000}},
     "pool": {"agents": ["Zeynep", "Selin"]}, "strategy": "least_loaded", "fallback": "local"},
    {"name": "local", "pool": {"territories": ["$region"]}, "strategy": "claim",
     "target_only": True, "fallback": "default"},
    {"name": "default", "fallback": "managers"},
]}


def config(lang: str = "en") -> object:
    agents = [{**a, "territories": ["istanbul"]} if a["telegram_id"] == MEHMET  # type: ignore[index]
              else a for a in office_data()["agents"]]  # type: ignore[attr-defined]
    return office(routing=RULES, language=lang, agents=agents, currency="TRY")


@pytest.fixture
async def relay() -> App:
    return await linked(bootstrap(config=config(), clock=ManualClock(START),  # type: ignore[arg-type]
                                  uow_factory=fake_uow_factory(FakeDatabase())))


async def test_each_rule_names_who_it_chooses_from_and_each_person_sees_their_own(
    relay: App,
) -> None:
    view = await relay.run(office_rules, person_id=ZEYNEP)
    land, local, default = view.rules
    assert (land.when, land.strategy, land.fallback) == (
        {"product": "land", "budget": (1_000_000, None)}, "least_loaded", "local")
    assert land.members == ["Zeynep", "Selin"], "a manager is in a pool that names her"
    assert (local.target_only, local.covers_region) == (True, True)
    assert default.members == ["Ayşe", "Mehmet", "Zeynep", "Can"], "managers only if named"
    assert view.mine == ["land", "local", "default"]
    assert (await relay.run(office_rules, person_id=SELIN)).mine == ["land"]


async def test_someone_off_the_roster_reads_no_rules(relay: App) -> None:
    with pytest.raises(UnknownAgent):
        await relay.run(office_rules, person_id=424242)


@pytest.mark.parametrize("lang", ["en", "tr"])
async def test_rules_answers_in_the_readers_language_with_their_pools(
    database_url: str, lang: str,
) -> None:
    async with running_office(config(lang), database_url,  # type: ignore[arg-type]
                              clock=ManualClock(START)) as running:
        await running.start_chats(AYSE, ZEYNEP)
        zeynep, ayse = running[ZEYNEP], running[AYSE]
        await zeynep.send("/rules")
        if lang == "en":
            reply = await zeynep.wait_for(text_has("How leads are routed"))
            for part in ("1. land — product: land · budget: TRY\u00a01,000,000–",
                         "→ to the least busy of · Zeynep, Selin · nobody free → rule “local”",
                         "2. local — only when another rule falls back to it",
                         "only those whose territories cover the area",
                         "3. default — every lead", "nobody free → the managers",
                         "You are in: land, local, default"):
                assert part in reply.text
        else:
            reply = await zeynep.wait_for(text_has("Talepler nasıl dağıtılır"))
            for part in ("1. land — ürün: land · bütçe: ₺1.000.000–",
                         "→ en az işi olana: · Zeynep, Selin · müsait kimse yoksa → "
                         "“local” kuralı", "3. default — her talep",
                         "Bulunduğunuz kurallar: land, local, default"):
                assert part in reply.text
        await ayse.send("/rules")
        mine = "You are in: local, default" if lang == "en" else \
            "Bulunduğunuz kurallar: local, default"
        await ayse.wait_for(text_has(mine))
