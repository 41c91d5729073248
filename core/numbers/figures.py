"""The figures of a period, for the office and for each slice of it (an agent, a team, a
source…), as the database adds them up (storage/repositories/numbers.py)."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal
from enum import StrEnum

from core.numbers.period import Period


class Slice(StrEnum):
    """What `/stats … by` splits the figures by."""

    AGENT = "agent"  # the lead's owner
    TEAM = "team"  # the owner's team when the lead arrived
    SOURCE = "source"
    CAMPAIGN = "campaign"  # utm_campaign
    RULE = "rule"  # the routing rule that decided the lead
    STRATEGY = "strategy"  # that rule's distribution method
    TEMPERATURE = "temperature"
    LEAD_TYPE = "lead_type"


@dataclass(frozen=True)
class Figures:
    """Every figure of one slice of a period.

    The funnel and speed count the leads that arrived in the period (a cohort), each step
    by the furthest stage the lead reached; money counts the leads won in the period.
    """

    leads: int = 0
    accepted: int = 0  # taken by an agent (accepted, claimed or assigned)
    contacted: int = 0  # a first contact logged (reached or tried)
    appointment: int = 0  # reached the appointment stage, or further
    offer: int = 0
    won: int = 0
    lost: int = 0
    to_contact_median_s: float | None = None  # speed to lead: arrival → first contact
    to_contact_p90_s: float | None = None
    to_accept_median_s: float | None = None  # the offer → Accept
    accept_due: int = 0  # offers decided (accepted, declined or let lapse): judged
    accept_met: int = 0  # of them, answered within their window
    contact_due: int = 0  # first-contact deadlines passed, or met before they passed
    contact_met: int = 0
    won_in_period: int = 0  # leads won in the period, whenever they arrived
    revenue: int = 0  # the amounts recorded with Won, in the office's currency
    commission: Decimal = Decimal(0)  # revenue × each lead's product's rate
    cost: Decimal | None = None  # sources: their configured monthly cost over the period

    @property
    def accept_sla_pct(self) -> float | None:
        """Share of decided offers answered within their window."""
        return 100.0 * self.accept_met / self.accept_due if self.accept_due else None

    @property
    def contact_sla_pct(self) -> float | None:
        """Share of judged first-contact deadlines that were met."""
        return 100.0 * self.contact_met / self.contact_due if self.contact_due else None

    def rate(self, step: str) -> float | None:
        """A funnel step's count as a share of the leads (`won` → close rate)."""
        count: int = getattr(self, step)
        return 100.0 * count / self.leads if self.leads else None

    @property
    def revenue_per_lead(self) -> float | None:
        """Revenue won in the period per lead that arrived in it."""
        return self.revenue / self.leads if self.leads else None

    @property
    def commission_per_lead(self) -> Decimal | None:
        """Commission won in the period per lead that arrived in it."""
        return self.commission / self.leads if self.leads else None

    @property
    def roi(self) -> Decimal | None:
        """(commission − cost) ÷ cost; None without a cost."""
        if not self.cost:
            return None
        return (self.commission - self.cost) / self.cost


FUNNEL = ("leads", "accepted", "contacted", "appointment", "offer", "won")


@dataclass(frozen=True)
class SliceRow:
    """One slice's figures: *key* is the agent's id, the team's or source's name… (None:
    the leads that have none, such as leads nobody took)."""

    key: str | None
    figures: Figures


@dataclass(frozen=True)
class PeriodNumbers:
    """What `/stats` shows: the office's figures, the period before, the self-entered
    leads apart, and the slices asked for."""

    period: Period
    office: Figures  # every source but `manual`
    previous: Figures  # the office in period.previous()
    manual: Figures  # leads entered by their owner with /new, shown apart
    lost_reasons: tuple[tuple[str, int], ...] = ()  # most frequent first
    by: Slice | None = None
    rows: tuple[SliceRow, ...] = field(default_factory=tuple)  # biggest first


# The figures `/me` sets beside the team's median: every count, time and amount (an agent's
# costs nothing), the SLAs, each funnel step's rate and the money per lead.
COMPARED = (*(f.name for f in fields(Figures) if f.name != "cost"), "accept_sla_pct",
            "contact_sla_pct", *(f"{step}_rate" for step in FUNNEL[1:]), "revenue_per_lead",
            "commission_per_lead")


def compared(figures: Figures) -> dict[str, float | None]:
    """*figures* as the numbers `/me` compares, by the names of COMPARED (a step's share of
    the leads as `<step>_rate`)."""
    values: dict[str, float | None] = {}
    for name in COMPARED:
        value = (figures.rate(name.removesuffix("_rate")) if name.endswith("_rate")
                 else getattr(figures, name))
        values[name] = None if value is None else float(value)
    return values


def median_of(figures: Sequence[Figures]) -> dict[str, float | None]:
    """Each compared figure's median over *figures* (those that have it: a time or a rate
    of someone with none to measure is left out, not counted as 0)."""
    rows = [compared(f) for f in figures]
    medians: dict[str, float | None] = {}
    for name in COMPARED:
        values = [value for row in rows if (value := row[name]) is not None]
        medians[name] = statistics.median(values) if values else None
    return medians


@dataclass(frozen=True)
class MyNumbers:
    """What `/me` shows an agent: their own figures of the period and, by the names of
    COMPARED, the median of the agents on the roster who had leads in it (no names)."""

    period: Period
    mine: Figures
    team_median: dict[str, float | None]
    team_size: int  # the agents the median is taken over
