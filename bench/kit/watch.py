"""What the Bot API sandbox saw: the offer of each lead, and the office's people linked."""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass, field

from bench.kit.office import AGENT_IDS, MANAGER_ID
from bot.sandbox import ApiCall, BotApiSandbox

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


async def link_agents(sandbox: BotApiSandbox, *, within: float) -> None:
    """Every agent and the manager of the bench office press /start and see the welcome."""
    names = {tid: f"Agent{n + 1}" for n, tid in enumerate(AGENT_IDS)} | {MANAGER_ID: "Boss"}
    users = [sandbox.user(tid, name) for tid, name in names.items()]
    for user in users:
        await user.send("/start")
    await asyncio.gather(*(user.wait_for(lambda m: "Hi " in m.text, timeout=within)
                           for user in users))
