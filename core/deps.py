"""What every use case needs besides a unit of work: the clock, the office and its rules."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import InitVar, dataclass, field

from core.business_hours import BusinessCalendar
from core.clock import Clock
from core.config import OfficeConfig
from core.ports import UnitOfWork
from core.routing import RoutingRules

UowFactory = Callable[[], UnitOfWork]


def _no_invite_codes() -> str:
    raise RuntimeError("these Deps were built without a source of invitation codes")


@dataclass(frozen=True)
class Deps:
    """The clock, the office config in force, how offer tokens and invitation codes are made,
    and the office's business calendar.

    Built anew for each loaded config (a reload makes a new one), so the routing rules it
    carries keep their pools exactly as long as the config they were built from. Without
    *business_calendar* (tests that build one directly), the calendar is the config's
    `work.hours` and closed dates without public holidays; `leadrelay/bootstrap.py` gives
    the office's own, with the holidays of `work.holidays`.
    """

    clock: Clock
    config: OfficeConfig
    new_token: Callable[[], str]
    business_calendar: InitVar[BusinessCalendar | None] = None
    # An invitation's code: random, at least 128 bits, in the letters a Telegram deep link
    # allows (A-Z a-z 0-9 _ -, at most 64). Given by leadrelay/bootstrap.py.
    new_invite_code: Callable[[], str] = field(default=_no_invite_codes, repr=False)
    rules: RoutingRules = field(init=False, repr=False)
    calendar: BusinessCalendar = field(init=False, repr=False)

    def __post_init__(self, business_calendar: BusinessCalendar | None) -> None:
        object.__setattr__(self, "rules", RoutingRules(self.config.routing))
        if business_calendar is None:
            work = self.config.work
            business_calendar = BusinessCalendar(work.hours, self.config.zone,
                                                 closed=frozenset(work.closed_dates))
        object.__setattr__(self, "calendar", business_calendar)
