"""The application the faces hold: every use case bound to a unit of work and the office.

A face (the Telegram bot, the intake server, the dispatcher) runs a use case with
`await app.run(accept_offer, agent_id=…, offer_id=…, token=…)`: the use case gets a unit of
work of its own and the office's deps, and runs once more if a concurrent writer changed
what it read. Intake is the one use case with state of its own: leads that arrive together
are stored together, routed in the same transaction when no other routing turn runs, and
otherwise by the routing loop in the background.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Concatenate, ParamSpec, TypeVar

from core.batching import IntakeQueue, RoutingLoop
from core.config import OfficeConfig
from core.deps import Deps, UowFactory
from core.errors import Conflict
from core.lifecycle.intake import (
    IncomingLead,
    IntakeResult,
    RoutingFailed,
    admit_lead,
    store_leads,
)
from core.lifecycle.routing import (
    ROUTING_BATCH,
    hand_unroutable_to_managers,
    route_new_leads,
    unrouted_leads,
)
from core.ports import UnitOfWork

P = ParamSpec("P")
T = TypeVar("T")
log = logging.getLogger(__name__)

UseCase = Callable[Concatenate[UnitOfWork, Deps, P], Awaitable[T]]
"""A use case of one transaction: `(uow, deps, /, *, …)`."""
TurnsUseCase = Callable[Concatenate[UowFactory, Deps, P], Awaitable[T]]
"""A use case that takes a unit of work per turn itself (a sweep, the auditor)."""


@dataclass(frozen=True)
class Signals:
    """What a commit tells the runtime: new deadlines to wake at, chats with new mail.

    Given to the unit of work when it is built, so each commit reports after it is durable.
    """

    on_wakeup: Callable[[datetime], None] | None = None
    on_outbox: Callable[[Collection[int]], None] | None = None

    def after_commit(self, wakeups: list[datetime], chats: Collection[int]) -> None:
        """Pass new deadlines to the scheduler, and the chats with new mail to the dispatcher."""
        if self.on_wakeup is not None:
            for when in wakeups:
                self.on_wakeup(when)
        if chats and self.on_outbox is not None:
            self.on_outbox(chats)


class App:
    """Every use case, run in a unit of work of its own; and intake, batched and routed."""

    def __init__(self, *, deps: Deps, uow: UowFactory) -> None:
        self.deps = deps
        self.uow = uow
        self._intake = IntakeQueue(self._store_leads)
        self._routing = RoutingLoop(self._route, waiting=self._unrouted, park=self._park,
                                    batch=ROUTING_BATCH)

    @property
    def config(self) -> OfficeConfig:
        """The office config this app was built for."""
        return self.deps.config

    async def run(self, use_case: UseCase[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Run *use_case* in a unit of work of its own; once more on a Conflict."""
        try:
            return await use_case(self.uow(), self.deps, *args, **kwargs)
        except Conflict:
            # Someone changed the same row between our read and write: reread, decide again.
            return await use_case(self.uow(), self.deps, *args, **kwargs)

    async def run_in_turns(self, use_case: TurnsUseCase[P, T], /, *args: P.args,
                           **kwargs: P.kwargs) -> T:
        """Run a use case that takes a unit of work for each of its turns."""
        return await use_case(self.uow, self.deps, *args, **kwargs)

    async def receive_lead(self, *, source_token: str | None, payload: Mapping[str, object],
                           routed: bool = True) -> IntakeResult:
        """Take in a lead: answered once it is stored (with whoever else arrived with it)
        and, unless *routed* is false, once it is routed too (which always follows at once)."""
        incoming = admit_lead(self.deps, source_token=source_token, payload=payload)
        return await self.receive_admitted(incoming, routed=routed)

    async def receive_admitted(self, incoming: IncomingLead, *,
                               routed: bool = True) -> IntakeResult:
        """Take in a lead whose source a platform's webhook authenticated its own way (a
        signature, a key), as receive_lead takes one."""
        result = await self._intake.submit(incoming)
        if result.created and incoming.data.flags:
            result = replace(result, flags=incoming.data.flags)
        log.info("lead received" if result.created else "lead received again, kept as it was",
                 extra={"lead_id": result.lead_id, "source": incoming.source,
                        "duplicate": not result.created, "flagged": sorted(result.flags)})
        if routed and not result.routed:
            await self._routing.settle()
        return result

    async def route_new_leads(self, *, wait: bool = True) -> None:
        """Route every stored lead still waiting (a crashed instance's, say); unless *wait*,
        only start a routing pass."""
        if wait:
            await self._routing.settle()
        else:
            self._routing.kick()

    async def stop(self) -> None:
        """Finish the routing passes asked for; call it once no more leads come in."""
        await self._routing.stop()

    async def _store_leads(self, batch: Sequence[IncomingLead]) -> list[IntakeResult]:
        # Routing in the storing transaction saves a lone lead a transaction. With leads
        # waiting behind this batch (a burst) it would keep them waiting longer: they are
        # stored first, and the routing loop routes them all in fewer, larger turns.
        route = self._intake.backlog == 0
        try:
            results = await store_leads(self.uow(), self.deps, batch, route=route)
        except RoutingFailed:
            # Routing failed on something in the batch; the leads must be stored all the
            # same. The routing loop routes them next, and hands a lead it chokes on to the
            # managers.
            log.exception("routing leads as they were stored failed; stored them alone")
            results = await store_leads(self.uow(), self.deps, batch)
        if any(result.created and not result.routed for result in results):
            self._routing.kick()
        return results

    async def _route(self, *, limit: int, lead_id: int | None = None) -> int:
        return await self.run(route_new_leads, limit=limit, lead_id=lead_id)

    async def _unrouted(self, limit: int) -> list[int]:
        return await unrouted_leads(self.uow(), self.deps, limit=limit)

    async def _park(self, lead_id: int) -> bool:
        return await hand_unroutable_to_managers(self.uow(), self.deps, lead_id=lead_id)
