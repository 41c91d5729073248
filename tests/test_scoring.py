"""Scoring: the field's formula, its bands, and how fields become factors."""

import pytest

from core.config import ScoringConfig, ScoringWeights
from core.model import Temperature
from core.scoring import Factors, band, budget_clarity, region_clarity, score, timing_urgency


def test_the_worked_example_scores_81() -> None:
    assert score(Factors(budget=0.8, timing=1.0, region=0.6, channel=0.7), ScoringConfig()) == 81


def test_a_perfect_lead_scores_100_and_an_empty_one_0() -> None:
    config = ScoringConfig()
    assert score(Factors(1, 1, 1, 1), config) == 100
    assert score(Factors(0, 0, 0, 0), config) == 0


def test_weights_come_from_the_config() -> None:
    config = ScoringConfig(weights=ScoringWeights(budget=10, timing=70, region=10, channel=10))
    assert score(Factors(budget=0, timing=1.0, region=0, channel=0), config) == 70


@pytest.mark.parametrize(("value", "expected"), [
    (100, Temperature.HOT), (70, Temperature.HOT), (69, Temperature.WARM),
    (40, Temperature.WARM), (39, Temperature.COLD), (0, Temperature.COLD),
])
def test_bands_split_at_the_configured_thresholds(value: int, expected: Temperature) -> None:
    assert band(value, ScoringConfig()) is expected


def test_a_budget_range_is_clearer_than_one_bound() -> None:
    assert budget_clarity(1_000_000, 2_000_000) == 1.0
    assert budget_clarity(None, 2_000_000) == 0.6
    assert budget_clarity(None, None) == 0.0


@pytest.mark.parametrize(("timing", "expected"), [
    ("this week", 1.0), ("ASAP", 1.0), ("Bu hafta", 1.0), ("hemen", 1.0),
    ("this month", 0.8), ("in 3 months", 0.5), ("6 months", 0.3), ("next year", 0.1),
    ("just looking", 0.1), ("sometime", 0.3), (None, 0.0), ("  ", 0.0),
])
def test_timing_reads_english_and_turkish_phrases(timing: str | None, expected: float) -> None:
    assert timing_urgency(timing) == expected


def test_a_district_is_clearer_than_a_city() -> None:
    assert region_clarity("Istanbul / Kadıköy") == 1.0
    assert region_clarity("34710") == 1.0
    assert region_clarity("Istanbul") == 0.6
    assert region_clarity(None) == 0.0


def test_weights_that_do_not_add_up_to_100_are_refused() -> None:
    with pytest.raises(ValueError, match="add up to 100"):
        ScoringWeights(budget=50, timing=30, region=20, channel=10)
