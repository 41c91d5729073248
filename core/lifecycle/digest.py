"""The managers' morning digest: at `work.digest.at` office time on each working day, the
figures since the last working day began and what is open now, to every manager (and a
short one to the team's group). Sent once a day however many instances sweep: the day is
claimed in the database in the transaction that queues the messages."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from core.deps import Deps
from core.lifecycle.common import managers_in, message
from core.lifecycle.team_group import team_group
from core.messages import DigestChartsParams, DigestParams, Template, compose
from core.model import Agent
from core.numbers.figures import Figures
from core.ports import DIGEST_SENT, UnitOfWork
from core.refs import DigestRef

_LOOK_DAYS = 400  # a calendar closed longer than this has no next digest worth waking for


def _at(deps: Deps, day: date) -> datetime:
    """The digest's moment on *day*, in UTC."""
    wall = datetime.combine(day, deps.config.work.digest.at, tzinfo=deps.config.zone)
    return wall.astimezone(UTC)


def next_digest(deps: Deps, now: datetime, *, sent: date | None) -> datetime | None:
    """When the next digest is due: today's time (or now, if it passed and today's has not
    gone), else the next working day's; None when the digest is off."""
    if not deps.config.work.digest.enabled:
        return None
    day = now.astimezone(deps.config.zone).date()
    for _ in range(_LOOK_DAYS):
        if deps.calendar.is_working_day(day) and day != sent:
            return max(_at(deps, day), now) if day == now.astimezone(
                deps.config.zone).date() else _at(deps, day)
        day += timedelta(days=1)
    return None


def period_start(deps: Deps, today: date) -> date:
    """The first day the digest of *today* covers: the last working day before it, so
    Monday's covers the weekend too, and the day after a holiday the holiday."""
    day = today - timedelta(days=1)
    for _ in range(_LOOK_DAYS):
        if deps.calendar.is_working_day(day):
            return day
        day -= timedelta(days=1)
    return today - timedelta(days=1)


def first_of_its_week(deps: Deps, today: date) -> bool:
    """Whether *today* is the first working day of its week (Monday, or the day after a
    Monday holiday): the digest that carries last week's figures."""
    monday = today - timedelta(days=today.weekday())
    return all(not deps.calendar.is_working_day(monday + timedelta(days=d))
               for d in range((today - monday).days))


def _week(figures: Figures, before: Figures) -> dict[str, Any]:
    """One week's key figures and the week before's, as the digest stores them."""
    def pair(name: str, now: float | Decimal | None, then: float | Decimal | None) -> dict[
            str, Any]:
        return {name: None if now is None else float(now),
                f"{name}_before": None if then is None else float(then)}

    return {**pair("leads", figures.leads, before.leads),
            **pair("won", figures.won_in_period, before.won_in_period),
            **pair("revenue", figures.revenue, before.revenue),
            **pair("commission", figures.commission, before.commission),
            **pair("speed_s", figures.to_contact_median_s, before.to_contact_median_s),
            **pair("contact_sla", figures.contact_sla_pct, before.contact_sla_pct),
            **pair("accept_sla", figures.accept_sla_pct, before.accept_sla_pct),
            **pair("close_rate", figures.rate("won"), before.rate("won"))}


async def week_figures(uow: UnitOfWork, deps: Deps, /, *, today: date,
                       now: datetime) -> dict[str, Any]:
    """Last week's key figures (Monday to Sunday before *today*'s week, office days) beside
    the week before's: leads and the close rate of the leads that arrived, speed to lead
    and the SLAs, and the leads won, revenue and commission in the week; read in the
    caller's transaction."""
    zone = deps.config.zone
    monday = today - timedelta(days=today.weekday())
    bounds = [datetime.combine(monday - timedelta(days=7 * n), time(0), tzinfo=zone)
              .astimezone(UTC) for n in (2, 1, 0)]
    rate = deps.config.money.rate
    before = await uow.numbers.figures(bounds[0], bounds[1], by=None, now=now, rate=rate,
                                       offers=False)
    last = await uow.numbers.figures(bounds[1], bounds[2], by=None, now=now, rate=rate)
    first_day = monday - timedelta(days=7)
    return {"start": first_day.isoformat(), "end": (monday - timedelta(days=1)).isoformat(),
            **_week(last.office, before.office)}


def away_today(people: list[Agent], today: date) -> list[list[object]]:
    """[name, last day away or None] of each active person who is away on *today*."""
    away: list[list[object]] = []
    for person in people:
        until = person.profile.away_until
        if not person.active:
            continue
        if person.away:
            away.append([person.name, until.isoformat() if until and until >= today else None])
        elif until is not None and today <= until:
            away.append([person.name, until.isoformat()])
    return away


async def send_digest_if_due(uow: UnitOfWork, deps: Deps, /) -> datetime | None:
    """Send today's digest if its time has come and nobody sent it yet; when the next one
    is due (for the timers to wake at), or None when the digest is off."""
    digest = deps.config.work.digest
    if not digest.enabled:
        return None
    now = deps.clock.now()
    zone = deps.config.zone
    today = now.astimezone(zone).date()
    due = next_digest(deps, now, sent=None)
    if due is None or due > now:
        return due  # not a working day, or too early: nothing to read
    async with uow.reading():
        stored = await uow.team.setting(DIGEST_SENT)
    if stored is not None and stored.get("day") == today.isoformat():
        return next_digest(deps, now, sent=today)
    async with uow:
        if not await uow.team.claim_setting(DIGEST_SENT, expect=stored,
                                            value={"day": today.isoformat()}, at=now):
            return next_digest(deps, now, sent=today)  # another instance took today's
        since = period_start(deps, today)
        counts = await uow.leads.digest_counts(
            datetime.combine(since, time(0), tzinfo=zone).astimezone(UTC),
            datetime.combine(today, time(0), tzinfo=zone).astimezone(UTC), now=now)
        people = await uow.agents.list()
        params = DigestParams(
            day=today.isoformat(), since=since.isoformat(), leads_in=counts.leads_in,
            offered=counts.offered, accepted_in_time=counts.accepted_in_time,
            escalated=counts.escalated, contact_missed=counts.contact_missed,
            with_managers=counts.with_managers, on_offer=counts.on_offer,
            overdue_tasks=counts.overdue_tasks, away=away_today(people, today),
            week=await week_figures(uow, deps, today=today, now=now)
            if first_of_its_week(deps, today) else None)
        week = params.week
        for boss in managers_in(people):
            ref = DigestRef(int(today.strftime("%Y%m%d")), boss.telegram_id)
            await uow.outbox.add(message(deps, boss, Template.DIGEST, now, params=params,
                                         ref=ref))
            if week is not None:  # the charts of last week, an album under the digest
                charts = DigestChartsParams(f"{week['start']}..{week['end']}", ref.format())
                await uow.outbox.add(message(deps, boss, Template.DIGEST_CHARTS, now,
                                             params=charts))
        group = await team_group(uow, deps) if digest.to_group else None
        if group is not None:
            # The group's edition has no money and no names: last week's figures stay with
            # the managers.
            await uow.outbox.add(compose(group, Template.TEAM_DIGEST, replace(params, week=None),
                                         lang=deps.config.language, at=now))
        await uow.commit()
    return next_digest(deps, now, sent=today)
