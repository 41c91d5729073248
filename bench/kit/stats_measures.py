"""What bench/stats.py times, one entry each: where the function lives, how the bench calls
it through the App, and its target. A new figure is one more entry in MEASUREMENTS."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from core.app import App
from core.deps import Deps
from core.ports import UnitOfWork


@dataclass(frozen=True)
class Context:
    """Who asks, and the database and office the child processes are given."""

    manager_id: int
    agent_id: int
    url: str
    now: datetime
    config_path: Path
    scratch: Path  # a folder of the run's own for what the commands write
    zone: ZoneInfo  # the office's
    # What a measurement keeps between its runs (the chart worker); closed at the end.
    kept: dict[str, Any] = field(default_factory=dict)


Call = Callable[[App, Any, Context], Awaitable[Any]]
Child = Callable[[Any, Context], list[str]]


@dataclass(frozen=True)
class Measurement:
    """One figure timed: *where* is `module:function` (or a module alone), which must exist
    in the checkout for the measurement to run."""

    name: str
    where: str
    call: Call
    target: float | None = None  # ms; for a child, peak MiB
    child: Child | None = None  # a command line run in a process of its own

    def target_text(self) -> str:
        """The target as written in the issue."""
        if self.target is None:
            return ""
        return f"≤ {self.target:,.0f} MiB peak" if self.child else f"≤ {self.target:,.0f} ms"

    def verdict(self, value: float) -> str:
        """met or MISSED against the target (nothing without one)."""
        if self.target is None:
            return ""
        return "met" if value <= self.target else "MISSED"


async def digest_figures(uow: UnitOfWork, deps: Deps, /, *, days: int) -> Any:
    """The morning digest's counts over the last *days* days (7: Monday's weekly edition),
    as send_digest_if_due reads them."""
    now = deps.clock.now()
    async with uow.reading():
        return await uow.leads.digest_counts(now - timedelta(days=days), now, now=now)


async def gauges_refresh(uow: UnitOfWork, deps: Deps, /) -> Any:
    """What a refresh of /metrics' office gauges reads (office_gauges past its minute): the
    office's figures of today and of 30 days."""
    from core.numbers.period import parse_period

    now = deps.clock.now()
    async with uow.reading():
        for name in ("today", "30d"):
            period = parse_period(name, now=now, zone=deps.config.zone)
            await uow.numbers.figures(period.start, period.end, by=None, now=now,
                                      rate=deps.config.money.rate)


def _numbers(by: str | None, period: str = "30d") -> Call:
    async def call(app: App, fn: Any, ctx: Context) -> Any:
        from core.numbers.figures import Slice

        return await app.run(fn, manager_id=ctx.manager_id, period=period,
                             by=None if by is None else Slice(by))
    return call


def _period_range(ctx: Context) -> str:
    """The 30 office days up to the year's end as a range (the child's clock is the wall's)."""
    last = ctx.now.astimezone(ctx.zone).date()
    return f"{(last - timedelta(days=29)).isoformat()}..{last.isoformat()}"


def _export_command(_: Any, ctx: Context) -> list[str]:
    return [sys.executable, "-m", "leadrelay.cli", "export", "--period", _period_range(ctx),
            "--out", str(ctx.scratch / "export-30d.csv")]


class CountingSink:
    """A sink that keeps only the number of bytes written to it."""

    def __init__(self) -> None:
        self.size = 0

    def write(self, data: bytes) -> int:
        """Count *data*."""
        self.size += len(data)
        return len(data)


async def _report_with_charts(app: App, fn: Any, ctx: Context) -> Any:
    """/report as the bot answers it: the data, then the five charts drawn by the chart
    worker (started by the warm-up run, as by a first report, and kept)."""
    from bot.render.report import chart_labels
    from integrations.charts import ProcessCharts

    charts = ctx.kept.setdefault("charts", ProcessCharts())
    data = await app.run(fn, manager_id=ctx.manager_id, period="30d")
    return await charts.render(data, chart_labels("tr", data.period, data.sla_step,
                                                  zone=ctx.zone))


async def _export_in_process(app: App, fn: Any, ctx: Context) -> Any:
    return await fn(app, CountingSink(), period="30d")


MEASUREMENTS: list[Measurement] = [
    Measurement("/stats 30d (office_stats, before issue 19)", "core.queries:office_stats",
                lambda app, fn, c: app.run(fn, manager_id=c.manager_id, period="30d"), 500),
    Measurement("/stats today (office_stats, before issue 19)", "core.queries:office_stats",
                lambda app, fn, c: app.run(fn, manager_id=c.manager_id, period="today")),
    Measurement("morning digest counts (1 day)", "storage.repositories.digest:digest_counts",
                lambda app, fn, c: app.run(digest_figures, days=1)),
    Measurement("weekly digest counts (7 days)", "storage.repositories.digest:digest_counts",
                lambda app, fn, c: app.run(digest_figures, days=7)),
    Measurement("/stats 30d", "core.lifecycle.numbers:office_numbers", _numbers(None), 500),
    Measurement("/stats 30d by source", "core.lifecycle.numbers:office_numbers",
                _numbers("source"), 1000),
    Measurement("/stats 30d by agent", "core.lifecycle.numbers:office_numbers",
                _numbers("agent")),
    Measurement("/stats 30d by team", "core.lifecycle.numbers:office_numbers",
                _numbers("team")),
    Measurement("/stats 30d by rule", "core.lifecycle.numbers:office_numbers",
                _numbers("rule")),
    Measurement("/stats 30d by campaign", "core.lifecycle.numbers:office_numbers",
                _numbers("campaign")),
    Measurement("/stats this month", "core.lifecycle.numbers:office_numbers",
                _numbers(None, "this month")),
    Measurement("/metrics gauges, one refresh (today and 30d)",
                "core.lifecycle.gauges:office_gauges",
                lambda app, fn, c: app.run(gauges_refresh)),
    Measurement("/me 30d", "core.lifecycle.numbers:my_numbers",
                lambda app, fn, c: app.run(fn, agent_id=c.agent_id, period="30d")),
    Measurement("fairness audit 30d", "core.lifecycle.fairness:fairness_audit",
                lambda app, fn, c: app.run(fn, manager_id=c.manager_id, period="30d")),
    Measurement("coverage 30d", "core.lifecycle.coverage:coverage_report",
                lambda app, fn, c: app.run(fn, manager_id=c.manager_id, period="30d")),
    Measurement("automation health 30d", "core.lifecycle.coverage:automation_health",
                lambda app, fn, c: app.run(fn, manager_id=c.manager_id, period="30d")),
    Measurement("/report 30d (the charts' data)", "core.lifecycle.report:report_data",
                lambda app, fn, c: app.run(fn, manager_id=c.manager_id, period="30d")),
    Measurement("/report 30d (data and five charts drawn)", "core.lifecycle.report:report_data",
                _report_with_charts, 3000),
    Measurement("/export 30d (write_export, in process)", "leadrelay.export_cli:write_export",
                _export_in_process),
    Measurement("leadrelay export 30d (own process)", "leadrelay.export_cli",
                lambda app, fn, c: app.run(fn), 150, child=_export_command),
]


def run_child(argv: list[str], ctx: Context) -> tuple[float, float, str]:
    """Run *argv* on the bench's database and office; its seconds, its peak RSS in MiB and
    its output. Fails on a non-zero exit.

    The peak is the child's VmHWM, read from /proc every 20 ms until it exits: its rusage
    (os.wait4's ru_maxrss) counts the memory of this process at the fork too, since the
    kernel keeps the high-water mark of the address space that exec replaced, and this
    process holds the App and its database caches by then (a 120 MiB export read as
    800 MiB).
    """
    env = {**os.environ, "DATABASE_URL": ctx.url, "LEADRELAY_CONFIG": str(ctx.config_path)}
    started, peak = time.perf_counter(), 0
    with tempfile.TemporaryFile("w+") as output, subprocess.Popen(
            argv, env=env, stdout=output, stderr=subprocess.STDOUT) as child:
        status_file = Path(f"/proc/{child.pid}/status")
        while True:
            pid, status, _ = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            with contextlib.suppress(OSError):  # between its end and being waited for
                peak = max(peak, _kib(status_file.read_text(), "VmHWM"))
            time.sleep(0.02)
        child.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        out = output.read()
    took = time.perf_counter() - started
    if child.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[1:4])} exited with {child.returncode}:\n{out}")
    return took, peak / 1024, out


def _kib(status: str, field: str) -> int:
    """A /proc/PID/status field in KiB (0 when absent: a zombie has no memory)."""
    for line in status.splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0
