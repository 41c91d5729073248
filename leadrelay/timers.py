"""The timers: APScheduler wakes the process at offer deadlines and every few seconds; the
sweep then reads what is due from the database, which is the guarantee."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from core.app import App
from core.lifecycle.deadlines import escalate_expired_offers
from core.lifecycle.digest import send_digest_if_due
from core.lifecycle.import_pool import release_pooled
from core.lifecycle.lead_ads import fetch_due_leads, next_fetch
from core.lifecycle.reminders import LOOK as REMINDERS_LOOK
from core.lifecycle.reminders import next_reminders, send_due_reminders
from core.ports.fetches import LeadAdsGraph

log = logging.getLogger(__name__)

# APScheduler may fire a hair before the deadline by the database's clock; this margin makes
# the woken sweep find the offer overdue instead of waiting for the next periodic sweep.
_WAKE_MARGIN = timedelta(milliseconds=50)
_SLOT_US = 100_000
_LOGGED_IDS = 50
_PLANNED_REMINDERS = 50  # the soonest reminders each sweep plans a wake-up for


class Timers:
    """Wakes the process at offer deadlines; the periodic sweep of the database is the guarantee.

    Jobs carry no state: each one only runs the sweep, which reads overdue offers from the
    database. `misfire_grace_time=None` makes a job that came due while the process was
    busy or suspended still run, instead of APScheduler's default of dropping it after 1 s.
    """

    def __init__(self, app: Callable[[], App], *, sweep_seconds: float,
                 graph: LeadAdsGraph | None = None) -> None:
        self._app = app  # the app in force: a reload puts a new one in place
        self._graph = graph  # where Meta Lead Ads' fields are fetched; None: not swept
        self._sweep_seconds = sweep_seconds
        self._scheduler = AsyncIOScheduler(timezone=UTC)
        self._lock = asyncio.Lock()
        self._planned: set[datetime] = set()
        self._again = False
        self.escalated = 0
        self.sweeps = 0  # sweep passes finished
        self._swept = asyncio.Condition()
        self._running: set[asyncio.Task[None]] = set()  # jobs under way, for shutdown
        self._stopped = False

    def start(self) -> None:
        """Start the periodic sweep, with a first run at once."""
        self._scheduler.add_job(
            self._tracked(self.sweep), "interval", seconds=self._sweep_seconds, id="sweep",
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
        self._scheduler.add_job(self._tracked(self._wake), "date", run_date=slot + _WAKE_MARGIN,
                                args=[slot], misfire_grace_time=None, coalesce=True)

    @property
    def running(self) -> bool:
        """Whether the sweeps and the audit are scheduled."""
        return bool(self._scheduler.running) and not self._stopped

    def every(self, seconds: float, job: Callable[[], Awaitable[None]], *, name: str) -> None:
        """Run *job* every *seconds*, never two at once."""
        self._scheduler.add_job(self._tracked(job), "interval", seconds=seconds, id=name,
                                coalesce=True, max_instances=1, misfire_grace_time=None)

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
                app = self._app()
                await self._release_imports(app)
                # Leads an instance stored and did not live to route: a pass of their own,
                # so that neither waits for, nor fails with, the other.
                await app.route_new_leads(wait=False)
                # Each part on its own: a failing one must not hold the other back.
                try:
                    moved: list[int] | None = await app.run_in_turns(escalate_expired_offers)
                except Exception:
                    log.exception("escalation sweep failed; the next sweep retries")
                    moved = None
                try:
                    reminded = await app.run_in_turns(send_due_reminders)
                    # Wake-ups for the next reminders whoever made them: after a restart only
                    # the soonest were planned, and another instance's are not planned here.
                    for when in await app.run(next_reminders, limit=_PLANNED_REMINDERS,
                                              ahead=True):
                        self.wake_at(when)
                except Exception:
                    log.exception("reminder sweep failed; the next sweep retries")
                    reminded = []
                finally:
                    await self._morning_digest(app)
                    await self._lead_ads(app)
                    await self._count_sweep()
                if len(reminded) >= REMINDERS_LOOK:  # a pile came due: on with it at once
                    self._again = True
                if moved is None:
                    return
                if reminded:
                    log.info("sent %d reminder(s)", len(reminded),
                             extra={"task_ids": reminded[:_LOGGED_IDS], "count": len(reminded)})
                if moved:
                    self.escalated += len(moved)
                    # The first ids are enough to look the offers up; a burst can move hundreds.
                    log.info("moved on %d offer(s) past their deadline", len(moved),
                             extra={"offer_ids": moved[:_LOGGED_IDS], "count": len(moved)})

    async def _release_imports(self, app: App) -> None:
        """Let the import pool's share for now go to routing (the routing pass after it
        offers them), and plan a wake-up for the next share."""
        try:
            release = await app.run(release_pooled)
        except Exception:
            log.exception("import pool release failed; the next sweep retries")
            return
        if release.released:
            log.info("released %d imported lead(s) to routing", len(release.released),
                     extra={"lead_ids": release.released[:_LOGGED_IDS],
                            "count": len(release.released)})
        if release.again_at is not None:
            self.wake_at(release.again_at)

    async def _morning_digest(self, app: App) -> None:
        """Send the managers' digest if its time has come (the database decides, by the
        app's clock), and plan a wake-up for the next one."""
        try:
            due = await app.run(send_digest_if_due)
        except Exception:
            log.exception("morning digest failed; the next sweep retries")
            return
        if due is not None:
            self.wake_at(due)

    async def _lead_ads(self, app: App) -> None:
        """Fetch the Meta leads whose try is due, route what they stored, and plan a wake-up
        for the next try."""
        if self._graph is None:
            return
        try:
            stored = await app.run_in_turns(fetch_due_leads, graph=self._graph)
            if stored:
                log.info("stored %d lead(s) fetched from the Graph API", len(stored),
                         extra={"lead_ids": stored[:_LOGGED_IDS]})
                await app.route_new_leads(wait=False)
            due = await app.run(next_fetch)
        except Exception:
            log.exception("lead ads sweep failed; the next sweep retries")
            return
        if due is not None:
            self.wake_at(due)

    async def _count_sweep(self) -> None:
        async with self._swept:
            self.sweeps += 1
            self._swept.notify_all()

    async def swept(self, passes: int = 1) -> None:
        """Return once *passes* sweep passes that began after this call have finished."""
        target = self.sweeps + passes + (1 if self._lock.locked() else 0)
        async with self._swept:
            await self._swept.wait_for(lambda: self.sweeps >= target)

    def _tracked(self, job: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
        """*job*, counted while it runs, so that shutdown can let it finish."""
        async def run(*args: object) -> None:
            if self._stopped:  # submitted just before shutdown, started just after it
                return
            task = asyncio.current_task()
            if task is not None:
                self._running.add(task)
            try:
                await job(*args)
            finally:
                if task is not None:
                    self._running.discard(task)
        return run

    async def shutdown(self) -> None:
        """Stop firing and let a sweep or audit under way finish its pass; pending deadlines
        stay in the database for the next start."""
        self._stopped = True
        if not self._scheduler.running:
            return
        # APScheduler's shutdown cancels the jobs still running: a sweep cut off that way is
        # reported as a crash. So no new job starts, the running ones finish, then it stops.
        self._scheduler.pause()
        await asyncio.sleep(0)  # a job the scheduler just submitted gets to start (or quit)
        if self._running:
            await asyncio.gather(*self._running, return_exceptions=True)
        self._scheduler.shutdown(wait=False)
