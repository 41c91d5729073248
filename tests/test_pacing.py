"""Delivery at Telegram's pace: no 429 storms, unreachable agents skipped, and the accept
clock started by delivery rather than by our own queue."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest

from bot.pacing import Limits
from core.model import DeclineReason, LeadStatus, OfferStatus
from sandbox import BotApiSandbox, TelegramLimits
from tests.harness import BOT_TOKEN, RunningOffice, offer_for, running_office, text_has
from tests.office import AYSE, HOT, MEHMET, SELIN, ZEYNEP, office

pytestmark = pytest.mark.slow  # a whole leadrelay runs: see README, Tests

SLOW = {"hot": {"accept_within": "10m", "offers_before_managers": 3}}


def phone(n: int) -> str:
    return f"+90532{n:07d}"


async def offers_of(running: RunningOffice, lead_id: int) -> list:  # type: ignore[type-arg]
    async with running.runtime.app.uow() as uow:
        return await uow.offers.for_lead(lead_id)


async def test_a_burst_to_a_few_agents_is_paced_under_telegrams_limits_without_a_429(
    database_url: str,
) -> None:
    async with BotApiSandbox(token=BOT_TOKEN, limits=TelegramLimits()) as sandbox, \
            running_office(office(sla=SLOW), database_url, sandbox=sandbox) as running:
        await running.start_chats(AYSE, MEHMET, ZEYNEP, SELIN)
        started = time.monotonic()
        leads = await asyncio.gather(*(running.post_lead({**HOT, "phone": phone(n)})
                                       for n in range(15)))
        for lead_id in leads:
            holder = next(o.agent_id for o in await offers_of(running, lead_id))
            await running[holder].wait_for(offer_for(lead_id))
        elapsed = time.monotonic() - started
        assert sandbox.rate_limited == []
        # Five offers each to three agents: one second apart in every chat, never faster.
        assert elapsed >= 4.0


async def test_an_agent_who_blocked_the_bot_is_skipped_and_the_managers_are_told(
    database_url: str,
) -> None:
    async with running_office(office(sla=SLOW), database_url) as running:
        await running.start_chats(AYSE, MEHMET, ZEYNEP, SELIN)
        running[AYSE].block()
        lead_id = await running.post_lead(HOT)
        await running[MEHMET].wait_for(offer_for(lead_id))
        await running[SELIN].wait_for(text_has("Ayşe", f"lead #{lead_id} moved on"))
        first, second = await offers_of(running, lead_id)
        assert (first.agent_id, first.status, first.decline_reason) == (
            AYSE, OfferStatus.DECLINED, DeclineReason.UNREACHABLE)
        assert (second.agent_id, second.status) == (MEHMET, OfferStatus.PENDING)
        # Until Ayşe opens the bot again, the rotation passes her by.
        later = [await running.post_lead({**HOT, "phone": phone(n)}) for n in range(3)]
        holders = {o.agent_id for lead in later for o in await offers_of(running, lead)}
        assert AYSE not in holders
        running[AYSE].unblock()
        seen = max(m.message_id for m in running[AYSE].messages)
        await running[AYSE].send("/start")
        await running[AYSE].wait_for(lambda m: m.message_id > seen and "Hi" in m.text)
        back = [await running.post_lead({**HOT, "phone": phone(n)}) for n in range(10, 13)]
        holders = {o.agent_id for lead in back for o in await offers_of(running, lead)}
        assert AYSE in holders


async def test_the_accept_clock_starts_when_the_offer_reaches_the_agent(
    database_url: str,
) -> None:
    async with running_office(office(sla=SLOW), database_url) as running:
        await running.start_chats(AYSE, MEHMET, SELIN)
        running.sandbox.fail_next("sendMessage", error_code=429,
                                  description="Too Many Requests: retry after 2", retry_after=2)
        lead_id = await running.post_lead(HOT)
        await running[AYSE].wait_for(offer_for(lead_id))
        for _ in range(50):
            [offer] = await offers_of(running, lead_id)
            if offer.delivered_at is not None:
                break
            await asyncio.sleep(0.05)
        assert offer.delivered_at is not None
        assert offer.delivered_at - offer.created_at >= timedelta(seconds=2)
        assert offer.deadline == offer.delivered_at + timedelta(minutes=10)
        async with running.runtime.app.uow() as uow:
            lead = await uow.leads.get(lead_id)
        assert lead is not None
        assert lead.status is LeadStatus.OFFERED


async def test_the_reasons_to_decline_appear_at_once_while_the_next_offer_waits_its_turn(
    database_url: str,
) -> None:
    # Mail to a chat goes one message per interval, here 8 s: Ayşe's second offer is held
    # while she presses Decline on her first. The reason buttons answer her own press and
    # do not queue behind it.
    limits = Limits(private_interval=8.0)
    async with BotApiSandbox(token=BOT_TOKEN, limits=TelegramLimits()) as sandbox, \
            running_office(office(sla=SLOW), database_url, sandbox=sandbox,
                           limits=limits) as running:
        await running.start_chats(AYSE, MEHMET, ZEYNEP, SELIN)
        leads = await asyncio.gather(*(running.post_lead({**HOT, "phone": phone(n)})
                                       for n in range(6)))
        ayse = running[AYSE]
        first = await ayse.wait_for(lambda m: any(offer_for(lead)(m) for lead in leads))
        await ayse.press(first, "✖️ Decline")
        await ayse.wait_for(lambda m: "not my area" in m.button_texts(), timeout=6.0)
        offers = [m for m in ayse.messages if "HOT lead #" in m.text]
        assert len(offers) == 1, "the next offer must still be waiting for its turn"
        assert sandbox.rate_limited == []
