"""The command-line pieces the benches share, and run_bench, which runs a bench and exits."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Coroutine
from typing import Any

DATABASE_HELP = ("'sqlite' (a fresh file in a temp dir; 'sqlite?synchronous=normal' for "
                 "SQLite's NORMAL) or a database URL; on a PostgreSQL server, e.g. "
                 "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres, the bench "
                 "makes a database of its own and drops it at the end")
BURST_HELP = "leads fired in the intake burst (default 2000)"
CONCURRENCY_HELP = "requests in flight during the burst (default 64)"


def bench_parser(doc: str | None) -> argparse.ArgumentParser:
    """A parser whose description is the first paragraph of the bench's docstring *doc*."""
    return argparse.ArgumentParser(description=(doc or "").split("\n\n")[0])


def add_database(parser: argparse.ArgumentParser, *, help_text: str = DATABASE_HELP,
                 required: bool = False) -> None:
    """--database: 'sqlite' (the default unless *required*) or a server URL, see bench_database."""
    if required:
        parser.add_argument("--database", required=True, help=help_text)
    else:
        parser.add_argument("--database", default="sqlite", help=help_text)


def check_database(parser: argparse.ArgumentParser, choice: str, *,
                   postgresql_only: bool = False) -> None:
    """Exit with a usage error (2) unless --database names a kind the benches run on."""
    if postgresql_only:
        if not choice.startswith("postgresql+asyncpg://"):
            parser.error("--database must be a postgresql+asyncpg:// URL")
        return
    if choice != "sqlite" and not choice.startswith(
            ("sqlite?", "sqlite+aiosqlite://", "postgresql+asyncpg://")):
        parser.error("--database must be 'sqlite' or a sqlite+aiosqlite:// or "
                     "postgresql+asyncpg:// URL")


def add_burst(parser: argparse.ArgumentParser, *, burst_help: str = BURST_HELP,
              concurrency_help: str = CONCURRENCY_HELP) -> None:
    """--burst (leads, default 2000) and --concurrency (requests in flight, default 64)."""
    parser.add_argument("--burst", type=int, default=2000, help=burst_help)
    parser.add_argument("--concurrency", type=int, default=64, help=concurrency_help)


def run_bench(run: Callable[[argparse.Namespace], Coroutine[Any, Any, int]],
              args: argparse.Namespace) -> None:
    """Run a bench's `run(args)` and exit with its code: 130 on Ctrl-C, 1 with the reason."""
    try:
        code = asyncio.run(run(args))
    except KeyboardInterrupt:
        code = 130
    except Exception as exc:
        print(f"bench failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        code = 1
    raise SystemExit(code)
