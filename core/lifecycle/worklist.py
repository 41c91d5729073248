"""What an agent works through: a lead's card on request (/lead), their open leads page by
page (/leads), and what is due today (/today)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from core.deps import Deps
from core.errors import NotYourLead, UnknownAgent
from core.lead_input import normalize_phone
from core.lifecycle.cards import may_see, send_card
from core.model import Agent, Lead, Task
from core.ports import UnitOfWork

PAGE_SIZE = 8
_LAST_PAGE = 10**9  # past any list; a forged page further on would overflow the offset
_ID_DIGITS = 9  # longer digit strings are phone numbers, not lead ids


async def _viewer(uow: UnitOfWork, person_id: int) -> Agent:
    person = await uow.agents.get(person_id)
    if person is None or not person.active or person.chat_id is None:
        raise UnknownAgent()
    return person


async def show_card(uow: UnitOfWork, deps: Deps, /, *, person_id: int, wanted: str) -> Lead:
    """Send the card of the lead *wanted* names (its id, or the contact's phone number) to
    its owner or a manager, below everything else; anyone else learns nothing."""
    now = deps.clock.now()
    async with uow:
        person = await _viewer(uow, person_id)
        lead = await _find(uow, deps, person, wanted.strip().removeprefix("#"))
        if lead is None:
            raise NotYourLead()
        locked = await uow.leads.lock(lead.id)
        if locked is None or not may_see(person, locked):
            raise NotYourLead()
        await send_card(uow, deps, locked, person, now)
        await uow.commit()
    return locked


async def _find(uow: UnitOfWork, deps: Deps, person: Agent, wanted: str) -> Lead | None:
    if wanted.isascii() and wanted.isdigit() and len(wanted) <= _ID_DIGITS:
        return await uow.leads.get(int(wanted))
    try:
        phone = normalize_phone(wanted, deps.config.default_region)
    except ValueError:
        return None
    return next((lead for lead in await uow.leads.by_phone(phone) if may_see(person, lead)),
                None)


@dataclass(frozen=True)
class LeadsPage:
    """One page of an agent's open leads, newest first, each with its next task."""

    leads: list[Lead]
    next_tasks: dict[int, Task]
    page: int
    pages: int
    total: int


async def open_leads(uow: UnitOfWork, deps: Deps, /, *, agent_id: int,
                     page: int = 0) -> LeadsPage:
    """A page of the leads *agent_id* works now."""
    async with uow.reading():
        await _viewer(uow, agent_id)
        page = min(max(page, 0), _LAST_PAGE)
        leads, total = await uow.leads.open_of(agent_id, offset=page * PAGE_SIZE,
                                               limit=PAGE_SIZE)
        pages = max(1, -(-total // PAGE_SIZE))
        if page >= pages and total:  # a page that emptied since its button was drawn
            page = pages - 1
            leads, total = await uow.leads.open_of(agent_id, offset=page * PAGE_SIZE,
                                                   limit=PAGE_SIZE)
        tasks: dict[int, Task] = {}
        for task in await uow.tasks.open_for([lead.id for lead in leads]):
            if task.kind.shown:
                tasks.setdefault(task.lead_id, task)
    return LeadsPage(leads, tasks, page, pages, total)


@dataclass(frozen=True)
class DueTask:
    """A task due today or overdue, with its lead."""

    task: Task
    lead: Lead
    overdue: bool


async def due_today(uow: UnitOfWork, deps: Deps, /, *, agent_id: int) -> list[DueTask]:
    """*agent_id*'s tasks due by the end of today in the office, overdue ones first, of
    leads still open."""
    now = deps.clock.now()
    zone = deps.config.zone
    tomorrow = datetime.combine(now.astimezone(zone).date() + timedelta(days=1), time(0),
                                tzinfo=zone)
    async with uow.reading():
        await _viewer(uow, agent_id)
        tasks = await uow.tasks.due_for(agent_id, until=tomorrow)
        due = []
        for task in tasks:
            lead = await uow.leads.get(task.lead_id)
            # A lead that changed hands is its new owner's to work, and its tasks with it.
            if lead is not None and lead.is_open and lead.owner_id == agent_id:
                due.append(DueTask(task, lead, task.due_at < now))
    return due
