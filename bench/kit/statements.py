"""The SQL statements a call ran, each timed (SQLAlchemy's cursor events on the engine), and
the database's plan for each: where a figure's time goes, statement by statement."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine


@dataclass
class Statement:
    """One statement as sent to the driver, its parameters, and how long it took (ms; its
    rows fetched too, as leadrelay's SQLite cursor and asyncpg fetch in the same trip)."""

    sql: str
    parameters: Any
    ms: float

    def title(self, width: int = 110) -> str:
        """The statement on one line, cut to *width*."""
        flat = re.sub(r"\s+", " ", self.sql).strip()
        return flat if len(flat) <= width else flat[:width - 1] + "…"


@dataclass
class StatementLog:
    """The statements run while recording, in order."""

    statements: list[Statement] = field(default_factory=list)
    recording: bool = False

    def slowest(self, n: int) -> list[Statement]:
        """The *n* slowest statements, slowest first."""
        return sorted(self.statements, key=lambda s: -s.ms)[:n]


@contextmanager
def statements_of(engine: AsyncEngine) -> Iterator[StatementLog]:
    """Record each statement *engine* runs inside the block, with its time."""
    log = StatementLog()
    started: dict[int, float] = {}

    def before(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
               executemany: bool) -> None:
        started[id(cursor)] = time.perf_counter()

    def after(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
              executemany: bool) -> None:
        began = started.pop(id(cursor), None)
        if began is not None and log.recording:
            log.statements.append(
                Statement(statement, parameters, (time.perf_counter() - began) * 1000))

    target = engine.sync_engine
    event.listen(target, "before_cursor_execute", before)
    event.listen(target, "after_cursor_execute", after)
    log.recording = True
    try:
        yield log
    finally:
        log.recording = False
        event.remove(target, "before_cursor_execute", before)
        event.remove(target, "after_cursor_execute", after)


async def plan_of(conn: AsyncConnection, statement: Statement, *, analyze: bool) -> list[str]:
    """The database's plan for *statement*: SQLite's EXPLAIN QUERY PLAN (as an indented
    tree), PostgreSQL's EXPLAIN, run with ANALYZE when *analyze* (times per node)."""
    if conn.dialect.name == "sqlite":
        rows = (await conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement.sql,
                                           tuple(statement.parameters or ()))).all()
        depth: dict[int, int] = {0: 0}
        lines = []
        for node, parent, _, detail in rows:
            depth[node] = depth.get(parent, 0) + 1
            lines.append("  " * (depth[node] - 1) + detail)
        return lines
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if analyze else "EXPLAIN "
    rows = (await conn.exec_driver_sql(prefix + statement.sql,
                                       tuple(statement.parameters or ()))).all()
    return [r[0] for r in rows]
