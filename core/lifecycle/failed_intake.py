"""What could not become a lead: kept whole (core.model.failures), counted, told to the
managers at most once an hour per source, listed, and replayed once the config is fixed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from core.deps import Deps
from core.errors import Conflict
from core.lifecycle.common import managers_in, message
from core.lifecycle.intake import IncomingLead, store_in
from core.messages import IntakeFailedParams, Template
from core.model.failures import FailedIntake, FailureReason
from core.ports import UnitOfWork
from core.ports.failures import INTAKE_FAILURES_FORGOTTEN

# A wrong or missing token is what an attacker sends: kept a day to look at, then deleted.
UNAUTHENTICATED_KEPT = timedelta(hours=24)
# At most this many an hour from each source, and as many with a wrong token, so that a flood
# (an attacker's, or a broken form posting in a loop) cannot fill the disk; the rest is counted.
KEPT_PER_HOUR = 1000
_ALERT_KEY = "intake_alert:"  # + the source's name: {"hour": iso} of the last alert


def hour_of(moment: datetime) -> datetime:
    """The start of *moment*'s hour."""
    return moment.replace(minute=0, second=0, microsecond=0)


async def record_failure(uow: UnitOfWork, deps: Deps, /, *, failure: FailedIntake,
                         per_hour: int = KEPT_PER_HOUR) -> int | None:
    """Store *failure*; its id, or None when its source (or the wrong tokens) is over the
    hour's cap.

    An authenticated source's failure (spam aside) tells the managers, at most once an hour
    per source: the hour is claimed in the database, so of several instances one tells.
    """
    async with uow:
        if await uow.failed_intake.count_kept(
                source=failure.source if failure.authenticated else None,
                since=hour_of(failure.received_at)) >= per_hour:
            return None
        failure_id = await uow.failed_intake.add(failure)
        if (failure.authenticated and failure.source
                and failure.reason not in (FailureReason.SPAM, FailureReason.TEST)):
            await _alert_once_an_hour(uow, deps, failure)
        await uow.commit()
    return failure_id


async def _alert_once_an_hour(uow: UnitOfWork, deps: Deps, failure: FailedIntake) -> None:
    assert failure.source is not None
    key, hour = _ALERT_KEY + failure.source, hour_of(failure.received_at).isoformat()
    last = await uow.team.setting(key)
    if last is not None and last.get("hour") == hour:
        return
    if not await uow.team.claim_setting(key, expect=last, value={"hour": hour},
                                        at=deps.clock.now()):
        return  # another transaction told them this hour
    params = IntakeFailedParams(source=failure.source, reason=failure.reason.value,
                                detail=failure.detail[:200], failure_id=failure.id)
    now = deps.clock.now()
    await uow.outbox.add_all([message(deps, boss, Template.INTAKE_FAILED, now, params=params)
                              for boss in managers_in(await uow.agents.list())])


async def forget_old_failures(uow: UnitOfWork, deps: Deps, /) -> int:
    """Delete the wrong-token payloads kept longer than UNAUTHENTICATED_KEPT, still counting
    them for /metrics; how many. The audit runs it."""
    async with uow:
        gone = await uow.failed_intake.forget_unauthenticated(
            before=deps.clock.now() - UNAUTHENTICATED_KEPT)
        if gone:
            totals = await uow.rotations.lock(INTAKE_FAILURES_FORGOTTEN)
            for reason, count in gone.items():
                totals[reason] = int(totals.get(reason, 0)) + count
            await uow.rotations.save(INTAKE_FAILURES_FORGOTTEN, totals)
        await uow.commit()
    return sum(gone.values())


async def list_failures(uow: UnitOfWork, deps: Deps, /, *, source: str | None = None,
                        limit: int = 50, unreplayed: bool = False) -> Sequence[FailedIntake]:
    """The newest failures first."""
    async with uow.reading():
        return await uow.failed_intake.recent(source=source, limit=limit,
                                              unreplayed=unreplayed)


async def failure(uow: UnitOfWork, deps: Deps, /, *, failure_id: int) -> FailedIntake | None:
    """One failure by id."""
    async with uow.reading():
        return await uow.failed_intake.get(failure_id)


async def replay_failure(uow: UnitOfWork, deps: Deps, /, *, failure_id: int,
                         incoming: IncomingLead) -> int:
    """Store the lead a failed payload makes now (as intake stores one, with its original
    arrival time) and mark the failure replayed into it, in one transaction; the lead's id.

    Conflict when the failure was replayed meanwhile: nothing is stored then.
    """
    async with uow:
        [(lead, _created)] = await store_in(uow, deps, [incoming], deps.clock.now())
        if not await uow.failed_intake.mark_replayed(failure_id, lead_id=lead.id,
                                                     at=deps.clock.now()):
            raise Conflict()
        await uow.commit()
    return lead.id
