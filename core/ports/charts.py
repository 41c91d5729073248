"""Charts drawn as PNG images (`integrations/charts.py` on matplotlib, in a worker process):
`/report`'s pictures of a period."""

from __future__ import annotations

from typing import Protocol

from core.numbers.report import ChartLabels, ReportData


class Charts(Protocol):
    """Draws a period's charts."""

    def warm(self) -> None:
        """Begin getting ready to draw (a worker, its library), while the figures are read."""
        ...

    async def render(self, data: ReportData, labels: ChartLabels) -> list[bytes]:
        """The funnel, speed to lead, leads against fair share per agent, SLAs by day and
        conversion and ROI by source, as PNG images a phone's screen reads, in that order;
        a part without data is drawn saying so."""
        ...
