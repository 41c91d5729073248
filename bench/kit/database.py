"""The database of one bench run: a new SQLite file or a scratch database on a PostgreSQL server."""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.db import READ_ONLY, create_engine
from storage.scratch import ScratchDatabase


def sqlite_url(folder: Path) -> str:
    """The URL of the bench's SQLite file (bench.db) in *folder*."""
    return f"sqlite+aiosqlite:///{folder / 'bench.db'}"


def database_size(folder: Path) -> float:
    """MiB taken by the SQLite database files (main, WAL, shared memory) in *folder*."""
    return sum(p.stat().st_size for p in folder.glob("bench.db*")) / 2**20


class BenchDatabase:
    """The database one bench run works in: its own, emptied between phases, never another's."""

    def __init__(self, url: str, scratch: ScratchDatabase | None = None) -> None:
        self.url = url
        self._scratch = scratch

    async def empty(self) -> None:
        """Leave the database as new: drop the scratch database's tables, or the SQLite file."""
        if self._scratch is not None:
            await self._scratch.empty()
            return
        path = make_url(self.url).database
        for suffix in ("", "-wal", "-shm"):
            await asyncio.to_thread(Path(f"{path}{suffix}").unlink, missing_ok=True)


@contextlib.asynccontextmanager
async def bench_database(choice: str, folder: Path, *,
                         label: str = "bench") -> AsyncIterator[BenchDatabase]:
    """'sqlite' (a new file in *folder*; 'sqlite?synchronous=normal' with that parameter), a
    SQLite URL, or a PostgreSQL server URL on which the run makes a database of its own and
    drops it at the end.

    Another run on the same server (a test suite, a second bench) keeps its own tables.
    """
    if choice == "sqlite" or choice.startswith("sqlite?"):
        yield BenchDatabase(sqlite_url(folder) + choice.removeprefix("sqlite"))
        return
    if choice.startswith("sqlite"):
        yield BenchDatabase(choice)
        return
    scratch = ScratchDatabase(choice, label=label)
    url = await scratch.create()
    try:
        yield BenchDatabase(url, scratch)
    finally:
        await scratch.drop()


@contextlib.asynccontextmanager
async def workspace(choice: str, *, prefix: str) -> AsyncIterator[tuple[Path, BenchDatabase]]:
    """A temporary folder (named *prefix*…) for the run's files, and its database (*choice* as
    for bench_database); both gone at the end."""
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp_dir:
        tmp = Path(tmp_dir)
        async with bench_database(choice, tmp) as database:
            yield tmp, database


@contextlib.asynccontextmanager
async def engine_at(url: str) -> AsyncIterator[AsyncEngine]:
    """leadrelay's engine on *url*, disposed of at the end."""
    engine = create_engine(url)
    try:
        yield engine
    finally:
        await engine.dispose()


@contextlib.asynccontextmanager
async def read_only(url: str) -> AsyncIterator[AsyncConnection]:
    """A read-only connection to *url*, on an engine of its own disposed of at the end."""
    async with engine_at(url) as engine, engine.connect() as conn:
        await conn.execution_options(**{READ_ONLY: True})
        yield conn
