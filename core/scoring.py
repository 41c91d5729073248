"""Lead scoring: budget clarity, timing, region clarity and channel warmth, weighted to 0..100."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from core.config import ScoringConfig
from core.model import Temperature


@dataclass(frozen=True)
class Factors:
    """Each factor of the score, 0..1."""

    budget: float
    timing: float
    region: float
    channel: float


def score(factors: Factors, config: ScoringConfig) -> int:
    """Weight the factors into a 0..100 score, rounded half up."""
    w = config.weights
    raw = (
        factors.budget * w.budget
        + factors.timing * w.timing
        + factors.region * w.region
        + factors.channel * w.channel
    )
    return max(0, min(100, int(raw + 0.5 + 1e-9)))


def band(value: int, config: ScoringConfig) -> Temperature:
    """Place a score in the hot, warm or cold band."""
    if value >= config.bands.hot:
        return Temperature.HOT
    if value >= config.bands.warm:
        return Temperature.WARM
    return Temperature.COLD


def budget_clarity(budget_min: int | None, budget_max: int | None) -> float:
    """A range is clear, one bound is half clear, none is unknown."""
    given = sum(b is not None for b in (budget_min, budget_max))
    return {0: 0.0, 1: 0.6, 2: 1.0}[given]


# Matched against the folded text in order; the first hit decides. English and Turkish.
_TIMING_RULES: list[tuple[float, tuple[str, ...]]] = [
    (0.1, ("just looking", "browsing", "no rush", "someday", "sadece bakiyorum", "acelem yok")),
    (1.0, ("now", "asap", "immediately", "today", "this week", "urgent", "hemen", "acil",
           "bugun", "bu hafta", "simdi")),
    (0.8, ("next week", "this month", "2 weeks", "two weeks", "gelecek hafta", "bu ay")),
    (0.5, ("next month", "1-3 months", "1 to 3 months", "3 months", "three months",
           "gelecek ay", "3 ay")),
    (0.3, ("6 months", "six months", "this year", "6 ay", "bu yil")),
    (0.1, ("next year", "later", "seneye", "gelecek yil", "sonra")),
]


# One compiled pattern per level: every lead's timing is scored on the intake path.
_TIMING_PATTERNS = [
    (value, re.compile("|".join(rf"(?<!\w){re.escape(p)}(?!\w)" for p in phrases)))
    for value, phrases in _TIMING_RULES
]


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("ı", "i"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


def timing_urgency(timing: str | None) -> float:
    """How soon the contact means to act: this week is 1.0, a vague answer 0.3, none 0."""
    if not timing or not timing.strip():
        return 0.0
    folded = _fold(timing)
    for value, pattern in _TIMING_PATTERNS:
        if pattern.search(folded):
            return value
    return 0.3


def region_clarity(region: str | None) -> float:
    """A district or postal code is clear, a city alone is partly clear, nothing is unknown."""
    if not region or not region.strip():
        return 0.0
    text = region.strip()
    if re.search(r"\d{4,}", text) or re.search(r"[,/\-–>]", text):
        return 1.0
    return 0.6


def factors_for(
    *,
    budget_min: int | None,
    budget_max: int | None,
    timing: str | None,
    region: str | None,
    warmth: float,
) -> Factors:
    """Derive the four factors from a lead's fields and its source's warmth."""
    return Factors(
        budget=budget_clarity(budget_min, budget_max),
        timing=timing_urgency(timing),
        region=region_clarity(region),
        channel=warmth,
    )
