"""/report's charts: PNG images of a phone's size in English and Turkish with every letter
drawn, a chart without data saying so, and the drawing done in a worker process while the
event loop goes on answering."""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
import time
import warnings
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from bot.render.report import chart_labels
from core.numbers.figures import Figures, PeriodNumbers, Slice, SliceRow
from core.numbers.period import parse_period
from core.numbers.report import ChartLabels, DaySeries, ReportData, assemble_report, spans
from integrations.charts import ProcessCharts

ISTANBUL = ZoneInfo("Europe/Istanbul")
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n"
SIZE = (1080, 1350)  # 4:5 portrait, as a phone shows a photo whole
# Every Turkish letter the alphabet has beyond English's, in names as agents write them.
TURKISH_NAMES = ["Şükrü Öztürk", "İlkay Ağaoğlu", "Gülçin Işık", "ĞÜŞİÖÇ ğüşıöç"]


def report(period: str = "30d", *, agents: list[str] | None = None) -> ReportData:
    """A month of an office of 18 agents and 12 sources."""
    chosen = parse_period(period, now=NOW, zone=ISTANBUL)
    step, bounds = spans(chosen, ISTANBUL)
    office = Figures(leads=2480, accepted=2300, contacted=2010, appointment=640, offer=210,
                     won=74)
    sources = tuple(SliceRow(f"Kaynak {n} — Kadıköy kampanyası" if n == 1 else f"source {n}",
                             Figures(leads=1000 // n, won=40 // n, commission=Decimal(9000 // n),
                                     cost=Decimal(3000) if n % 3 else None))
                    for n in range(1, 13))
    names = (agents or TURKISH_NAMES) + [f"Agent {n}" for n in range(14)]
    series = [DaySeries((n % 5, 9, 4, 3, 2, 1, n % 3), 20 - n % 4, 20, 15 - n % 6, 16)
              for n in range(len(bounds) - 1)]
    return assemble_report(
        chosen, zone=ISTANBUL, numbers=PeriodNumbers(chosen, office, office, Figures()),
        by_source=PeriodNumbers(chosen, office, office, Figures(), by=Slice.SOURCE,
                                rows=sources),
        fairness=[(name, 140 - 6 * n, 138.5 - 6 * n) for n, name in enumerate(names)],
        step=step, bounds=bounds, series=series)


def labels(lang: str, data: ReportData) -> ChartLabels:
    return chart_labels(lang, data.period, data.sla_step, zone=ISTANBUL)


def drawn(data: ReportData, said: ChartLabels) -> tuple[list[bytes], list[str]]:
    """The charts drawn here, in the test's process, and every warning drawing them gave."""
    from integrations.chart_drawing import draw_report

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pictures = draw_report(data, said)
    return pictures, [str(w.message) for w in caught]


def assert_phone_pngs(pictures: list[bytes]) -> None:
    assert len(pictures) == 5
    for picture in pictures:
        assert picture.startswith(PNG)
        with Image.open(io.BytesIO(picture)) as image:
            assert (image.format, image.size) == ("PNG", SIZE)


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_the_charts_are_pngs_a_phone_shows_whole_with_every_letter_drawn(lang: str) -> None:
    data = report()
    said = labels(lang, data)
    if lang == "tr":
        assert (said.funnel_title, said.percent, said.decimal) == ("Satış hunisi", "%{}", ",")
    pictures, warned = drawn(data, said)
    assert_phone_pngs(pictures)
    assert warned == []


def test_a_letter_the_font_lacks_would_be_caught() -> None:
    data = report(agents=["漢字"])  # no CJK in DejaVu Sans: the check can fail
    _, warned = drawn(data, labels("en", data))
    assert any("missing from font" in w for w in warned), warned


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_a_period_without_leads_draws_charts_that_say_so(lang: str) -> None:
    chosen = parse_period("today", now=NOW, zone=ISTANBUL)
    step, bounds = spans(chosen, ISTANBUL)
    empty = assemble_report(chosen, zone=ISTANBUL, numbers=None, by_source=None, fairness=(),
                            step=step, bounds=bounds, series=[DaySeries()] * (len(bounds) - 1))
    full, _ = drawn(report("today"), labels(lang, empty))
    pictures, warned = drawn(empty, labels(lang, empty))
    assert_phone_pngs(pictures)
    assert warned == []
    # "No data" on white is far lighter than bars: each picture is smaller than with data.
    assert all(len(e) < len(f) for e, f in zip(pictures, full, strict=True))


def test_long_periods_are_drawn_by_week() -> None:
    data = report("90d")
    pictures, warned = drawn(data, labels("tr", data))
    assert_phone_pngs(pictures)
    assert warned == []


async def test_the_charts_are_drawn_in_a_worker_while_the_event_loop_goes_on() -> None:
    charts = ProcessCharts()
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticking = asyncio.create_task(tick())
    try:
        data = report()
        started, before = time.monotonic(), ticks
        pictures = await charts.render(data, labels("tr", data))
        took, during = time.monotonic() - started, ticks - before
        again = await charts.render(data, labels("en", data))
    finally:
        ticking.cancel()
        await charts.close()
    assert_phone_pngs(pictures)
    assert_phone_pngs(again)
    # Starting a worker and drawing take a while; a loop blocked meanwhile would have
    # ticked once at most.
    assert (took > 0.3, during >= 10) == (True, True), (took, during)


def test_the_bots_process_never_imports_matplotlib_nor_the_worker_the_bots_program(
        tmp_path: Path) -> None:
    program = tmp_path / "program.py"  # no main guard: a worker that imported it would run it
    program.write_text(
        "import asyncio, sys\n"
        "print('started', flush=True)\n"
        "from tests.test_charts import labels, report\n"
        "from integrations.charts import ProcessCharts\n"
        "async def main():\n"
        "    charts = ProcessCharts()\n"
        "    data = report()\n"
        "    pictures = await charts.render(data, labels('en', data))\n"
        "    await charts.close()\n"
        "    print(len(pictures), 'matplotlib' in sys.modules)\n"
        "asyncio.run(main())\n")
    root = Path(__file__).parent.parent
    done = subprocess.run([sys.executable, str(program)], capture_output=True, text=True,
                          timeout=120, check=True, cwd=root,
                          env={**os.environ, "PYTHONPATH": str(root)})
    assert done.stdout.split("\n") == ["started", "5 False", ""], done.stderr
