"""aiosqlite with one trip to its thread per statement, where SQLAlchemy's adapter makes three
or four (make a cursor, execute, fetch, close).

Each trip is a hand-over to aiosqlite's thread and back to the event loop; a lead's way from
webhook to offer runs some thirty statements, so the trips cost more than the SQL. The
cursor here runs the statement and fetches its rows in one trip, and answers the adapter's
fetches and close from what that trip brought back.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

import aiosqlite

_Outcome = tuple[Any, int, int | None, list[Any]]  # description, rowcount, lastrowid, rows


class OneTripConnection(aiosqlite.Connection):
    """An aiosqlite connection whose cursors cost no trip until they execute."""

    async def cursor(self) -> aiosqlite.Cursor:  # type: ignore[override]
        """A cursor that will run its statement, and fetch every row, in one trip."""
        return _OneTripCursor(self)  # type: ignore[return-value]


class _OneTripCursor:
    """The parts of aiosqlite's Cursor that SQLAlchemy's aiosqlite adapter uses."""

    def __init__(self, connection: OneTripConnection) -> None:
        self._connection = connection
        self._rows: list[Any] = []
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self.arraysize = 1

    async def execute(self, sql: str, parameters: Any = None) -> _OneTripCursor:
        """Run *sql* and keep its rows, in one trip."""
        self._keep(await self._trip(_run, sql, parameters))
        return self

    async def executemany(self, sql: str, parameters: Iterable[Any]) -> _OneTripCursor:
        """Run *sql* once per parameter set, in one trip."""
        self._keep(await self._trip(_run_many, sql, parameters))
        return self

    async def _trip(self, run: Any, sql: str, parameters: Any) -> _Outcome:
        outcome: _Outcome = await self._connection._execute(  # type: ignore[no-untyped-call]
            run, self._connection._conn, sql, parameters)
        return outcome

    async def fetchone(self) -> Any:
        """The next row kept, if any."""
        return self._rows.pop(0) if self._rows else None

    async def fetchmany(self, size: int | None = None) -> Sequence[Any]:
        """The next *size* rows kept."""
        taken = self._rows[: size or self.arraysize]
        del self._rows[: len(taken)]
        return taken

    async def fetchall(self) -> Sequence[Any]:
        """Every row kept."""
        rows, self._rows = self._rows, []
        return rows

    async def close(self) -> None:
        """Drop the rows kept (the sqlite3 cursor closed with its trip)."""
        self._rows = []

    def _keep(self, outcome: _Outcome) -> None:
        self.description, self.rowcount, self.lastrowid, self._rows = outcome


def _run(conn: sqlite3.Connection, sql: str, parameters: Any) -> _Outcome:
    cursor = conn.cursor()
    try:
        if parameters is None:
            cursor.execute(sql)
        else:
            cursor.execute(sql, parameters)
        rows = cursor.fetchall() if cursor.description else []
        return cursor.description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


def _run_many(conn: sqlite3.Connection, sql: str, parameters: Iterable[Any]) -> _Outcome:
    cursor = conn.cursor()
    try:
        cursor.executemany(sql, parameters)
        return None, cursor.rowcount, cursor.lastrowid, []
    finally:
        cursor.close()


def connect(database: str, **options: Any) -> OneTripConnection:
    """As `aiosqlite.connect`, with one trip per statement."""
    return OneTripConnection(lambda: sqlite3.connect(database, **options), iter_chunk_size=64)
