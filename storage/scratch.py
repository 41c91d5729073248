"""Throwaway PostgreSQL databases for tests and benches: each run makes its own, drops only it.

Two test runs (two developers, two CI jobs, a bench beside the tests) may share one server;
a run that emptied a fixed database would wipe the other's tables mid-test. So a run asks
for a database of its own under a name nobody else will pick, empties only that one between
tests, and drops it at the end. A role that may not create databases gets a schema of its
own in the server URL's database instead, reached through the URL's `options=-csearch_path`.
"""

from __future__ import annotations

import os
import re
import secrets

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from storage.db import server_settings

_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_NO_PRIVILEGE = "42501"  # PostgreSQL's insufficient_privilege


class ScratchDatabase:
    """A database (or, failing the privilege, a schema) that this object made and alone drops."""

    def __init__(self, server_url: str, *, label: str) -> None:
        name = f"leadrelay_{label}_{os.getpid()}_{secrets.token_hex(3)}".lower()
        if not _NAME.match(name):
            raise ValueError(f"label {label!r} makes no plain PostgreSQL name: {name!r}")
        self.name = name
        self._server = make_url(server_url)
        self._kind: str | None = None  # "database" or "schema", once made

    @property
    def url(self) -> str:
        """The URL of the scratch database; only valid once made."""
        if self._kind == "database":
            return self._server.set(database=self.name).render_as_string(hide_password=False)
        if self._kind == "schema":
            return self._server.update_query_dict(
                {"options": f"-csearch_path={self.name}"}).render_as_string(hide_password=False)
        raise RuntimeError("the scratch database is not made yet; call create() first")

    async def create(self) -> str:
        """Make the database (or the schema) and return its URL."""
        engine = self._admin()
        try:
            async with engine.connect() as conn:
                try:
                    await conn.execute(text(f'CREATE DATABASE "{self.name}"'))
                    self._kind = "database"
                except DBAPIError as exc:
                    if _sqlstate(exc) != _NO_PRIVILEGE:
                        raise
                    await conn.execute(text(f'CREATE SCHEMA "{self.name}"'))
                    self._kind = "schema"
        finally:
            await engine.dispose()
        return self.url

    async def empty(self) -> None:
        """Drop every table, type and sequence in the scratch database, leaving it as made."""
        if self._kind is None:
            raise RuntimeError("the scratch database is not made yet; call create() first")
        engine = _engine(self.url)
        schema = "public" if self._kind == "database" else self.name
        try:
            async with engine.connect() as conn:
                await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
                await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        finally:
            await engine.dispose()

    async def drop(self) -> None:
        """Drop what create() made, ending any connection still open to it; nothing else."""
        if self._kind is None:
            return
        engine = self._admin()
        try:
            async with engine.connect() as conn:
                if self._kind == "database":
                    await conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
                else:
                    await conn.execute(text(f'DROP SCHEMA IF EXISTS "{self.name}" CASCADE'))
        finally:
            await engine.dispose()
        self._kind = None

    @property
    def own_database(self) -> bool:
        """Whether a database was made (not, for want of the privilege, a schema)."""
        return self._kind == "database"

    async def let_in(self, *, allowed: bool) -> None:
        """Let no session into the scratch database, ending those open (as a server that went
        away would), or let them in again. Only for a database of its own."""
        if not self.own_database:
            raise RuntimeError("only a scratch database of its own can be closed to sessions")
        engine = self._admin()
        try:
            async with engine.connect() as conn:
                await conn.execute(text(
                    f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS {str(allowed).lower()}'))
                if not allowed:
                    await conn.execute(text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": self.name})
        finally:
            await engine.dispose()

    def _admin(self) -> AsyncEngine:
        return _engine(self._server.render_as_string(hide_password=False))


def _engine(url: str) -> AsyncEngine:
    """A pool-less engine outside transactions (CREATE and DROP DATABASE refuse them)."""
    parsed, settings = server_settings(make_url(url))
    return create_async_engine(parsed, poolclass=NullPool, isolation_level="AUTOCOMMIT",
                               hide_parameters=True,
                               connect_args={"server_settings": settings} if settings else {})


def _sqlstate(exc: DBAPIError) -> str | None:
    """The SQLSTATE code behind a driver error, if the driver gives one."""
    original = exc.orig
    code = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
    cause = getattr(original, "__cause__", None)
    return code or getattr(cause, "sqlstate", None)
