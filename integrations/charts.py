"""core's Charts port on matplotlib, drawn in a worker process of its own: the event loop
never waits for a chart, and matplotlib's memory is never the bot's."""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import signal
import sys
import types
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

from core.numbers.report import ChartLabels, ReportData


def _draw(data: ReportData, labels: ChartLabels) -> list[bytes]:
    """Run in the worker: matplotlib is imported there, on the first report, and only there."""
    from integrations.chart_drawing import draw_report

    return draw_report(data, labels)


def _ready() -> None:
    """Run in the worker: matplotlib imported, its font found, before the first report."""
    from integrations.chart_drawing import prepare

    prepare()


def _started() -> None:
    """The worker's first act: Ctrl-C in a terminal reaches every process of its group, and
    the worker is ended by the bot's shutdown, not by the signal."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


T = TypeVar("T")


@contextlib.contextmanager
def _main_left_out() -> Iterator[None]:
    """A worker started meanwhile imports nothing of the program that starts it.

    A spawned process imports the parent's main module first (the `leadrelay` script, and
    through it the whole bot: half a second and 40 MB the worker never uses; a script
    without a main guard would run again). Starting the worker is synchronous, on the
    event loop's thread, and nothing else reads __main__.
    """
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


class ProcessCharts:
    """Charts drawn one report at a time by one worker process, started (by spawn, so it
    shares nothing with the bot's threads and sockets) when the first report is asked for,
    and ended by close()."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None

    def warm(self) -> None:
        """Start the worker, and matplotlib in it, if none runs: the first report's figures
        are read from the database meanwhile."""
        if self._pool is None:
            self._submit(_ready)

    async def render(self, data: ReportData, labels: ChartLabels) -> list[bytes]:
        """The report's PNG images, drawn in the worker; a worker that died (killed, out of
        memory) is replaced for the next report."""
        pool, drawn = self._submit(_draw, data, labels)
        try:
            return await asyncio.wrap_future(drawn)
        except BrokenProcessPool:
            if self._pool is pool:
                self._pool = None
            raise

    def _submit(self, work: Callable[..., T], *args: object) -> tuple[ProcessPoolExecutor,
                                                                     Future[T]]:
        """*work* given to the worker, started first if none runs."""
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                initializer=_started)
        with _main_left_out():  # the worker process starts with the first work it gets
            return self._pool, self._pool.submit(work, *args)

    async def close(self) -> None:
        """End the worker, if one started; a report being drawn is given up."""
        pool, self._pool = self._pool, None
        if pool is not None:
            # Waiting for the worker to exit is a blocking call: off the event loop.
            await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)
