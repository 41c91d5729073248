"""`/export` and `leadrelay export`: the leads received in a period written as CSV, a page
at a time, and every export logged with who made it and when, since it holds personal data.

Each page is read in a transaction of its own that only reads: memory holds one page
whatever the period, no snapshot is held open while the file is written or sent, and
SQLite's writers never wait for an export.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from core.deps import Deps, UowFactory
from core.lifecycle.common import manager
from core.numbers.export import CsvStyle, cells, csv_bytes, header
from core.numbers.period import Period, parse_period
from core.ports import UnitOfWork
from core.ports.exports import ExportChannel, ExportEntry

log = logging.getLogger(__name__)

DEFAULT_PERIOD = "30d"
PAGE = 2000  # leads a page: a few hundred kilobytes of CSV, one short read each


class Sink(Protocol):
    """Where the CSV goes: a file, standard output, an entry of a zip."""

    def write(self, data: bytes, /) -> object:
        """Write *data* whole."""
        ...


@dataclass(frozen=True)
class ExportDone:
    """What an export wrote: the period, the leads (rows below the header) and the bytes."""

    period: Period
    rows: int
    size: int


async def export_leads(uows: UowFactory, deps: Deps, /, *, out: Sink, period: str | None,
                       style: CsvStyle, headers: Callable[[str], str],
                       by_id: int | None = None, page: int = PAGE,
                       progress: Callable[[ExportDone], None] | None = None) -> ExportDone:
    """Write the leads received in *period* (default 30d) to *out*: a BOM, the header in
    the manager's words, a row a lead by arrival; *by_id*: the manager asking in chat
    (NotAManager for anyone else), None on the command line; *progress* hears what was
    about to be written before each write (so a caller can log an export that broke
    off)."""
    if by_id is not None:
        async with uows().reading() as uow:
            await manager(uow, by_id)
    chosen = parse_period(period, now=deps.clock.now(), zone=deps.config.zone,
                          default=DEFAULT_PERIOD)
    done = ExportDone(chosen, 0, 0)
    data, count, more = header(headers, style), 0, True
    after: tuple[datetime, int] | None = None
    while True:
        # Told before the write: one that breaks off is logged as if it had gone out whole.
        done = ExportDone(chosen, done.rows + count, done.size + len(data))
        if progress is not None:
            progress(done)
        out.write(data)
        if not more:
            return done
        async with uows().reading() as uow:
            leads = await uow.exports.page(chosen.start, chosen.end, after=after, limit=page)
        if not leads:
            return done
        data = csv_bytes((cells(row, style) for row in leads), style)
        count, more = len(leads), len(leads) == page
        after = (leads[-1].received_at, leads[-1].id)


async def record_export(uow: UnitOfWork, deps: Deps, /, *, done: ExportDone,
                        channel: ExportChannel, by_id: int | None = None,
                        by_name: str | None = None) -> ExportEntry:
    """Log an export handed out: who, when, which period, how many leads and CSV bytes."""
    entry = ExportEntry(by_id=by_id, by_name=by_name, at=deps.clock.now(),
                        period_start=done.period.start, period_end=done.period.end,
                        rows=done.rows, size=done.size,
                        channel=channel)
    async with uow:
        entry_id = await uow.exports.record(entry)
        await uow.commit()
    log.info("leads exported", extra={
        "export_id": entry_id, "by_id": by_id, "by_name": by_name, "channel": channel.value,
        "rows": entry.rows, "bytes": entry.size, "period_start": entry.period_start.isoformat(),
        "period_end": entry.period_end.isoformat()})
    return replace(entry, id=entry_id)


@dataclass(frozen=True)
class LoggedExport:
    """An export in the log, with the name of the manager who made it (if still known)."""

    entry: ExportEntry
    by: str | None


async def export_log(uow: UnitOfWork, deps: Deps, /, *, limit: int = 20) -> list[LoggedExport]:
    """The last *limit* exports, newest first, each with who made it."""
    async with uow.reading():
        entries = await uow.exports.latest(limit)
        names = {agent.telegram_id: agent.name for agent in await uow.agents.list()}
    return [LoggedExport(e, names.get(e.by_id) if e.by_id is not None else e.by_name)
            for e in entries]
