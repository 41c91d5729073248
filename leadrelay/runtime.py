"""One asyncio process: Telegram polling, the intake server, the outbox dispatcher and timers."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import logging
import os
import signal
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import timedelta

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram.ext import Application, ApplicationBuilder

from bot.albums import ChartAlbums
from bot.context import BotContext
from bot.dispatcher import OutboxDispatcher
from bot.handlers import publish_commands, register, share
from bot.pacing import Limits, Pacer, PacingLimiter
from bot.probe import BotApiProbe
from bot.render import Renderer
from bot.request import AiohttpRequest
from bot.webhook import PATH as WEBHOOK_PATH
from bot.webhook import TelegramWebhook
from core.app import App, Signals
from core.clock import Clock
from core.config import OfficeConfig
from core.errors import ConfigError
from core.lifecycle.availability import return_from_ended_aways
from core.lifecycle.deadlines import (
    audit_leads,
    pending_deadlines,
    report_audit,
)
from core.lifecycle.failed_intake import forget_old_failures
from core.lifecycle.prompts import forget_stale_prompts
from core.lifecycle.reminders import next_reminders
from core.lifecycle.roster_import import sync_roster
from core.privacy import forget_expired_leads
from core.roster import roster_in_force
from integrations.charts import ProcessCharts
from integrations.meta_graph import MetaGraph
from integrations.qr import SegnoQrCodes
from integrations.spreadsheet import FileSpreadsheets
from leadrelay import logs
from leadrelay.bootstrap import UowBinder, bootstrap, sql_uow_factory
from leadrelay.clock import SystemClock
from leadrelay.office import load_office, roster_differences, with_roster
from leadrelay.settings import Settings
from leadrelay.startup import StartupError, port_problem
from leadrelay.telegram_link import TelegramLink
from leadrelay.timers import Timers
from storage.db import create_engine
from storage.metrics import MetricsStore
from storage.migrate import upgrade
from storage.outbox import OutboxStore
from storage.problems import database_problem
from storage.repositories.outbox import Claimant
from storage.updates import UpdateLog
from webhooks.app import build_intake_app
from webhooks.operations import Readiness
from webhooks.server import intake_runner

log = logging.getLogger(__name__)

_LOGGED_IDS = 50
_QR_CODES = SegnoQrCodes()  # the QR code of /invite's link
_SHEETS = FileSpreadsheets()  # a spreadsheet a manager sends the bot to import


@functools.cache  # once a process: a test run starts many runtimes
def _freeze_start_up() -> None:
    """Keep the garbage collector off what the first start-up made.

    The config, the pools and the Telegram app live as long as the process, as the modules
    frozen at import do (leadrelay.cli): frozen too, a full collection (some 50 ms in which
    no lead moves) walks only what came after.
    """
    gc.collect()
    gc.freeze()


@dataclass(frozen=True)
class Live:
    """The app and the renderer of the office config in force; a reload replaces both."""

    app: App
    renderer: Renderer


@dataclass
class Runtime:
    """Starts and stops every part of a running leadrelay, in order."""

    settings: Settings
    config: OfficeConfig
    clock: Clock = field(default_factory=SystemClock)
    webhook: bool = False  # Telegram updates by webhook instead of long polling
    limits: Limits | None = None  # the pacing of messages; by default from the settings
    engine: AsyncEngine = field(init=False)
    application: Application = field(init=False)  # type: ignore[type-arg]
    dispatcher: OutboxDispatcher = field(init=False)
    outbox: OutboxStore = field(init=False)
    updates: UpdateLog = field(init=False)
    telegram: TelegramWebhook | None = field(init=False, default=None)
    telegram_link: TelegramLink = field(init=False)
    timers: Timers = field(init=False)
    _live: Live = field(init=False)
    _uows: UowBinder = field(init=False)
    _signals: Signals = field(init=False)
    _stack: AsyncExitStack = field(init=False, default_factory=AsyncExitStack)
    _runner: web.AppRunner | None = field(init=False, default=None)
    # /report's charts: a worker process of their own, started by the first report.
    _charts: ProcessCharts = field(init=False, default_factory=ProcessCharts)

    @property
    def app(self) -> App:
        """The app in force."""
        return self._live.app

    @property
    def renderer(self) -> Renderer:
        """The renderer in force."""
        return self._live.renderer

    @property
    def http_port(self) -> int:
        """The port the intake server listens on (useful when configured as 0)."""
        if self._runner is None:
            raise RuntimeError("the intake server is not running")
        return int(self._runner.addresses[0][1])

    async def start(self) -> None:
        """Migrate, then bring up the dispatcher, timers, intake and Telegram.

        Each step that needs undoing registers its undo as it succeeds, so stop() (or a
        failed start, here) takes down exactly what came up, in reverse order.
        """
        try:
            await self._start()
        except BaseException:
            await self._stack.aclose()
            raise

    async def _start(self) -> None:
        settings, stack = self.settings, self._stack
        self._protect_secrets()
        # python-telegram-bot 22 reports retry_after as a timedelta only when asked to.
        os.environ.setdefault("PTB_TIMEDELTA", "1")
        self.engine = create_engine(settings.database_url)
        stack.push_async_callback(self.engine.dispose)
        try:
            await upgrade(self.engine)
        except Exception as exc:  # drivers raise many unrelated types for one cause
            problem = database_problem(exc, settings.database_url)
            if problem is None:
                raise
            raise StartupError(problem) from None
        api = settings.telegram_api_url
        pacer = Pacer(self.limits or Limits(per_second=settings.telegram_messages_per_second))
        requests = AiohttpRequest()
        # Closed here too: python-telegram-bot closes it only if the bot came up.
        stack.push_async_callback(requests.shutdown)
        self.application = (
            ApplicationBuilder()
            .token(settings.telegram_bot_token.get_secret_value())
            .base_url(f"{api}/bot")
            .base_file_url(f"{api}/file/bot")
            .concurrent_updates(8)
            .rate_limiter(PacingLimiter(pacer))
            .request(requests)
            .build()
        )
        self.outbox = OutboxStore(self.engine)
        self.updates = UpdateLog(self.engine)
        self.dispatcher = OutboxDispatcher(
            store=self.outbox, bot=self.application.bot, renderer=lambda: self.renderer,
            clock=self.clock, app=lambda: self.app,
            hold=lambda chat: timedelta(seconds=pacer.window(chat)),
            albums=ChartAlbums(bot=self.application.bot, app=lambda: self.app,
                               charts=self._charts, store=self.outbox).send)
        graph = MetaGraph(settings.meta_graph_url)
        stack.push_async_callback(graph.close)
        self.timers = Timers(lambda: self.app, sweep_seconds=settings.sweep_seconds,
                             graph=graph)
        self._signals = Signals(on_wakeup=self.timers.wake_at, on_outbox=self.dispatcher.kick)
        self._uows = sql_uow_factory(self.engine, claimant=Claimant(
            owner=self.dispatcher.claiming_as, lease=self.dispatcher.lease, now=self.clock.now,
            take=self.dispatcher.take))
        self._live = self._build(self.config)
        try:
            self._live, self.config = await self._with_stored_roster(self._live, self.config)
        except ConfigError as exc:
            raise StartupError(f"bad office config:\n{exc}") from None
        await self.app.run(sync_roster)
        stack.push_async_callback(self._charts.close)
        register(self.application, BotContext(self.app, self.renderer, reload=self.reload,
                                              qr=_QR_CODES, sheets=_SHEETS,
                                              charts=self._charts))
        webhook = settings.require_webhook() if self.webhook else None
        self.telegram_link = TelegramLink(
            self.application, on_up=lambda: publish_commands(self.application, self.app),
            on_back=self._telegram_back,
            webhook=(webhook[0] + WEBHOOK_PATH, webhook[1]) if webhook else None,
            token_id=settings.telegram_bot_token.get_secret_value().partition(":")[0])
        # Closing the bot's connections comes last: the dispatcher sends what is in flight.
        stack.push_async_callback(self.telegram_link.shutdown)
        # Listening before anything runs in the background or polls Telegram: a port in use
        # fails start-up at once, and intake takes leads even while Telegram does not answer.
        await self._serve_http()
        self.dispatcher.start()
        stack.push_async_callback(self.dispatcher.stop)
        stack.push_async_callback(self._stop_routing)
        for deadline in await self.app.run(pending_deadlines):
            self.timers.wake_at(deadline)
        for reminder in await self.app.run(next_reminders):
            self.timers.wake_at(reminder)
        self.timers.every(settings.audit_seconds, self.audit, name="audit")
        self.timers.start()
        stack.push_async_callback(self.timers.shutdown)
        stack.push_async_callback(self.telegram_link.stop)
        await self.telegram_link.connect()
        _freeze_start_up()
        log.info("leadrelay is up: intake on http://%s:%s, office %r",
                 settings.http_host, self.http_port, self.config.name,
                 extra={"updates": "webhook" if self.webhook else "polling",
                        "dispatcher": self.dispatcher.name})

    async def _with_stored_roster(self, live: Live,
                                  config: OfficeConfig) -> tuple[Live, OfficeConfig]:
        """*config* with the roster edited in chat in place of leadrelay.yaml's agents, and
        its app: a chat's edit is never undone by the file (ConfigError when the rest of the
        file names someone that roster lacks)."""
        people = await live.app.run(roster_in_force)
        if people is None:
            return live, config
        differing: list[str] = []
        with contextlib.suppress(ConfigError):  # a config given in code has no file to read
            differing = roster_differences(self.settings.leadrelay_config, people)
        if differing:
            log.warning("leadrelay.yaml's agents differ from the roster edited in chat for %s; "
                        "the chat's edits stand (`leadrelay agents export` writes the roster "
                        "out, `leadrelay agents import FILE` replaces it)",
                        ", ".join(differing[:10]) + (" …" if len(differing) > 10 else ""))
        merged = with_roster(config, people, self.settings.leadrelay_config)
        return (live if merged == config else self._build(merged)), merged

    def _build(self, config: OfficeConfig) -> Live:
        """The app and renderer for *config*, on this runtime's storage and signals."""
        app = bootstrap(config=config, clock=self.clock, uow_factory=self._uows,
                        signals=self._signals)
        return Live(app, Renderer(zone=config.zone, office=config.name, clock=self.clock,
                                  currency=config.currency))

    async def _serve_http(self) -> None:
        """The intake server (and Telegram's webhook, in webhook mode), listening."""
        settings = self.settings
        figures = MetricsStore(self.engine)
        intake = build_intake_app(lambda: self.app, figures=figures,
                                  readiness=Readiness(figures, self),
                                  telegram=BotApiProbe(self.application.bot))
        if self.webhook:
            _, secret = settings.require_webhook()
            self.telegram = TelegramWebhook(self.application, updates=self.updates,
                                            secret=secret, clock=self.clock,
                                            ready=self.telegram_link.up.is_set)
            intake.router.add_post(WEBHOOK_PATH, self.telegram.handle)
        runner = self._runner = intake_runner(intake)
        await runner.setup()
        self._stack.push_async_callback(self._stop_http)
        try:
            await web.TCPSite(runner, settings.http_host, settings.http_port).start()
        except OSError as exc:
            problem = port_problem(exc, host=settings.http_host, port=settings.http_port)
            if problem is None:
                raise
            raise StartupError(problem) from None

    def _protect_secrets(self) -> None:
        """Tell the log redaction this installation's exact secrets and its phone region."""
        webhook_secret = self.settings.telegram_webhook_secret
        logs.protect(self.settings.telegram_bot_token.get_secret_value(),
                     webhook_secret.get_secret_value() if webhook_secret else None,
                     *(secret for source in self.config.sources
                       for secret in source.secrets.values()),
                     region=self.config.default_region)

    async def audit(self) -> None:
        """Fix what stalled (leads nobody holds, messages stuck in the outbox) and report it."""
        try:
            rerouted = await self.app.run_in_turns(audit_leads)
            resent = await self.outbox.resend_stale(
                self.clock.now(), older_than=timedelta(seconds=self.settings.outbox_stale_seconds))
            await self.app.run(report_audit, rerouted=rerouted, resent=resent)
            # An away whose last day has passed ends by itself (core/lifecycle/availability).
            await self.app.run(return_from_ended_aways)
            await self.updates.forget_before(self.clock.now() - timedelta(days=2))
            forgotten = await self.app.run_in_turns(forget_expired_leads)
            await self.app.run(forget_stale_prompts)
            # Wrong-token posts are what an attacker sends: kept a day, then only counted.
            await self.app.run(forget_old_failures)
        except Exception:
            log.exception("the audit failed; the next one retries")
            return
        if forgotten:
            log.info("erased the personal data of %d lead(s) closed longer ago than the "
                     "retention policy keeps them", len(forgotten),
                     extra={"lead_ids": forgotten[:_LOGGED_IDS], "count": len(forgotten)})
        if rerouted or resent:
            log.warning("audit: routed %d lead(s) nobody held again, made %d stuck message(s) "
                        "due again", len(rerouted), resent,
                        extra={"lead_ids": rerouted[:_LOGGED_IDS], "rerouted": len(rerouted),
                               "resent": resent})
            self.dispatcher.kick()

    def problems(self) -> dict[str, str]:
        """What of this instance's own work has stopped (core.ports.InstanceHealth)."""
        stopped = {}
        if not self.dispatcher.running:
            stopped["dispatcher"] = "the outbox is not being sent"
        if not self.timers.running:
            stopped["timers"] = "deadlines are not being swept"
        return stopped

    async def _telegram_back(self) -> None:
        """Telegram answers again: what waited for it (in back-off, as sends failed) is due
        now, not whenever each message's back-off ends."""
        await self.outbox.resend_stale(self.clock.now(), older_than=timedelta(0))
        self.dispatcher.kick()

    async def reload(self) -> OfficeConfig:
        """Read the office config again and put a new app and renderer in place at once; a
        bad file raises ConfigError and changes nothing."""
        path = self.settings.leadrelay_config
        config = load_office(path, roster=await self.app.run(roster_in_force))
        live, config = await self._with_stored_roster(self._build(config), config)
        await live.app.run(sync_roster)
        old, self._live, self.config = self._live, live, config
        self._protect_secrets()
        share(self.application, BotContext(live.app, live.renderer, reload=self.reload,
                                           qr=_QR_CODES, sheets=_SHEETS, charts=self._charts))
        await old.app.stop()  # the routing passes the old app had begun
        log.info("office config reloaded: %d rules, %d people",
                 len(config.routing.rules), len(config.agents))
        return config

    async def reload_or_keep(self) -> None:
        """Reload on SIGHUP; on a bad file, log why and keep the running config."""
        try:
            await self.reload()
        except ConfigError as exc:
            log.error("office config not reloaded, the running one stays:\n%s", exc)

    async def stop(self) -> None:
        """Stop taking leads, finish what is in flight, and leave timers to the database."""
        await self._stop_http()  # first: no lead arrives that this instance cannot route
        await self._stack.aclose()
        log.info("leadrelay stopped")

    async def _stop_http(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _stop_routing(self) -> None:
        await self.app.stop()


async def serve(settings: Settings, config: OfficeConfig, stop: asyncio.Event, *,
                webhook: bool = False) -> None:
    """Run until *stop* is set."""
    runtime = Runtime(settings, config, webhook=webhook)
    loop = asyncio.get_running_loop()
    reloads: set[asyncio.Task[None]] = set()
    started = asyncio.Event()

    async def reload_once_up() -> None:
        await started.wait()  # intake answers before the rest is up: a SIGHUP may come early
        await runtime.reload_or_keep()

    def on_sighup() -> None:
        task = loop.create_task(reload_once_up())
        reloads.add(task)
        task.add_done_callback(reloads.discard)

    # Before start: once intake answers, a SIGHUP must reload, not end the process.
    with contextlib.suppress(NotImplementedError, AttributeError):  # no SIGHUP on Windows
        loop.add_signal_handler(signal.SIGHUP, on_sighup)
    await runtime.start()
    started.set()
    try:
        await stop.wait()
    finally:
        await runtime.stop()
