"""The composition root: the one place services are bound to a clock, a config and storage."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from core import services
from core.clock import Clock
from core.config import OfficeConfig
from core.errors import Conflict
from core.model import Agent, DeclineReason, Lead, Offer, Stage
from core.ports import UnitOfWork
from core.routing import Decision
from core.stats import Stats
from leadrelay.intake import IntakeQueue, RoutingLoop

T = TypeVar("T")
log = logging.getLogger(__name__)


def new_token() -> str:
    """A short unguessable per-offer token for callback data."""
    return secrets.token_urlsafe(6)


@dataclass
class Signals:
    """After-commit hooks that the runtime connects to its scheduler and dispatcher."""

    on_wakeup: Callable[[datetime], None] | None = None
    on_outbox: Callable[[Collection[int]], None] | None = None

    def after_commit(self, wakeups: list[datetime], chats: Collection[int]) -> None:
        """Pass new deadlines to the scheduler, and the chats with new mail to the dispatcher."""
        if self.on_wakeup is not None:
            for when in wakeups:
                self.on_wakeup(when)
        if chats and self.on_outbox is not None:
            self.on_outbox(chats)


@dataclass
class Leadrelay:
    """Every use case the edges may call, each one unit of work, retried once on a conflict."""

    deps: services.Deps
    uow: Callable[[], UnitOfWork]
    signals: Signals = field(default_factory=Signals)
    _intake: IntakeQueue = field(init=False)
    _routing: RoutingLoop = field(init=False)

    def __post_init__(self) -> None:
        self._intake = IntakeQueue(self._store_leads)
        self._routing = RoutingLoop(self._route_new_leads, waiting=self._unrouted,
                                    park=self._park_unroutable, batch=services.ROUTING_BATCH)

    @property
    def config(self) -> OfficeConfig:
        """The office config in force."""
        return self.deps.config

    async def _retrying(self, call: Callable[[], Awaitable[T]]) -> T:
        try:
            return await call()
        except Conflict:
            # Someone changed the same row between our read and write: reread and decide again.
            return await call()

    async def sync_roster(self) -> None:
        """Store the roster from the office config."""
        await services.sync_roster(self.uow(), self.deps)

    async def receive_lead(
        self, *, source_token: str | None, payload: Mapping[str, object], routed: bool = True
    ) -> services.IntakeResult:
        """Take in a lead from a webhook or an import; answers once it is stored and, unless
        *routed* is false, offered (routing always follows at once)."""
        incoming = services.admit_lead(self.deps, source_token=source_token, payload=payload)
        result = await self._intake.submit(incoming)
        log.info("lead received" if result.created else "lead received again, kept as it was",
                 extra={"lead_id": result.lead_id, "source": incoming.source.name,
                        "duplicate": not result.created})
        if routed:
            await self._routing.settle()
        return result

    async def route_new_leads(self, *, wait: bool = True) -> None:
        """Route every stored lead still waiting (a crashed instance's, say); unless *wait*,
        only start a routing pass."""
        if wait:
            await self._routing.settle()
        else:
            self._routing.kick()

    async def stop_routing(self) -> None:
        """Finish the routing passes asked for; once no more leads come in."""
        await self._routing.stop()

    async def _store_leads(
        self, batch: Sequence[services.IncomingLead]
    ) -> list[services.IntakeResult]:
        results = await services.store_leads(self.uow(), self.deps, batch)
        self._routing.kick()
        return results

    async def _route_new_leads(self, *, limit: int, lead_id: int | None = None) -> int:
        return await self._retrying(lambda: services.route_new_leads(
            self.uow(), self.deps, limit=limit, lead_id=lead_id))

    async def _unrouted(self, limit: int) -> list[int]:
        return await services.unrouted_leads(self.uow(), limit=limit)

    async def _park_unroutable(self, lead_id: int) -> bool:
        return await services.hand_unroutable_to_managers(self.uow(), self.deps,
                                                          lead_id=lead_id)

    async def roster(self) -> list[Agent]:
        """Everyone on the stored roster, with their chats."""
        return await services.roster(self.uow())

    async def link_chat(self, *, telegram_id: int, chat_id: int) -> Agent:
        """Remember the chat of a rostered person who pressed Start."""
        return await services.link_chat(
            self.uow(), self.deps, telegram_id=telegram_id, chat_id=chat_id)

    async def whoami(self, *, telegram_id: int) -> Agent | None:
        """The rostered person behind a Telegram id, if any."""
        return await services.whoami(self.uow(), telegram_id=telegram_id)

    async def check_offer(self, *, agent_id: int, offer_id: int, token: str) -> Offer:
        """Confirm the agent may still act on the offer."""
        return await services.check_offer(
            self.uow(), agent_id=agent_id, offer_id=offer_id, token=token)

    async def accept_offer(self, *, agent_id: int, offer_id: int, token: str) -> Lead:
        """The offered agent takes the lead."""
        return await self._retrying(lambda: services.accept_offer(
            self.uow(), self.deps, agent_id=agent_id, offer_id=offer_id, token=token))

    async def claim_round(self, *, agent_id: int, lead_id: int, sequence: int,
                          token: str) -> Lead:
        """A member of a pool claims the lead from its group message."""
        return await self._retrying(lambda: services.claim_round(
            self.uow(), self.deps, agent_id=agent_id, lead_id=lead_id, sequence=sequence,
            token=token))

    async def decline_offer(
        self, *, agent_id: int, offer_id: int, token: str, reason: DeclineReason
    ) -> None:
        """The offered agent passes, with a reason."""
        await self._retrying(lambda: services.decline_offer(
            self.uow(), self.deps, agent_id=agent_id, offer_id=offer_id, token=token,
            reason=reason))

    async def escalate_expired_offers(self) -> list[int]:
        """Move every offer past its deadline on."""
        return await services.escalate_expired_offers(self.uow, self.deps)

    async def offer_delivered(self, *, offer_id: int, at: datetime) -> datetime | None:
        """Start an offer's accept clock at the moment its message was delivered."""
        return await self._retrying(lambda: services.offer_delivered(
            self.uow(), self.deps, offer_id=offer_id, at=at))

    async def round_delivered(self, *, lead_id: int, sequence: int, at: datetime) -> None:
        """Start the accept clocks of a round whose group message was delivered."""
        await self._retrying(lambda: services.round_delivered(
            self.uow(), self.deps, lead_id=lead_id, sequence=sequence, at=at))

    async def round_unreachable(self, *, lead_id: int, sequence: int, error: str) -> None:
        """Telegram refuses a round's group post: move the lead on and tell the managers."""
        await self._retrying(lambda: services.round_unreachable(
            self.uow(), self.deps, lead_id=lead_id, sequence=sequence, error=error))

    async def chat_unreachable(self, *, chat_id: int, offer_id: int | None, error: str) -> None:
        """Telegram refuses a chat for good: unlink it and move its offer on."""
        await self._retrying(lambda: services.chat_unreachable(
            self.uow(), self.deps, chat_id=chat_id, offer_id=offer_id, error=error))

    async def audit_leads(self) -> list[int]:
        """Route again any lead that nobody holds."""
        return await services.audit_leads(self.uow, self.deps)

    async def report_audit(self, *, rerouted: Sequence[int], resent: int) -> None:
        """Record an audit run and tell managers what it fixed."""
        await self._retrying(lambda: services.report_audit(
            self.uow(), self.deps, rerouted=rerouted, resent=resent))

    async def pending_deadlines(self) -> list[datetime]:
        """Deadlines of every open offer."""
        return await services.pending_deadlines(self.uow())

    async def assign_lead(self, *, manager_id: int, lead_id: int, agent_id: int) -> Lead:
        """A manager gives an escalated lead to an agent."""
        return await self._retrying(lambda: services.assign_lead(
            self.uow(), self.deps, manager_id=manager_id, lead_id=lead_id, agent_id=agent_id))

    async def my_leads(self, *, agent_id: int) -> list[Lead]:
        """An agent's open leads."""
        return await services.my_leads(self.uow(), agent_id=agent_id)

    async def record_outcome(
        self, *, agent_id: int, lead_id: int, stage: Stage, note: str | None = None
    ) -> Lead:
        """The owner logs how far a lead got."""
        return await self._retrying(lambda: services.record_outcome(
            self.uow(), self.deps, agent_id=agent_id, lead_id=lead_id, stage=stage, note=note))

    async def require_manager(self, *, telegram_id: int) -> Agent:
        """The manager behind *telegram_id*, or NotAManager."""
        return await services.require_manager(self.uow(), telegram_id=telegram_id)

    async def waiting_leads(
        self, *, manager_id: int, limit: int = services.WAITING_SHOWN
    ) -> services.WaitingLeads:
        """The most urgent leads nobody owns yet, and how many there are, for managers."""
        return await services.waiting_leads(self.uow(), manager_id=manager_id, limit=limit)

    async def explain_lead(self, *, person_id: int, lead_id: int) -> services.Explanation:
        """Why a lead went where it went."""
        return await services.explain_lead(self.uow(), person_id=person_id, lead_id=lead_id)

    async def preview_route(
        self, *, source_name: str, payload: Mapping[str, object]
    ) -> Decision:
        """Where a lead would go now, changing nothing."""
        return await services.preview_route(
            self.uow(), self.deps, source_name=source_name, payload=payload)

    async def office_stats(self, *, manager_id: int, period: str) -> Stats:
        """Figures for managers."""
        return await services.office_stats(
            self.uow(), self.deps, manager_id=manager_id, period=period)


def bootstrap(
    *,
    config: OfficeConfig,
    clock: Clock,
    uow_factory: Callable[[Signals], Callable[[], UnitOfWork]],
    token_factory: Callable[[], str] = new_token,
) -> Leadrelay:
    """Wire the services to a clock, a config and a unit-of-work factory (real or fake)."""
    signals = Signals()
    deps = services.Deps(clock=clock, config=config, new_token=token_factory)
    return Leadrelay(deps=deps, uow=uow_factory(signals), signals=signals)


def sql_uow_factory(engine: object) -> Callable[[Signals], Callable[[], UnitOfWork]]:
    """The production unit of work on a SQLAlchemy engine."""
    from sqlalchemy.ext.asyncio import AsyncEngine

    from storage.uow import SqlUnitOfWork

    assert isinstance(engine, AsyncEngine)

    def bind(signals: Signals) -> Callable[[], UnitOfWork]:
        return lambda: SqlUnitOfWork(engine, after_commit=signals.after_commit)

    return bind
