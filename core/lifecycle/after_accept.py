"""Which clocks run on an owned lead: started when it gets an owner, stepped by the sweep."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from core.deps import Deps
from core.lifecycle.clocks import Step, close_clocks
from core.lifecycle.first_contact import first_contact_step, start_first_contact
from core.lifecycle.outcomes import outcome_step, start_outcome_clock
from core.lifecycle.reclaim_rules import reclaim_step, start_reclaim_watch
from core.model import Lead, TaskKind
from core.ports import UnitOfWork

STEPS: Mapping[TaskKind, Step] = {
    TaskKind.FIRST_CONTACT: first_contact_step,
    TaskKind.RECLAIM: reclaim_step,
    TaskKind.OUTCOME: outcome_step,
}
"""Each clock kind's step; the kinds not in it are reminders, sent to the owner as such."""

CLOCKS = (TaskKind.FIRST_CONTACT, TaskKind.RECLAIM, TaskKind.OUTCOME)


async def start_clocks(uow: UnitOfWork, deps: Deps, lead: Lead, now: datetime, *,
                       entered: bool = False) -> None:
    """Start the clocks of *lead*, just given to its owner (locked, saved by the caller);
    *entered*: the owner entered it themselves with /new, so no first-contact deadline."""
    await close_clocks(uow, lead, now, *CLOCKS)  # a previous owner's, if any
    if not entered:
        await start_first_contact(uow, deps, lead, now)
    await start_reclaim_watch(uow, deps, lead, now)
    await start_outcome_clock(uow, deps, lead, now)
