"""Capacity and coverage: each agent's open load over a period, who is overloaded and who is
idle, the SLA misses by the office's hour and weekday, and how much routing does alone."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from core.model import Agent, Role
from core.numbers.period import Period

# Without a capacity, an agent is overloaded at 1.5 times the median load and idle at half
# of it (or with no lead at all in the period).
OVERLOADED_MEDIANS = 1.5
IDLE_MEDIANS = 0.5
# The field's guides: 80–90 % routed without a human touch, the rest judgement calls.
AUTOMATED_TARGET = 0.80
# The catalog key (bot/locales/coverage_*.py) of the advice given when the office is below
# the target: where managers step in most, the rules need changing.
AUTOMATION_LOW = "coverage.automation_low"

HOURS, WEEKDAYS = 24, 7


class LoadLevel(StrEnum):
    """How an agent's load compares with their capacity or the team's median."""

    OVERLOADED = "overloaded"
    NORMAL = "normal"
    IDLE = "idle"


@dataclass(frozen=True)
class OwnedTime:
    """One owner's leads over a period, as the database adds them up.

    A lead is open and theirs from its `accepted_at` to its `closed_at` (won or lost), or
    to the time it was moved to the nurture stage (kept warm: not open load, as routing
    counts it), or else to the period's end. Only the lead's current owner is known:
    before a reassignment or a return, the lead was someone else's, and that time is not
    theirs here.
    """

    micros: int  # the sum over their leads of the time each was open within the period
    leads: int  # how many of their leads were open at some moment of the period


@dataclass(frozen=True)
class AgentLoad:
    """One person's load over the period, and now."""

    agent_id: int
    name: str
    average: float  # open leads on average over the period: OwnedTime.micros ÷ its length
    leads: int  # their leads open at some moment of the period
    open_now: int  # owned and open now plus offers waiting for their answer (routing's count)
    capacity: int | None  # the most open leads routing gives them (their profile's `capacity`)
    level: LoadLevel
    away: bool  # away now: never called idle

    @property
    def at_capacity(self) -> bool:
        """Whether routing passes them over now for having as many open leads as allowed."""
        return self.capacity is not None and self.open_now >= self.capacity


def classify(average: float, *, leads: int, capacity: int | None, median: float,
             away: bool) -> LoadLevel:
    """Overloaded: an average load at their capacity, or without one at 1.5 × the team's
    median (a median of 0 calls nobody overloaded); idle: no lead in the period or at most
    half the median, unless they are away now."""
    if capacity is not None:
        if average >= capacity:
            return LoadLevel.OVERLOADED
    elif median > 0 and average >= OVERLOADED_MEDIANS * median:
        return LoadLevel.OVERLOADED
    if not away and (leads == 0 or average <= IDLE_MEDIANS * median):
        return LoadLevel.IDLE
    return LoadLevel.NORMAL


def away_on(agent: Agent, today: date) -> bool:
    """Away now: by `/away` (the flag) or on a leave that runs through *today*."""
    until = agent.profile.away_until
    return agent.away or (until is not None and today <= until)


def agent_loads(roster: Sequence[Agent], owned: Mapping[int, OwnedTime],
                open_now: Mapping[int, int], *, period: Period, today: date,
                ) -> tuple[tuple[AgentLoad, ...], float]:
    """Every active agent's load, and anyone else's who owned a lead in the period (a
    manager, someone deactivated since: shown, never called overloaded or idle), most
    loaded first; and the team's median: of the average loads of the active agents not
    away *today* (the office's date now)."""
    length_us = (period.end - period.start) // timedelta(microseconds=1)
    people = {a.telegram_id: a for a in roster}
    shown = [a.telegram_id for a in roster if a.active and a.role is Role.AGENT]
    shown += sorted(set(owned) - set(shown))

    def average(agent_id: int) -> float:
        time = owned.get(agent_id)
        return time.micros / length_us if time is not None and length_us > 0 else 0.0

    team = [average(a.telegram_id) for a in roster
            if a.active and a.role is Role.AGENT and not away_on(a, today)]
    median = statistics.median(team) if team else 0.0
    loads = []
    for agent_id in shown:
        person = people.get(agent_id)
        away = person is not None and away_on(person, today)
        capacity = person.profile.capacity if person is not None else None
        leads = owned[agent_id].leads if agent_id in owned else 0
        mean = average(agent_id)
        level = LoadLevel.NORMAL  # a manager, someone gone: not the team routing feeds
        if person is not None and person.active and person.role is Role.AGENT:
            level = classify(mean, leads=leads, capacity=capacity, median=median, away=away)
        loads.append(AgentLoad(
            agent_id, person.name if person is not None else str(agent_id), mean, leads,
            open_now.get(agent_id, 0), capacity, level, away))
    loads.sort(key=lambda a: (-a.average, a.name, a.agent_id))
    return tuple(loads), median


class MissKind(StrEnum):
    """An SLA missed."""

    OFFER = "offer"  # a one-to-one offer let lapse (not a claim pool's round)
    CONTACT = "contact"  # a first contact not made by its deadline (`contact_missed`)


@dataclass(frozen=True)
class MissCount:
    """Misses of one kind in one hour, as the database groups them: *hour* counts whole
    hours since 1970-01-01 00:00 UTC of the moment shifted by the office's sub-hour offset
    (`sub_hour_shift`), so that each hour falls inside one hour of the office's clock."""

    kind: MissKind
    hour: int
    n: int


Grid = tuple[tuple[int, ...], ...]  # [weekday, Monday 0 … Sunday 6][hour of day 0 … 23]


@dataclass(frozen=True)
class Misses:
    """The period's SLA misses by the office's weekday and hour of day (its local clock,
    summer time included), when each SLA ran out: an offer at its deadline, a first contact
    when the miss was recorded."""

    offers: Grid
    contacts: Grid

    def cell(self, weekday: int, hour: int) -> int:
        """Misses of both kinds on *weekday* (Monday 0) at *hour*."""
        return self.offers[weekday][hour] + self.contacts[weekday][hour]

    @property
    def total(self) -> int:
        """Every miss of the period."""
        return sum(map(sum, self.offers)) + sum(map(sum, self.contacts))

    @property
    def by_hour(self) -> tuple[int, ...]:
        """Misses of both kinds per hour of day, 0 to 23, whatever the weekday."""
        return tuple(sum(self.cell(d, h) for d in range(WEEKDAYS)) for h in range(HOURS))

    @property
    def by_weekday(self) -> tuple[int, ...]:
        """Misses of both kinds per weekday, Monday first."""
        return tuple(sum(self.cell(d, h) for h in range(HOURS)) for d in range(WEEKDAYS))

    def worst(self, count: int = 3) -> list[tuple[int, int, int]]:
        """The *count* (weekday, hour, misses) with the most misses, most first; none empty."""
        cells = [(d, h, self.cell(d, h)) for d in range(WEEKDAYS) for h in range(HOURS)]
        return sorted((c for c in cells if c[2]), key=lambda c: (-c[2], c[0], c[1]))[:count]


def sub_hour_shift(zone: ZoneInfo, at: datetime) -> int:
    """Seconds to add to a UTC moment so that whole UTC hours are whole hours of *zone*'s
    clock: 0 in Istanbul or Berlin, 1,800 in India (UTC+5:30), 2,700 in Nepal."""
    offset = at.astimezone(zone).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    return (minutes % 60) * 60


def fold_misses(rows: Iterable[MissCount], *, zone: ZoneInfo, shift_s: int) -> Misses:
    """The database's hours (a few per day of the period) folded into the office's weekday
    and hour: each hour read on the office's clock at its start, so the hour repeated when
    summer time ends counts twice in its local hour, and the hour skipped when it starts
    in none."""
    grids = {kind: [[0] * HOURS for _ in range(WEEKDAYS)] for kind in MissKind}
    for row in rows:
        start = datetime.fromtimestamp(row.hour * 3600 - shift_s, UTC).astimezone(zone)
        grids[row.kind][start.weekday()][start.hour] += row.n
    frozen = {kind: tuple(tuple(day) for day in grid) for kind, grid in grids.items()}
    return Misses(frozen[MissKind.OFFER], frozen[MissKind.CONTACT])


@dataclass(frozen=True)
class Coverage:
    """Capacity and coverage over a period: load per agent and the SLA misses by hour."""

    period: Period
    agents: tuple[AgentLoad, ...]  # most loaded first
    median: float  # the team's median average load (AgentLoad.average)
    misses: Misses

    @property
    def overloaded(self) -> tuple[AgentLoad, ...]:
        """Those whose load reached their capacity or 1.5 × the median."""
        return tuple(a for a in self.agents if a.level is LoadLevel.OVERLOADED)

    @property
    def idle(self) -> tuple[AgentLoad, ...]:
        """Those with no lead, or at most half the median, and not away now."""
        return tuple(a for a in self.agents if a.level is LoadLevel.IDLE)


@dataclass(frozen=True)
class RuleAutomation:
    """How the leads one routing rule placed were handled (a cohort: the leads that arrived
    in the period, not entered by hand, for which routing made an offer or which it sent to
    the managers; whatever happened to them since).

    A human touch is a manager's assignment (`assigned`: after an escalation, from nurture),
    a manager's reassignment (`reassigned`), the owner handing the lead back (`returned`),
    or an escalation to the managers (whether assigned yet or not). The system's own moves
    are not: a decline or an offer let lapse passed to the next agent, a lead reclaimed by
    its clocks and routed again, leads handed to an away agent's backup.
    """

    rule: str | None  # None: the leads no offer was made for (sent straight to managers)
    routed: int = 0
    untouched: int = 0  # of them, no human touch at all
    assigned: int = 0  # given to an agent by a manager
    reassigned: int = 0  # moved from their owner by a manager
    returned: int = 0  # handed back by their owner
    escalated: int = 0  # sent to the managers

    @property
    def untouched_share(self) -> float | None:
        """Share (0 to 1) of the routed leads no person had to move."""
        return self.untouched / self.routed if self.routed else None

    @property
    def reassigned_share(self) -> float | None:
        """The manual reassignment rate (0 to 1): routed leads a manager moved from their
        owner."""
        return self.reassigned / self.routed if self.routed else None

    @property
    def below_target(self) -> bool:
        """Fewer than 80 % routed without a human touch."""
        share = self.untouched_share
        return share is not None and share < AUTOMATED_TARGET


@dataclass(frozen=True)
class Automation:
    """Automation health over a period: per routing rule, most leads first, and the office."""

    period: Period
    office: RuleAutomation  # every rule's leads together (rule None)
    rules: tuple[RuleAutomation, ...]

    @property
    def advice(self) -> str | None:
        """The catalog key of the advice to change the rules, when the office is below the
        target; None otherwise."""
        return AUTOMATION_LOW if self.office.below_target else None


def automation(period: Period, rows: Iterable[RuleAutomation]) -> Automation:
    """The rules' rows (one per rule, each lead in one) and their sum for the office."""
    rules = tuple(sorted(rows, key=lambda r: (-r.routed, r.rule is None, r.rule or "")))
    office = RuleAutomation(None, *(sum(getattr(r, name) for r in rules) for name in (
        "routed", "untouched", "assigned", "reassigned", "returned", "escalated")))
    return Automation(period, office, rules)
