"""`leadrelay demo`: the whole loop offline, on SQLite, against the built-in Bot API sandbox.

A small simulated office (three agents, one on vacation, a manager) receives leads over
HTTP; the agents accept, decline and let an offer time out, and the manager assigns what
nobody took. The terminal narrates each step as the sandbox sees the bot's requests.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp

from core.config import OfficeConfig
from leadrelay.runtime import Runtime
from leadrelay.settings import Settings
from sandbox import ApiCall, BotApiSandbox, SandboxMessage, SandboxUser, parse_html

# Seven digits before the colon: shaped like a token, never mistaken for a real one.
DEMO_BOT_TOKEN = "7000000:demo-sandbox-token-not-a-real-one-000"
SOURCE_TOKEN = "demo-website-token-0000"
PEOPLE = {201: "Ayşe", 202: "Mehmet", 203: "Zeynep", 204: "Can", 209: "Selin"}
AYSE, MEHMET, ZEYNEP, CAN, SELIN = PEOPLE

_COLOURS = ("\033[1m", "\033[2m", "\033[32m", "\033[33m", "\033[31m", "\033[36m", "\033[0m")
BOLD, DIM, GREEN, YELLOW, RED, CYAN, RESET = _COLOURS if sys.stdout.isatty() else ("",) * 7


def demo_office(speed: float) -> OfficeConfig:
    """The simulated office, with SLAs of seconds instead of minutes."""
    window = f"{max(2.0, 6.0 / speed):.1f}s"
    return OfficeConfig.model_validate({
        "name": "Demo Realty", "timezone": "Europe/Istanbul", "default_region": "TR",
        "agents": [
            {"telegram_id": AYSE, "name": "Ayşe"},
            {"telegram_id": MEHMET, "name": "Mehmet"},
            {"telegram_id": ZEYNEP, "name": "Zeynep", "language": "tr"},
            {"telegram_id": CAN, "name": "Can", "away": True},
            {"telegram_id": SELIN, "name": "Selin", "role": "manager"},
        ],
        "sources": [{"name": "website", "token": SOURCE_TOKEN, "channel": "web_form"}],
        "sla": {t: {"accept_within": window, "offers_before_managers": 2}
                for t in ("hot", "warm", "cold")},
    })


class Narrator:
    """Prints what each person sees, as the bot's requests reach the sandbox."""

    def __init__(self) -> None:
        self.started = time.monotonic()

    def say(self, text: str, colour: str = "") -> None:
        """Print one narrated line with the time since the demo began."""
        stamp = f"{DIM}[{time.monotonic() - self.started:5.1f}s]{RESET}"
        print(f"{stamp} {colour}{text}{RESET}", flush=True)

    def on_call(self, call: ApiCall) -> None:
        """Narrate the requests a person would notice."""
        if call.status != 200:
            return
        params = call.params
        who = PEOPLE.get(int(params.get("chat_id") or 0), "?")
        if call.method in ("sendMessage", "editMessageText"):
            text = _visible(str(params.get("text", "")))
            first = text.splitlines()[0] if text else ""
            buttons = _buttons(params.get("reply_markup"))
            verb = "📨 to" if call.method == "sendMessage" else "✏️  edit for"
            if first.startswith(("👋", "🚨", "📊")) or "#" in first:
                self.say(f"{verb} {who}: {first}{buttons}", CYAN)
        elif call.method == "answerCallbackQuery" and params.get("text"):
            alert = " (alert)" if params.get("show_alert") else ""
            self.say(f"   ↳ answered{alert}: {params['text']}", DIM)


def _visible(html: str) -> str:
    with contextlib.suppress(ValueError):
        return parse_html(html)[0]
    return html


def _buttons(markup: Any) -> str:
    if not isinstance(markup, dict):
        return ""
    labels = [b.get("text", "") for row in markup.get("inline_keyboard", []) for b in row]
    return f"  {DIM}[{' | '.join(labels)}]{RESET}" if labels else ""


def _offer_for(lead_id: int) -> Any:
    def match(message: SandboxMessage) -> bool:
        return f"#{lead_id}" in message.text and any(
            text.startswith("✅") for text in message.button_texts())
    return match


async def run_demo(*, speed: float = 1.0) -> None:
    """Run the simulated office from first lead to manager stats, narrating as it goes."""
    speed = max(0.25, speed)
    config = demo_office(speed)
    window = config.sla[next(iter(config.sla))].accept_within.total_seconds()
    narrator = Narrator()

    async def pause(seconds: float) -> None:
        await asyncio.sleep(seconds / speed)

    with tempfile.TemporaryDirectory(prefix="leadrelay-demo-") as workdir:
        database = Path(workdir) / "demo.db"
        print(f"{BOLD}leadrelay demo{RESET} — an office of 3 agents (Can is on vacation) and "
              f"a manager, offers time out after {window:g}s.\n"
              f"{DIM}Database: {database} · Telegram: the built-in Bot API sandbox{RESET}\n")
        async with BotApiSandbox(token=DEMO_BOT_TOKEN) as sandbox:
            sandbox.listeners.append(narrator.on_call)
            settings = Settings(
                telegram_bot_token=DEMO_BOT_TOKEN, telegram_api_url=sandbox.url,
                database_url=f"sqlite+aiosqlite:///{database}", http_port=0,
                sweep_seconds=0.5, _env_file=None)
            runtime = Runtime(settings, config)
            await runtime.start()
            try:
                async with aiohttp.ClientSession() as http:
                    await _script(runtime, sandbox, http, narrator, pause, window)
            finally:
                await runtime.stop()
        print(f"\n{BOLD}That was the whole loop.{RESET} Run it for real: copy "
              "leadrelay.example.yaml to leadrelay.yaml, put your bot token in .env, "
              "then `leadrelay run`.")


async def _script(
    runtime: Runtime, sandbox: BotApiSandbox, http: aiohttp.ClientSession, narrator: Narrator,
    pause: Any, window: float,
) -> None:
    users = {tid: sandbox.user(tid, name, language_code="tr" if tid == ZEYNEP else "en")
             for tid, name in PEOPLE.items()}
    ayse, mehmet, zeynep, selin = users[AYSE], users[MEHMET], users[ZEYNEP], users[SELIN]
    intake = f"http://127.0.0.1:{runtime.http_port}/webhooks/leads"

    async def post(payload: dict[str, Any], label: str) -> int:
        narrator.say(f"🌐 POST /webhooks/leads — {label}", BOLD)
        async with http.post(intake, json=payload,
                             headers={"Authorization": f"Bearer {SOURCE_TOKEN}"}) as response:
            body = await response.json()
        colour = GREEN if response.status < 300 else RED
        narrator.say(f"   ↳ HTTP {response.status} {body}", colour)
        return int(body.get("lead_id", 0))

    narrator.say("Everyone opens the bot and presses Start (a bot may only write to people "
                 "who did).", BOLD)
    for user in (ayse, mehmet, zeynep, selin):
        await user.send("/start")
        await user.wait_for()
    await pause(1)

    print()
    narrator.say("1) A hot lead: Ayşe gets it first and accepts.", YELLOW + BOLD)
    first = await post({"name": "Deniz Kaya", "phone": "0532 123 45 67", "product": "residential",
                        "region": "Istanbul / Kadıköy", "budget_min": 4_000_000,
                        "budget_max": 6_000_000, "timing": "this week",
                        "external_id": "form-1001"}, "Deniz wants a flat in Kadıköy this week")
    offer = await ayse.wait_for(_offer_for(first))
    await pause(2)
    narrator.say("Ayşe presses ✅ Accept", BOLD)
    await ayse.press(offer, "✅ Accept")
    opened = await ayse.wait_for(lambda m: f"#{first}" in m.text and "+90" in m.text)
    phone_line = next(line for line in opened.text.splitlines() if "+90" in line)
    narrator.say(f"   Ayşe now sees the contact: {phone_line}", GREEN)

    print()
    narrator.say("2) The web form retries the same submission: nothing is created twice.",
                 YELLOW + BOLD)
    await post({"name": "Deniz Kaya", "phone": "0532 123 45 67", "external_id": "form-1001"},
               "the same external_id again")
    narrator.say("   A malformed lead gets a 4xx that names the field:", DIM)
    await post({"name": "No Contact"}, "a lead with neither phone nor e-mail")
    await pause(1)

    print()
    narrator.say("3) A warm lead: Mehmet declines (not his area), Zeynep takes it.",
                 YELLOW + BOLD)
    second = await post({"name": "Emre Şahin", "email": "emre@example.com", "product": "land",
                         "region": "Bursa", "budget_max": 900_000, "timing": "next month"},
                        "Emre asks about land in Bursa")
    offer = await mehmet.wait_for(_offer_for(second))
    await pause(1.5)
    narrator.say("Mehmet presses ✖️ Decline and picks a reason", BOLD)
    await mehmet.press(offer, "✖️ Decline")
    asking = await mehmet.wait_for(lambda m: "not my area" in m.button_texts())
    await mehmet.press(asking, "not my area")
    offer = await zeynep.wait_for(_offer_for(second))
    await pause(1.5)
    narrator.say("Zeynep (who reads the bot in Turkish) presses ✅ Kabul et", BOLD)
    await zeynep.press(offer, "✅ Kabul et")
    await zeynep.wait_for(lambda m: f"#{second}" in m.text and "@" in m.text)

    print()
    narrator.say(f"4) A hot lead nobody answers: after {window:g}s it moves on, then goes to "
                 "the manager.", YELLOW + BOLD)
    third = await post({"name": "Murat Aydın", "phone": "+90 555 987 65 43",
                        "product": "commercial", "region": "Izmir / Alsancak",
                        "budget_min": 10_000_000, "budget_max": 15_000_000, "timing": "ASAP"},
                       "Murat needs a shop in Alsancak, ASAP")
    alert = await selin.wait_for(lambda m: f"#{third}" in m.text and bool(m.buttons),
                                 timeout=4 * window + 10)
    await pause(2)
    narrator.say("Selin picks Mehmet from the buttons", BOLD)
    await selin.press(alert, "👤 Mehmet")
    await mehmet.wait_for(lambda m: f"#{third}" in m.text and "+90" in m.text)

    print()
    narrator.say("5) Ayşe works the lead from its card; the manager asks for the numbers.",
                 YELLOW + BOLD)

    def card_says(text: str) -> Callable[[SandboxMessage], bool]:
        return lambda m: m.message_id == opened.message_id and text in m.text

    narrator.say("Ayşe presses 📞 Contacted, then 📅 Appointment → Tomorrow → a time", BOLD)
    await ayse.press(opened, "📞 Contacted")
    await ayse.wait_for(card_says("Stage: contacted"))
    await ayse.press(opened, "📅 Appointment")
    await ayse.press(opened, "Tomorrow")
    times = await ayse.wait_for(lambda m: m.message_id == opened.message_id and ":" in
                                "".join(m.button_texts()))
    await ayse.press(opened, times.button_texts()[0])
    await ayse.wait_for(card_says("Stage: appointment"))
    narrator.say("Ayşe replies to the card to add a note", BOLD)
    await ayse.reply(opened, "Wants a sea view; call after 6 pm")
    card = await ayse.wait_for(card_says("call after 6 pm"))
    print()
    _print_chat(ayse, card)
    print()
    await selin.send("/pending")
    await selin.wait_for()
    await selin.send("/stats")
    stats = await selin.wait_for(lambda m: "Funnel and speed" in m.text)
    print()
    _print_chat(selin, stats)
    narrator.say("Selin presses Offers under it: what became of each agent's offers", BOLD)
    await selin.press(stats, "Offers")
    offers = await selin.wait_for(lambda m: m.message_id == stats.message_id
                                  and "Leads in:" in m.text)
    print()
    _print_chat(selin, offers)


def _print_chat(user: SandboxUser, message: SandboxMessage) -> None:
    """Show a message the way it reads in the person's chat."""
    print(f"{BOLD}What {user.first_name} sees in Telegram:{RESET}")
    for line in message.text.splitlines():
        print(f"  │ {line}")
