"""`leadrelay agents import`: a roster from a file replaces the stored one."""

from __future__ import annotations

from collections.abc import Sequence

from core.config import AgentConfig
from core.deps import Deps
from core.lifecycle.availability import take_off
from core.model import Agent, AvailabilityChange
from core.ports import UnitOfWork
from core.roster import mark_roster_edited, roster_from


async def replace_roster(uow: UnitOfWork, deps: Deps, /, *,
                         people: Sequence[AgentConfig]) -> list[Agent]:
    """Make *people* the roster: it is the database's from now on, as after an edit in chat.

    Whoever it leaves out (or lists inactive) is taken off as a manager's deactivation takes
    them: their offers move on, their leads go to their backup or back to routing, their
    cards lose the contact details. Each change of availability goes into the history.
    """
    now = deps.clock.now()
    async with uow:
        staying = {p.telegram_id for p in people if p.active}
        for agent in await uow.agents.list():
            if agent.active and agent.telegram_id not in staying:
                await take_off(uow, deps, agent, now, by=None)
        stored = await uow.agents.list()
        before = {a.telegram_id: a.away or not a.active for a in stored}
        roster = roster_from(people, stored)
        for agent in roster:
            await uow.agents.save(agent)
            away = agent.away or not agent.active
            if before.get(agent.telegram_id, False) != away:
                await uow.team.record_availability(AvailabilityChange(
                    agent.telegram_id, now, away, agent.profile.away_until, None, "import"))
        await mark_roster_edited(uow, by=None, now=now)
        await uow.commit()
    return roster
