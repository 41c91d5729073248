"""Rows written in bulk past SQLAlchemy: SQLite's executemany on the stdlib driver (WAL,
synchronous off while seeding) and PostgreSQL's COPY through asyncpg, each table's secondary
indexes dropped for the load and built again after it.

Only the columns the table has at run time are written, so a seeder may already fill the
columns of a migration this checkout lacks; the table's columns no seeded key fills are
named once (left NULL or at their default), and one that is NOT NULL without a default
stops the seeding with its name.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from sqlalchemy.engine import make_url

from storage.db import server_settings


@dataclass(frozen=True)
class Column:
    """A column as the database has it."""

    name: str
    required: bool  # NOT NULL without a default


@dataclass
class Table:
    """A table being seeded: the columns written, in order, and how to pick them from a row."""

    name: str
    columns: tuple[str, ...]
    pick: Any  # itemgetter over a row dict, returning a tuple
    rows: int = 0


@dataclass
class Loader:
    """Common work of both databases: which tables and columns to write, and what was left."""

    notes: list[str] = field(default_factory=list)  # what a reader of the run should know
    tables: dict[str, Table | None] = field(default_factory=dict)
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (index, DDL to rebuild)

    def plan(self, name: str, sample: dict[str, Any],
             have: dict[str, Column] | None) -> Table | None:
        """How rows like *sample* go into table *name* (None: the table is not there)."""
        if name in self.tables:
            return self.tables[name]
        if have is None:
            self.notes.append(f"{name}: no such table in this schema, not seeded")
            self.tables[name] = None
            return None
        written = tuple(c for c in have if c in sample)
        unfilled = [c for c in have if c not in sample]
        missing = [c for c in unfilled if have[c].required]
        if missing:
            raise RuntimeError(f"{name}.{', '.join(missing)}: NOT NULL without a default and "
                               "not filled by the seeder (add the key to bench/kit/year.py)")
        if unfilled:
            self.notes.append(f"{name}: {', '.join(unfilled)} not seeded (NULL or default)")
        extra = [k for k in sample if k not in have]
        if extra:
            self.notes.append(f"{name}: seeder keys {', '.join(extra)} not in this schema")
        # itemgetter of one key returns the value itself, not a tuple
        pick = itemgetter(*written) if len(written) > 1 else (lambda r: (r[written[0]],))
        table = self.tables[name] = Table(name, written, pick)
        return table


class SqliteLoader(Loader):
    """The stdlib driver on the database file: one transaction per batch, synchronous off."""

    def __init__(self, url: str) -> None:
        super().__init__()
        path = make_url(url).database
        assert path is not None
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=OFF")
        self.conn.execute("PRAGMA cache_size=-262144")  # 256 MiB for building the indexes

    async def columns(self, name: str) -> dict[str, Column] | None:
        """The table's columns, or None when the schema has no such table."""
        found = self.conn.execute(f"PRAGMA table_info({name})").fetchall()
        return {r[1]: Column(r[1], bool(r[3]) and r[4] is None and not r[5])
                for r in found} or None

    async def drop_indexes(self, names: Sequence[str]) -> None:
        """Drop the secondary indexes of *names*, remembering how to build them."""
        for table in names:
            for index, ddl in self.conn.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                    "AND sql IS NOT NULL", (table,)).fetchall():
                self.conn.execute(f'DROP INDEX "{index}"')
                self.dropped.append((index, ddl))

    async def write(self, batch: dict[str, list[dict[str, Any]]]) -> None:
        """One batch, every table, in one transaction."""
        self.conn.execute("BEGIN")
        for name, rows in batch.items():
            table = self.plan(name, rows[0], await self.columns(name)) if rows else None
            if table is None:
                continue
            marks = ", ".join("?" * len(table.columns))
            cols = ", ".join(f'"{c}"' for c in table.columns)
            self.conn.executemany(f'INSERT INTO "{name}" ({cols}) VALUES ({marks})',
                                  map(table.pick, rows))
            table.rows += len(rows)
        self.conn.execute("COMMIT")

    async def finish(self) -> None:
        """Build the indexes again and leave the file as leadrelay opens it."""
        for _, ddl in self.dropped:
            self.conn.execute(ddl)
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.conn.close()


class PostgresLoader(Loader):
    """asyncpg's COPY into each table, then the id sequences moved past the ids given and
    ANALYZE (what autovacuum does soon after a load this size)."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self.conn: Any = None

    async def open(self) -> None:
        """Connect with the URL's settings (a scratch schema's search_path among them)."""
        import asyncpg  # only the PostgreSQL runs need it

        parsed, settings = server_settings(make_url(self.url))
        dsn = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
        self.conn = await asyncpg.connect(dsn, server_settings=settings)

    async def columns(self, name: str) -> dict[str, Column] | None:
        """The table's columns, or None when the schema has no such table."""
        found = await self.conn.fetch(
            "SELECT column_name, is_nullable, column_default FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
            name)
        return {r[0]: Column(r[0], r[1] == "NO" and r[2] is None) for r in found} or None

    async def drop_indexes(self, names: Sequence[str]) -> None:
        """Drop the secondary indexes of *names* (not those of constraints)."""
        for table in names:
            for r in await self.conn.fetch(
                    "SELECT indexname, indexdef FROM pg_indexes i WHERE schemaname = "
                    "current_schema() AND tablename = $1 AND NOT EXISTS (SELECT 1 FROM "
                    "pg_constraint c WHERE c.conname = i.indexname)", table):
                await self.conn.execute(f'DROP INDEX "{r[0]}"')
                self.dropped.append((r[0], r[1]))

    async def write(self, batch: dict[str, list[dict[str, Any]]]) -> None:
        """One batch, every table, in one transaction."""
        async with self.conn.transaction():
            for name, rows in batch.items():
                table = self.plan(name, rows[0], await self.columns(name)) if rows else None
                if table is None:
                    continue
                await self.conn.copy_records_to_table(
                    name, records=map(table.pick, rows), columns=list(table.columns))
                table.rows += len(rows)

    async def finish(self) -> None:
        """Build the indexes again, move each id sequence past the ids given, ANALYZE."""
        for _, ddl in self.dropped:
            await self.conn.execute(ddl)
        for name, table in self.tables.items():
            if table is not None and "id" in table.columns:
                await self.conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"(SELECT max(id) FROM {name}))")
        await self.conn.execute("ANALYZE")
        await self.conn.close()
