"""Follow-ups come after a stage, stop when it moves, and what the bot plans itself waits
out the office's quiet hours and the agent's working hours, while a time the agent chose is
kept: end to end through the sandbox with the injected clock, in both languages."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import pytest

from bot.i18n import t_raw
from core.clock import ManualClock
from core.config import OfficeConfig
from sandbox import BotApiSandbox, SandboxMessage
from tests.harness import BOT_TOKEN, BRISK, RunningOffice, running_office, text_has, until
from tests.office import AYSE, HOT, SELIN, office, office_data

START = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)  # a Wednesday, 09:00 in Istanbul
# No first-call deadline and no reclaim rule: the leads here are left untouched for days.
SLOW = {"hot": {"accept_within": "10m", "offers_before_managers": 2,
                "first_contact_within": None, "reclaim_within": None}}
NO_RECLAIM = {"no_contact_within": None, "no_progress_within": None, "owned_longer_than": None}
ONLY_AYSE = {"rules": [{"name": "ayse", "pool": {"agents": ["Ayşe"]}, "fallback": "managers"}]}


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


def config(lang: str = "en", *, work: dict[str, object] | None = None,
           ayse: dict[str, object] | None = None) -> OfficeConfig:
    """The test office, every lead offered to Ayşe (with *ayse* added to her entry)."""
    agents = [dict(a, **(ayse or {})) if a["telegram_id"] == AYSE else a  # type: ignore[index]
              for a in office_data()["agents"]]  # type: ignore[attr-defined]
    return office(sla=SLOW, timezone="Europe/Istanbul", language=lang, routing=ONLY_AYSE,
                  work={"reclaim": NO_RECLAIM, **(work or {})}, agents=agents)


def shown(lang: str, key: str, **params: object) -> str:
    """A catalog text as the person reads it (its HTML tags gone)."""
    return re.sub(r"<[^>]+>", "", t_raw(lang, key, **params))


def live(running: RunningOffice, message: SandboxMessage) -> SandboxMessage:
    """Ayşe's *message* as it is in her chat now (after edits)."""
    return next(m for m in running[AYSE].messages if m.message_id == message.message_id)


async def accepted(running: RunningOffice, lang: str) -> tuple[int, SandboxMessage]:
    """A lead posted and accepted by Ayşe, and its card."""
    ayse = running[AYSE]
    lead_id = await running.post_lead(HOT)
    accept = t_raw(lang, "button.accept")
    offer = await ayse.wait_for(lambda m: f"#{lead_id}" in m.text and accept in m.button_texts())
    await ayse.press(offer, accept)
    card = await ayse.wait_for(text_has("+90 532 123 45 67"))
    return lead_id, card


def follow_up_of(lead_id: int, lang: str) -> Callable[[SandboxMessage], bool]:
    """A predicate for a follow-up reminder of the lead, with Done and Snooze."""
    head = shown(lang, "reminder.follow_up", lead_id=lead_id, time="")[:-3]
    return lambda m: head in m.text and t_raw(lang, "button.done") in m.button_texts()


def follow_ups(running: RunningOffice, lead_id: int, lang: str = "en") -> int:
    return sum(follow_up_of(lead_id, lang)(m) for m in running[AYSE].messages)


async def passes(running: RunningOffice, clock: ManualClock, delta: timedelta) -> None:
    """Let *delta* pass on the clock and everything due by then be done and sent."""
    clock.advance(delta)
    await running.settled()


@pytest.mark.parametrize("lang", ["en", "tr"])
async def test_follow_ups_come_after_contacted_and_stop_when_the_stage_moves(
    database_url: str, clock: ManualClock, lang: str,
) -> None:
    async with running_office(config(lang), database_url, clock=clock,
                              limits=BRISK) as running:
        await running.start_chats(AYSE, SELIN)
        ayse = running[AYSE]
        lead_id, card = await accepted(running, lang)
        await ayse.press(card, t_raw(lang, "button.contacted"))
        label = t_raw(lang, "task.follow_up")
        await until(lambda: label in live(running, card).text)  # the card's next task
        await passes(running, clock, timedelta(days=1))
        reminder = await ayse.wait_for(follow_up_of(lead_id, lang))
        await ayse.send("/today")
        await ayse.wait_for(lambda m: label in m.text and f"#{lead_id}" in m.text
                            and not m.button_texts())
        await ayse.press(reminder, t_raw(lang, "button.done"))
        await until(lambda: shown(lang, "reminder.done", lead_id=lead_id)
                    in live(running, reminder).text)
        await ayse.press(live(running, card), t_raw(lang, "button.info_sent"))
        await until(lambda: label not in live(running, card).text)
        for days in (2, 4):  # to day 3, then to day 7: the contacted stage's follow-ups
            await passes(running, clock, timedelta(days=days))
        assert follow_ups(running, lead_id, lang) == 0, "the first is done, none came after"


async def test_a_follow_up_waits_out_the_quiet_hours_but_a_chosen_time_is_kept(
    database_url: str, clock: ManualClock,
) -> None:
    clock.advance(timedelta(hours=12, minutes=30))  # 21:30 in Istanbul, in the quiet hours
    async with running_office(config(), database_url, clock=clock, limits=BRISK) as running:
        await running.start_chats(AYSE, SELIN)
        ayse = running[AYSE]
        lead_id, card = await accepted(running, "en")
        await ayse.press(card, "📞 Contacted")
        await until(lambda: "Follow up" in live(running, card).text)
        await ayse.press(live(running, card), "⏰ Remind me")
        await ayse.press(live(running, card), "In 1 hour")
        await passes(running, clock, timedelta(hours=1))  # 22:30: the time she chose
        await ayse.wait_for(text_has(f"Reminder: lead #{lead_id}"))
        await passes(running, clock, timedelta(hours=23))  # Thursday 21:30: +1 day, quiet
        assert follow_ups(running, lead_id) == 0
        await passes(running, clock, timedelta(hours=10, minutes=29))  # Friday 07:59
        assert follow_ups(running, lead_id) == 0
        await passes(running, clock, timedelta(minutes=1))  # 08:00, the quiet hours' end
        await ayse.wait_for(follow_up_of(lead_id, "en"))


async def test_a_follow_up_waits_for_the_agents_working_hours(
    database_url: str, clock: ManualClock,
) -> None:
    hours = {"hours": {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "10:00",
                       "end": "18:00"}}
    clock.advance(timedelta(hours=8))  # Wednesday 17:00, within her hours
    async with running_office(config(work={"follow_ups": {"contacted": ["1d", "26h"]}},
                                     ayse=hours),
                              database_url, clock=clock, limits=BRISK) as running:
        await running.start_chats(AYSE, SELIN)
        ayse = running[AYSE]
        lead_id, card = await accepted(running, "en")
        await ayse.press(card, "📞 Contacted")
        await until(lambda: "Follow up" in live(running, card).text)
        await ayse.press(live(running, card), "⏰ Remind me")
        await ayse.press(live(running, card), "In 1 hour")
        await passes(running, clock, timedelta(hours=1))  # 18:00, after her hours: she chose
        await ayse.wait_for(text_has(f"Reminder: lead #{lead_id}"))
        await passes(running, clock, timedelta(hours=23))  # Thursday 17:00: +1 day
        await ayse.wait_for(follow_up_of(lead_id, "en"))
        await passes(running, clock, timedelta(hours=2))  # 19:00: +26 h, after her hours
        assert follow_ups(running, lead_id) == 1
        await passes(running, clock, timedelta(hours=14, minutes=59))  # Friday 09:59
        assert follow_ups(running, lead_id) == 1
        await passes(running, clock, timedelta(minutes=1))  # 10:00, her hours begin
        await until(lambda: follow_ups(running, lead_id) == 2)


@pytest.fixture
async def sandbox() -> AsyncIterator[BotApiSandbox]:
    async with BotApiSandbox(token=BOT_TOKEN) as running:
        yield running


@pytest.mark.slow
async def test_a_follow_up_due_while_the_bot_was_down_comes_once_after_the_restart(
    database_url: str, clock: ManualClock, sandbox: BotApiSandbox,
) -> None:
    async with running_office(config(), database_url, sandbox=sandbox, clock=clock,
                              limits=BRISK) as running:
        await running.start_chats(AYSE, SELIN)
        lead_id, card = await accepted(running, "en")
        await running[AYSE].press(card, "📞 Contacted")
        await until(lambda: "Follow up" in live(running, card).text)
    clock.advance(timedelta(days=1, hours=2))  # due while nobody ran
    async with running_office(config(), database_url, sandbox=sandbox, clock=clock,
                              limits=BRISK) as running:
        await running[AYSE].wait_for(follow_up_of(lead_id, "en"))
        await running.settled()
        assert follow_ups(running, lead_id) == 1
