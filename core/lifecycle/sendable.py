"""When the bot may remind someone of what it planned itself: out of the office's quiet
hours and within the agent's own working hours, if they set any.

Times the system picks (next tries, follow-ups, outcome prompts) go through `sendable_at`;
a time the agent picked (Remind me, an appointment) is kept as they chose it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from core.deps import Deps
from core.model import Agent, WorkingHours

_MOVES = 16  # quiet hours and working hours that never meet: give up, keep the last move


def sendable_at(at: datetime, deps: Deps, agent: Agent | None) -> datetime:
    """*at*, or the first moment after it out of the office's quiet hours and within
    *agent*'s working hours (read in their time zone, the office's if they set none)."""
    hours = agent.profile.hours if agent is not None else None
    zone = deps.config.zone
    if agent is not None and agent.profile.timezone:
        zone = ZoneInfo(agent.profile.timezone)
    for _ in range(_MOVES):
        moved = out_of_quiet_hours(at, deps)
        if hours is not None:
            moved = into_hours(moved, hours, zone)
        if moved == at:
            break
        at = moved
    return at


def out_of_quiet_hours(at: datetime, deps: Deps) -> datetime:
    """*at*, or the end of the office's quiet hours (21:00–08:00 by default) if it falls in
    them."""
    work = deps.config.work
    local = at.astimezone(deps.config.zone)
    quiet_from, quiet_until = work.quiet_from, work.quiet_until
    spans_midnight = quiet_from > quiet_until
    now_t = local.time()
    quiet = (now_t >= quiet_from or now_t < quiet_until) if spans_midnight else (
        quiet_from <= now_t < quiet_until)
    if not quiet:
        return at
    day = local.date() + timedelta(days=1) if spans_midnight and now_t >= quiet_from else \
        local.date()
    return datetime.combine(day, quiet_until, tzinfo=deps.config.zone)


def into_hours(at: datetime, hours: WorkingHours, zone: ZoneInfo) -> datetime:
    """*at*, or the start of the next working day's hours if it falls outside *hours*."""
    local = at.astimezone(zone)
    if hours.covers(local):
        return at
    for ahead in range(8):
        day = local.date() + timedelta(days=ahead)
        start = datetime.combine(day, hours.start, tzinfo=zone)
        if hours.covers(start) and start > local:
            return start
    return at  # no working day at all: a WorkingHours has one, so never reached
