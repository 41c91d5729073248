"""py-spy on the leadrelay process during a phase, and a summary of where its time went."""

from __future__ import annotations

import asyncio
import re
import sys
from collections import Counter
from pathlib import Path

_LINE_NO = re.compile(r":\d+\)$")
_PROJECT_DIRS = ("core", "storage", "leadrelay", "webhooks", "bot")


async def py_spy(pid: int, seconds: int, out: Path, *,
                 native: bool = False) -> asyncio.subprocess.Process | None:
    """Start py-spy recording *pid* (raw folded stacks; *native*: with C frames, which
    pauses the process for each sample), or None if py-spy is not installed."""
    exe = Path(sys.executable).parent / "py-spy"
    if not exe.exists():
        return None
    how = ["--native"] if native else ["--nonblocking"]
    return await asyncio.create_subprocess_exec(
        str(exe), "record", "-p", str(pid), "-d", str(seconds), "-r", "200", "-f", "raw",
        "-o", str(out), *how, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL)


def summarize_profile(path: Path, top: int = 12) -> list[str]:
    """Where the samples went: own time by function, and project functions inclusive."""
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return ["(no py-spy output)"]
    total = 0
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    for line in lines:
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [_LINE_NO.sub(")", frame) for frame in stack.split(";")]
        total += count
        own[frames[-1]] += count
        for frame in set(frames):
            if any(f"({d}/" in frame or f"/{d}/" in frame for d in _PROJECT_DIRS):
                inclusive[frame] += count
    if not total:
        return ["(py-spy recorded no samples)"]
    out = [f"{total} samples of busy threads (200/s)", "own time by function:"]
    out += [f"  {100 * n / total:5.1f}%  {frame}" for frame, n in own.most_common(top)]
    out.append("project functions, inclusive:")
    out += [f"  {100 * n / total:5.1f}%  {frame}" for frame, n in inclusive.most_common(top + 4)
            if "leadrelay/cli.py" not in frame]
    return out


# The parts of leadrelay's work a stack belongs to, by the first of these found on it.
_PARTS = [
    ("admit: validate, score", ("admit_lead (core/lifecycle/intake.py)",)),
    ("routing: decide; offers, history, outbox rows", (
        "_route_taken (core/lifecycle/routing.py)", "Router.take_if_free", "route_new_leads",
        "RoutingLoop")),
    ("store: contacts, leads, history", ("store_leads (core/lifecycle/intake.py)",
                                         "IntakeQueue")),
    ("sending offers: dispatcher, pacer, Bot API", ("OutboxDispatcher",)),
    ("HTTP in and out: aiohttp, webhooks/", ("RequestHandler", "webhooks/app.py")),
    ("timers and sweeps", ("leadrelay/timers.py",)),
    # SQLAlchemy runs each statement in a greenlet of its own, whose stack py-spy cannot tie
    # to the store or routing that asked for it.
    ("SQL statements through SQLAlchemy (store and routing)", ("sqlalchemy/", "sqlite_trips")),
]


def summarize_by_part(path: Path, leads: int, rate: int = 200) -> list[tuple[str, ...]]:
    """Rows of (part, share of the main thread's samples, ms of CPU per lead) from py-spy's
    raw stacks, and the SQLite threads' ms per lead; the event loop's idle waits left out."""
    counts: Counter[str] = Counter()
    driver = 0
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        frames = [_LINE_NO.sub(")", frame) for frame in stack.split(";")]
        if "Runner.run" in frames[-1]:
            continue  # the loop waiting for work
        if any("_connection_worker_thread" in frame for frame in frames):
            driver += int(count_text)
            continue
        joined = ";".join(frames)
        part = next((name for name, marks in _PARTS if any(m in joined for m in marks)),
                    "event loop, other")
        counts[part] += int(count_text)
    total = sum(counts.values()) or 1
    rows: list[tuple[str, ...]] = [("part", "share", "CPU ms per lead")]
    rows += [(part, f"{100 * n / total:.0f} %", f"{1000 * n / rate / leads:.2f}")
             for part, n in counts.most_common()]
    rows.append(("main thread, all", "100 %", f"{1000 * total / rate / leads:.2f}"))
    rows.append(("SQLite's threads (statements, commits)", "",
                 f"{1000 * driver / rate / leads:.2f}"))
    return rows
