"""The leadrelay process under test: its environment, start and stop, and what it logged."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import socket
import sys
import time
from collections import Counter
from pathlib import Path

import aiohttp

from bench.kit.office import BOT_TOKEN
from sandbox import BotApiSandbox


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def relay_env(api_url: str, database_url: str, config: Path, **extra: str) -> dict[str, str]:
    """The environment of a leadrelay on a free port, talking to the Bot API at *api_url*.

    *extra* adds variables or overrides these (SWEEP_SECONDS=5, LOG_LEVEL=WARNING).
    """
    return {**os.environ, "TELEGRAM_BOT_TOKEN": BOT_TOKEN, "TELEGRAM_API_URL": api_url,
            "DATABASE_URL": database_url, "HTTP_HOST": "127.0.0.1",
            "HTTP_PORT": str(free_port()), "LEADRELAY_CONFIG": str(config),
            "SWEEP_SECONDS": "5", "LOG_LEVEL": "WARNING", **extra}


class Leadrelay:
    """The leadrelay process under test, started with `python -m leadrelay.cli run`."""

    def __init__(self, *, env: dict[str, str], log_path: Path, cwd: Path) -> None:
        """Remember how to start it; nothing runs until start()."""
        self.env, self.log_path, self.cwd = env, log_path, cwd
        self.process: asyncio.subprocess.Process | None = None
        self.port = int(env["HTTP_PORT"])
        self.argv = [sys.executable, "-m", "leadrelay.cli", "run"]

    @property
    def base(self) -> str:
        """The root URL of its intake server."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        """Its process id."""
        assert self.process is not None
        return self.process.pid

    async def start(self, session: aiohttp.ClientSession, *, within: float) -> float:
        """Start it and return the seconds until /healthz answered 200."""
        started = time.monotonic()
        with self.log_path.open("wb") as log:
            self.process = await asyncio.create_subprocess_exec(
                *self.argv, env=self.env, cwd=self.cwd, stdin=asyncio.subprocess.DEVNULL,
                stdout=log, stderr=log)
        deadline = started + within
        while time.monotonic() < deadline:
            if self.process.returncode is not None:
                raise RuntimeError(f"leadrelay exited with {self.process.returncode} on start\n"
                                   f"{self.log_tail()}")
            with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                async with session.get(f"{self.base}/healthz",
                                       timeout=aiohttp.ClientTimeout(total=1)) as reply:
                    if reply.status == 200:
                        return time.monotonic() - started
            await asyncio.sleep(0.05)
        raise RuntimeError(f"leadrelay did not answer /healthz within {within}s\n"
                           f"{self.log_tail()}")

    async def stop(self, *, grace: float = 15.0) -> tuple[int | None, float]:
        """SIGTERM, wait up to *grace* s, SIGKILL if needed; return (exit code, seconds)."""
        process, started = self.process, time.monotonic()
        if process is None:
            return None, 0.0
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), grace)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                await process.wait()
        return process.returncode, time.monotonic() - started

    def log_tail(self, lines: int = 15) -> str:
        """The last lines leadrelay logged."""
        try:
            text = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return "(no log)"
        return "\n".join(text[-lines:]) or "(log is empty)"

    def log_problems(self) -> Counter[str]:
        """How many WARNING/ERROR/CRITICAL lines it logged, by level."""
        counts: Counter[str] = Counter()
        with contextlib.suppress(OSError):
            for line in self.log_path.read_text(errors="replace").splitlines():
                for level in ("WARNING", "ERROR", "CRITICAL"):
                    if f" {level} " in line:
                        counts[level] += 1
        return counts


async def stop_and_report(relay: Leadrelay, sandbox: BotApiSandbox, *,
                          refused: int | None = None, name: str = "leadrelay") -> None:
    """Stop leadrelay and the sandbox; print the exit, and any warnings with the log's tail.

    *refused*, when given, is the count of offers the sandbox refused, printed with them;
    *name* is what the process is called in the lines printed (the baseline's, say).
    """
    code, took = await relay.stop()
    await sandbox.stop()
    print(f"{name:<10}: stopped with SIGTERM, exit code {code}, in {took:.2f}s")
    problems = relay.log_problems()
    if problems or sandbox.errors or refused:
        also = "" if refused is None else f", refused offers {refused}"
        print(f"warnings  : {name} log {dict(problems)}, sandbox errors "
              f"{len(sandbox.errors)}{also}; log tail:")
        print("  " + relay.log_tail(8).replace("\n", "\n  "))


# A record's first line: its time (`2026-03-04 08:00:00,000` or `2026-03-04T08:00:00.000Z`),
# its level, then "logger: message"; a traceback follows on lines of its own or inline.
_RECORD = re.compile(r"^(?:\d{4}-\d\d-\d\d[ T]\S+) (?P<level>[A-Z]+) +(?P<rest>.*)$")


def distinct_problems(log_path: Path, limit: int = 10) -> list[str]:
    """The distinct WARNING/ERROR/CRITICAL records leadrelay logged, first line each, counted."""
    seen: Counter[str] = Counter()
    try:
        lines = log_path.read_text(errors="replace").splitlines()
    except OSError:
        return []
    records: list[list[str]] = []  # each record: its first line, then any traceback lines
    for line in lines:
        record = _RECORD.match(line)
        if record:
            first, _, traceback = record["rest"].partition(' traceback="')
            inline = traceback.rstrip('"').split("\\n") if traceback else []
            records.append([record["level"], first.strip(), *inline])
        elif records and line.strip():
            records[-1].append(line.strip())
    for level, first, *rest in records:
        if level in ("WARNING", "ERROR", "CRITICAL"):
            # The exception's own line: the last not indented (an inline traceback keeps its
            # indents; one on lines of its own was stripped, so its last line is taken).
            raised = next((line for line in reversed(rest) if line and not line[0].isspace()),
                          "")
            raised = f" [{raised[:100]}]" if rest and "Traceback" in rest[0] else ""
            seen[f"{level} {first[:140]}{raised}"] += 1
    return [f"{n}× {text}" for text, n in seen.most_common(limit)]
