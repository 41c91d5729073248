"""The pacer keeps each chat under Telegram's limits as sliding windows, with a margin."""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
from collections.abc import Coroutine
from typing import Any

import pytest
from telegram.error import RetryAfter
from telegram.ext import ExtBot

from bot.pacing import Limits, Pacer, PacingLimiter
from sandbox import BotApiSandbox

TOKEN = "123456789:" + "A" * 35


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
                if not woken.done():  # a sleep given up, as a pacer's wait can be
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


async def test_the_bots_rate_is_a_sliding_window_never_more_in_any_second() -> None:
    time = Time()
    paced = Pacer(Limits(per_second=3, bot_margin=0.02), timer=time, sleep=time.sleep)
    assert [when for _, when in await sent_at(paced, time, list(range(1, 8)))] == [
        0.0, 0.0, 0.0, 1.02, 1.02, 1.02, 2.04]


async def test_a_message_holds_its_place_in_the_bots_window_until_its_send_ends() -> None:
    # Three sends of half a second each at two a second: the third waits for the first to
    # end and then a whole window, as the first may have reached Telegram at its very end.
    time = Time()
    paced = Pacer(Limits(per_second=2, bot_margin=0.0), timer=time, sleep=time.sleep)
    let_out: list[float] = []

    async def send(chat: int) -> None:
        async with paced.sending(chat):
            let_out.append(round(time.now - 1000.0, 6))
            await time.sleep(0.5)

    await time.run(send(1), send(2), send(3))
    assert let_out == [0.0, 0.0, 1.5]


async def answered_at(paced: Pacer, time: Time, queued: list[tuple[int, bool]],
                      ) -> list[tuple[int, float]]:
    """(chat, when) for each message, queued at once in order; True marks an answer to a press."""
    let_out: list[tuple[int, float]] = []

    async def send(chat: int, answer: bool) -> None:
        async with paced.sending(chat, answers_a_press=answer):
            let_out.append((chat, round(time.now - 1000.0, 6)))

    await time.run(*(send(chat, answer) for chat, answer in queued))
    return let_out


async def test_an_answer_to_a_press_is_not_held_back_by_its_chats_spacing() -> None:
    time = Time()
    assert await answered_at(pacer(time, margin=0.25), time,
                             [(42, False), (42, False), (42, True)]) == [
        (42, 0.0), (42, 0.0), (42, 1.25)]


async def test_answers_still_keep_to_the_chats_burst_of_three_in_three_intervals() -> None:
    time = Time()
    assert await answered_at(pacer(time, margin=0.25), time,
                             [(42, False), (42, True), (42, True), (42, True)]) == [
        (42, 0.0), (42, 0.0), (42, 0.0), (42, 3.25)]


async def test_an_answer_to_a_press_goes_before_the_mail_waiting_for_the_bot() -> None:
    time = Time()
    paced = Pacer(Limits(per_second=1, bot_margin=0.0), timer=time, sleep=time.sleep)
    assert await answered_at(paced, time, [(1, False), (2, False), (3, False), (4, True)]) == [
        (1, 0.0), (4, 1.0), (2, 2.0), (3, 3.0)]


async def test_a_pause_holds_every_chat_until_it_is_over() -> None:
    time = Time()
    paced = pacer(time)
    paced.pause(5.0)
    assert await sent_at(paced, time, [42, 43, -100]) == [(42, 5.0), (43, 5.0), (-100, 5.0)]


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_a_429_holds_every_chat_of_the_bot_for_its_wait() -> None:
    # Telegram does not say which limit a 429 was for: the other chats wait it out too.
    async with BotApiSandbox(token=TOKEN) as sandbox:
        ann, bob = sandbox.user(1001, "Ann"), sandbox.user(1002, "Bob")
        for person in (ann, bob):
            await person.send("/start")
        sandbox.fail_next("sendMessage", error_code=429, retry_after=1,
                          description="Too Many Requests: retry after 1")
        async with ExtBot(TOKEN, base_url=f"{sandbox.url}/bot",
                          rate_limiter=PacingLimiter(Pacer())) as bot:
            with pytest.raises(RetryAfter):
                await bot.send_message(ann.id, "refused", rate_limit_args={"retry": False})
            await bot.send_message(bob.id, "only once the wait is over")
        refused, sent = sandbox.calls("sendMessage")
        assert (refused.status, sent.status) == (429, 200)
        assert sent.at - refused.at >= 1.0


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_a_reply_refused_with_429_is_sent_again_once_the_wait_is_over() -> None:
    async with BotApiSandbox(token=TOKEN) as sandbox:
        ann = sandbox.user(1001, "Ann")
        await ann.send("/start")
        sandbox.fail_next("sendMessage", error_code=429, retry_after=1,
                          description="Too Many Requests: retry after 1")
        async with ExtBot(TOKEN, base_url=f"{sandbox.url}/bot",
                          rate_limiter=PacingLimiter(Pacer())) as bot:
            await bot.send_message(ann.id, "a reply")
        refused, sent = sandbox.calls("sendMessage")
        assert (refused.status, sent.status) == (429, 200)
        assert sent.at - refused.at >= 1.0
        assert [m.text for m in ann.messages] == ["a reply"]
