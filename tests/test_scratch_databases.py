"""Throwaway databases: every test run works in its own and drops only that one."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from leadrelay.settings import SettingsError, load_storage_settings
from storage.db import create_engine, server_settings
from storage.migrate import upgrade
from storage.scratch import ScratchDatabase
from tests.conftest import POSTGRES_SERVER


@pytest.fixture
async def server() -> str:
    """The PostgreSQL server URL, once it answers; CI must have it."""
    probe = ScratchDatabase(POSTGRES_SERVER, label="probe")
    try:
        await probe.create()
    except Exception as exc:  # asyncpg and the OS raise several unrelated types here
        reason = f"PostgreSQL at {POSTGRES_SERVER} is unreachable: {exc!r}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} (CI must run the PostgreSQL tests)")
        pytest.skip(reason)
    await probe.drop()
    return POSTGRES_SERVER


async def databases(server: str) -> set[str]:
    engine = create_engine(server)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(text("SELECT datname FROM pg_database"))
            return {row[0] for row in rows}
    finally:
        await engine.dispose()


async def tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(text(
                "SELECT table_schema || '.' || table_name FROM information_schema.tables "
                "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"))
            return {row[0] for row in rows}
    finally:
        await engine.dispose()


async def migrated(url: str) -> None:
    engine = create_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


async def test_two_runs_on_one_server_each_get_a_database_the_other_never_touches(
    server: str,
) -> None:
    mine, theirs = (ScratchDatabase(server, label="test_a"), ScratchDatabase(server, label="a"))
    try:
        await mine.create()
        await theirs.create()
        assert mine.name != theirs.name
        await migrated(theirs.url)
        await migrated(mine.url)
        await mine.empty()
        assert await tables(mine.url) == set()
        assert "public.leads" in await tables(theirs.url), "emptying mine left theirs alone"
    finally:
        await mine.drop()
        await theirs.drop()
    left = await databases(server)
    assert mine.name not in left
    assert theirs.name not in left


async def test_dropping_a_scratch_database_drops_only_that_one(server: str) -> None:
    # Other runs on this server make and drop databases of their own meanwhile: look only
    # at ours and at one made beside it.
    beside, scratch = ScratchDatabase(server, label="test"), ScratchDatabase(server, label="test")
    await beside.create()
    try:
        await scratch.create()
        assert {beside.name, scratch.name} <= await databases(server)
        await scratch.drop()
        await scratch.drop()  # twice is harmless: it has nothing left to drop
        left = await databases(server)
        assert scratch.name not in left
        assert beside.name in left
    finally:
        await beside.drop()


async def test_a_role_that_may_not_create_databases_gets_a_schema_of_its_own(
    server: str,
) -> None:
    host = ScratchDatabase(server, label="host")
    await host.create()
    role = f"{host.name}_role"
    admin = create_engine(host.url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE ROLE "{role}" LOGIN NOCREATEDB'))
            await conn.execute(text(f'GRANT CREATE ON DATABASE "{host.name}" TO "{role}"'))
        as_role = make_url(host.url).set(username=role).render_as_string(hide_password=False)
        scratch = ScratchDatabase(as_role, label="test")
        url = await scratch.create()
        assert f"search_path%3D{scratch.name}" in url or f"search_path={scratch.name}" in url
        await migrated(url)
        assert f"{scratch.name}.leads" in await tables(host.url)
        assert not any(t.startswith("public.") for t in await tables(host.url))
        await scratch.empty()
        assert not any(t.startswith(f"{scratch.name}.") for t in await tables(host.url))
        await scratch.drop()
        async with admin.connect() as conn:
            left = await conn.execute(text(
                "SELECT count(*) FROM pg_namespace WHERE nspname = :name"),
                {"name": scratch.name})
            assert left.scalar_one() == 0
    finally:
        await admin.dispose()
        await host.drop()
        cleanup = create_engine(server, isolation_level="AUTOCOMMIT")
        async with cleanup.connect() as conn:
            await conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        await cleanup.dispose()


@pytest.mark.parametrize(("options", "settings"), [
    ("-csearch_path%3Dleads", {"search_path": "leads"}),
    ("-c%20search_path%3Dleads%20-c%20statement_timeout%3D5s",
     {"search_path": "leads", "statement_timeout": "5s"}),
])
def test_libpq_options_in_a_database_url_become_server_settings(
    options: str, settings: dict[str, str],
) -> None:
    url, found = server_settings(make_url(f"postgresql+asyncpg://u@db/leads?options={options}"))
    assert found == settings
    assert "options" not in url.query


def test_a_database_url_with_options_that_are_not_settings_is_refused_naming_the_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://u@db/leads?options=--verbose")
    with pytest.raises(SettingsError) as caught:
        load_storage_settings()
    assert "DATABASE_URL" in str(caught.value)
    assert "-c name=value" in str(caught.value)
