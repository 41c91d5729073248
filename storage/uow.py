"""The unit of work: one database transaction that rolls back unless committed."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from types import TracebackType
from typing import Any, Self

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from core.errors import StorageUnavailable
from storage.db import READ_ONLY, writer_lock
from storage.problems import unavailable
from storage.repositories import (
    SqlAgents,
    SqlContacts,
    SqlEvents,
    SqlLeads,
    SqlOffers,
    SqlOutbox,
    SqlRotations,
    SqlTeam,
)
from storage.repositories.chat_imports import SqlChatImports
from storage.repositories.coverage import SqlCoverage
from storage.repositories.exports import SqlExports
from storage.repositories.failures import SqlFailedIntake
from storage.repositories.fairness import SqlFairness
from storage.repositories.fetches import SqlLeadFetches
from storage.repositories.inbound import SqlInboundMessages
from storage.repositories.numbers import SqlNumbers
from storage.repositories.outbox import Claimant
from storage.repositories.personal import SqlPersonalData
from storage.repositories.report_series import SqlReportSeries
from storage.repositories.work import SqlCards, SqlPrompts, SqlTasks

AfterCommit = Callable[[list[datetime], frozenset[int]], None]

# PostgreSQL: one snapshot for every statement of a read, and a write fails.
_READING: dict[str, dict[str, Any]] = {
    "sqlite": {READ_ONLY: True},
    "postgresql": {"postgresql_readonly": True, "isolation_level": "REPEATABLE READ"},
}


class SqlUnitOfWork:
    """Repositories sharing one connection and transaction."""

    agents: SqlAgents
    contacts: SqlContacts
    leads: SqlLeads
    offers: SqlOffers
    rotations: SqlRotations
    events: SqlEvents
    outbox: SqlOutbox
    personal: SqlPersonalData
    tasks: SqlTasks
    cards: SqlCards
    prompts: SqlPrompts
    team: SqlTeam
    failed_intake: SqlFailedIntake
    chat_imports: SqlChatImports
    lead_fetches: SqlLeadFetches
    inbound: SqlInboundMessages
    coverage: SqlCoverage
    numbers: SqlNumbers
    fairness: SqlFairness
    exports: SqlExports
    report_series: SqlReportSeries

    def __init__(self, engine: AsyncEngine, *, after_commit: AfterCommit | None = None,
                 claimant: Claimant | None = None) -> None:
        self._engine = engine
        self._after_commit = after_commit
        self._claimant = claimant
        self._conn: AsyncConnection | None = None
        self._lock: asyncio.Lock | None = None
        self._wakeups: list[datetime] = []
        self._read_only = False

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[Self]:
        """This unit of work as a transaction that only reads: it does not wait for SQLite's
        writers (in WAL mode they never wait for it), a write through it fails, and it cannot
        commit."""
        self._read_only = True
        try:
            async with self:
                yield self
        finally:
            self._read_only = False

    async def __aenter__(self) -> Self:
        """Open a connection and begin the transaction (in turn, on SQLite, unless reading)."""
        self._lock = None if self._read_only else writer_lock(self._engine)
        if self._lock is not None:
            await self._lock.acquire()
        try:
            self._conn = await self._engine.connect()
            if self._read_only:
                await self._conn.execution_options(**_READING.get(self._engine.dialect.name, {}))
            await self._conn.begin()
        except BaseException as exc:
            if self._conn is not None:  # a failed BEGIN must not leak its connection
                with contextlib.suppress(Exception):
                    await self._conn.close()
                self._conn = None
            if self._lock is not None:
                self._lock.release()
            if isinstance(exc, Exception):  # no session, whatever the cause: nothing ran
                raise StorageUnavailable() from exc
            raise
        conn = self._conn
        self.agents, self.contacts = SqlAgents(conn), SqlContacts(conn)
        self.leads, self.offers = SqlLeads(conn), SqlOffers(conn)
        self.rotations, self.events = SqlRotations(conn), SqlEvents(conn)
        self.outbox = SqlOutbox(conn, claimant=None if self._read_only else self._claimant)
        self.personal = SqlPersonalData(conn)
        self.tasks, self.cards, self.prompts = SqlTasks(conn), SqlCards(conn), SqlPrompts(conn)
        self.team = SqlTeam(conn)
        self.failed_intake = SqlFailedIntake(conn)
        self.chat_imports = SqlChatImports(conn)
        self.lead_fetches = SqlLeadFetches(conn)
        self.inbound = SqlInboundMessages(conn)
        self.coverage = SqlCoverage(conn)
        self.numbers = SqlNumbers(conn)
        self.fairness = SqlFairness(conn)
        self.exports = SqlExports(conn)
        self.report_series = SqlReportSeries(conn)
        self._wakeups = []
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Roll back whatever was not committed and give the connection back; a database
        that stopped answering on the way is told as StorageUnavailable."""
        assert self._conn is not None
        try:
            if self._conn.in_transaction():
                await self._conn.rollback()
            await self._conn.close()
        except Exception as cleanup:
            # A connection the server dropped cannot roll back; the error that ended the
            # work says more than this one does.
            with contextlib.suppress(Exception):
                await self._conn.invalidate()
            if exc is None:
                if unavailable(cleanup):
                    raise StorageUnavailable() from cleanup
                raise
        finally:
            self._conn = None
            if self._lock is not None:
                self._lock.release()
        if isinstance(exc, Exception) and unavailable(exc):
            raise StorageUnavailable() from exc

    async def commit(self) -> None:
        """Commit, then tell the runtime about new deadlines and queued messages."""
        assert self._conn is not None
        if self._read_only:
            raise RuntimeError("a unit of work opened for reading cannot commit")
        await self._conn.commit()
        wakeups, self._wakeups = self._wakeups, []
        claimed, self.outbox.claimed = self.outbox.claimed, []
        if claimed and self._claimant is not None:
            self._claimant.take(claimed)  # before the kick: their chats are taken by then
        if self._after_commit is not None and (wakeups or self.outbox.chats):
            self._after_commit(wakeups, frozenset(self.outbox.chats))
        self.outbox.chats.clear()

    def wake_at(self, when: datetime) -> None:
        """Remember to wake the runtime at *when* once this transaction commits."""
        self._wakeups.append(when)
