"""The pacer keeps each chat under Telegram's limits as sliding windows, with a margin."""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
from collections.abc import Coroutine
from typing import Any

import pytest

from bot.pacing import Limits, Pacer


class Time:
    """Virtual monotonic time: it moves to the next sleeper's wake-up only once every task
    has done all it can at the current moment, so a test's figures are exact."""

    def __init__(self) -> None:
        self.now = 1000.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        woken: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + seconds, next(self._order), woken))
        await woken

    async def run(self, *work: Coroutine[Any, Any, None]) -> None:
        """Run *work*, started in order, until all of it is done."""
        tasks = [asyncio.create_task(w) for w in work]
        while not all(task.done() for task in tasks):
            for _ in range(50):  # everything runnable runs until it sleeps or ends
                await asyncio.sleep(0)
            if self._sleepers:
                when, _, woken = heapq.heappop(self._sleepers)
                self.now = max(self.now, when)
                woken.set_result(None)
        await asyncio.gather(*tasks)


def pacer(time: Time, **limits: float) -> Pacer:
    return Pacer(Limits(per_second=1000, **limits),  # type: ignore[arg-type]
                 timer=time, sleep=time.sleep)


async def sent_at(pacer: Pacer, time: Time, chats: list[int]) -> list[tuple[int, float]]:
    """(chat, when) for each message to *chats*, all queued at once in that order, in the
    order they were let out."""
    let_out: list[tuple[int, float]] = []

    async def send(chat: int) -> None:
        async with pacer.sending(chat):
            let_out.append((chat, round(time.now - 1000.0, 6)))

    await time.run(*(send(chat) for chat in chats))
    return let_out


async def test_a_lone_message_goes_out_at_once() -> None:
    time = Time()
    assert await sent_at(pacer(time), time, [42]) == [(42, 0.0)]


async def test_messages_to_one_private_chat_are_one_window_and_the_margin_apart() -> None:
    time = Time()
    assert await sent_at(pacer(time, margin=0.25), time, [42, 42, 42]) == [
        (42, 0.0), (42, 1.25), (42, 2.5)]


async def test_a_message_counts_from_when_its_send_ends_however_long_it_took() -> None:
    # A send stalled for 2 s may reach Telegram at its very end: the next one waits a whole
    # window after that, not after the send began. A failed send counts too.
    time = Time()
    paced = pacer(time, margin=0.25)
    let_out: list[float] = []

    async def send(seconds: float, *, fail: bool = False) -> None:
        with contextlib.suppress(TimeoutError):
            async with paced.sending(42):
                let_out.append(round(time.now - 1000.0, 6))
                await time.sleep(seconds)
                if fail:
                    raise TimeoutError

    await time.run(send(2.0, fail=True), send(0.5), send(0.0))
    assert let_out == [0.0, 3.25, 5.0]


async def test_a_group_gets_its_count_at_once_then_waits_for_the_window_to_slide() -> None:
    time = Time()
    paced = pacer(time, group_count=3, group_window=60.0, margin=0.5)
    assert [when for _, when in await sent_at(paced, time, [-100] * 5)] == [
        0.0, 0.0, 0.0, 60.5, 60.5]


async def test_one_busy_chat_holds_up_no_other_chat() -> None:
    time = Time()
    assert await sent_at(pacer(time, margin=0.25), time, [42, 42, 42, 43]) == [
        (42, 0.0), (43, 0.0), (42, 1.25), (42, 2.5)]


@pytest.mark.parametrize("chat", [42, -100])
def test_the_window_a_message_counts_in_includes_the_margin(chat: int) -> None:
    paced = Pacer(Limits(margin=0.25))
    assert paced.window(chat) == (1.25 if chat > 0 else 60.25)
