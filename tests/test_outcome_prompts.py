"""The owner is asked where a lead stands at day 1, week 1, and days 21 and 30 after Accept
when its stage has not moved, with one-tap answers: end to end through the sandbox with the
injected clock, in both languages, and the checkpoints on fakes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from bot.i18n import t_raw
from core.clock import ManualClock
from core.lifecycle.reminders import send_due_reminders
from leadrelay.bootstrap import bootstrap
from sandbox import SandboxMessage
from tests.fakes import FakeDatabase, fake_uow_factory
from tests.harness import BRISK, RunningOffice, running_office, until
from tests.office import AYSE, SELIN, linked, owned
from tests.test_follow_ups import START, accepted, config, live, passes, shown


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


def prompt_of(lead_id: int, lang: str) -> Callable[[SandboxMessage], bool]:
    """A predicate for an outcome prompt of the lead, its answers still on."""
    still = t_raw(lang, "button.still_working")
    return lambda m: f"#{lead_id}" in m.text and still in m.button_texts()


def prompts(running: RunningOffice, lead_id: int, lang: str) -> int:
    return sum(prompt_of(lead_id, lang)(m) for m in running[AYSE].messages)


@pytest.mark.parametrize("lang", ["en", "tr"])
async def test_a_one_tap_answer_records_the_stage_and_week_one_asks_nothing_after_it(
    database_url: str, clock: ManualClock, lang: str,
) -> None:
    async with running_office(config(lang), database_url, clock=clock,
                              limits=BRISK) as running:
        await running.start_chats(AYSE, SELIN)
        ayse = running[AYSE]
        lead_id, card = await accepted(running, lang)
        await passes(running, clock, timedelta(hours=23, minutes=59))
        assert prompts(running, lead_id, lang) == 0, "not before day 1"
        await passes(running, clock, timedelta(minutes=1))
        prompt = await ayse.wait_for(prompt_of(lead_id, lang))
        assert t_raw(lang, "stage.new") in prompt.text
        clock.advance(timedelta(hours=1))
        await ayse.press(prompt, t_raw(lang, "button.info_sent"))
        stage = shown(lang, "card.stage", stage=t_raw(lang, "stage.info_sent"))
        await until(lambda: stage in live(running, card).text)  # recorded as on the card
        answered = shown(lang, "outcome.answered", lead_id=lead_id,
                         stage=t_raw(lang, "stage.info_sent"))
        await until(lambda: answered in live(running, prompt).text)
        await passes(running, clock, timedelta(days=6))  # week 1: moved since day 1
        assert prompts(running, lead_id, lang) == 0


@pytest.mark.parametrize("lang", ["en", "tr"])
async def test_still_working_on_it_records_no_stage_and_week_one_asks_again(
    database_url: str, clock: ManualClock, lang: str,
) -> None:
    async with running_office(config(lang), database_url, clock=clock,
                              limits=BRISK) as running:
        await running.start_chats(AYSE, SELIN)
        ayse = running[AYSE]
        lead_id, card = await accepted(running, lang)
        await passes(running, clock, timedelta(days=1))
        prompt = await ayse.wait_for(prompt_of(lead_id, lang))
        answer = await ayse.press(prompt, t_raw(lang, "button.still_working"))
        assert answer.text == t_raw(lang, "answer.still_working")
        await until(lambda: shown(lang, "outcome.working", lead_id=lead_id)
                    in live(running, prompt).text)
        assert shown(lang, "card.stage", stage=t_raw(lang, "stage.new")) in \
            live(running, card).text
        await passes(running, clock, timedelta(days=6))  # week 1: nothing moved
        again = await ayse.wait_for(prompt_of(lead_id, lang))
        assert again.message_id > prompt.message_id
        await passes(running, clock, timedelta(days=1))
        assert prompts(running, lead_id, lang) == 1, "asked once at week 1"


async def test_a_lead_moved_before_day_one_is_not_asked_about(
    database_url: str, clock: ManualClock,
) -> None:
    async with running_office(config(), database_url, clock=clock, limits=BRISK) as running:
        await running.start_chats(AYSE, SELIN)
        lead_id, card = await accepted(running, "en")
        clock.advance(timedelta(hours=2))
        await running[AYSE].press(card, "📞 Contacted")
        await until(lambda: "Follow up" in live(running, card).text)
        await passes(running, clock, timedelta(days=1))
        assert prompts(running, lead_id, "en") == 0


async def test_an_untouched_lead_is_asked_at_day_one_week_one_and_days_21_and_30_only(
    clock: ManualClock,
) -> None:
    db = FakeDatabase()
    relay = await linked(bootstrap(config=config(), clock=clock,
                                   uow_factory=fake_uow_factory(db)))
    lead_id, _ = await owned(relay, db)
    accepted_at = clock.now()
    for day in range(1, 41):
        clock.advance(accepted_at + timedelta(days=day, hours=1) - clock.now())
        await relay.run_in_turns(send_due_reminders)
    asked = [e.at - accepted_at for e in db.events
             if e.kind == "outcome_asked" and e.lead_id == lead_id]
    assert [round(a / timedelta(days=1)) for a in asked] == [1, 7, 21, 30]
