"""A whole leadrelay process in the test's event loop, talking to the Bot API sandbox."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp

from bot.pacing import Limits
from core.clock import Clock
from core.config import OfficeConfig
from leadrelay.clock import SystemClock
from leadrelay.runtime import Runtime
from leadrelay.settings import Settings
from leadrelay.startup import StartupError
from sandbox import BotApiSandbox, SandboxMessage, SandboxUser
from tests.office import AYSE, CAN, MEHMET, SELIN, TOKEN, ZEYNEP

BOT_TOKEN = "123456789:" + "A" * 35
# For tests of what a person does in their chat, not of the pacing (tests/test_pacing.py): the
# chat is not held to Telegram's one message a second, or a test would wait out every edit.
BRISK = Limits(private_interval=0.05)
WEBHOOK_SECRET = "sandbox-webhook-secret-0123"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
NAMES = {AYSE: "Ayşe", MEHMET: "Mehmet", ZEYNEP: "Zeynep", CAN: "Can", SELIN: "Selin"}


class RunningOffice:
    """The running app, the sandbox, and the people of the test office as Telegram users."""

    def __init__(self, runtime: Runtime, sandbox: BotApiSandbox,
                 session: aiohttp.ClientSession) -> None:
        self.runtime, self.sandbox, self.session = runtime, sandbox, session
        self.people = {tid: sandbox.user(tid, name) for tid, name in NAMES.items()}

    def __getitem__(self, telegram_id: int) -> SandboxUser:
        return self.people[telegram_id]

    async def post_lead(self, payload: dict[str, Any], *, expect: int = 201) -> int:
        """Post a lead to the intake server as a marketing source would."""
        url = f"http://127.0.0.1:{self.runtime.http_port}/webhooks/leads"
        async with self.session.post(url, json=payload,
                                     headers={"Authorization": f"Bearer {TOKEN}"}) as r:
            body = await r.json()
            assert r.status == expect, body
        # The 201 comes once the lead is stored; routing follows at once, and a test reads
        # the offer next, so wait for that routing pass.
        await self.runtime.app.route_new_leads()
        return int(body["lead_id"])

    async def settled(self, *, sweeps: int = 2, within: float = 30.0) -> None:
        """Return once *sweeps* more sweeps have finished and nothing is left to send.

        Whatever a timer, a sweep or a retry would still do to what the test did has then
        been done: a test that asserts something happened only once may assert it now.
        """
        async with asyncio.timeout(within):
            await self.runtime.timers.swept(sweeps)
            # The outbox is rows in a database: no event to wait on, so look again and again.
            while self.runtime.dispatcher.busy or await self.runtime.outbox.backlog():  # noqa: ASYNC110
                await asyncio.sleep(0.02)

    async def start_chats(self, *people: int) -> None:
        """Each person presses Start and sees the welcome."""
        for person in people:
            user = self.people[person]
            await user.send("/start")
            await user.wait_for(lambda m: "Hi" in m.text or "Merhaba" in m.text)


async def until(condition: Callable[[], bool], *, within: float = 20.0) -> None:
    """Return once *condition* holds; fail after *within* seconds."""
    async with asyncio.timeout(within):
        # What is watched is plain state of another object: no event to wait on.
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.01)


def offer_for(lead_id: int) -> Any:
    """A predicate for the offer message of one lead with its buttons still on."""
    def match(message: SandboxMessage) -> bool:
        return f"#{lead_id}" in message.text and "✅ Accept" in message.button_texts()
    return match


def text_has(*parts: str) -> Any:
    """A predicate for a message whose visible text holds every part."""
    return lambda message: all(part in message.text for part in parts)


@asynccontextmanager
async def running_office(
    config: OfficeConfig, database_url: str, *, sandbox: BotApiSandbox | None = None,
    sweep_seconds: float = 0.5, config_path: Path | None = None, webhook: bool = False,
    limits: Limits | None = None, clock: Clock | None = None, meta_graph_url: str | None = None,
) -> AsyncIterator[RunningOffice]:
    """Start leadrelay against a sandbox (a new one unless given) and stop it afterwards;
    Meta's leads fetched from *meta_graph_url* (sandbox/graph.py's stand-in) when given."""
    graph = {} if meta_graph_url is None else {"meta_graph_url": meta_graph_url}
    own_sandbox = sandbox is None
    if sandbox is None:
        sandbox = BotApiSandbox(token=BOT_TOKEN)
        await sandbox.start()
    for attempt in range(5):
        # Telegram must be told the port before it is up, so a webhook run picks one first;
        # another test may take it in between, and then the next one is tried.
        port = free_port() if webhook else 0
        settings = Settings(
            telegram_bot_token=BOT_TOKEN, telegram_api_url=sandbox.url,  # type: ignore[arg-type]
            database_url=database_url, http_port=port, sweep_seconds=sweep_seconds,
            leadrelay_config=config_path or Path("leadrelay.yaml"),
            telegram_webhook_url=f"http://127.0.0.1:{port}" if webhook else None,
            telegram_webhook_secret=WEBHOOK_SECRET if webhook else None,  # type: ignore[arg-type]
            **graph)
        runtime = Runtime(settings, config, webhook=webhook, limits=limits,
                          clock=clock or SystemClock())
        try:
            await runtime.start()
            break
        except StartupError as exc:
            if not webhook or "already in use" not in str(exc) or attempt == 4:
                raise
    try:
        async with aiohttp.ClientSession() as session:
            yield RunningOffice(runtime, sandbox, session)
    finally:
        await runtime.stop()
        if own_sandbox:
            await sandbox.stop()
