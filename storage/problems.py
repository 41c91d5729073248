"""Why the database cannot be used: whether it is down for now, and, for start-up failures,
one line saying what to do."""

from __future__ import annotations

import socket
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as SqlAlchemyTimeout


def unavailable(exc: BaseException) -> bool:
    """Whether *exc* says the database cannot be used now, rather than that a statement or
    its data is wrong: the connection, the server or the disk, which a retry may outlive."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    cause = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    if isinstance(cause, OSError | asyncpg.PostgresConnectionError
                  | asyncpg.CannotConnectNowError | asyncpg.TooManyConnectionsError
                  | asyncpg.AdminShutdownError | asyncpg.DiskFullError
                  | asyncpg.InsufficientResourcesError | SqlAlchemyTimeout):
        return True
    # SQLite says it in words: a file it cannot open, a disk that fails or is full, a lock
    # held longer than the busy timeout.
    return isinstance(exc, OperationalError) and any(
        words in str(exc) for words in _SQLITE_UNAVAILABLE)


_SQLITE_UNAVAILABLE = ("unable to open database file", "disk I/O error",
                       "database or disk is full", "database is locked")


def database_problem(exc: BaseException, url: str) -> str | None:
    """One line on what *exc*, met connecting to *url*, means and what to do; None if it is
    not a connection problem this knows."""
    parsed = make_url(url)
    shown = parsed.render_as_string(hide_password=True)
    cause = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    if parsed.get_backend_name() == "sqlite":
        if isinstance(exc, OperationalError) and "unable to open database file" in str(exc):
            folder = Path(parsed.database or ".").resolve().parent
            return (f"cannot open the SQLite database {parsed.database}: the folder {folder} "
                    "does not exist or is not writable; create it or fix DATABASE_URL")
        return None
    if isinstance(cause, asyncpg.InvalidCatalogNameError):
        return (f"the database {parsed.database!r} does not exist on {parsed.host}; create it "
                f"(createdb {parsed.database}) or fix DATABASE_URL")
    if isinstance(cause, asyncpg.InvalidAuthorizationSpecificationError):
        return (f"PostgreSQL at {parsed.host} has no role {parsed.username!r}; create it "
                "(createuser) or fix DATABASE_URL")
    if isinstance(cause, asyncpg.InvalidPasswordError):
        return f"PostgreSQL refused the password of {parsed.username!r}; fix DATABASE_URL"
    if isinstance(cause, socket.gaierror):
        return f"cannot find the database host {parsed.host!r}; fix DATABASE_URL ({shown})"
    if isinstance(cause, ConnectionRefusedError | TimeoutError) or (
            isinstance(cause, OSError) and cause.errno is not None):
        return (f"cannot reach the database at {shown} ({cause.strerror or cause}); is "
                "PostgreSQL running and listening there? Check DATABASE_URL")
    return None
