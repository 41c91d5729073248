"""Where the managers' numbers are added up: the figures of a period, for the office and by
a slice, counted by the database (storage/repositories/numbers.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from core.numbers.figures import Figures, Slice, SliceRow


@dataclass(frozen=True)
class PeriodFigures:
    """One period's figures as counted: the office (every source but `manual`), the leads
    entered with /new apart, the rows of a slice (no cost yet: the config's) and the cohort's
    lost reasons, most frequent first."""

    office: Figures
    manual: Figures
    rows: tuple[SliceRow, ...]
    lost_reasons: tuple[tuple[str, int], ...]


class NumbersRepository(Protocol):
    """The figures of periods, added up in SQL, the same on every database."""

    async def figures(self, start: datetime, end: datetime, *, by: Slice | None,
                      now: datetime, rate: Callable[[str | None], Decimal],
                      offers: bool = True) -> PeriodFigures:
        """The figures of [start, end), by *by* if given, first-contact deadlines judged at
        *now*, commission at *rate* of each won lead's product (see
        core/lifecycle/numbers.py for what each figure counts); *offers* False leaves out
        the offers' figures (the accept SLA and the time to Accept), half the work."""
        ...
