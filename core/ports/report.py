"""The counts behind `/report`'s charts that no other figure has: speed to lead in buckets
and the SLAs, for each day (week, month) of a period (`storage/repositories/report_series.py`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from core.numbers.report import DaySeries


class ReportSeries(Protocol):
    """Counts the period's leads span by span."""

    async def by_span(self, bounds: Sequence[datetime], *, now: datetime) -> list[DaySeries]:
        """For the leads (neither duplicates nor of the source `manual`, as the managers'
        numbers count them: core/lifecycle/numbers.py) that arrived in each span [bounds[i],
        bounds[i + 1]): how many reached a first contact within each of
        core.numbers.report.SPEED_BUCKETS, and their SLAs judged at *now*: offers decided
        (accepted, declined or let lapse) and answered within their window; first-contact
        deadlines passed or met, and met."""
        ...
