"""The figures a bench prints: percentiles, the machine and database, tables, its first lines."""

from __future__ import annotations

import math
import os
import platform
import re
import shlex
import sqlite3
import sys
from collections import Counter
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path

TARGET_INTAKE_PER_S = 500.0  # the intake target (leads answered 201 a second) of every bench


def percentile(values: list[float], pct: float) -> float:
    """The nearest-rank *pct* percentile of *values* (nan when there are none)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def spread(values: list[float], fmt: str = ".1f") -> str:
    """p50 / p90 / p99 / max of *values*, each formatted with *fmt*."""
    return " / ".join(format(percentile(values, p), fmt) for p in (50, 90, 99, 100))


def statuses_text(statuses: Counter[str]) -> str:
    """HTTP statuses and client errors, most common first."""
    return ", ".join(f"{status}×{n}" for status, n in statuses.most_common()) or "none"


def safe_url(url: str) -> str:
    """The database URL with any password masked."""
    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", url)


def load_average() -> str:
    """The 1, 5 and 15 minute load averages."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def machine_facts() -> list[str]:
    """Lines describing the machine and interpreter."""
    model = "unknown CPU"
    with suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return [
        f"machine   : nproc={os.cpu_count()} (usable {len(os.sched_getaffinity(0))}), {model}",
        f"os        : {platform.platform()}",
        f"python    : {platform.python_version()} ({sys.executable})",
        f"load avg  : {load_average()} (1/5/15 min, before the run)",
    ]


def database_facts(url: str) -> str:
    """One line naming the database kind and where it is."""
    if url.startswith("sqlite"):
        return f"database  : SQLite {sqlite3.sqlite_version} (WAL), {safe_url(url)}"
    return f"database  : PostgreSQL, {safe_url(url)}"


def print_header() -> None:
    """Print how the bench was started and on what machine: the first lines of every run."""
    print("command   : " + shlex.join([Path(sys.executable).name, *sys.argv]))
    for line in machine_facts():
        print(line)


def print_load_after() -> None:
    """Print the load average after the run: the last line of a run."""
    print(f"\nload avg after the run: {load_average()}")


def print_table(title: str, rows: Sequence[Sequence[str]], *, rstrip: bool = True) -> None:
    """Print a blank line, *title*, and *rows* in columns as wide as their widest cell."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    print(f"\n{title}")
    for row in rows:
        line = "  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        print(line.rstrip() if rstrip else line)
