"""What the Bot API sandbox saw: offers and first messages by lead, people linked, replies."""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass, field

from bench.kit.office import AGENT_IDS, MANAGER_ID
from core.config import OfficeConfig
from sandbox import ApiCall, BotApiSandbox

MANAGER_TIMEOUT_S = 90.0
_LEAD_ID = re.compile(r"#(\d+)")


@dataclass
class OfferWatch:
    """A sandbox listener that records when each lead's offer (sendMessage #id) arrived."""

    seen: dict[int, float] = field(default_factory=dict)
    rejected: int = 0

    def __call__(self, call: ApiCall) -> None:
        """Record the monotonic arrival time of the first offer for each lead id."""
        if call.method != "sendMessage" or "reply_markup" not in call.params:
            return
        text = call.params.get("text")
        match = _LEAD_ID.search(text) if isinstance(text, str) else None
        if match is None:
            return
        if call.status != 200:
            self.rejected += 1
            return
        self.seen.setdefault(int(match.group(1)), call.at)

    async def wait_all(self, lead_ids: list[int], deadline: float) -> None:
        """Return once every lead in *lead_ids* has its offer, or at *deadline* (monotonic)."""
        pending = [lead for lead in lead_ids if lead not in self.seen]
        while pending and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
            pending = [lead for lead in pending if lead not in self.seen]


@dataclass
class FirstMessage:
    """A sandbox listener: the chat of the first buttoned message naming each lead (#id)."""

    chat_of: dict[int, int] = field(default_factory=dict)
    at: dict[int, float] = field(default_factory=dict)

    def __call__(self, call: ApiCall) -> None:
        """Record offers (to agents) and escalations (to the manager) by lead id."""
        if call.method != "sendMessage" or "reply_markup" not in call.params:
            return
        text = call.params.get("text")
        if not isinstance(text, str) or call.status != 200:
            return
        start = text.find("#")
        digits = ""
        while start >= 0:
            end = start + 1
            while end < len(text) and text[end].isdigit():
                end += 1
            digits = text[start + 1:end]
            if digits:
                break
            start = text.find("#", end)
        if not digits:
            return
        lead = int(digits)
        if lead not in self.chat_of:
            self.chat_of[lead] = int(call.params.get("chat_id", 0))
            self.at[lead] = call.at


async def link_agents(sandbox: BotApiSandbox, *, within: float) -> None:
    """Every agent and the manager of the bench office press /start and see the welcome."""
    names = {tid: f"Agent{n + 1}" for n, tid in enumerate(AGENT_IDS)} | {MANAGER_ID: "Boss"}
    users = [sandbox.user(tid, name) for tid, name in names.items()]
    for user in users:
        await user.send("/start")
    await asyncio.gather(*(user.wait_for(lambda m: "Hi " in m.text, timeout=within)
                           for user in users))


async def link_everyone(sandbox: BotApiSandbox, config: OfficeConfig, *, concurrency: int,
                        within: float) -> float:
    """Every agent and the manager press /start, *concurrency* at a time; wait for welcomes."""
    started = time.monotonic()
    gate = asyncio.Semaphore(concurrency)

    async def one(telegram_id: int, name: str) -> None:
        async with gate:
            user = sandbox.user(telegram_id, name)
            await user.send("/start")
            await user.wait_for(lambda m: "Hi " in m.text, timeout=within)

    async with asyncio.timeout(within):
        await asyncio.gather(*(one(a.telegram_id, a.name) for a in config.agents))
    return time.monotonic() - started


async def manager_command(sandbox: BotApiSandbox, command: str) -> str:
    """The manager sends *command* to the bot; how long the reply took and how it began."""
    boss = sandbox.user(MANAGER_ID, "Boss")
    last = max((m.message_id for m in boss.messages), default=0)
    sent = time.monotonic()
    await boss.send(command)
    try:  # a command's reply has no buttons; escalations to the manager do
        text = (await boss.wait_for(lambda m: m.message_id > last and not m.buttons,
                                    timeout=MANAGER_TIMEOUT_S)).text
    except TimeoutError:
        return f"manager {command}: no reply within {MANAGER_TIMEOUT_S:g}s"
    first = text.splitlines()[0] if text else ""
    return (f"manager {command}: reply after {time.monotonic() - sent:.1f}s, {len(text):,} "
            f"chars: {first[:70]!r}")


def escalated_to_manager(sandbox: BotApiSandbox, lead_ids: set[int]) -> int:
    """How many of *lead_ids* the manager was sent (with buttons), i.e. no agent took them."""
    found = {int(match.group(1)) for m in sandbox.user(MANAGER_ID, "Boss").messages
             if m.buttons and (match := _LEAD_ID.search(m.text))}
    return len(found & lead_ids)
