"""The rows of the numbers' statements (storage/repositories/numbers.py) put together as the
figures of the office, of the leads entered with /new and of each slice."""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

from core.numbers.figures import Figures, SliceRow
from core.ports.numbers import PeriodFigures
from core.stats import median_of_middle
from storage.repositories.reporting import middle_ranks, p90_rank

_ALL = object()  # the key of the picks over every slice: the office's


class Tally:
    """Counts per (entered with /new or not, slice key), and the middle and p90 values of
    each slice and of the office as the rows name them."""

    def __init__(self, *, sliced: bool) -> None:
        self._sliced = sliced
        self._counts: dict[tuple[bool, Any], Counter[str]] = defaultdict(Counter)
        self._money: dict[tuple[bool, Any], Decimal] = defaultdict(Decimal)
        self._picks: dict[tuple[str, Any], dict[str, int]] = defaultdict(dict)
        self._reasons: Counter[str] = Counter()

    def leads(self, row: Any, *, steps: tuple[str, ...]) -> None:
        """One row of the cohort's leads: a slice's counts for one lost reason (or none)."""
        manual = bool(row.manual)
        counts = self._counts[(manual, row.grp)]
        counts["leads"] += row.leads
        for step in steps:
            counts[step] += getattr(row, step)
        if row.reason is not None and not manual:
            self._reasons[row.reason] += row.leads

    def offers(self, row: Any) -> None:
        """One row of the cohort's offers: a slice's."""
        counts = self._counts[(False, row.grp)]
        counts["accept_due"] += row.due
        counts["accept_met"] += row.met

    def money(self, row: Any, *, commission: Decimal) -> None:
        """One row of the leads won: a slice's for one product."""
        key = (bool(row.manual), row.grp)
        self._counts[key]["won_in_period"] += row.won
        self._counts[key]["revenue"] += int(row.revenue)
        self._money[key] += commission

    def pick(self, name: str, row: Any) -> None:
        """One value at the rank of a median or p90 (or both) in its slice, over all, or
        both: rn among n there."""
        for suffix, key in (("", row.grp), ("_all", _ALL)):
            rank, n = getattr(row, f"rn{suffix}"), getattr(row, f"n{suffix}")
            if rank is None:
                continue
            low, high = middle_ranks(n)
            for end, at in (("low", low), ("high", high), ("p90", p90_rank(n))):
                if rank == at:
                    self._picks[(name, key)][end] = int(row.v)

    def _speed(self, key: Any) -> dict[str, Any]:
        contact, accept = self._picks.get(("to_contact", key), {}), self._picks.get(
            ("to_accept", key), {})
        return {"to_contact_median_s": _median(contact), "to_accept_median_s": _median(accept),
                "to_contact_p90_s": contact["p90"] / 10**6 if "p90" in contact else None}

    def _figures(self, manual: bool, keys: list[Any], speed: dict[str, Any]) -> Figures:
        counts: Counter[str] = Counter()
        commission = Decimal(0)
        for key in keys:
            counts.update(self._counts.get((manual, key), Counter()))
            commission += self._money.get((manual, key), Decimal(0))
        values: dict[str, Any] = {**counts, **speed, "commission": commission}
        return Figures(**values)

    def figures(self) -> PeriodFigures:
        """The office, the manual leads, the rows biggest first, the lost reasons."""
        keys = {key for manual, key in self._counts if not manual}
        office = self._figures(False, list(keys), self._speed(_ALL))
        manual = self._figures(True, [key for m, key in self._counts if m], {})
        rows = () if not self._sliced else tuple(sorted(
            (SliceRow(None if key is None else str(key),
                      self._figures(False, [key], self._speed(key))) for key in keys),
            key=lambda row: (-row.figures.leads, row.key is None, row.key or "")))
        reasons = tuple(sorted(self._reasons.items(), key=lambda item: (-item[1], item[0])))
        return PeriodFigures(office, manual, rows, reasons)


def _median(picked: dict[str, int]) -> float | None:
    """The median in seconds from the one or two middle values, as core.stats makes it."""
    return median_of_middle([picked["low"], picked["high"]]) if "low" in picked else None
