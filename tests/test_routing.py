"""The routing policy: which rule decides, who is in its pool, who is filtered out and why,
what each strategy picks, how fallbacks chain, and what the services do with the decision."""

from __future__ import annotations

import itertools
import json
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from core.app import App
from core.clock import ManualClock
from core.config import OfficeConfig, RoutingPolicy
from core.lifecycle.roster_import import sync_roster
from core.model import (
    Agent,
    AgentProfile,
    Lead,
    LeadStatus,
    OfferStatus,
    Role,
    Temperature,
    Tier,
    WorkingHours,
)
from core.queries import waiting_leads
from core.roster import link_chat
from core.routing import AgentStats, Decision, RuleState, Situation, decide
from leadrelay.bootstrap import bootstrap, sql_uow_factory
from storage.db import create_engine
from storage.migrate import upgrade
from tests.fakes import FakeDatabase, fake_uow_factory
from tests.office import AYSE, CAN, HOT, MEHMET, SELIN, TOKEN, ZEYNEP, office, office_data

ZONE = ZoneInfo("Europe/Istanbul")
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # a Wednesday, 12:00 in Istanbul
TODAY = date(2026, 11, 25)

ADA, BORA, CEM, DENIZ, MERT = 1, 2, 3, 4, 9
NAMES = {ADA: "Ada", BORA: "Bora", CEM: "Cem", DENIZ: "Deniz", MERT: "Mert"}


# --- builders ---------------------------------------------------------------------------


def person(telegram_id: int, position: int, *, role: Role = Role.AGENT, active: bool = True,
           away: bool = False, chat: bool = True, **profile: Any) -> Agent:
    """A rostered person; keyword arguments beyond the flags go into their AgentProfile."""
    return Agent(telegram_id, NAMES.get(telegram_id, f"Agent{telegram_id}"), role=role,
                 active=active, away=away, position=position,
                 chat_id=telegram_id if chat else None,
                 profile=AgentProfile.model_validate(profile))


def team(*ids: int) -> list[Agent]:
    """Plain agents in roster order."""
    return [person(telegram_id, i) for i, telegram_id in enumerate(ids)]


def lead(**fields: Any) -> Lead:
    """A warm website lead; *fields* override."""
    base: dict[str, Any] = {"contact_id": 1, "source": "website", "received_at": NOW,
                            "score": 50, "temperature": Temperature.WARM}
    return Lead(**{**base, **fields})


def policy(*rules: dict[str, Any], **extra: Any) -> RoutingPolicy:
    """A policy of *rules*, with a plain default rule appended unless the last one is one."""
    listed = list(rules)
    if not listed or listed[-1].get("when"):
        listed.append({"name": "default"})
    return RoutingPolicy.model_validate({"rules": listed, **extra})


def situation(roster: Sequence[Agent], stats: dict[int, AgentStats] | None = None, *,
              now: datetime = NOW, states: dict[str, RuleState] | None = None) -> Situation:
    return Situation(list(roster), dict(stats or {}), dict(states or {}), now, ZONE)


def skipped(decision: Decision) -> dict[int, str]:
    """Who the deciding rule left out, and the reason given."""
    return {skip.agent_id: skip.reason for skip in decision.steps[-1].skipped}


def said(decision: Decision) -> str:
    """The decision's matched notes as one searchable string."""
    return " ".join(str(note) for note in decision.matched).casefold()


def route_many(rules: RoutingPolicy, roster: Sequence[Agent], count: int,
               stats: dict[int, AgentStats] | None = None, **fields: Any) -> list[int | None]:
    """The agents *count* leads in a row go to, in one situation."""
    where = situation(roster, stats)
    return [decide(rules, lead(**fields), where).agent_id for _ in range(count)]


# --- rules ------------------------------------------------------------------------------


def test_the_first_matching_rule_decides_even_when_a_later_one_matches_too() -> None:
    rules = policy({"name": "residential", "when": {"product": ["residential"]},
                    "pool": {"agents": ["Ada"]}},
                   {"name": "istanbul", "when": {"region": ["istanbul"]},
                    "pool": {"agents": ["Bora"]}})
    decision = decide(rules, lead(product="residential", region="Istanbul"),
                      situation(team(ADA, BORA)))
    assert (decision.rule, decision.agent_id) == ("residential", ADA)
    assert "residential" in said(decision)


@pytest.mark.parametrize(
    ("when", "hit", "miss", "note"),
    [
        pytest.param({"product": ["Residential"]}, {"product": "residential"},
                     {"product": "commercial"}, "residential", id="product"),
        pytest.param({"source": ["fair"]}, {"source": "Fair"}, {"source": "website"}, "fair",
                     id="source"),
        pytest.param({"region": ["istanbul / kadikoy"]}, {"region": "İstanbul / Kadıköy / Moda"},
                     {"region": "Istanbul / Beşiktaş"}, "kadıköy", id="region-turkish-prefix"),
        pytest.param({"region": ["KADIKÖY"]}, {"region": "kadikoy"}, {"region": "kadi"},
                     "kadikoy", id="region-folds-both-ways"),
        pytest.param({"postal_code": ["347"]}, {"postal_code": "34710"},
                     {"postal_code": "06347"}, "34710", id="postal-code-prefix"),
        pytest.param({"budget": {"min": 1_000_000}},
                     {"budget_min": 500_000, "budget_max": 1_500_000},
                     {"budget_min": 500_000, "budget_max": 900_000}, "1500000",
                     id="budget-top"),
        pytest.param({"budget": {"max": 1_000_000}}, {"budget_min": 800_000},
                     {"budget_min": None, "budget_max": None}, "800000",
                     id="budget-min-when-no-max"),
        pytest.param({"temperature": ["hot"]}, {"temperature": Temperature.HOT},
                     {"temperature": Temperature.WARM}, "hot", id="temperature"),
        pytest.param({"score": {"min": 70, "max": 90}}, {"score": 90}, {"score": 91}, "90",
                     id="score-range-inclusive"),
        pytest.param({"tags": ["VIP"]}, {"tags": ["x", "vip"]}, {"tags": ["x"]}, "vip",
                     id="tags"),
        pytest.param({"language": ["tr"]}, {"language": "TR"}, {"language": "en"}, "tr",
                     id="language"),
        pytest.param({"returning": True}, {"returning": True}, {"returning": False},
                     "returning", id="returning"),
    ],
)
def test_a_rule_takes_the_leads_its_condition_holds_for_and_the_default_the_rest(
    when: dict[str, Any], hit: dict[str, Any], miss: dict[str, Any], note: str
) -> None:
    rules = policy({"name": "special", "when": when})
    matched = decide(rules, lead(**hit), situation(team(ADA)))
    assert matched.rule == "special"
    assert note in said(matched)
    other = decide(rules, lead(**miss), situation(team(ADA)))
    assert (other.rule, other.matched) == ("default", ())
    assert other.agent_id == ADA


def test_all_conditions_of_a_rule_must_hold() -> None:
    rules = policy({"name": "hot_istanbul", "when": {"temperature": ["hot"],
                                                      "region": ["istanbul"]}})
    where = situation(team(ADA))
    hot_ankara = decide(rules, lead(temperature=Temperature.HOT, region="Ankara"), where)
    hot_istanbul = decide(rules, lead(temperature=Temperature.HOT, region="Istanbul"), where)
    assert (hot_ankara.rule, hot_istanbul.rule) == ("default", "hot_istanbul")


@pytest.mark.parametrize(
    ("now", "rule"),
    [
        pytest.param(NOW, "day", id="wednesday-noon"),
        pytest.param(datetime(2026, 11, 25, 6, 0, tzinfo=UTC), "day", id="09:00-opens"),
        pytest.param(datetime(2026, 11, 25, 15, 0, tzinfo=UTC), "night", id="18:00-closed"),
        pytest.param(datetime(2026, 11, 28, 9, 0, tzinfo=UTC), "night", id="saturday"),
    ],
)
def test_business_hours_are_read_in_the_office_zone(now: datetime, rule: str) -> None:
    rules = policy({"name": "night", "when": {"business_hours": False}},
                   {"name": "day", "when": {"business_hours": True}})
    assert decide(rules, lead(), situation(team(ADA), now=now)).rule == rule


def test_the_default_rule_takes_a_lead_no_other_rule_wants() -> None:
    rules = policy({"name": "commercial", "when": {"product": ["commercial"]}})
    decision = decide(rules, lead(product=None, region=None), situation(team(ADA, BORA)))
    assert (decision.rule, decision.outcome, decision.agent_id) == ("default", "offer", ADA)
    assert decision.matched == ()


# --- pools ------------------------------------------------------------------------------


def candidates_of(rules: RoutingPolicy, roster: Sequence[Agent], stats: dict[int, AgentStats]
                  | None = None, **fields: Any) -> set[int]:
    return set(decide(rules, lead(**fields), situation(roster, stats)).candidates)


def test_a_pool_can_name_agents_by_name_or_by_id() -> None:
    rules = policy({"name": "named", "pool": {"agents": ["Bora", CEM]}})
    assert candidates_of(rules, team(ADA, BORA, CEM, DENIZ)) == {BORA, CEM}


def test_a_pool_can_take_a_team() -> None:
    roster = [person(ADA, 0, team="Sales"), person(BORA, 1, team="rentals"), person(CEM, 2)]
    assert candidates_of(policy({"name": "t", "pool": {"teams": ["sales"]}}), roster) == {ADA}


def test_a_pool_can_take_the_specialists_of_the_leads_product() -> None:
    roster = [person(ADA, 0, specialties=["residential"]),
              person(BORA, 1, specialties=["Commercial", "land"]), person(CEM, 2)]
    rules = policy({"name": "spec", "pool": {"specialties": ["$product"]}})
    assert candidates_of(rules, roster, product="commercial") == {BORA}
    assert candidates_of(rules, roster, product="residential") == {ADA}
    literal = policy({"name": "spec", "pool": {"specialties": ["land"]}})
    assert candidates_of(literal, roster, product="residential") == {BORA}


def test_nobody_specialises_in_a_lead_without_a_product() -> None:
    roster = [person(ADA, 0, specialties=["residential"])]
    rules = policy({"name": "spec", "pool": {"specialties": ["$product"]}})
    decision = decide(rules, lead(product=None), situation(roster))
    assert (decision.outcome, decision.candidates) == ("managers", ())


def test_a_territory_covers_every_region_below_it() -> None:
    roster = [person(ADA, 0, territories=["istanbul / kadikoy"]),
              person(BORA, 1, territories=["Istanbul / Beşiktaş"]),
              person(CEM, 2, territories=["ankara"]), person(DENIZ, 3)]
    rules = policy({"name": "local", "pool": {"territories": ["$region"]}})
    assert candidates_of(rules, roster, region="Istanbul / Kadıköy / Moda") == {ADA}
    assert candidates_of(rules, roster, region="İSTANBUL / BEŞIKTAŞ") == {BORA}
    literal = policy({"name": "ankara", "pool": {"territories": ["Ankara"]}})
    assert candidates_of(literal, roster, region="Istanbul") == {CEM}


def test_a_pool_can_take_a_tier() -> None:
    roster = [person(ADA, 0, tier="A"), person(BORA, 1, tier="C"), person(CEM, 2)]
    rules = policy({"name": "top", "pool": {"tiers": ["A"]}})
    assert candidates_of(rules, roster) == {ADA}
    assert candidates_of(policy({"name": "mid", "pool": {"tiers": ["B"]}}), roster) == {CEM}


def test_managers_are_in_a_pool_only_when_named() -> None:
    roster = [*team(ADA, BORA), person(MERT, 2, role=Role.MANAGER)]
    assert candidates_of(policy({"name": "everyone"}), roster) == {ADA, BORA}
    named = policy({"name": "boss", "pool": {"agents": ["Mert", ADA]}})
    assert candidates_of(named, roster) == {ADA, MERT}


def test_every_selector_of_a_pool_must_hold() -> None:
    roster = [person(ADA, 0, team="sales", specialties=["land"]),
              person(BORA, 1, team="sales"), person(CEM, 2, specialties=["land"])]
    rules = policy({"name": "both", "pool": {"teams": ["sales"], "specialties": ["land"]}})
    assert candidates_of(rules, roster) == {ADA}


# --- filters ----------------------------------------------------------------------------


def test_an_away_or_inactive_agent_is_skipped() -> None:
    roster = [person(ADA, 0, away=True), person(BORA, 1, active=False), person(CEM, 2)]
    decision = decide(policy(), lead(), situation(roster))
    assert decision.agent_id == CEM
    assert skipped(decision) == {ADA: "away", BORA: "inactive"}


def test_away_until_includes_that_day() -> None:
    roster = [person(ADA, 0, away_until=TODAY), person(BORA, 1, away_until=date(2026, 11, 24)),
              person(CEM, 2, away_until=date(2026, 12, 31))]
    decision = decide(policy(), lead(), situation(roster))
    assert decision.agent_id == BORA, "back since yesterday"
    assert skipped(decision) == {ADA: "away_until", CEM: "away_until"}
    assert decision.steps[-1].skipped[0].detail == {"until": "2026-11-25"}


def test_away_until_counts_days_in_the_office_zone() -> None:
    # 22:30 UTC on the 24th is already the 25th in Istanbul.
    late = datetime(2026, 11, 24, 22, 30, tzinfo=UTC)
    roster = [person(ADA, 0, away_until=date(2026, 11, 24)), person(BORA, 1)]
    assert decide(policy(), lead(), situation(roster, now=late)).agent_id == ADA


def test_an_agent_without_a_chat_is_skipped() -> None:
    decision = decide(policy(), lead(), situation([person(ADA, 0, chat=False), person(BORA, 1)]))
    assert (decision.agent_id, skipped(decision)) == (BORA, {ADA: "no_chat"})


def test_an_agent_already_offered_the_lead_is_skipped() -> None:
    decision = decide(policy(), lead(), situation(team(ADA, BORA, CEM)), tried={ADA, BORA})
    assert decision.agent_id == CEM
    assert skipped(decision) == {ADA: "already_offered", BORA: "already_offered"}


def test_working_hours_are_read_in_the_agents_own_zone() -> None:
    hours = {"start": "09:00", "end": "18:00"}
    roster = [person(ADA, 0, hours=hours, timezone="America/New_York"),  # 04:00 there
              person(BORA, 1, hours=hours, timezone="Asia/Tokyo"),  # 18:00, closed
              person(CEM, 2, hours={**hours, "days": ["sat", "sun"]}),  # not on Wednesday
              person(DENIZ, 3, hours=hours)]  # the office zone: 12:00
    decision = decide(policy(), lead(), situation(roster))
    assert decision.agent_id == DENIZ
    assert skipped(decision) == {ADA: "outside_hours", BORA: "outside_hours",
                                 CEM: "outside_hours"}
    evening = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)  # 09:00 in New York
    assert decide(policy(), lead(), situation(roster, now=evening)).agent_id == ADA


def test_an_agent_at_capacity_is_skipped_until_a_lead_closes() -> None:
    roster = [person(ADA, 0, capacity=3), person(BORA, 1, capacity=3)]
    stats = {ADA: AgentStats(open_leads=3), BORA: AgentStats(open_leads=2)}
    decision = decide(policy(), lead(), situation(roster, stats))
    assert decision.agent_id == BORA
    assert skipped(decision) == {ADA: "at_capacity"}
    assert decision.steps[-1].skipped[0].detail == {"open": 3, "cap": 3}


def test_capacity_counts_the_offers_made_in_the_same_batch() -> None:
    roster = [person(ADA, 0, capacity=2), person(BORA, 1, capacity=1)]
    owners = route_many(policy(), roster, 4)
    assert owners == [ADA, BORA, ADA, None]


def misses(*days_ago: float) -> list[datetime]:
    return [NOW - timedelta(days=d) for d in days_ago]


def test_two_missed_slas_within_a_week_cost_hot_leads_but_not_warm_ones() -> None:
    roster = team(ADA, BORA)
    stats = {ADA: AgentStats(misses=misses(5, 1))}
    hot = decide(policy(), lead(temperature=Temperature.HOT), situation(roster, stats))
    assert (hot.agent_id, skipped(hot)) == (BORA, {ADA: "penalty"})
    warm = decide(policy(), lead(temperature=Temperature.WARM), situation(roster, stats))
    assert warm.agent_id == ADA


@pytest.mark.parametrize(
    ("missed", "penalised"),
    [
        pytest.param(misses(1), False, id="one-miss"),
        pytest.param(misses(9, 1), False, id="eight-days-apart"),
        pytest.param(misses(8, 1), True, id="exactly-seven-days-apart"),
        pytest.param(misses(8, 7 - 1 / 86400), True, id="a-second-before-the-end"),
        pytest.param(misses(8, 7), False, id="seven-days-after-the-last-miss"),
    ],
)
def test_the_penalty_runs_seven_days_after_the_second_miss(
    missed: list[datetime], penalised: bool
) -> None:
    stats = {ADA: AgentStats(misses=missed)}
    hot = decide(policy(), lead(temperature=Temperature.HOT), situation(team(ADA, BORA), stats))
    assert (hot.agent_id == BORA) is penalised


def test_the_penalty_shown_ends_seven_days_after_the_latest_miss() -> None:
    stats = {ADA: AgentStats(misses=misses(6, 5, 1))}
    hot = decide(policy(), lead(temperature=Temperature.HOT), situation(team(ADA, BORA), stats))
    assert hot.steps[-1].skipped[0].detail == {"until": (NOW + timedelta(days=6)).isoformat()}


@pytest.mark.parametrize(
    ("days_in", "pattern"),
    [
        pytest.param(0, "BBNBBN", id="first-day-every-third"),
        pytest.param(29, "BBNBBN", id="day-29-every-third"),
        pytest.param(30, "BNBNBN", id="day-30-every-second"),
        pytest.param(59, "BNBNBN", id="day-59-every-second"),
        pytest.param(60, "NNNNNN", id="day-60-like-everyone"),
    ],
)
def test_a_new_agent_ramps_up(days_in: int, pattern: str) -> None:
    # Availability always picks the first in roster order: the newcomer, whenever allowed.
    roster = [person(DENIZ, 0, start_date=TODAY - timedelta(days=days_in)), person(BORA, 1)]
    rules = policy({"name": "default", "strategy": "availability"})
    owners = route_many(rules, roster, 6)
    assert "".join("N" if o == DENIZ else "B" for o in owners) == pattern


def test_a_ramping_agent_who_sits_out_says_which_day_of_the_ramp_it_is() -> None:
    roster = [person(DENIZ, 0, start_date=TODAY), person(BORA, 1)]
    decision = decide(policy(), lead(), situation(roster))
    assert skipped(decision) == {DENIZ: "ramping_days"}
    assert decision.steps[-1].skipped[0].detail == {"every": 3, "days": 30, "day": 1}


def test_an_agent_starting_in_a_few_days_is_on_day_one_of_the_ramp() -> None:
    roster = [person(DENIZ, 0, start_date=TODAY + timedelta(days=3)), person(BORA, 1)]
    decision = decide(policy(), lead(), situation(roster))
    assert decision.steps[-1].skipped[0].detail == {"every": 3, "days": 30, "day": 1}


RAMP_BY_LEADS = [{"leads": 10, "every": 3}, {"leads": 25, "every": 2}]


@pytest.mark.parametrize(
    ("received", "pattern"),
    [
        pytest.param(0, "BBNBBN", id="none-yet-every-third"),
        pytest.param(9, "BBNBBN", id="nine-every-third"),
        pytest.param(10, "BNBNBN", id="ten-every-second"),
        pytest.param(24, "BNBNBN", id="twenty-four-every-second"),
        pytest.param(25, "NNNNNN", id="twenty-five-like-everyone"),
    ],
)
def test_a_new_agent_ramps_up_by_the_leads_received(received: int, pattern: str) -> None:
    # A start date long ago changes nothing: only the count of leads received does.
    roster = [person(DENIZ, 0, start_date=TODAY - timedelta(days=400)), person(BORA, 1)]
    rules = policy({"name": "default", "strategy": "availability"}, ramp=RAMP_BY_LEADS)
    owners = route_many(rules, roster, 6, {DENIZ: AgentStats(received=received)})
    assert "".join("N" if o == DENIZ else "B" for o in owners) == pattern


def test_an_agent_without_a_start_date_does_not_ramp_by_leads() -> None:
    roster = [person(DENIZ, 0), person(BORA, 1)]
    rules = policy({"name": "default", "strategy": "availability"}, ramp=RAMP_BY_LEADS)
    assert route_many(rules, roster, 3) == [DENIZ, DENIZ, DENIZ]


def test_a_ramping_agent_who_sits_out_says_how_many_leads_they_received() -> None:
    roster = [person(DENIZ, 0, start_date=TODAY), person(BORA, 1)]
    decision = decide(policy(ramp=RAMP_BY_LEADS), lead(),
                      situation(roster, {DENIZ: AgentStats(received=4)}))
    assert skipped(decision) == {DENIZ: "ramping_leads"}
    assert decision.steps[-1].skipped[0].detail == {"every": 3, "leads": 10, "received": 4}


def test_ramp_steps_by_leads_are_taken_shortest_first_whatever_their_order() -> None:
    rules = policy(ramp=list(reversed(RAMP_BY_LEADS)))
    assert [(step.leads, step.every) for step in rules.ramp] == [(10, 3), (25, 2)]
    assert rules.ramp_by_leads


@pytest.mark.parametrize(
    ("step", "problem"),
    [
        pytest.param({"days": 30, "leads": 10, "every": 3}, "got both `days` and `leads`",
                     id="both"),
        pytest.param({"every": 3}, "got neither", id="neither"),
    ],
)
def test_a_ramp_step_needs_exactly_one_of_days_or_leads(step: dict[str, int],
                                                         problem: str) -> None:
    with pytest.raises(ValidationError, match="exactly one of `days` or `leads`") as caught:
        policy(ramp=[step])
    assert problem in str(caught.value)


def test_a_ramp_mixing_days_and_leads_is_refused() -> None:
    with pytest.raises(ValidationError, match="all in `days` or all in `leads`, not both"):
        policy(ramp=[{"days": 30, "every": 3}, {"leads": 25, "every": 2}])


# --- fallbacks --------------------------------------------------------------------------


def fallback_chain(last: str) -> RoutingPolicy:
    return policy(
        {"name": "vip", "when": {"tags": ["vip"]}, "pool": {"agents": ["Ada"]},
         "fallback": "seniors"},
        {"name": "seniors", "when": {"product": ["never"]}, "pool": {"tiers": ["A"]},
         "fallback": last},
        {"name": "default"})


def test_a_rule_with_nobody_left_falls_back_to_the_named_rule() -> None:
    roster = [person(ADA, 0, away=True), person(BORA, 1, tier="A"), person(CEM, 2)]
    decision = decide(fallback_chain("managers"), lead(tags=["vip"]), situation(roster))
    assert (decision.agent_id, decision.rule) == (BORA, "seniors")
    assert [step.rule for step in decision.steps] == ["vip", "seniors"]
    assert decision.steps[0].skipped[0].reason == "away"
    assert decision.candidates == (BORA,)


@pytest.mark.parametrize("last", ["managers", "nurture"])
def test_when_the_chain_runs_dry_the_lead_goes_to_managers_or_nurture(last: str) -> None:
    roster = [person(ADA, 0, away=True), person(BORA, 1, tier="A", chat=False), person(CEM, 2)]
    decision = decide(fallback_chain(last), lead(tags=["VIP"]), situation(roster))
    assert (decision.outcome, decision.agent_id) == (last, None)
    assert (decision.rule, decision.reason) == ("seniors", "no_candidates")
    assert [step.rule for step in decision.steps] == ["vip", "seniors"]
    assert decision.as_trace()["steps"][1]["skipped"] == [[BORA, "no_chat", {}]]


def test_a_fallback_may_lead_to_the_default_rule() -> None:
    rules = policy({"name": "land", "when": {"product": ["land"]},
                    "pool": {"specialties": ["land"]}, "fallback": "default"})
    decision = decide(rules, lead(product="land"), situation(team(ADA, BORA)))
    assert (decision.rule, decision.agent_id) == ("default", ADA)
    assert [step.rule for step in decision.steps] == ["land", "default"]


# --- continuity -------------------------------------------------------------------------


def test_a_returning_contact_goes_to_their_owner_when_available() -> None:
    rules = policy({"name": "default", "pool": {"agents": ["Ada", "Bora"]}})
    decision = decide(rules, lead(returning=True), situation(team(ADA, BORA, CEM)), prefer=CEM)
    assert (decision.agent_id, decision.strategy, decision.reason) == (
        CEM, "continuity", "current_owner")
    assert decision.candidates == (CEM,)


@pytest.mark.parametrize(
    ("owner", "tried"),
    [pytest.param(person(CEM, 2, away=True), set(), id="away"),
     pytest.param(person(CEM, 2), {CEM}, id="already-offered"),
     pytest.param(person(CEM, 2, capacity=1), set(), id="at-capacity"),
     pytest.param(person(99, 2), set(), id="off-roster-owner-id")],
)
def test_an_unavailable_owner_gives_way_to_normal_routing(owner: Agent, tried: set[int]) -> None:
    stats = {CEM: AgentStats(open_leads=1)}
    decision = decide(policy(), lead(returning=True),
                      situation([*team(ADA, BORA), owner], stats), tried=tried, prefer=CEM)
    assert (decision.agent_id, decision.strategy) == (ADA, "round_robin")


# --- strategies -------------------------------------------------------------------------


def test_round_robin_goes_in_roster_order_and_wraps_around() -> None:
    assert route_many(policy(), team(ADA, BORA, CEM), 7) == [ADA, BORA, CEM] * 2 + [ADA]


def test_round_robin_skips_whoever_is_unavailable_and_keeps_its_place() -> None:
    roster = team(ADA, BORA, CEM)
    where = situation(roster)
    first = decide(policy(), lead(), where).agent_id
    roster[1].away = True  # a new read of the roster, as the next transaction would make
    second = decide(policy(), lead(), situation(roster, states=where.states)).agent_id
    roster[1].away = False
    third = decide(policy(), lead(), situation(roster, states=where.states)).agent_id
    assert [first, second, third] == [ADA, CEM, ADA]


def test_the_round_robin_pointer_survives_storage_as_json() -> None:
    roster = team(ADA, BORA, CEM)
    where = situation(roster)
    assert [decide(policy(), lead(), where).agent_id for _ in range(2)] == [ADA, BORA]
    stored = json.loads(json.dumps({k: s.to_json() for k, s in where.states.items()}))
    later = situation(roster, states={k: RuleState.from_json(v) for k, v in stored.items()})
    assert [decide(policy(), lead(), later).agent_id for _ in range(2)] == [CEM, ADA]


def test_rule_state_from_nothing_starts_fresh() -> None:
    assert RuleState.from_json(None) == RuleState()
    assert RuleState.from_json({"last_agent_id": 3, "unknown": 1}).last_agent_id == 3


def test_weighted_gives_two_to_one_in_every_window_of_four() -> None:
    roster = [person(ADA, 0, weight=2), person(BORA, 1), person(CEM, 2)]
    owners = route_many(policy({"name": "default", "strategy": "weighted"}), roster, 40)
    for start in range(len(owners) - 3):
        window = Counter(owners[start:start + 4])
        assert window == {ADA: 2, BORA: 1, CEM: 1}, (start, owners)


def test_weighted_state_survives_storage_as_json() -> None:
    roster = [person(ADA, 0, weight=3), person(BORA, 1)]
    rules = policy({"name": "default", "strategy": "weighted"})
    where = situation(roster)
    owners = [decide(rules, lead(), where).agent_id for _ in range(3)]
    for _ in range(5):
        stored = json.loads(json.dumps({k: s.to_json() for k, s in where.states.items()}))
        where = situation(roster, states={k: RuleState.from_json(v) for k, v in stored.items()})
        owners.append(decide(rules, lead(), where).agent_id)
    assert Counter(owners) == {ADA: 6, BORA: 2}


def test_least_loaded_picks_the_fewest_open_leads() -> None:
    stats = {ADA: AgentStats(open_leads=3), BORA: AgentStats(open_leads=1),
             CEM: AgentStats(open_leads=2)}
    rules = policy({"name": "default", "strategy": "least_loaded"})
    decision = decide(rules, lead(), situation(team(ADA, BORA, CEM), stats))
    assert (decision.agent_id, decision.detail) == (BORA, {"open": 1})


def test_least_loaded_breaks_ties_by_longest_wait_then_roster_order() -> None:
    stats = {ADA: AgentStats(open_leads=1, last_offered_at=NOW - timedelta(hours=1)),
             BORA: AgentStats(open_leads=1, last_offered_at=NOW - timedelta(hours=3)),
             CEM: AgentStats(open_leads=1, last_offered_at=NOW - timedelta(hours=2)),
             DENIZ: AgentStats(open_leads=4)}
    rules = policy({"name": "default", "strategy": "least_loaded"})
    owners = route_many(rules, team(ADA, BORA, CEM, DENIZ), 4, stats)
    assert owners == [BORA, CEM, ADA, ADA], "the last three were all offered just now"
    never = route_many(rules, team(ADA, BORA), 3, {ADA: AgentStats(last_offered_at=NOW)})
    assert never == [BORA, ADA, ADA], "never offered waits longest; then roster order"


def tiered(*tiers: str) -> list[Agent]:
    return [person(10 + i, i, tier=tier) for i, tier in enumerate(tiers)]


def test_tiers_split_leads_forty_thirty_five_twenty_five() -> None:
    roster = tiered("A", "A", "B", "C", "C", "B")
    owners = route_many(policy({"name": "default", "strategy": "tiers"}), roster, 100)
    tier_of = {a.telegram_id: a.profile.tier for a in roster}
    assert Counter(tier_of[o] for o in owners if o is not None) == {
        Tier.A: 40, Tier.B: 35, Tier.C: 25}
    assert Counter(owners)[10] == 20, "rotation within a tier"


def test_a_custom_tier_split_is_followed() -> None:
    roster = tiered("A", "B", "C")
    rules = policy({"name": "default", "strategy": "tiers",
                    "tier_split": {"A": 60, "B": 30, "C": 10}})
    assert Counter(route_many(rules, roster, 100)) == {10: 60, 11: 30, 12: 10}


def test_a_tier_with_nobody_available_gives_way_to_the_others() -> None:
    roster = [*tiered("A", "B"), person(12, 2, tier="C", away=True)]
    owners = route_many(policy({"name": "default", "strategy": "tiers"}), roster, 75)
    assert Counter(owners) == {10: 40, 11: 35}


@pytest.mark.parametrize(
    ("reviewed", "won", "tier"),
    [pytest.param(20, 6, "A", id="30pct-is-A"), pytest.param(20, 5, "B", id="25pct-is-B"),
     pytest.param(20, 3, "C", id="15pct-is-C"),
     pytest.param(19, 19, "C", id="too-few-keeps-configured")],
)
def test_a_tier_is_earned_from_conversion_once_enough_leads_were_reviewed(
    reviewed: int, won: int, tier: str
) -> None:
    roster = [person(ADA, 0, tier="C")]
    stats = {ADA: AgentStats(reviewed_leads=reviewed, reviewed_won=won)}
    decision = decide(policy({"name": "default", "strategy": "tiers"}), lead(),
                      situation(roster, stats))
    assert decision.detail["tier"] == tier
    pool = policy({"name": "default", "pool": {"tiers": [tier]}})
    assert decide(pool, lead(), situation(roster, stats)).agent_id == ADA


@pytest.mark.parametrize(("rule", "needed"), [
    ({"name": "default", "strategy": "tiers"}, True),
    ({"name": "default", "pool": {"tiers": ["A"]}}, True),
    ({"name": "default", "strategy": "weighted"}, False),
])
def test_only_a_policy_that_routes_by_tier_reads_conversion_history(
    rule: dict[str, Any], needed: bool
) -> None:
    assert policy(rule).uses_tiers is needed


def test_an_agent_with_no_tier_counts_as_b() -> None:
    decision = decide(policy({"name": "default", "strategy": "tiers"}), lead(),
                      situation(team(ADA)))
    assert decision.detail["tier"] == "B"


def test_availability_takes_the_first_free_agent_in_roster_order() -> None:
    roster = [person(ADA, 0, capacity=1), person(BORA, 1), person(CEM, 2)]
    rules = policy({"name": "default", "strategy": "availability"})
    assert route_many(rules, roster, 3) == [ADA, BORA, BORA]


# --- config validation ------------------------------------------------------------------


def test_a_policy_whose_last_rule_has_conditions_is_refused() -> None:
    with pytest.raises(ValidationError, match="must have no `when`"):
        RoutingPolicy.model_validate(
            {"rules": [{"name": "hot", "when": {"temperature": ["hot"]}}]})


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        pytest.param([{"name": "a", "when": {"tags": ["x"]}, "fallback": "nowhere"},
                      {"name": "default"}], "not a rule", id="unknown"),
        pytest.param([{"name": "a", "when": {"tags": ["x"]}, "fallback": "b"},
                      {"name": "b", "when": {"tags": ["y"]}, "fallback": "a"},
                      {"name": "default"}], "circle", id="circle"),
        pytest.param([{"name": "default", "fallback": "default"}], "circle", id="itself"),
        pytest.param([{"name": "a", "when": {"tags": ["x"]}}, {"name": "a"}], "two rules",
                     id="duplicate-name"),
    ],
)
def test_a_fallback_that_leads_nowhere_is_refused(rules: list[dict[str, Any]],
                                                   message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        RoutingPolicy.model_validate({"rules": rules})


def test_a_chain_of_fallbacks_ending_in_nurture_is_accepted() -> None:
    chained = RoutingPolicy.model_validate({"rules": [
        {"name": "a", "when": {"tags": ["x"]}, "fallback": "b"},
        {"name": "b", "when": {"tags": ["y"]}, "fallback": "default"},
        {"name": "default", "fallback": "nurture"}]})
    assert [r.fallback for r in chained.rules] == ["b", "default", "nurture"]


@pytest.mark.parametrize("who", ["Nobody", 4242])
def test_a_pool_naming_someone_not_on_the_roster_is_refused(who: str | int) -> None:
    with pytest.raises(ValidationError, match="not on the roster"):
        office(routing={"rules": [{"name": "default", "pool": {"agents": ["Ayşe", who]}}]})


def test_a_pool_naming_rostered_people_is_accepted() -> None:
    config = office(routing={"rules": [{"name": "default",
                                        "pool": {"agents": ["Ayşe", MEHMET]}}]})
    assert config.routing.rules[0].pool.agents == ["Ayşe", MEHMET]


@pytest.mark.parametrize("split", [{"A": 50, "B": 50, "C": 0}, {"A": 60, "B": 40}])
def test_a_tier_split_that_starves_a_tier_is_refused(split: dict[str, int]) -> None:
    with pytest.raises(ValidationError, match="above 0"):
        RoutingPolicy.model_validate({"rules": [{"name": "default", "tier_split": split}]})


def test_working_hours_must_start_before_they_end() -> None:
    with pytest.raises(ValidationError, match="start must be before end"):
        WorkingHours.model_validate({"start": "18:00", "end": "09:00"})


# --- through the services ---------------------------------------------------------------


def routed_office(rules: list[dict[str, Any]], **profiles: dict[str, Any]) -> OfficeConfig:
    """The test office with *rules*, and extra profile fields for people by name."""
    people = cast(list[dict[str, Any]], office_data()["agents"])
    return office(agents=[{**p, **profiles.get(p["name"], {})} for p in people],
                  routing={"rules": rules})


SPECIALTY_RULES: list[dict[str, Any]] = [
    {"name": "commercial", "when": {"product": ["commercial"]},
     "pool": {"specialties": ["$product"]}},
    {"name": "land", "when": {"product": ["land"]}, "pool": {"specialties": ["$product"]},
     "fallback": "nurture"},
    {"name": "default"},
]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def db() -> FakeDatabase:
    return FakeDatabase()


async def linked(app: App) -> App:
    await app.run(sync_roster)
    for someone in (AYSE, MEHMET, ZEYNEP, CAN, SELIN):
        await app.run(link_chat, telegram_id=someone, chat_id=someone)
    return app


@pytest.fixture
async def relay(clock: ManualClock, db: FakeDatabase) -> App:
    tokens = (f"tok{i}" for i in itertools.count())
    config = routed_office(SPECIALTY_RULES, Zeynep={"specialties": ["Commercial"]})
    return await linked(bootstrap(config=config, clock=clock, uow_factory=fake_uow_factory(db),
                                  token_factory=lambda: next(tokens)))


async def test_a_lead_for_a_specialty_is_offered_to_the_specialist(
    relay: App, db: FakeDatabase
) -> None:
    lead_id = (await relay.receive_lead(source_token=TOKEN,
                                        payload={**HOT, "product": "commercial"})).lead_id
    [offer] = [o for o in db.offers.values() if o.lead_id == lead_id]
    assert (offer.agent_id, offer.status) == (ZEYNEP, OfferStatus.PENDING)
    assert offer.trace["rule"] == "commercial"
    other = (await relay.receive_lead(source_token=TOKEN,
                                      payload={**HOT, "phone": "+905551112233"})).lead_id
    assert next(o.agent_id for o in db.offers.values() if o.lead_id == other) == AYSE


async def test_the_decision_is_stored_as_a_routed_event_with_its_rule(
    relay: App, db: FakeDatabase
) -> None:
    lead_id = (await relay.receive_lead(source_token=TOKEN,
                                        payload={**HOT, "product": "commercial"})).lead_id
    [routed] = [e for e in db.events if e.lead_id == lead_id and e.kind == "routed"]
    assert (routed.agent_id, routed.data["rule"], routed.data["outcome"]) == (
        ZEYNEP, "commercial", "offer")
    assert routed.data["steps"][0]["candidates"] == [ZEYNEP]


async def test_a_rule_falling_back_to_nurture_leaves_the_lead_unowned(
    relay: App, db: FakeDatabase
) -> None:
    lead_id = (await relay.receive_lead(source_token=TOKEN,
                                        payload={**HOT, "product": "land"})).lead_id
    stored = db.leads[lead_id]
    assert (stored.status, stored.owner_id) == (LeadStatus.NURTURE, None)
    assert not [o for o in db.offers.values() if o.lead_id == lead_id]
    [routed] = [e for e in db.events if e.lead_id == lead_id and e.kind == "routed"]
    assert (routed.data["outcome"], routed.data["rule"], routed.agent_id) == (
        "nurture", "land", None)
    assert any(e.kind == "nurtured" for e in db.events if e.lead_id == lead_id)
    assert not [m for m in db.outbox if m.template == "escalated"], "nurture is not an alarm"


async def test_a_nurtured_lead_is_listed_for_managers_on_the_fakes(
    relay: App, db: FakeDatabase
) -> None:
    lead_id = (await relay.receive_lead(source_token=TOKEN,
                                        payload={**HOT, "product": "land"})).lead_id
    waiting = await relay.run(waiting_leads, manager_id=SELIN)
    assert [(w.lead.id, w.holder, w.deadline) for w in waiting] == [(lead_id, None, None)]


async def test_a_nurtured_lead_is_listed_for_managers_on_sqlite(
    clock: ManualClock, tmp_path: Path
) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'routing.db'}")
    try:
        await upgrade(engine)
        config = routed_office(SPECIALTY_RULES)
        app = await linked(bootstrap(config=config, clock=clock,
                                     uow_factory=sql_uow_factory(engine)))
        lead_id = (await app.receive_lead(source_token=TOKEN,
                                          payload={**HOT, "product": "land"})).lead_id
        waiting = await app.run(waiting_leads, manager_id=SELIN)
        assert [(w.lead.id, w.lead.status, w.holder) for w in waiting] == [
            (lead_id, LeadStatus.NURTURE, None)]
    finally:
        await engine.dispose()
