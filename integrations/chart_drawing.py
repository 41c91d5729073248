"""`/report`'s five charts drawn with matplotlib's Agg backend, as PNG images sized for a
phone held upright; imported only in the chart worker (integrations/charts.py)."""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display: the worker draws into memory only

from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator
from matplotlib.typing import RcKeyType

from core.numbers.report import (
    AgentShare,
    ChartLabels,
    ReportData,
    SourceRow,
    Step,
)

WIDTH, HEIGHT, DPI = 1080, 1350, 240  # 4:5 portrait, as a phone shows a photo whole
FONT = "DejaVu Sans"  # ships with matplotlib; Turkish letters (ğüşıöçİĞŞ) included
TITLE_SIZE = 15
STYLE: dict[RcKeyType, Any] = {
    "font.family": "sans-serif", "font.sans-serif": [FONT], "font.size": 11,
    "axes.titlesize": TITLE_SIZE, "axes.titleweight": "bold", "axes.labelsize": 11,
    "xtick.labelsize": 10, "ytick.labelsize": 11, "legend.fontsize": 10,
    "axes.spines.top": False, "axes.spines.right": False, "axes.edgecolor": "#888888",
    "savefig.facecolor": "white", "figure.facecolor": "white",
}
BLUE, ORANGE, GREEN, GREY, RED = "#2f6db5", "#e07b28", "#3a9a5b", "#9e9e9e", "#c8453a"
FAIR_BAND = 0.2  # the fairness audit flags a deviation beyond ±20 %
Drawer = Callable[[Figure, ReportData, ChartLabels], None]


def draw_report(data: ReportData, labels: ChartLabels) -> list[bytes]:
    """The five charts of *data* as PNG images, in the order of core.ports.charts."""
    with matplotlib.rc_context(STYLE):
        return [_png(draw, data, labels)
                for draw in (_funnel, _speed, _fairness, _sla, _sources)]


def prepare() -> None:
    """Find the font before the first report needs it."""
    font_manager.findfont(FONT)


def _png(draw: Drawer, data: ReportData, labels: ChartLabels) -> bytes:
    figure = Figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    draw(figure, data, labels)
    out = io.BytesIO()
    # Fast compression: flat colours pack well at any level, and the report waits on it.
    figure.savefig(out, format="png", dpi=DPI, pil_kwargs={"compress_level": 1})
    return out.getvalue()


# --- numbers the reader's way -----------------------------------------------------------


def _number(value: float, labels: ChartLabels, *, digits: int = 0) -> str:
    text = f"{value:,.{digits}f}"
    return text.replace(",", "\0").replace(".", labels.decimal).replace("\0", labels.group)


def _percent(value: float, labels: ChartLabels, *, digits: int | None = None) -> str:
    """A percentage, with a decimal below 10 unless *digits* says how many."""
    if digits is None:
        digits = 0 if abs(value) >= 10 else 1
    return labels.percent.format(_number(value, labels, digits=digits))


def _short(text: str, width: int = 20) -> str:
    """A long name cut to one line: rows stay apart on a phone's screen."""
    return text if len(text) <= width else text[:width - 1].rstrip() + "…"


def _wrapped(text: str, width: int = 34) -> str:
    """An axis's words over lines of at most *width* characters, broken at spaces."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "\n".join(lines)


# --- the frame every chart shares ---------------------------------------------------------


def _axes(figure: Figure, title: str, labels: ChartLabels, rows: int = 1) -> list[Axes]:
    figure.suptitle(title, fontsize=TITLE_SIZE, fontweight="bold")
    # The period at the foot: a chart forwarded on its own still says what it covers.
    figure.supxlabel(labels.period, fontsize=10, color="#555555")
    return [figure.add_subplot(rows, 1, n + 1) for n in range(rows)]


def _no_data(axes: Axes, labels: ChartLabels) -> None:
    axes.set_axis_off()
    axes.text(0.5, 0.5, labels.no_data, ha="center", va="center", fontsize=16,
              color=GREY, transform=axes.transAxes)


def _bars(axes: Axes, names: Sequence[str], values: Sequence[float],
          shown: Sequence[str] | None, colors: str | Sequence[str]) -> None:
    """Horizontal bars top to bottom, each with its value written at its end (*shown*)."""
    rows = range(len(names))
    bars = axes.barh(rows, values, color=colors, height=0.7)
    if shown is not None:
        axes.bar_label(bars, labels=list(shown), padding=4, fontsize=10)
    axes.set_yticks(list(rows), [_short(name) for name in names])
    axes.invert_yaxis()
    low, high = min(0.0, *values), max(0.0, *values)
    span = (high - low) or 1.0
    # Room for the values written past the bars' ends, on either side of zero: about a
    # thirtieth of the bars' span for each character of the longest.
    room = span * (0.1 + 0.03 * max((len(text) for text in shown or ()), default=4))
    axes.set_xlim(low - (room if low < 0 else 0), high + room)
    axes.tick_params(axis="y", length=0)
    axes.xaxis.set_major_locator(MaxNLocator(nbins=4))


def _hide_x(axes: Axes) -> None:
    axes.xaxis.set_visible(False)
    axes.spines["bottom"].set_visible(False)


# --- the charts ---------------------------------------------------------------------------


def _funnel(figure: Figure, data: ReportData, labels: ChartLabels) -> None:
    (axes,) = _axes(figure, labels.funnel_title, labels)
    counts = [step.count for step in data.funnel]
    if not counts or counts[0] == 0:
        _no_data(axes, labels)
        return
    shown = [_number(c, labels) if i == 0 else
             f"{_number(c, labels)} · {_percent(100 * c / counts[0], labels)}"
             for i, c in enumerate(counts)]
    colors = [BLUE] * (len(counts) - 1) + [GREEN]
    _bars(axes, labels.funnel_steps[:len(counts)], counts, shown, colors)
    _hide_x(axes)


def _speed(figure: Figure, data: ReportData, labels: ChartLabels) -> None:
    (axes,) = _axes(figure, labels.speed_title, labels)
    total = sum(data.speed)
    if total == 0:
        _no_data(axes, labels)
        return
    shown = [f"{_number(n, labels)} · {_percent(100 * n / total, labels)}" for n in data.speed]
    # Green while fast, orange once it is slow, grey for the never contacted.
    colors = [GREEN, GREEN, BLUE, BLUE, ORANGE, ORANGE, GREY][:len(data.speed)]
    _bars(axes, labels.speed_buckets, data.speed, shown, colors)
    axes.set_xlabel(labels.leads)


def _fairness(figure: Figure, data: ReportData, labels: ChartLabels) -> None:
    (axes,) = _axes(figure, labels.fairness_title, labels)
    rows = data.agents
    if not rows or not any(r.received or r.fair_share for r in rows):
        _no_data(axes, labels)
        return
    names = [_agent(r, labels) for r in rows]
    _bars(axes, names, [r.received for r in rows], None, [_deviation(r) for r in rows])
    for y, row in enumerate(rows):  # each agent's fair share, a mark across their bar
        axes.plot([row.fair_share] * 2, [y - 0.45, y + 0.45], color="black", linewidth=2.5,
                  solid_capstyle="butt")
    widest = max(max(r.received, r.fair_share) for r in rows)
    for y, row in enumerate(rows):  # past both the bar and the mark
        axes.text(max(row.received, row.fair_share) + 0.02 * widest, y,
                  f"{_number(row.received, labels)} / {_number(row.fair_share, labels, digits=1)}",
                  va="center", fontsize=10)
    axes.set_xlim(0, widest * 1.45)
    _hide_x(axes)
    axes.plot([], [], color="black", linewidth=2.5, label=labels.fair_share)
    axes.barh([], [], color=BLUE, label=labels.received)
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, 0), ncol=2, frameon=False)


def _agent(row: AgentShare, labels: ChartLabels) -> str:
    return f"{labels.others} ({row.folded})" if row.folded else row.label


def _deviation(row: AgentShare) -> str:
    if row.fair_share <= 0:
        return ORANGE if row.received else BLUE
    ratio = row.received / row.fair_share
    return ORANGE if ratio > 1 + FAIR_BAND else RED if ratio < 1 - FAIR_BAND else BLUE


def _sla(figure: Figure, data: ReportData, labels: ChartLabels) -> None:
    (axes,) = _axes(figure, labels.sla_title, labels)
    days = data.sla
    if not any(d.accept_due or d.contact_due for d in days):
        _no_data(axes, labels)
        return
    spots = range(len(days))
    for name, met, due, color, marker in (
            (labels.accept_sla, [d.accept_met for d in days], [d.accept_due for d in days],
             BLUE, "o"),
            (labels.contact_sla, [d.contact_met for d in days], [d.contact_due for d in days],
             ORANGE, "s")):
        if not sum(due):
            continue
        shares = [100 * m / d if d else math.nan for m, d in zip(met, due, strict=True)]
        whole = _percent(100 * sum(met) / sum(due), labels)
        axes.plot(list(spots), shares, color=color, marker=marker, markersize=5, linewidth=2,
                  label=f"{name}: {whole}")
    axes.set_ylim(-3, 103)
    axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _: _percent(v, labels, digits=0)))
    every = max(1, math.ceil(len(days) / 6))
    ticks = list(spots)[::every]
    fmt = "%d.%m" if data.sla_step is not Step.MONTH else "%m.%Y"
    axes.set_xticks(ticks, [days[i].day.strftime(fmt) for i in ticks])
    axes.set_xlim(-0.5, len(days) - 0.5)
    axes.grid(axis="y", color="#e0e0e0")
    axes.legend(loc="lower left", frameon=True, framealpha=0.9)


def _sources(figure: Figure, data: ReportData, labels: ChartLabels) -> None:
    rows = [r for r in data.sources if r.leads or r.cost]
    if not rows:
        _no_data(_axes(figure, labels.sources_title, labels)[0], labels)
        return
    top, bottom = _axes(figure, labels.sources_title, labels, rows=2)
    names = [_source(r, labels) for r in rows]
    rates = [r.close_rate or 0.0 for r in rows]
    _bars(top, names, rates, [f"{_percent(v, labels)} ({_number(r.leads, labels)})"
                              for v, r in zip(rates, rows, strict=True)], GREEN)
    top.set_xlabel(_wrapped(labels.close_rate))
    top.xaxis.set_major_formatter(FuncFormatter(lambda v, _: _percent(v, labels, digits=0)))
    rois = [r.roi for r in rows]
    values = [v if v is not None else 0.0 for v in rois]
    shown = ["—" if v is None else _number(v, labels, digits=1) for v in rois]
    colors = [GREY if v is None else RED if v < 0 else BLUE for v in rois]
    _bars(bottom, names, values, shown, colors)
    bottom.axvline(0, color="#555555", linewidth=1)
    bottom.set_xlabel(_wrapped(labels.roi))


def _source(row: SourceRow, labels: ChartLabels) -> str:
    if row.folded:
        return f"{labels.others} ({row.folded})"
    return row.label if row.label is not None else labels.no_source
