"""What people ask to see, changing nothing: waiting leads, why a lead went where it went,
where a lead would go, an agent's open leads, and the office's figures."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, overload

from core.deps import Deps
from core.errors import LeadAlreadyHandled, NotFound, UnknownAgent
from core.lifecycle.common import manager
from core.lifecycle.import_pool import PoolView, pool_view
from core.lifecycle.intake import admit_named, new_lead
from core.lifecycle.notices import assign_choices
from core.lifecycle.router import Router
from core.messages import offer_outcomes
from core.model import ASSIGNABLE, Agent, Lead, Offer
from core.numbers.period import parse_period
from core.ports import UnitOfWork
from core.roster import roster_from_config
from core.routing import Decision
from core.stats import Stats, summarise


async def require_manager(uow: UnitOfWork, deps: Deps, /, *, telegram_id: int) -> Agent:
    """The manager behind *telegram_id*, or NotAManager."""
    async with uow.reading():
        return await manager(uow, telegram_id)


@dataclass(frozen=True)
class WaitingLead:
    """A lead nobody owns yet, and who holds it now."""

    lead: Lead
    holder: str | None
    deadline: datetime | None


# More rows than one Telegram message can hold (tests/test_long_lists.py checks that the
# shortest rows overflow it), so the reply is full and nothing else is read.
WAITING_SHOWN = 150


@dataclass(frozen=True)
class WaitingLeads(Sequence[WaitingLead]):
    """The most urgent waiting leads, in order, and how many wait in all."""

    shown: tuple[WaitingLead, ...]
    total: int
    pool: PoolView | None = None  # imported leads waiting to be offered at the pace

    @overload
    def __getitem__(self, index: int) -> WaitingLead: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[WaitingLead, ...]: ...

    def __getitem__(self, index: int | slice) -> WaitingLead | tuple[WaitingLead, ...]:
        """One of the shown leads, or a slice of them."""
        return self.shown[index]

    def __len__(self) -> int:
        """How many leads are shown (not the total)."""
        return len(self.shown)


async def waiting_leads(
    uow: UnitOfWork, deps: Deps, /, *, manager_id: int, limit: int = WAITING_SHOWN
) -> WaitingLeads:
    """The *limit* most urgent leads waiting for an Accept or for a manager, for `/pending`."""
    async with uow.reading():
        await manager(uow, manager_id)
        rows = await uow.leads.waiting(limit=limit)
        total = await uow.leads.count_waiting()
        names = {a.telegram_id: a.name for a in await uow.agents.list()}
        pool = await pool_view(uow, deps, deps.clock.now())
    shown = tuple(WaitingLead(
        row.lead, names.get(row.holder_id) if row.holder_id is not None else None, row.deadline,
    ) for row in rows)
    # PostgreSQL reads each statement at its own snapshot: never say fewer than were shown.
    return WaitingLeads(shown, max(total, len(shown)), pool if pool.total else None)


@dataclass(frozen=True)
class AssignChoices:
    """Whom a manager can give a waiting lead to now: [telegram_id, name], the available
    first, and the marker of each one routing would pass over."""

    lead_id: int
    choices: list[list[Any]]
    marks: dict[str, str]


async def assign_options(uow: UnitOfWork, deps: Deps, /, *, manager_id: int,
                         lead_id: int) -> AssignChoices:
    """Who is available for a lead waiting for a manager (or /assign: in nurture, not routed
    yet), as the routing filters judge it now; LeadAlreadyHandled once it has an owner or an
    offer again."""
    now = deps.clock.now()
    async with uow.reading():
        await manager(uow, manager_id)
        lead = await uow.leads.get(lead_id)
        if lead is None:
            raise NotFound()
        if lead.status not in ASSIGNABLE:
            raise LeadAlreadyHandled()
        router = await Router.load(uow, deps, now, lock=False)  # never holds up routing
    choices, marks = assign_choices(deps, lead, router.roster, situation=router.situation)
    return AssignChoices(lead_id, choices, marks)


@dataclass(frozen=True)
class Explanation:
    """Every routing decision made for one lead, oldest first, for `/why`."""

    lead: Lead
    decisions: list[tuple[datetime, dict[str, Any]]]
    names: dict[int, str]
    # What became of each round of offers (`offer_outcomes`), round by round: the offers
    # of the decisions that made any (to an agent or a pool), in the same order.
    rounds: list[list[dict[str, Any]]] = field(default_factory=list)
    # Who moved it by hand, oldest first: (when, "assigned" | "reassigned" | "returned" |
    # "reclaimed", who (the new owner; the one who handed it back or lost it), the data).
    handovers: list[tuple[datetime, str, int | None, dict[str, Any]]] = field(
        default_factory=list)


async def explain_lead(uow: UnitOfWork, deps: Deps, /, *, person_id: int,
                       lead_id: int) -> Explanation:
    """Why a lead went where it went; for managers and for the agents it was offered to."""
    async with uow.reading():
        person = await uow.agents.get(person_id)
        if person is None or not person.active:
            raise UnknownAgent()
        lead = await uow.leads.get(lead_id)
        if lead is None:
            raise NotFound()
        offers = await uow.offers.for_lead(lead_id)
        if not person.is_manager and person_id not in {o.agent_id for o in offers}:
            raise NotFound()  # not "forbidden": an agent should not learn the lead exists
        events = await uow.events.for_leads([lead_id])
        names = {a.telegram_id: a.name for a in await uow.agents.list()}
    decisions = [(e.at, e.data) for e in events if e.kind == "routed"]
    handovers = [(e.at, e.kind, e.agent_id, e.data) for e in events if e.kind in HANDOVERS]
    returned = {e.agent_id: str(e.data.get("reason", "other"))
                for e in events if e.kind == "returned" and e.agent_id is not None}
    made: dict[int, list[Offer]] = {}
    for offer in offers:
        made.setdefault(offer.sequence, []).append(offer)
    return Explanation(lead, decisions, names,
                       [offer_outcomes(made[sequence], names, returned=returned)
                        for sequence in sorted(made)], handovers)


# The events of a lead changing hands other than by an offer, which /why tells too.
HANDOVERS = ("assigned", "reassigned", "returned", "reclaimed")


async def preview_route(
    uow: UnitOfWork, deps: Deps, /, *, source_name: str, payload: Mapping[str, object]
) -> Decision:
    """Where a lead would go now, with its trace; reads current data and changes nothing."""
    incoming = admit_named(deps, source_name=source_name, payload=payload)
    data = incoming.data
    now = deps.clock.now()
    async with uow.reading():  # the rules' memory and the load stay as they were
        matches = await uow.contacts.find_any(phones=[data.phone] if data.phone else [],
                                              emails=[data.email] if data.email else [])
        lead = new_lead(deps, data, incoming.source, incoming.warmth, bool(matches), now)
        owners = await uow.leads.owners_of([c.id for c in matches])
        router = await Router.load(uow, deps, now, lock=False)  # never holds up real routing
        # Try the policy on the roster as the config file says now, not as last synced.
        router.situation.roster = roster_from_config(deps.config, router.roster)
        prefer = next((owners[c.id] for c in matches if c.id in owners), None)
        return router.decide(lead, tried=set(), prefer=prefer)


async def office_stats(
    uow: UnitOfWork, deps: Deps, /, *, manager_id: int, period: str | None = "today"
) -> Stats:
    """What became of a period's offers, per agent (`/stats … offers`); the period as
    core.numbers.period reads it (`today`, `7d`, `last month`, a range)."""
    now = deps.clock.now()
    asked = parse_period(period, now=now, zone=deps.config.zone)
    # A period up to now takes in a lead that came this very microsecond.
    end = asked.end + timedelta(seconds=1) if asked.end == now else asked.end
    async with uow.reading():
        await manager(uow, manager_id)
        figures = await uow.leads.period_tally(asked.start, end, now=now)
        agents = await uow.agents.list()
    return summarise(figures, agents, start=asked.start, end=min(asked.end, now))
