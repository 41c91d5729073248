"""The benches' shared command line takes every database its help names."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bench.kit.cli import add_database, bench_parser, check_database


@pytest.mark.parametrize("choice", [
    "sqlite", "sqlite?synchronous=normal", "sqlite+aiosqlite:////tmp/bench.db",
    "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"])
def test_every_database_the_help_names_is_taken(choice: str) -> None:
    parser = bench_parser(None)
    add_database(parser)
    check_database(parser, parser.parse_args(["--database", choice]).database)


@pytest.mark.parametrize("choice", ["mysql://x", "sqlite3", "postgresql://x"])
def test_any_other_database_is_a_usage_error(choice: str) -> None:
    parser = bench_parser(None)
    add_database(parser)
    with pytest.raises(SystemExit) as usage:
        check_database(parser, choice)
    assert usage.value.code == 2


@pytest.mark.slow
def test_the_task_sweep_bench_runs_at_a_small_scale() -> None:
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, str(root / "bench" / "tasks.py"), "--leads", "300", "--seconds", "2",
         "--rate", "5", "--pile", "40", "--grace", "30"],
        capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "sent             : 50 of 50; seeded tasks reminded by mistake: 0" in done.stdout
    assert "peak RSS (VmHWM)" in done.stdout
