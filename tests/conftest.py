"""Shared fixtures: a real SQLite file and the real PostgreSQL, and the office used in tests."""

from __future__ import annotations

import asyncio
import gc
import os
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Bot

from sandbox import BotApiSandbox
from storage.db import create_engine
from storage.migrate import upgrade
from storage.scratch import ScratchDatabase

T = TypeVar("T")


@pytest.fixture(autouse=True, scope="module")
def _leaks_show_in_their_own_module() -> Iterator[None]:
    """Collect garbage after each test file, so that a socket or file left open warns (and
    fails, warnings being errors) in the file that left it, not at random in a later one."""
    yield
    gc.collect()


# The server the PostgreSQL tests run on; each run makes databases of its own there.
POSTGRES_SERVER = os.environ.get(
    "LEADRELAY_TEST_POSTGRES", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """Workers for `-n auto`: twice the cores, at most eight.

    Most of a test's time is spent waiting (for a timer, for Telegram's pace), so two workers
    per core keep the cores busy; eight keeps the PostgreSQL connections well under its 100.
    """
    return min(8, 2 * (os.cpu_count() or 1))


@pytest.fixture(scope="session")
def postgres_database(worker_id: str) -> Iterator[ScratchDatabase | BaseException]:
    """This run's (this xdist worker's) own PostgreSQL database, dropped at the end.

    Made on first use, so a run that only touches SQLite never connects; an unreachable
    server is handed on as the error, for each test to fail or skip on.
    """
    database = ScratchDatabase(POSTGRES_SERVER, label=f"test_{worker_id}")
    try:
        _in_own_loop(database.create())
    except Exception as exc:  # asyncpg and the OS raise several unrelated types here
        yield exc
        return
    try:
        yield database
    finally:
        _in_own_loop(database.drop())


def _in_own_loop(work: Coroutine[Any, Any, T]) -> T:
    """Run *work* to the end on a loop of its own, even when called from inside a test's."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, work).result()


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database for each backend; PostgreSQL must be reachable under CI=true."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'leadrelay.db'}"
        return
    database = request.getfixturevalue("postgres_database")
    if isinstance(database, BaseException):
        reason = f"PostgreSQL at {POSTGRES_SERVER} is unreachable: {database!r}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} (CI must run the PostgreSQL tests)")
        pytest.skip(reason)
    await database.empty()
    yield database.url


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """A migrated database on each backend, disposed of after the test."""
    engine = create_engine(database_url)
    await upgrade(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
async def bot(sandbox: BotApiSandbox) -> AsyncIterator[Bot]:
    """The real python-telegram-bot client, talking to the module's `sandbox` over HTTP."""
    client = Bot(sandbox.token, base_url=f"{sandbox.url}/bot",
                 base_file_url=f"{sandbox.url}/file/bot")
    async with client:
        yield client
