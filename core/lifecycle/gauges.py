"""The office's key figures for `/metrics`: worked out at most once a minute for every
instance together (the last result kept in the database, its refresh claimed by one
conditional write), so a scrape of any instance costs one read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from core.deps import Deps
from core.numbers.figures import FUNNEL, Figures
from core.numbers.period import parse_period
from core.ports import UnitOfWork

OFFICE_GAUGES = "office_gauges"  # {"at": iso, "gauges": [[name, {label: value}, value]]}
REFRESH = timedelta(minutes=1)
_PERIODS = ("today", "30d")

Gauge = tuple[str, dict[str, str], float]  # a family's name, its labels, the value


@dataclass(frozen=True)
class OfficeGauges:
    """The figures as of *at*, each a gauge without per-agent labels."""

    at: datetime
    gauges: tuple[Gauge, ...]


def gauges_of(period: str, figures: Figures) -> list[Gauge]:
    """One period's figures as gauges; a figure with nothing to measure is left out."""
    label = {"period": period}
    gauges: list[Gauge] = [("leadrelay_office_leads", label, float(figures.leads))]
    for step in FUNNEL[1:]:
        rate = figures.rate(step)
        if rate is not None:
            gauges.append(("leadrelay_office_funnel_ratio", {**label, "step": step},
                           rate / 100))
    for quantile, seconds in (("0.5", figures.to_contact_median_s),
                              ("0.9", figures.to_contact_p90_s)):
        if seconds is not None:
            gauges.append(("leadrelay_office_speed_to_lead_seconds",
                           {**label, "quantile": quantile}, seconds))
    for sla, pct in (("accept", figures.accept_sla_pct),
                     ("first_contact", figures.contact_sla_pct)):
        if pct is not None:
            gauges.append(("leadrelay_office_sla_met_ratio", {**label, "sla": sla}, pct / 100))
    gauges += [("leadrelay_office_won_leads", label, float(figures.won_in_period)),
               ("leadrelay_office_revenue", label, float(figures.revenue)),
               ("leadrelay_office_commission", label, float(figures.commission))]
    return gauges


def _stored(value: object) -> OfficeGauges | None:
    if not isinstance(value, dict) or not isinstance(value.get("at"), str):
        return None
    try:
        at = datetime.fromisoformat(value["at"])
        gauges = tuple((str(name), {str(k): str(v) for k, v in labels.items()}, float(number))
                       for name, labels, number in value.get("gauges") or [])
    except (TypeError, ValueError, AttributeError):
        return None  # written by another version: worked out again
    return OfficeGauges(at, gauges)


async def office_gauges(uow: UnitOfWork, deps: Deps, /) -> OfficeGauges:
    """The office's key figures, no older than a minute (or as old as the last instance that
    claimed the refresh is taking to finish it)."""
    now = deps.clock.now()
    async with uow.reading():
        stored = await uow.team.setting(OFFICE_GAUGES)
    kept = _stored(stored)
    if kept is not None and now - kept.at < REFRESH:
        return kept
    async with uow:
        # Claimed before the work: another instance scraping now gets the last figures.
        claimed = await uow.team.claim_setting(
            OFFICE_GAUGES, expect=stored, value={**(stored or {}), "at": now.isoformat()},
            at=now)
        await uow.commit()
    if not claimed:
        async with uow.reading():
            return _stored(await uow.team.setting(OFFICE_GAUGES)) or OfficeGauges(now, ())
    gauges: list[Gauge] = []
    async with uow.reading():
        for name in _PERIODS:
            period = parse_period(name, now=now, zone=deps.config.zone)
            counted = await uow.numbers.figures(period.start, period.end, by=None, now=now,
                                                rate=deps.config.money.rate)
            gauges += gauges_of(name, counted.office)
    fresh = OfficeGauges(now, tuple(gauges))
    async with uow:
        await uow.team.put_setting(OFFICE_GAUGES, {
            "at": now.isoformat(), "gauges": [[n, labels, v] for n, labels, v in gauges]},
            at=now)
        await uow.commit()
    return fresh
