"""How long a lead's holders have, by its temperature or its lead type: the accept window of
an offer, and the windows after Accept, as deadlines.

A lead whose `lead_type` names one of the office's `lead_types` takes that type's windows
instead of its temperature's; a type with `business_hours: true` counts them in the office's
business hours (`Deps.calendar`: `work.hours`, less public holidays and closed dates), so a
lead at 17:55 with a 15-minute window on 09:00–18:00 hours is due 09:10 the next working day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from core.deps import Deps
from core.model import Lead


@dataclass(frozen=True)
class Windows:
    """The windows a lead is held to, and whether they count business hours only."""

    accept_within: timedelta
    first_contact_within: timedelta | None
    reclaim_within: timedelta | None
    business_hours: bool = False


@dataclass(frozen=True)
class ContactDeadlines:
    """When a lead's first contact is due, and when it is taken back without one."""

    due_at: datetime | None
    reclaim_at: datetime | None


def windows_of(lead: Lead, deps: Deps) -> Windows:
    """*lead*'s windows: its lead type's if the office has that type, else its
    temperature's (a type a reload took away falls back to the temperature)."""
    kind = deps.config.lead_type(lead.lead_type)
    if kind is not None:
        return Windows(kind.accept_within, kind.first_contact_within, kind.reclaim_within,
                       kind.business_hours)
    sla = deps.config.sla[lead.temperature]
    return Windows(sla.accept_within, sla.first_contact_within, sla.reclaim_within)


def business_day(deps: Deps) -> timedelta:
    """How long the office is open on a working day (`work.hours`)."""
    hours = deps.calendar.hours
    return (datetime.combine(date.min, hours.end) - datetime.combine(date.min, hours.start))


def window_end(start: datetime, window: timedelta, deps: Deps, *,
               business_hours: bool) -> datetime:
    """When *window* from *start* runs out: on the wall clock, or counting only the office's
    business hours."""
    return deps.calendar.add(start, window) if business_hours else start + window


def accept_deadline(lead: Lead, offered_at: datetime, deps: Deps) -> datetime:
    """When an offer of *lead* made at *offered_at* runs out without an answer."""
    windows = windows_of(lead, deps)
    return window_end(offered_at, windows.accept_within, deps,
                      business_hours=windows.business_hours)


def first_contact_deadlines(lead: Lead, accepted_at: datetime, deps: Deps) -> ContactDeadlines:
    """The first-contact deadlines of *lead*, accepted at *accepted_at*: an imported lead's
    first call is due `work.imports.first_call_within_days` business days later, and it is
    not taken back for that (a list is called within days, not the minutes of a lead that
    just asked); any other's by its windows."""
    if lead.import_file is not None:
        days = deps.config.work.imports.first_call_within_days
        return ContactDeadlines(deps.calendar.add(accepted_at, days * business_day(deps)), None)
    windows = windows_of(lead, deps)

    def end(window: timedelta | None) -> datetime | None:
        if window is None:
            return None
        return window_end(accepted_at, window, deps, business_hours=windows.business_hours)

    return ContactDeadlines(end(windows.first_contact_within), end(windows.reclaim_within))
