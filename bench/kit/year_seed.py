"""A year of leads seeded into a migrated database (bench/stats.py), and on SQLite kept in
bench/.cache under a key of the migrations and the seeder's code, so a rerun skips it."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.kit.bulk import PostgresLoader, SqliteLoader
from bench.kit.database import engine_at
from bench.kit.office import write_office
from bench.kit.seed import linked_relay
from bench.kit.year import SEED, Year
from bench.kit.year_office import members, year_office
from core.config import OfficeConfig
from leadrelay.office import load_office
from storage.migrate import MIGRATIONS

BENCH = Path(__file__).resolve().parent.parent
CACHE = BENCH / ".cache"
DAYS = 365
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
BATCH = 10_000  # leads a transaction: about 150,000 rows
SEEDED = ("contacts", "leads", "offers", "lead_events", "routing_pools", "routing_decisions",
          "availability_changes")


class FixedClock:
    """The clock of a measurement on a seeded year: always the moment the year ends."""

    def __init__(self, now: datetime) -> None:
        self._now = now

    def now(self) -> datetime:
        """The seeded year's end."""
        return self._now


@dataclass
class Seeded:
    """What a seeding wrote and how long it took."""

    leads: int
    now: str  # ISO 8601, the year's end
    seed: int = SEED
    rows: dict[str, int] = field(default_factory=dict)
    seconds_rows: float = 0.0  # building and writing the rows
    seconds_writing: float = 0.0  # of which the database's inserts
    seconds_indexes: float = 0.0  # building the dropped indexes again
    notes: list[str] = field(default_factory=list)

    @property
    def end(self) -> datetime:
        """The year's end as a datetime."""
        return datetime.fromisoformat(self.now)


def office_of(now: datetime, folder: Path, *, seed: int = SEED) -> OfficeConfig:
    """The year office's config (written to *folder*/year.yaml and read as leadrelay does)."""
    people = members(start=now.timestamp() - DAYS * 86400, days=DAYS, seed=seed)
    return load_office(write_office(folder / "year.yaml", year_office(people)))


@functools.cache
def _hour(hour: int) -> str:
    return datetime.fromtimestamp(hour * 3600, UTC).strftime("%Y-%m-%d %H:")


def _sqlite_stamp(moment: float | None) -> str | None:
    # As SQLAlchemy's SQLite DateTime stores it: naive UTC with six digits of microseconds;
    # each hour's text is made once (a year has 8,760).
    if moment is None:
        return None
    hour, rest = divmod(round(moment * 1_000_000), 3_600_000_000)
    minute, rest = divmod(rest, 60_000_000)
    second, micros = divmod(rest, 1_000_000)
    return f"{_hour(hour)}{minute:02d}:{second:02d}.{micros:06d}"


def _pg_stamp(moment: float | None) -> datetime | None:
    # Rounded to the microsecond as _sqlite_stamp rounds it: the same year on both.
    return None if moment is None else EPOCH + timedelta(microseconds=round(moment * 1e6))


async def seed_year(url: str, folder: Path, *, leads: int, now: datetime, seed: int = SEED,
                    batch: int = BATCH, say: Callable[[str], None] = print) -> Seeded:
    """Migrate the empty database at *url*, store the roster, and write *leads* leads of the
    year up to *now* with their contacts, offers, events and routing shares."""
    config = office_of(now, folder, seed=seed)
    async with engine_at(url) as engine:
        await linked_relay(engine, config)
    sqlite = url.startswith("sqlite")
    loader: SqliteLoader | PostgresLoader
    if sqlite:
        loader = SqliteLoader(url)
    else:
        loader = PostgresLoader(url)
        await loader.open()
    have = frozenset([name for name in SEEDED if await loader.columns(name) is not None])
    year = Year(members(start=now.timestamp() - DAYS * 86400, days=DAYS, seed=seed), leads,
                now.timestamp(), _sqlite_stamp if sqlite else _pg_stamp,
                date.isoformat if sqlite else (lambda d: d), days=DAYS, seed=seed, tables=have)
    report = Seeded(leads=leads, now=now.isoformat(), seed=seed)
    await loader.drop_indexes(SEEDED)
    started = time.perf_counter()
    written = 0
    for rows in year.batches(batch):
        began = time.perf_counter()
        await loader.write(rows.tables)
        report.seconds_writing += time.perf_counter() - began
        written += len(rows.tables["leads"])
        if written % (10 * batch) == 0 or written == leads:
            say(f"seeded    : {written:,} of {leads:,} leads "
                f"({time.perf_counter() - started:.0f} s)")
    await loader.write({"availability_changes": year.availability()})
    report.seconds_rows = time.perf_counter() - started
    began = time.perf_counter()
    await loader.finish()
    report.seconds_indexes = time.perf_counter() - began
    report.rows = {name: t.rows for name, t in loader.tables.items() if t is not None}
    report.notes = [f"{name}: no such table in this schema, not seeded"
                    for name in SEEDED if name not in have] + loader.notes
    return report


def cache_key(leads: int, seed: int) -> str:
    """The migrations' and the seeder's code, and the size: a changed schema or seeder is
    another key."""
    digest = hashlib.sha256(f"{leads}:{seed}".encode())
    sources = sorted((MIGRATIONS / "versions").glob("*.py")) + sorted(
        Path(__file__).parent.glob("year*.py")) + [Path(__file__).parent / "bulk.py"]
    for path in sources:
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:12]


async def cached_year(*, leads: int, reseed: bool, seed: int = SEED,
                      say: Callable[[str], None] = print) -> tuple[str, Seeded, bool]:
    """A SQLite file holding the year (seeded now unless cached, or *reseed*): its URL,
    what the seeding wrote, and whether it was seeded in this run."""
    CACHE.mkdir(exist_ok=True)
    (CACHE / ".gitignore").write_text("*\n")
    stem = CACHE / f"year-{leads}-{cache_key(leads, seed)}"
    db, meta = stem.with_suffix(".db"), stem.with_suffix(".json")
    if meta.exists() and db.exists() and not reseed:
        return f"sqlite+aiosqlite:///{db}", Seeded(**json.loads(meta.read_text())), False
    fresh = stem.with_suffix(".seeding.db")
    # The seeds of this size under older keys (another schema or seeder) go: 3 GB each.
    for old in CACHE.glob(f"year-{leads}-*"):
        old.unlink()
    now = datetime.fromtimestamp(int(time.time()) // 60 * 60, UTC)
    report = await seed_year(f"sqlite+aiosqlite:///{fresh}", CACHE, leads=leads, now=now,
                             seed=seed, say=say)
    os.replace(fresh, db)  # only a finished seeding is ever found
    meta.write_text(json.dumps(asdict(report), indent=1))
    return f"sqlite+aiosqlite:///{db}", report, True


def describe(report: Seeded) -> dict[str, Any]:
    """The seeding's figures as `name: text` lines."""
    rate = sum(report.rows.values()) / max(report.seconds_rows, 1e-9)
    lines: dict[str, Any] = {
        "year ends": report.now,
        "rows": ", ".join(f"{k} {v:,}" for k, v in report.rows.items()),
        "seeding": f"{report.seconds_rows:.0f} s rows ({report.seconds_writing:.0f} s of it "
                   f"inserting, {rate:,.0f} rows/s) + {report.seconds_indexes:.0f} s indexes",
    }
    for n, note in enumerate(report.notes):
        lines[f"note {n + 1}"] = note
    return lines
