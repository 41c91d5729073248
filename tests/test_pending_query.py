"""`/pending` reads only the most urgent waiting leads, in the order the reply shows them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from core.app import Signals
from core.clock import ManualClock
from core.deps import Deps
from core.model import Agent, Contact, Lead, LeadStatus, Offer, OfferStatus, Role, Temperature
from core.ports import UnitOfWork
from core.queries import waiting_leads
from storage.uow import SqlUnitOfWork
from tests.fakes import FakeDatabase, FakeUnitOfWork
from tests.office import office

T = datetime(2026, 11, 28, 9, 0, 0, 250_000, tzinfo=UTC)
ADA, BORA, BOSS = 101, 102, 109


def at(minutes: int) -> datetime:
    return T + timedelta(minutes=minutes)


async def seed(uow_factory: Callable[[], UnitOfWork]) -> dict[str, int]:
    """Waiting leads of every kind (and some that are not waiting); their ids by name."""
    async with uow_factory() as uow:
        for n, agent_id in enumerate((ADA, BORA)):
            await uow.agents.save(Agent(agent_id, f"Agent {agent_id}", position=n))
        await uow.agents.save(Agent(BOSS, "Boss", role=Role.MANAGER, position=2))
        contact = Contact("+905550000000", None, "Deniz", T)
        await uow.contacts.add_all([contact])
        names = ["offered_late", "managers_later", "nurture", "pool", "owned", "closed",
                 "orphan", "managers_first", "offered_tie"]
        status = {"offered_late": LeadStatus.OFFERED, "managers_later": LeadStatus.WITH_MANAGERS,
                  "nurture": LeadStatus.NURTURE, "pool": LeadStatus.OFFERED,
                  "owned": LeadStatus.OWNED, "closed": LeadStatus.CLOSED,
                  "orphan": LeadStatus.OFFERED, "managers_first": LeadStatus.WITH_MANAGERS,
                  "offered_tie": LeadStatus.OFFERED}
        escalated = {"managers_later": at(20), "managers_first": at(10)}
        leads = [Lead(contact_id=contact.id, source="website", received_at=at(n), score=80,
                      temperature=Temperature.HOT, status=status[name],
                      escalated_at=escalated.get(name)) for n, name in enumerate(names)]
        await uow.leads.add_all(leads)
        ids = {name: lead.id for name, lead in zip(names, leads, strict=True)}

        def offer(name: str, agent_id: int, deadline: datetime,
                  status: OfferStatus = OfferStatus.PENDING) -> Offer:
            return Offer(lead_id=ids[name], agent_id=agent_id, token="t", created_at=T,
                         deadline=deadline, sequence=1, status=status)

        await uow.offers.add_all([
            offer("offered_late", ADA, at(50)),
            offer("pool", ADA, at(40)), offer("pool", BORA, at(30)),  # the newest holds it
            offer("orphan", BORA, at(1), OfferStatus.DECLINED),
            offer("offered_tie", ADA, at(30)),
            offer("owned", ADA, at(2), OfferStatus.ACCEPTED),
        ])
        await uow.commit()
    return ids


async def check_the_most_urgent_come_first(uow_factory: Callable[[], UnitOfWork]) -> None:
    ids = await seed(uow_factory)
    async with uow_factory() as uow:
        every = await uow.leads.waiting(limit=100)
        first = await uow.leads.waiting(limit=3)
        total = await uow.leads.count_waiting()
    expected = [("managers_first", None, None), ("managers_later", None, None),
                ("orphan", None, None), ("pool", BORA, at(30)), ("offered_tie", ADA, at(30)),
                ("offered_late", ADA, at(50)), ("nurture", None, None)]
    assert [(r.lead.id, r.holder_id, r.deadline) for r in every] == [
        (ids[name], holder, deadline) for name, holder, deadline in expected]
    assert [r.lead.id for r in first] == [ids[name] for name, _, _ in expected[:3]]
    assert total == 7
    deps = Deps(clock=ManualClock(T), config=office(), new_token=lambda: "token")
    shown = await waiting_leads(uow_factory(), deps, manager_id=BOSS, limit=4)
    assert [(w.lead.id, w.holder) for w in shown] == [
        (ids["managers_first"], None), (ids["managers_later"], None), (ids["orphan"], None),
        (ids["pool"], f"Agent {BORA}")]
    assert shown.total == 7


async def test_the_database_returns_the_most_urgent_waiting_leads_and_counts_all(
    engine: AsyncEngine,
) -> None:
    await check_the_most_urgent_come_first(lambda: SqlUnitOfWork(engine))


async def test_the_fakes_return_the_most_urgent_waiting_leads_and_count_all() -> None:
    db = FakeDatabase()
    await check_the_most_urgent_come_first(lambda: FakeUnitOfWork(db, Signals()))
