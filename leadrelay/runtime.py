"""One asyncio process: Telegram polling, the intake server, the outbox dispatcher and timers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram.ext import Application, ApplicationBuilder

from bot.dispatcher import OutboxDispatcher
from bot.handlers import BotContext, publish_commands, register
from bot.pacing import Limits, Pacer, PacingLimiter
from bot.render import Renderer
from bot.webhook import PATH as WEBHOOK_PATH
from bot.webhook import TelegramWebhook
from core.clock import Clock, SystemClock
from core.config import OfficeConfig
from leadrelay import logs
from leadrelay.bootstrap import Leadrelay, bootstrap, sql_uow_factory
from leadrelay.office import ConfigError, load_office
from leadrelay.settings import Settings
from storage.db import create_engine
from storage.metrics import MetricsStore
from storage.migrate import upgrade
from storage.outbox import OutboxStore
from storage.updates import UpdateLog
from webhooks.app import BotApiProbe, Readiness, build_intake_app

log = logging.getLogger(__name__)

# APScheduler may fire a hair before the deadline by the database's clock; this margin makes
# the woken sweep find the offer overdue instead of waiting for the next periodic sweep.
_WAKE_MARGIN = timedelta(milliseconds=50)
_SLOT_US = 100_000
_UPDATES = ("message", "callback_query")
_LOGGED_IDS = 50


class Timers:
    """Wakes the process at offer deadlines; the periodic sweep of the database is the guarantee.

    Jobs carry no state: each one only runs the sweep, which reads overdue offers from the
    database. `misfire_grace_time=None` makes a job that came due while the process was
    busy or suspended still run, instead of APScheduler's default of dropping it after 1 s.
    """

    def __init__(self, relay: Leadrelay, *, sweep_seconds: float) -> None:
        self._relay = relay
        self._sweep_seconds = sweep_seconds
        self._scheduler = AsyncIOScheduler(timezone=UTC)
        self._lock = asyncio.Lock()
        self._planned: set[datetime] = set()
        self._again = False
        self.escalated = 0
        self.sweeps = 0  # sweep passes finished
        self._swept = asyncio.Condition()

    def start(self) -> None:
        """Start the periodic sweep, with a first run at once."""
        self._scheduler.add_job(
            self.sweep, "interval", seconds=self._sweep_seconds, id="sweep",
            next_run_time=datetime.now(UTC),  # noqa: TID251 - APScheduler runs on wall time
            coalesce=True, max_instances=1, misfire_grace_time=None)
        self._scheduler.start()

    def wake_at(self, when: datetime) -> None:
        """Run a sweep just after *when*; deadlines within one slot share a single wake-up."""
        # A claim pool's offers share a deadline and a burst of leads has hundreds close
        # together: one job per tenth of a second is enough, as each sweep moves all overdue.
        slot = when + timedelta(microseconds=-when.microsecond % _SLOT_US)
        if slot in self._planned:
            return
        self._planned.add(slot)
        self._scheduler.add_job(self._wake, "date", run_date=slot + _WAKE_MARGIN, args=[slot],
                                misfire_grace_time=None, coalesce=True)

    def every(self, seconds: float, job: Callable[[], Awaitable[None]], *, name: str) -> None:
        """Run *job* every *seconds*, never two at once."""
        self._scheduler.add_job(job, "interval", seconds=seconds, id=name, coalesce=True,
                                max_instances=1, misfire_grace_time=None)

    async def _wake(self, slot: datetime) -> None:
        self._planned.discard(slot)
        await self.sweep()

    async def sweep(self) -> None:
        """Start routing any lead left waiting, and move every overdue offer on; a wake-up
        during a sweep asks for one more after it.

        Wake-ups do not queue one sweep each: with thousands of deadlines close together
        that would be thousands of sweeps finding little, each taking the database's lock.
        """
        if self._lock.locked():
            self._again = True
            return
        async with self._lock:
            self._again = True
            while self._again:
                self._again = False
                # Leads an instance stored and did not live to route: a pass of their own,
                # so that neither waits for, nor fails with, the other.
                await self._relay.route_new_leads(wait=False)
                try:
                    moved = await self._relay.escalate_expired_offers()
                except Exception:
                    log.exception("escalation sweep failed; the next sweep retries")
                    return
                finally:
                    await self._count_sweep()
                if moved:
                    self.escalated += len(moved)
                    # The first ids are enough to look the offers up; a burst can move hundreds.
                    log.info("moved on %d offer(s) past their deadline", len(moved),
                             extra={"offer_ids": moved[:_LOGGED_IDS], "count": len(moved)})

    async def _count_sweep(self) -> None:
        async with self._swept:
            self.sweeps += 1
            self._swept.notify_all()

    async def swept(self, passes: int = 1) -> None:
        """Return once *passes* sweep passes that began after this call have finished."""
        target = self.sweeps + passes + (1 if self._lock.locked() else 0)
        async with self._swept:
            await self._swept.wait_for(lambda: self.sweeps >= target)

    def shutdown(self) -> None:
        """Stop firing; pending deadlines stay in the database for the next start."""
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)


@dataclass
class Runtime:
    """Starts and stops every part of a running leadrelay, in order."""

    settings: Settings
    config: OfficeConfig
    clock: Clock = field(default_factory=SystemClock)
    webhook: bool = False  # Telegram updates by webhook instead of long polling
    limits: Limits | None = None  # the pacing of messages; by default from the settings
    relay: Leadrelay = field(init=False)
    engine: AsyncEngine = field(init=False)
    application: Application = field(init=False)  # type: ignore[type-arg]
    dispatcher: OutboxDispatcher = field(init=False)
    outbox: OutboxStore = field(init=False)
    updates: UpdateLog = field(init=False)
    telegram: TelegramWebhook | None = field(init=False, default=None)
    timers: Timers = field(init=False)
    renderer: Renderer = field(init=False)
    _runner: web.AppRunner | None = field(init=False, default=None)

    @property
    def http_port(self) -> int:
        """The port the intake server listens on (useful when configured as 0)."""
        assert self._runner is not None
        return int(self._runner.addresses[0][1])

    async def start(self) -> None:
        """Migrate, then bring up timers, the dispatcher, Telegram polling and intake."""
        settings = self.settings
        self._protect_secrets()
        self.engine = create_engine(settings.database_url)
        await upgrade(self.engine)
        self.relay = bootstrap(config=self.config, clock=self.clock,
                               uow_factory=sql_uow_factory(self.engine))
        await self.relay.sync_roster()
        api = settings.telegram_api_url
        pacer = Pacer(self.limits or Limits(per_second=settings.telegram_messages_per_second))
        self.application = (
            ApplicationBuilder()
            .token(settings.telegram_bot_token.get_secret_value())
            .base_url(f"{api}/bot")
            .base_file_url(f"{api}/file/bot")
            .concurrent_updates(8)
            .rate_limiter(PacingLimiter(pacer))
            .build()
        )
        renderer = self.renderer = Renderer(zone=self.config.zone, office=self.config.name,
                                            clock=self.clock)
        register(self.application, BotContext(self.relay, renderer, reload=self.reload))
        self.outbox = OutboxStore(self.engine)
        self.updates = UpdateLog(self.engine)
        self.dispatcher = OutboxDispatcher(store=self.outbox,
                                           bot=self.application.bot, renderer=renderer,
                                           clock=self.clock, hooks=self.relay,
                                           hold=lambda chat: timedelta(
                                               seconds=pacer.window(chat)))
        self.timers = Timers(self.relay, sweep_seconds=settings.sweep_seconds)
        self.relay.signals.on_outbox = self.dispatcher.kick
        self.relay.signals.on_wakeup = self.timers.wake_at
        self.timers.start()
        self.timers.every(settings.audit_seconds, self.audit, name="audit")
        for deadline in await self.relay.pending_deadlines():
            self.timers.wake_at(deadline)
        await self.application.initialize()
        self.dispatcher.start()
        try:
            await publish_commands(self.application, self.relay)
        except Exception:
            log.exception("could not register the command menus; continuing")
        await self.application.start()
        if not self.webhook:
            assert self.application.updater is not None
            await self.application.updater.start_polling(
                poll_interval=0.0, allowed_updates=list(_UPDATES))
        figures = MetricsStore(self.engine)
        readiness = Readiness(figures, BotApiProbe(self.application.bot), self.clock)
        intake = build_intake_app(self.relay, metrics_store=figures, readiness=readiness)
        if self.webhook:
            url, secret = settings.require_webhook()
            self.telegram = TelegramWebhook(self.application, updates=self.updates,
                                            secret=secret, clock=self.clock)
            intake.router.add_post(WEBHOOK_PATH, self.telegram.handle)
        self._runner = web.AppRunner(intake, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, settings.http_host, settings.http_port).start()
        if self.webhook:
            # Every instance sets the same URL: harmless, and whichever starts last is right.
            await self.application.bot.set_webhook(
                url + WEBHOOK_PATH, secret_token=secret, allowed_updates=list(_UPDATES),
                max_connections=40)
        log.info("leadrelay is up: intake on http://%s:%s, office %r",
                 settings.http_host, self.http_port, self.config.name,
                 extra={"updates": "webhook" if self.webhook else "polling",
                        "dispatcher": self.dispatcher.name})

    def _protect_secrets(self) -> None:
        """Tell the log redaction this installation's exact secrets and its phone region."""
        webhook_secret = self.settings.telegram_webhook_secret
        logs.protect(self.settings.telegram_bot_token.get_secret_value(),
                     webhook_secret.get_secret_value() if webhook_secret else None,
                     *(source.token.get_secret_value() for source in self.config.sources),
                     region=self.config.default_region)

    async def audit(self) -> None:
        """Fix what stalled (leads nobody holds, messages stuck in the outbox) and report it."""
        try:
            rerouted = await self.relay.audit_leads()
            resent = await self.outbox.resend_stale(
                self.clock.now(), older_than=timedelta(seconds=self.settings.outbox_stale_seconds))
            await self.relay.report_audit(rerouted=rerouted, resent=resent)
            await self.updates.forget_before(self.clock.now() - timedelta(days=2))
        except Exception:
            log.exception("the audit failed; the next one retries")
            return
        if rerouted or resent:
            log.warning("audit: routed %d lead(s) nobody held again, made %d stuck message(s) "
                        "due again", len(rerouted), resent,
                        extra={"lead_ids": rerouted[:_LOGGED_IDS], "rerouted": len(rerouted),
                               "resent": resent})
            self.dispatcher.kick()

    async def reload(self) -> OfficeConfig:
        """Read the office config again; a bad file raises ConfigError and changes nothing."""
        config = load_office(self.settings.leadrelay_config)
        self.config = config
        self._protect_secrets()
        self.relay.deps = replace(self.relay.deps, config=config)
        self.renderer.zone, self.renderer.office = config.zone, config.name
        await self.relay.sync_roster()
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
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        updater = self.application.updater
        if updater is not None and updater.running:
            await updater.stop()
        if self.application.running:
            await self.application.stop()
        self.timers.shutdown()
        await self.relay.stop_routing()
        await self.dispatcher.stop()
        with contextlib.suppress(Exception):
            await self.application.shutdown()
        await self.engine.dispose()
        log.info("leadrelay stopped")


async def serve(settings: Settings, config: OfficeConfig, stop: asyncio.Event, *,
                webhook: bool = False) -> None:
    """Run until *stop* is set."""
    runtime = Runtime(settings, config, webhook=webhook)
    await runtime.start()
    loop = asyncio.get_running_loop()
    reloads: set[asyncio.Task[None]] = set()

    def on_sighup() -> None:
        task = loop.create_task(runtime.reload_or_keep())
        reloads.add(task)
        task.add_done_callback(reloads.discard)

    with contextlib.suppress(NotImplementedError, AttributeError):  # no SIGHUP on Windows
        loop.add_signal_handler(signal.SIGHUP, on_sighup)
    try:
        await stop.wait()
    finally:
        await runtime.stop()
