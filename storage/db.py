"""Creating the engine: SQLite gets WAL, durable commits, a busy timeout, write-locking
transactions and a 0600 file."""

from __future__ import annotations

import asyncio
import os
import shlex
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiosqlite
from sqlalchemy import event
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from storage import sqlite_trips

READ_ONLY = "leadrelay_read_only"
"""Execution option for connections that only read: on SQLite they begin without a lock,
and a write through them fails."""


def create_engine(url: str, **options: Any) -> AsyncEngine:
    """Return an async engine for *url* (sqlite+aiosqlite or postgresql+asyncpg)."""
    # A statement's parameters are a lead's name, phone, e-mail and message: SQLAlchemy puts
    # them in every error's text and in its own log lines unless told not to.
    options = {**options, "hide_parameters": True}
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        parsed, synchronous = sqlite_synchronous(parsed)
        _create_private_file(parsed)
        # LIFO: the connection used last (its thread and caches warm) is the one used next.
        # No rollback on return, a trip to the connection's thread each: every use ends its
        # transaction itself, and _tune_sqlite rolls back the rare one that could not (a
        # COMMIT that failed), which would otherwise keep SQLite's write lock while idle.
        engine = create_async_engine(parsed, **{"pool_size": 8, "max_overflow": 8,
                                                "pool_use_lifo": True,
                                                "pool_reset_on_return": None, **options})
        _tune_sqlite(engine, synchronous=synchronous)
        engine.sync_engine.dialect.statement_compiler = HintedSQLiteCompiler
        return engine
    parsed, settings = server_settings(parsed)
    if settings:
        options = {**options, "connect_args": {
            **options.get("connect_args", {}), "server_settings": settings}}
    return create_async_engine(parsed, **{"pool_size": 10, "max_overflow": 10, **options})


class HintedSQLiteCompiler(SQLiteCompiler):
    """SQLite's compiler writing a table's hint after its name (`offers INDEXED BY …`),
    which SQLAlchemy's leaves out: the one way to keep SQLite, which leadrelay never lets
    ANALYZE, on the plan a statement needs (`storage/repositories/numbers.py`)."""

    def get_from_hint_text(self, table: Any, text: str | None) -> str | None:
        """The hint as written, `INDEXED BY ix_name`."""
        return text


def server_settings(url: URL) -> tuple[URL, dict[str, str]]:
    """*url* without libpq's `options` parameter, and the `-c name=value` settings it held.

    asyncpg takes run-time settings as a mapping, not as libpq's `options` string, so a URL
    such as `…/shared?options=-csearch_path%3Dleadrelay` (leadrelay in its own schema of a
    database shared with others) works as it would with psql.
    """
    raw = url.query.get("options")
    if raw is None:
        return url, {}
    words = shlex.split(" ".join([raw] if isinstance(raw, str) else raw))
    settings: dict[str, str] = {}
    while words:
        word = words.pop(0)
        if word == "-c" and words:
            word = "-c" + words.pop(0)
        name, equals, value = word.removeprefix("-c").partition("=")
        if not word.startswith("-c") or not equals or not name:
            raise ValueError(f"options: {word!r} is not of the form -c name=value")
        settings[name] = value
    return url.difference_update_query(["options"]), settings


SYNCHRONOUS = ("full", "normal")


def sqlite_synchronous(url: URL) -> tuple[URL, str]:
    """*url* without its `synchronous` parameter, and the level it asked for (full unless
    it says normal).

    FULL syncs the WAL at every commit, so a lead answered 201 survives a power cut too;
    NORMAL survives a crash of the process but a power cut may roll back the last commits.
    """
    raw = url.query.get("synchronous", "full")
    level = (raw if isinstance(raw, str) else raw[-1]).lower()
    if level not in SYNCHRONOUS:
        raise ValueError(f"synchronous: {level!r} is not one of {', '.join(SYNCHRONOUS)}")
    return url.difference_update_query(["synchronous"]), level


def _create_private_file(url: URL) -> None:
    """Make the database file of *url*, if missing, readable and writable by its owner only."""
    # It holds every lead's phone, e-mail and message; SQLite would make it with the umask's
    # mode (usually world-readable), and its -wal and -shm files take the mode of the database
    # file. An existing file keeps the mode its operator gave it.
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return  # in memory, or a URI whose options (mode=ro, …) SQLite must read itself
    try:
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except (FileExistsError, FileNotFoundError):
        return  # already there; or no such directory, which SQLite reports on connecting
    os.chmod(database, 0o600)  # a strict umask may have taken the owner's own write access


async def _connect_sqlite(*args: Any, **kwargs: Any) -> aiosqlite.Connection:
    """aiosqlite's connect (one trip per statement), which waits for its worker thread to end
    when it fails.

    aiosqlite stops the thread of a connection that failed to open without waiting for it;
    when the thread gets round to it, it reports to an event loop that may have closed
    since (a start-up that gave up, a test that ended): a traceback from a thread.
    """
    connection = sqlite_trips.connect(*args, **kwargs)
    connection._thread.daemon = True  # as SQLAlchemy sets it: never holds up the exit
    try:
        return await connection
    except BaseException:
        await asyncio.shield(asyncio.to_thread(connection._thread.join, 10.0))
        raise


def _tune_sqlite(engine: AsyncEngine, *, synchronous: str) -> None:
    """Take the write lock at BEGIN, so two writers queue instead of failing to upgrade."""

    @event.listens_for(engine.sync_engine, "do_connect")
    def _do_connect(dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
        return dialect.dbapi.connect(*cargs, async_creator_fn=_connect_sqlite, **cparams)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let us issue BEGIN ourselves instead of pysqlite's deferred, implicit one.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous.upper()}")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine.pool, "checkin")
    def _on_checkin(dbapi_connection: Any, _record: Any) -> None:
        # Reading in_transaction costs no trip; a rollback only when there is something to end.
        if dbapi_connection is not None and dbapi_connection.driver_connection.in_transaction:
            dbapi_connection.rollback()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Readers need no lock in WAL mode; taking it would make them queue behind writers.
        read_only = bool(connection.get_execution_options().get(READ_ONLY, False))
        # A plain BEGIN would let a stray write take SQLite's lock outside the writers' turn;
        # query_only makes it fail instead. It stays with the pooled connection: set on change.
        if connection.info.get(READ_ONLY, False) is not read_only:
            connection.exec_driver_sql(f"PRAGMA query_only={int(read_only)}")
            connection.info[READ_ONLY] = read_only
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


_WRITERS: weakref.WeakKeyDictionary[Engine, asyncio.Lock] = weakref.WeakKeyDictionary()


def writer_lock(engine: AsyncEngine) -> asyncio.Lock | None:
    """The lock this process's SQLite writers queue on; None for PostgreSQL.

    SQLite admits one writer at a time, and its busy handler is not a queue: a steady run
    of short transactions (a sweep moving thousands of offers) can starve a waiting writer
    until its busy timeout fails it. An asyncio lock serves this process's writers in turn.
    """
    if engine.dialect.name != "sqlite":
        return None
    lock = _WRITERS.get(engine.sync_engine)
    if lock is None:
        lock = _WRITERS[engine.sync_engine] = asyncio.Lock()
    return lock


@asynccontextmanager
async def begin_write(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A write transaction, in turn with this process's other SQLite writers."""
    lock = writer_lock(engine)
    if lock is None:
        async with engine.begin() as conn:
            yield conn
        return
    async with lock, engine.begin() as conn:
        yield conn
