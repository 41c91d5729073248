"""Properties of the fairness audit's shares: over random offices every decision entitles
its candidates to one lead between them, as its strategy splits it; and the database adds
any set of decisions up to as many leads owed as there were decisions."""

from __future__ import annotations

import itertools
import math
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncEngine

from core.config import RoutingPolicy, StrategyName
from core.numbers.fairness import Member, SharedDecision, pool_key, shared_decision
from core.routing import Decision
from storage.db import create_engine
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWork
from tests.test_routing_properties import SETTINGS, Arrival, World, run, scenarios

ROTATING = {StrategyName.ROUND_ROBIN, StrategyName.LEAST_LOADED, StrategyName.WEIGHTED,
            StrategyName.TIERS}


def expected_shares(decision: Decision, policy: RoutingPolicy, world: World,
                    tiers: dict[int, object]) -> dict[int, float]:
    """Each candidate's share, worked out from the rule as its strategy's docs say."""
    rule = policy.rule(decision.rule)
    candidates = decision.candidates
    if rule.strategy is StrategyName.WEIGHTED:
        weight = {a.telegram_id: a.profile.weight for a in world.roster}
        total = sum(weight[c] for c in candidates)
        return {c: weight[c] / total for c in candidates}
    if rule.strategy is StrategyName.TIERS:
        present = {tiers[c] for c in candidates}
        total = sum(rule.tier_split[t] for t in present)  # type: ignore[index]
        return {c: rule.tier_split[tiers[c]] / total  # type: ignore[index]
                / sum(tiers[o] == tiers[c] for o in candidates) for c in candidates}
    return {c: 1 / len(candidates) for c in candidates}


@SETTINGS
@given(scenarios())
def test_every_rotating_decision_entitles_its_candidates_to_one_lead_as_its_strategy_splits(
    scenario: tuple[World, RoutingPolicy, list[Arrival]],
) -> None:
    world, policy, stream = scenario
    where = world.situation()
    for arrival, (decision, _) in zip(stream, run(policy, where, stream), strict=True):
        rotating = (decision.outcome == "offer" and decision.strategy in ROTATING)
        if not rotating:  # continuity, an account, availability, managers, nurture
            assert decision.shares == ()
            assert shared_decision(arrival.lead, decision, offer_id=1, at=world.now) is None
            continue
        shares = dict(decision.shares)
        assert len(shares) == len(decision.shares) == len(decision.candidates)
        assert math.isclose(sum(shares.values()), 1)
        expected = expected_shares(decision, policy, world, where.memo.tiers)
        assert shares.keys() == expected.keys()
        assert all(math.isclose(shares[a], expected[a]) for a in shares)
        made = shared_decision(arrival.lead, decision, offer_id=7, at=world.now)
        assert made is not None
        members = made.members
        assert len({m.agent_id for m in members}) == len(members), "one row per member"
        assert math.isclose(sum(m.share for m in members), 1)
        assert all((m.reason is None) == (m.agent_id in shares) for m in members)
        assert all(m.reason != "inactive" for m in members)
        assert made.pool == pool_key(members)


START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
ALL = {11, 12, 13, 14}
AGENTS = st.sampled_from(sorted(ALL))


@st.composite
def decisions(draw: st.DrawFn) -> list[SharedDecision]:
    """Random decisions: a few eligible agents with random weights, the rest skipped."""
    made = []
    for n in range(draw(st.integers(0, 12))):
        eligible = draw(st.lists(AGENTS, min_size=1, max_size=4, unique=True))
        weights = [draw(st.integers(1, 3)) for _ in eligible]  # few pools: many repeat
        members = sorted([*(Member(a, w / sum(weights)) for a, w in zip(eligible, weights,
                                                                        strict=True)),
                          *(Member(a, 0.0, "at_capacity") for a in ALL - set(eligible))],
                         key=lambda m: m.agent_id)
        made.append(SharedDecision(START + timedelta(minutes=n), n, n, draw(st.booleans()),
                                   "default", pool_key(members), tuple(members)))
    return made


@pytest.fixture
async def migrated(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    await upgrade(engine)
    yield engine
    await engine.dispose()


@settings(max_examples=25, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture])
@given(decisions())
async def test_the_database_adds_any_decisions_up_to_one_lead_owed_each(
    migrated: AsyncEngine, made: list[SharedDecision],
) -> None:
    # Every example adds its decisions a year after the last one's: periods do not meet.
    shift = timedelta(days=366 * next(_EXAMPLES))
    made = [replace(d, decided_at=d.decided_at + shift) for d in made]
    async with SqlUnitOfWork(migrated) as uow:
        await uow.fairness.record(made[:len(made) // 2])  # a pool stored by an earlier turn
        await uow.fairness.record(made[len(made) // 2:])
        await uow.commit()
    async with SqlUnitOfWork(migrated).reading() as uow:
        tallies = await uow.fairness.tallies(START + shift, START + shift + timedelta(days=1))
    assert math.isclose(sum(t.leads.fair for t in tallies), len(made), abs_tol=1e-6)
    assert math.isclose(sum(t.hot.fair for t in tallies), sum(d.hot for d in made),
                        abs_tol=1e-6)
    for t in tallies:  # each agent against sums in Python
        mine = [(d, m) for d in made for m in d.members if m.agent_id == t.agent_id]
        assert math.isclose(t.leads.fair, sum(m.share for _, m in mine), abs_tol=1e-6)
        assert t.leads.decisions == sum(m.reason is None for _, m in mine)
        assert t.hot.decisions == sum(m.reason is None and d.hot for d, m in mine)
        skipped = len(mine) - t.leads.decisions
        assert dict(t.leads.skips) == ({"at_capacity": skipped} if skipped else {})


_EXAMPLES = itertools.count()

