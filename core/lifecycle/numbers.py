"""The managers' numbers of a period (`/stats`): the office, the period before, the leads
entered with /new apart, and a slice; and an agent's own against the team's median (`/me`).

What each figure counts (every one added up by the database, storage/repositories/numbers.py):

- **The cohort** is the leads received in [start, end). Test leads and spam never become
  leads (they stay in failed intake), and a sender's retry of a lead (the same source and
  external id) stores none. A contact who posts again while an earlier lead of theirs is
  still worked or waiting to be (not in nurture, disqualified or the import pool, and not
  closed before the new one came) makes a lead row, a **duplicate**: it is left out of the
  cohort. A lead of a contact who comes back after their lead was closed, or who wakes a
  nurtured one, is a new inquiry and counts. Leads of the source `manual` (entered with
  /new) are counted apart (`manual`), never in the office or a slice.
- **The funnel** counts each lead at the furthest stage it reached (`leads.furthest_stage`,
  kept by the Lead model: one lost after an appointment counts at the appointment; Undo
  and a manager's correction back from it take it back), and at every step before it,
  since agents may skip stages: `accepted` had an owner (accepted_at, or any contact),
  `contacted` a first contact logged (or a stage past new), then `appointment`, `offer`,
  `won`; `lost` are the leads lost now.
- **Speed** over the cohort's leads an agent took (not entered by one): arrival → first
  contact, median and p90; offer → Accept, median, over the offers that were their agent's
  to answer (core.stats.counts_for_agent). A median of an even count is the mean of the two
  middle values; the p90 is the value at rank ⌈0.9 n⌉ of the n sorted (nearest rank), the
  same on both databases.
- **SLAs**: of the cohort's offers decided (accepted, declined or let lapse), those answered
  within their window; of its first-contact deadlines passed (or met before), those met,
  judged at the time asked.
- **Money** counts the leads won in the period (their Won time, `closed_at`), whenever they
  arrived, duplicates too (an amount recorded with Won is money earned whichever of a
  contact's leads holds it): revenue is the sum of their amounts, commission each amount at
  its product's rate (`money.commission`, the default for the rest).
- **Cost** is a source's `monthly_cost` × 12 ÷ 365 × the period's days, on its row by
  source; the office's is the sum over the sources that have one.
- **Slices**: agent (the owner, by offers their own; None: nobody took it), team (the
  owner's team when they took the lead), source, campaign (`utm_campaign`), rule and
  strategy (of the lead's first routing decision), temperature, lead type; offers by the
  agent asked when by agent, else by their lead's slice. Rows biggest first.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal

from core.config import OfficeConfig
from core.deps import Deps
from core.errors import UnknownAgent
from core.lifecycle.common import manager
from core.model import Role
from core.numbers.figures import Figures, MyNumbers, PeriodNumbers, Slice, SliceRow, median_of
from core.numbers.period import parse_period
from core.ports import UnitOfWork

_CENT = Decimal("0.01")


async def office_numbers(uow: UnitOfWork, deps: Deps, /, *, manager_id: int,
                         period: str | None, by: Slice | None) -> PeriodNumbers:
    """The figures of *period* (`7d` if None) for a manager, with the period before it and,
    given *by*, one row per slice; InvalidInput for a period it cannot read."""
    now = deps.clock.now()
    asked = parse_period(period, now=now, zone=deps.config.zone)
    rate = deps.config.money.rate
    async with uow.reading():
        await manager(uow, manager_id)
        current = await uow.numbers.figures(asked.start, asked.end, by=by, now=now, rate=rate)
        # The period before gives the changes the overview shows, none of them the offers'.
        before = await uow.numbers.figures(asked.previous_start, asked.previous_end, by=None,
                                           now=now, rate=rate, offers=False)
    costs = source_costs(deps.config, start=asked.start, end=asked.end)
    rows = current.rows
    if by is Slice.SOURCE:
        rows = with_costs(rows, costs)
    return PeriodNumbers(
        period=asked, office=replace(current.office, cost=_total(costs)),
        previous=replace(before.office, cost=_total(source_costs(
            deps.config, start=asked.previous_start, end=asked.previous_end))),
        manual=current.manual, lost_reasons=current.lost_reasons, by=by, rows=rows)


async def my_numbers(uow: UnitOfWork, deps: Deps, /, *, agent_id: int,
                     period: str | None) -> MyNumbers:
    """An agent's own figures of *period* (`7d` if None) and the median of the agents on the
    roster who had leads in it; UnknownAgent for anyone not on it."""
    now = deps.clock.now()
    asked = parse_period(period, now=now, zone=deps.config.zone)
    async with uow.reading():
        person = await uow.agents.get(agent_id)
        if person is None or not person.active:
            raise UnknownAgent()
        counted = await uow.numbers.figures(asked.start, asked.end, by=Slice.AGENT, now=now,
                                            rate=deps.config.money.rate)
        roster = await uow.agents.list()
    agents = {str(a.telegram_id) for a in roster if a.active and a.role is Role.AGENT}
    team = [row.figures for row in counted.rows if row.key in agents and row.figures.leads]
    mine = next((row.figures for row in counted.rows if row.key == str(agent_id)), Figures())
    return MyNumbers(asked, mine, median_of(team), len(team))


def source_costs(config: OfficeConfig, *, start: datetime, end: datetime) -> dict[str, Decimal]:
    """What each source with a `monthly_cost` cost over [start, end): a month's cost × 12 ÷
    365 a day, to the cent."""
    days = Decimal((end - start) // timedelta(microseconds=1)) / (86_400 * 10**6)
    return {source.name: (source.monthly_cost * 12 * days / 365).quantize(_CENT)
            for source in config.sources if source.monthly_cost is not None}


def _total(costs: dict[str, Decimal]) -> Decimal | None:
    return sum(costs.values(), Decimal(0)) if costs else None


def with_costs(rows: tuple[SliceRow, ...], costs: dict[str, Decimal]) -> tuple[SliceRow, ...]:
    """The source rows with their cost, and a row for each source that cost something and
    brought no lead (its ROI is −100 %), biggest first."""
    shown = {row.key for row in rows}
    costed = [SliceRow(row.key, replace(row.figures, cost=costs.get(row.key or "")))
              for row in rows]
    costed += [SliceRow(name, Figures(cost=cost)) for name, cost in costs.items()
               if name not in shown]
    return tuple(sorted(costed, key=lambda row: (-row.figures.leads, row.key is None,
                                                 row.key or "")))
