"""`leadrelay export`: the leads of a period as CSV, streamed to a file or standard output
whatever their number (core/lifecycle/export.py), each export logged; `--list` shows the
log."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import os
import sys
import zipfile
from contextlib import ExitStack
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from core.errors import ConfigError, DomainError, InvalidInput
from core.lifecycle.export import DEFAULT_PERIOD
from core.ports.exports import ExportChannel
from leadrelay.logs import complain
from leadrelay.settings import SettingsError

if TYPE_CHECKING:
    from core.app import App
    from core.lifecycle.export import ExportDone, LoggedExport, Sink


def add_command(commands: Any) -> None:
    """Register `export` on the CLI's subcommands."""
    command = commands.add_parser(
        "export", help="write the leads of a period as CSV (any size), or list the exports",
        description="One row per lead received in the period, as /export sends it: UTF-8 "
        "with a BOM, `;` and decimal commas in Turkish, `,` and decimal points in English. "
        "It holds personal data: each export is logged (see --list).")
    command.add_argument("--period", default=DEFAULT_PERIOD,
                         help="today, 7d, 30d (the default), 'this month', 'last month' or "
                         "YYYY-MM-DD..YYYY-MM-DD, in the office's time zone")
    command.add_argument("--lang", choices=("en", "tr"),
                         help="the column names' language and the CSV's style (default: the "
                         "office's language)")
    command.add_argument("--out", default="-", help="the file to write, created readable by "
                         "its owner only (default: standard output)")
    command.add_argument("--zip", action="store_true", help="write a zip holding the CSV")
    command.add_argument("--list", action="store_true",
                         help="list the last exports (who, when, which period) and exit")
    command.add_argument("--config", help="the office config (default: LEADRELAY_CONFIG)")


def run(args: argparse.Namespace) -> int:
    """Carry out `leadrelay export`; return the exit code."""
    from leadrelay.agents_cli import command_line_office

    try:
        settings, config = command_line_office(args.config)
    except (SettingsError, ConfigError) as exc:
        complain(exc)
        return 2
    try:
        if args.list:
            print(asyncio.run(_list(settings.database_url, config)))
            return 0
        done = asyncio.run(_export(args, settings.database_url, config))
    except InvalidInput as exc:
        complain(f"--period {args.period}: {exc.problems[0].problem}")
        return 2
    except (DomainError, OSError) as exc:
        complain(f"{args.out}: {exc}")
        return 2
    where = "standard output" if args.out == "-" else args.out
    start, end = (at.astimezone(config.zone) for at in (done.period.start, done.period.end))
    print(f"leadrelay: {done.rows:,} leads received {start:%Y-%m-%d %H:%M} – "
          f"{end:%Y-%m-%d %H:%M} written to {where} ({_size(done.size)} of CSV)",
          file=sys.stderr)
    return 0


async def write_export(app: App, out: Sink, *, period: str | None = DEFAULT_PERIOD,
                       lang: str | None = None, by_id: int | None = None,
                       by_name: str | None = None,
                       channel: ExportChannel = ExportChannel.CLI) -> ExportDone:
    """Write the leads of *period* as CSV to *out* in *lang* (default: the office's) and log
    the export, also when it broke off after some of it was written (bench/ calls this)."""
    from bot.render.export import export_headers, export_style
    from core.lifecycle.export import export_leads, record_export

    config = app.config
    lang = lang or config.language
    written: list[ExportDone] = []

    def progress(done: ExportDone) -> None:
        written[:] = [done]

    try:
        done = await app.run_in_turns(
            export_leads, out=out, period=period, style=export_style(lang, config.zone),
            headers=export_headers(lang, currency=config.currency), by_id=by_id,
            progress=progress)
    except BaseException:
        if written and written[0].rows:
            with contextlib.suppress(Exception):  # the error that stopped it says more
                await app.run(record_export, done=written[0], channel=channel, by_id=by_id,
                              by_name=by_name)
        raise
    await app.run(record_export, done=done, channel=channel, by_id=by_id, by_name=by_name)
    return done


async def _export(args: argparse.Namespace, database_url: str, config: Any) -> ExportDone:
    from leadrelay.bootstrap import migrated_app

    async with migrated_app(database_url, config) as app:
        with ExitStack() as files:
            out: IO[bytes] = sys.stdout.buffer if args.out == "-" else files.enter_context(
                _own_file(args.out))
            if args.zip:
                archive = files.enter_context(zipfile.ZipFile(
                    out, "w", compression=zipfile.ZIP_DEFLATED))
                name = "leads.csv" if args.out == "-" else Path(args.out).with_suffix(
                    ".csv").name
                out = files.enter_context(archive.open(name, "w", force_zip64=True))
            return await write_export(app, out, period=args.period, lang=args.lang,
                                      by_name=_login())


def _own_file(path: str) -> IO[bytes]:
    """A new file at *path* only its owner can read (an old one is emptied and narrowed)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # an existing file keeps its old mode through O_CREAT
    return os.fdopen(descriptor, "wb")


def _login() -> str | None:
    """Who runs the command, as the system names them."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in a bare container
        return None


async def _list(database_url: str, config: Any) -> str:
    from core.lifecycle.export import export_log
    from leadrelay.bootstrap import migrated_app

    async with migrated_app(database_url, config) as app:
        logged = await app.run(export_log)
    if not logged:
        return "no exports yet"
    return "\n".join(_line(item, config.zone) for item in logged)


def _line(item: LoggedExport, zone: Any) -> str:
    """One export: when, where, who, which period, how many leads and bytes."""
    entry = item.entry
    who = item.by or "?"
    if entry.by_id is not None:
        who += f" ({entry.by_id})"
    return (f"{entry.at.astimezone(zone):%Y-%m-%d %H:%M}  {entry.channel.value:<4}  {who}  "
            f"{entry.period_start.astimezone(zone):%Y-%m-%d %H:%M} – "
            f"{entry.period_end.astimezone(zone):%Y-%m-%d %H:%M}  {entry.rows:,} leads  "
            f"{_size(entry.size)}")


def _size(size: int) -> str:
    """*size* bytes in KB up to a megabyte, else in MB."""
    return f"{size / 2**10:.1f} KB" if size < 2**20 else f"{size / 2**20:.1f} MB"
