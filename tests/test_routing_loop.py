"""The background routing loop: passes coalesce, and one bad lead never holds up the rest."""

from __future__ import annotations

import asyncio
import logging

import pytest

from core.batching import RoutingLoop


class Waiting:
    """Leads waiting to be routed, where routing a batch holding a bad one fails."""

    def __init__(self, leads: list[str], *, bad: frozenset[str] = frozenset()) -> None:
        self.names, self.bad = leads, bad
        self.open = list(range(len(leads)))  # the ids still waiting, oldest first
        self.routed: list[str] = []
        self.parked: list[str] = []
        self.passes = 0

    async def route(self, *, limit: int, lead_id: int | None = None) -> int:
        self.passes += 1
        await asyncio.sleep(0)  # a real pass awaits the database
        ids = self.open[:limit] if lead_id is None else [i for i in self.open if i == lead_id]
        if self.bad & {self.names[i] for i in ids}:
            raise RuntimeError("the rules failed")
        self.open = [i for i in self.open if i not in ids]
        self.routed += [self.names[i] for i in ids]
        return len(ids)

    async def waiting(self, limit: int) -> list[int]:
        return self.open[:limit]

    async def park(self, lead_id: int) -> bool:
        if lead_id not in self.open:
            return False
        self.open.remove(lead_id)
        self.parked.append(self.names[lead_id])
        return True

    def loop(self, *, batch: int) -> RoutingLoop:
        return RoutingLoop(self.route, waiting=self.waiting, park=self.park, batch=batch)


async def test_settle_returns_once_everything_waiting_is_routed() -> None:
    waiting = Waiting([f"lead-{n}" for n in range(7)])
    loop = waiting.loop(batch=3)
    await loop.settle()
    assert waiting.routed == [f"lead-{n}" for n in range(7)]
    assert waiting.open == []


async def test_kicks_during_a_pass_cost_one_more_pass_not_one_each() -> None:
    waiting = Waiting(["a"])
    loop = waiting.loop(batch=10)
    for _ in range(50):
        loop.kick()
    await loop.settle()
    assert waiting.passes <= 3


async def test_a_lead_the_rules_fail_on_goes_to_the_managers_and_the_rest_are_routed(
    caplog: pytest.LogCaptureFixture,
) -> None:
    waiting = Waiting(["a", "b", "bad", "c", "d"], bad=frozenset({"bad"}))
    loop = waiting.loop(batch=10)
    with caplog.at_level(logging.ERROR):
        await loop.settle()
    assert waiting.routed == ["a", "b", "c", "d"]
    assert waiting.parked == ["bad"]
    assert any("handed it to the managers" in r.getMessage() for r in caplog.records)


async def test_when_the_database_fails_the_leads_stay_waiting_and_settle_says_so() -> None:
    async def broken(*, limit: int, lead_id: int | None = None) -> int:
        raise ConnectionError("database down")

    async def cannot_read(limit: int) -> list[int]:
        raise ConnectionError("database down")

    async def cannot_park(lead_id: int) -> bool:
        raise ConnectionError("database down")

    loop = RoutingLoop(broken, waiting=cannot_read, park=cannot_park, batch=10)
    with pytest.raises(ConnectionError):
        await loop.settle()
    await loop.stop()
