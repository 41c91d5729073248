"""`leadrelay backup DEST`: a consistent copy of the SQLite database, or the pg_dump to run."""

from __future__ import annotations

import os
import shlex
import sqlite3
import tempfile
from contextlib import closing, suppress
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError


class BackupError(Exception):
    """A backup that cannot be made, explained in one line."""


def run(dest: str, *, force: bool = False) -> int:
    """Carry out `leadrelay backup DEST`; return the exit code."""
    from leadrelay.logs import complain
    from leadrelay.settings import SettingsError, load_storage_settings

    try:
        print(backup(load_storage_settings().database_url, Path(dest), force=force))
    except (SettingsError, BackupError) as exc:
        complain(exc)
        return 2
    return 0


def backup(database_url: str, dest: Path, *, force: bool = False) -> str:
    """Back up the database at *database_url* to *dest*; return the line to print."""
    try:
        url = make_url(database_url)
    except (ArgumentError, ValueError):
        raise BackupError("setting DATABASE_URL is not a valid database URL") from None
    if url.get_backend_name() == "postgresql":
        raise BackupError("backup copies SQLite only; for PostgreSQL run: "
                          f"{pg_dump_command(url, dest)} (the password comes from the prompt, "
                          "PGPASSWORD or ~/.pgpass)")
    if not url.database or url.database == ":memory:":
        raise BackupError("DATABASE_URL names an in-memory database: there is nothing to copy")
    return backup_sqlite(Path(url.database), dest, force=force)


def pg_dump_command(url: URL, dest: Path) -> str:
    """The pg_dump command line for *url* writing to *dest*, without the password."""
    words = ["pg_dump", "--format=custom"]
    if url.host:
        words.append(f"--host={url.host}")
    if url.port:
        words.append(f"--port={url.port}")
    if url.username:
        words.append(f"--username={url.username}")
    if url.database:
        words.append(f"--dbname={url.database}")
    return shlex.join([*words, f"--file={dest}"])


def backup_sqlite(source: Path, dest: Path, *, force: bool = False) -> str:
    """Copy *source* to *dest* with SQLite's online backup, check it and count its leads."""
    if not source.is_file():
        raise BackupError(f"no database at {source} (check DATABASE_URL)")
    if dest.is_dir():
        raise BackupError(f"{dest} is a directory; give the file name for the backup")
    if not dest.parent.is_dir():
        raise BackupError(f"cannot write {dest}: directory {dest.parent} does not exist")
    if dest.exists():
        if dest.samefile(source):
            raise BackupError(f"{dest} is the live database itself")
        if not force:
            raise BackupError(f"{dest} already exists (use --force to overwrite it)")
    handle, name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".partial")
    os.close(handle)
    partial = Path(name)
    try:
        leads = _copy(source, partial)
        os.replace(partial, dest)
    finally:
        with suppress(FileNotFoundError):
            partial.unlink()
    return (f"backed up {source} to {dest}: {dest.stat().st_size} bytes, {leads} leads, "
            "integrity ok")


def _copy(source: Path, target: Path) -> int:
    """Copy *source* into *target* as one self-contained file; return the copy's lead count."""
    uri = f"{source.resolve().as_uri()}?mode=rw"  # never create a missing source
    try:
        with closing(sqlite3.connect(uri, uri=True)) as live, \
                closing(sqlite3.connect(target)) as copy:
            live.backup(copy)  # one step: a snapshot, however busy the writers are
            copy.execute("PRAGMA journal_mode=DELETE")  # no -wal file beside the copy
            verdict = [str(row[0]) for row in copy.execute("PRAGMA integrity_check")]
            if verdict != ["ok"]:
                raise BackupError(f"the copy of {source} failed integrity_check: {verdict[0]}")
            if copy.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' "
                            "AND name = 'leads'").fetchone() is None:
                raise BackupError(f"{source} has no leads table: not a leadrelay database "
                                  "(or `leadrelay migrate` has not been run)")
            (leads,) = copy.execute("SELECT count(*) FROM leads").fetchone()
    except sqlite3.Error as exc:
        raise BackupError(f"cannot back up {source}: {exc}") from None
    return int(leads)
