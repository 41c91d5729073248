"""Shared fixtures: a real SQLite file and the real PostgreSQL, and the office used in tests."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from telegram import Bot

from bot.sandbox import BotApiSandbox
from storage.db import create_engine
from storage.migrate import upgrade

POSTGRES_URL = os.environ.get(
    "LEADRELAY_TEST_POSTGRES", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")


async def _reset_postgres(url: str) -> None:
    """Drop every table so each test starts from an empty, freshly migrated schema."""
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
    finally:
        await engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A database URL for each backend; PostgreSQL must be reachable under CI=true."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'leadrelay.db'}"
        return
    try:
        await _reset_postgres(POSTGRES_URL)
    except Exception as exc:  # asyncpg and the OS raise several unrelated types here
        reason = f"PostgreSQL at {POSTGRES_URL} is unreachable: {exc!r}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} (CI must run the PostgreSQL tests)")
        pytest.skip(reason)
    yield POSTGRES_URL


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
