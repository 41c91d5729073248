"""The clocks after Accept: what a lead's owner has to do by when, kept as tasks that the
timers' sweep steps when due.

A clock is a task of a kind in `after_accept.STEPS`. When its time (`remind_at`) comes, the
sweep locks the lead, marks the step taken (a conditional update, so two sweeps never take
it twice) and runs the kind's step, in one transaction with what the step sends. A step
returns when to run again, or None to close the clock; it reads the lead as it is now, so
a clock never acts on a state that has moved on.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from core.deps import Deps
from core.model import Lead, Task, TaskKind
from core.ports import UnitOfWork

Step = Callable[[UnitOfWork, Deps, Lead, Task, datetime], Awaitable[datetime | None]]
"""What a clock does when due, with its lead locked: returns when to run again, or None."""


async def close_clocks(uow: UnitOfWork, lead: Lead, now: datetime, *kinds: TaskKind) -> int:
    """Stop the lead's open clocks of *kinds* (all its open tasks if none is named)."""
    open_tasks = await uow.tasks.open_for([lead.id])
    return await uow.tasks.close([t.id for t in open_tasks if not kinds or t.kind in kinds],
                                 at=now)
