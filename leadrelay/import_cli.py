"""`leadrelay import FILE --source NAME`: a CSV or .xlsx file's rows taken in as leads
(core/lifecycle/imports.py), with a progress line on stderr and a report on stdout."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from core.errors import ConfigError, DomainError
from leadrelay.logs import complain
from leadrelay.settings import SettingsError

if TYPE_CHECKING:
    from core.lifecycle.import_pool import PoolView
    from core.lifecycle.imports import ImportReport

_SHOWN_DRY = 20  # rejected rows a dry run lists


def add_command(commands: Any) -> None:
    """Register `import` on the CLI's subcommands."""
    command = commands.add_parser(
        "import", help="take in a CSV or .xlsx file's rows as leads",
        description="Each row becomes a lead of SOURCE, validated and de-duplicated as a "
        "webhook's lead. Headers are recognised in English and Turkish (Name/Ad Soyad, "
        "Phone/Telefon/Cep/GSM, E-mail/E-posta, Company/Firma Adı, Region/İl/İlçe, "
        "Budget/Bütçe, Note/Not, Source/Kaynak, Product/Ürün…); other columns are kept "
        "with the lead. Files over 1,000 rows (core.lifecycle.imports.LARGE_FILE) are stored "
        "without routing unless --route is given.")
    command.add_argument("file", help="a .csv (UTF-8 or Windows-1254, `,` or `;`) or .xlsx file")
    command.add_argument("--source", required=True,
                         help="a configured source's name, or `import`")
    how = command.add_mutually_exclusive_group()
    how.add_argument("--route", action="store_true", default=None,
                     help="offer the leads to agents once stored")
    how.add_argument("--store-only", dest="route", action="store_false",
                     help="store them in nurture: /pending lists them, /assign gives them out")
    command.add_argument("--map", action="append", default=[], metavar="HEADER=FIELD",
                         help="read a column as a field, e.g. --map 'Müşteri Tel=phone' "
                         "(`extra` keeps it with the lead, `skip` leaves it out)")
    command.add_argument("--dry-run", action="store_true",
                         help="store nothing; say what would happen")
    command.add_argument("--config", help="the office config (default: LEADRELAY_CONFIG)")


def run(args: argparse.Namespace) -> int:
    """Carry out `leadrelay import`; return the exit code."""
    from leadrelay.agents_cli import command_line_office

    overrides: dict[str, str] = {}
    for item in args.map:
        header, sep, name = item.rpartition("=")
        if not sep or not header.strip():
            complain(f"--map {item}: write it as HEADER=field")
            return 2
        overrides[header.strip()] = name.strip()
    try:
        settings, config = command_line_office(args.config)
    except (SettingsError, ConfigError) as exc:
        complain(exc)
        return 2
    try:
        report, described, (pool, released) = asyncio.run(
            _import(args, settings.database_url, config, overrides))
    except (DomainError, OSError) as exc:
        complain(f"{args.file}: {exc}")
        return 2
    print(render(report, Path(args.file).name, described, pool=pool, released=released,
                 pace=config.work.imports.pace_per_agent_hour, zone=config.zone))
    return 0


async def _import(args: argparse.Namespace, database_url: str, config: Any,
                  overrides: dict[str, str]) -> tuple[
                      ImportReport, str, tuple[PoolView | None, int]]:
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from core.lifecycle.import_pool import pool_status, release_pooled
    from core.lifecycle.imports import import_sheet
    from integrations.spreadsheet import FileSpreadsheets
    from leadrelay.bootstrap import bootstrap, sql_uow_factory
    from leadrelay.clock import SystemClock
    from storage.db import create_engine

    sheet = FileSpreadsheets().open(args.file)
    engine = create_engine(database_url)
    progress = Progress(sys.stderr)
    try:
        app = bootstrap(config=config, clock=SystemClock(), uow_factory=sql_uow_factory(engine))
        report = await app.run_in_turns(
            import_sheet, sheet=sheet, source=args.source, overrides=overrides,
            route=args.route, dry_run=args.dry_run, label=Path(args.file).name,
            progress=progress)
        progress.done()
        pool, released = None, 0
        if report.stored and not report.held and not report.dry_run:
            # The first share goes out now; the rest waits for the running bot's sweep.
            released = len((await app.run(release_pooled)).released)
            await app.route_new_leads()
            await app.stop()
            pool = await app.run(pool_status)
    except (OperationalError, ProgrammingError) as exc:
        raise DomainError(f"cannot use the database ({exc.orig}); run `leadrelay migrate` "
                          "first") from None
    finally:
        sheet.close()
        await engine.dispose()
    return report, sheet.described, (pool, released)


class Progress:
    """Rows read so far, on one line rewritten in a terminal, else a line now and then."""

    def __init__(self, out: TextIO, *, every: int = 10_000) -> None:
        self._out, self._every = out, every
        self._tty = out.isatty()
        self._start = time.monotonic()
        self._shown = 0
        self._last = 0

    def __call__(self, rows: int) -> None:
        """Show *rows* read, in a terminal after each batch, else every `every` rows."""
        if not self._tty and rows - self._shown < self._every:
            self._last = rows
            return
        rate = rows / max(time.monotonic() - self._start, 1e-3)
        end = "\r" if self._tty else "\n"
        self._out.write(f"importing: {rows:,} rows read ({rate:,.0f} rows/s){end}")
        self._out.flush()
        self._shown = self._last = rows

    def done(self) -> None:
        """End the progress line."""
        if self._tty and self._shown:
            self._out.write("\n")
            self._out.flush()


def render(report: ImportReport, name: str, described: str, *, pool: PoolView | None = None,
           released: int = 0, pace: int | None = None, zone: Any = None) -> str:
    """The report an import prints; *pool*: the import pool after a routed import,
    *released* of its leads offered at once, *pace* its leads per agent an hour."""
    lines = [f"{name} ({described}), source {report.source!r}",
             f"rows read: {report.rows}",
             f"new leads: {report.new}",
             f"merged into existing contacts: {report.merged}" + _rows(report.merged_rows)]
    if report.duplicates:
        pairs = [f"row {row} = row {first}" for row, first in report.duplicate_rows]
        lines.append(f"duplicates in the file, not stored again: {report.duplicates}"
                     + _listed(pairs, report.duplicates, ""))
    if report.again:
        lines.append(f"imported before (same lead id), left as they were: {report.again}")
    lines.append(f"rejected: {report.rejected}")
    shown = report.rejected_rows[:_SHOWN_DRY] if report.dry_run else report.rejected_rows
    lines += [f"  row {row}: {why}" for row, why in shown]
    if report.rejected > len(shown):
        lines.append(f"  … and {report.rejected - len(shown)} more")
    if report.dry_run:
        lines.append("(dry run: nothing was stored; the leads would be "
                     + ("stored in nurture, not routed)" if report.held else "routed)"))
    elif report.held:
        lines.append("stored in nurture, not routed: managers see them in /pending and give "
                     "them out with /assign")
    elif report.stored:
        lines.append(f"to the import pool: {report.stored}, offered at a pace of {pace} per "
                     f"available agent an hour ({released} now); the running bot's sweep "
                     "offers the rest")
        if pool is not None:
            lines.append(_pool_line(pool, zone))
    return "\n".join(lines)


def _pool_line(pool: PoolView, zone: Any) -> str:
    """What waits in the import pool (from every file) and when the last should go out."""
    line = f"waiting in the import pool: {pool.total}"
    if not pool.total:
        return line + " (all offered)"
    if pool.last_out is None:
        return line + " (nobody can take leads now: they go out as agents become available)"
    last = pool.last_out.astimezone(zone) if zone is not None else pool.last_out
    return (line + f" ({pool.per_hour} an hour with the agents available now; the last "
            f"about {last:%Y-%m-%d %H:%M})")


def _rows(rows: list[int]) -> str:
    return _listed([str(r) for r in rows], len(rows), "rows ") if rows else ""


def _listed(items: list[str], total: int, prefix: str) -> str:
    shown = ", ".join(items[:20])
    more = f", … {total - 20} more" if total > 20 else ""
    return f" ({prefix}{shown}{more})"
