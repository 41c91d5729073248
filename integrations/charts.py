"""core's Charts port on matplotlib, drawn in a worker process of its own: the event loop
never waits for a chart, and matplotlib's memory is never the bot's."""

from __future__ import annotations

import asyncio
import multiprocessing
import signal
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

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
            self._worker().submit(_ready)

    async def render(self, data: ReportData, labels: ChartLabels) -> list[bytes]:
        """The report's PNG images, drawn in the worker; a worker that died (killed, out of
        memory) is replaced for the next report."""
        pool = self._worker()
        try:
            return await asyncio.get_running_loop().run_in_executor(pool, _draw, data, labels)
        except BrokenProcessPool:
            if self._pool is pool:
                self._pool = None
            raise

    def _worker(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                initializer=_started)
        return self._pool

    async def close(self) -> None:
        """End the worker, if one started; a report being drawn is given up."""
        pool, self._pool = self._pool, None
        if pool is not None:
            # Waiting for the worker to exit is a blocking call: off the event loop.
            await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)
