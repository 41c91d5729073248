"""A one-line reading of a funnel: the step where it drops furthest below the field's usual
rate, as a catalog key the faces translate."""

from __future__ import annotations

from core.numbers.figures import Figures

# Each step's usual share of the step before it in a residential office (field notes:
# ../shared/domain.md, "What managers measure"); a step at under 80 % of its usual rate is
# worth a manager's look. Rules of thumb, not targets: they only pick the line to show.
USUAL = (("accepted", "leads", 0.90), ("contacted", "accepted", 0.85),
         ("appointment", "contacted", 0.30), ("offer", "appointment", 0.40),
         ("won", "offer", 0.30))
_LOOK = 0.8
MIN_LEADS = 20  # fewer leads than this say nothing about a funnel


def funnel_reading(figures: Figures) -> str:
    """`numbers.reading.<step>` for the weakest step, `…ok` when none is low, or
    `…too_few` for a period with too few leads to read."""
    if figures.leads < MIN_LEADS:
        return "numbers.reading.too_few"
    worst, worst_ratio = "ok", _LOOK
    for step, before, usual in USUAL:
        base = getattr(figures, before)
        if not base:
            continue
        ratio = getattr(figures, step) / base / usual
        if ratio < worst_ratio:
            worst, worst_ratio = step, ratio
    return f"numbers.reading.{worst}"


def change(now: float | None, before: float | None) -> float | None:
    """The change from *before* to *now* as a ratio (0.12 is +12 %); None when either is
    unknown or *before* is zero."""
    if now is None or before is None or before == 0:
        return None
    return (now - before) / before
