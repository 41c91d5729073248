"""The roster from a file: leadrelay.yaml's agents at start-up and /reload (until the roster
is edited in chat), and `leadrelay agents import`, which replaces the stored one."""

from __future__ import annotations

from collections.abc import Sequence

from core.config import AgentConfig
from core.deps import Deps
from core.lifecycle.availability import take_off
from core.lifecycle.away_handover import lock_all_held
from core.model import Agent, AvailabilityChange
from core.ports import ROSTER_EDITED, UnitOfWork
from core.roster import lock_roster, mark_roster_edited, roster_from, roster_from_config
from core.routing import Situation


async def replace_roster(uow: UnitOfWork, deps: Deps, /, *,
                         people: Sequence[AgentConfig]) -> list[Agent]:
    """Make *people* the roster: it is the database's from now on, as after an edit in chat.

    Whoever it leaves out (or lists inactive) is taken off as a manager's deactivation takes
    them: their offers move on, their leads go to their backup or back to routing, their
    cards lose the contact details. Each change of availability goes into the history.
    """
    now = deps.clock.now()
    async with uow:
        await lock_roster(uow)
        staying = {p.telegram_id for p in people if p.active}
        leaving = [a for a in await uow.agents.list()
                   if a.active and a.telegram_id not in staying]
        await lock_all_held(uow, [a.telegram_id for a in leaving])
        for agent in leaving:
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


async def sync_roster(uow: UnitOfWork, deps: Deps, /) -> None:
    """Make the stored roster match the office config, unless it was edited in chat since
    (then the stored one stands). Whoever the config drops or makes inactive is taken off
    as a deactivation takes them, and stays on the roster, inactive, so their history keeps
    its names."""
    now = deps.clock.now()
    async with uow:
        await lock_roster(uow)
        people = await uow.agents.list()
        if await uow.team.setting(ROSTER_EDITED) is None:
            staying = {p.telegram_id for p in deps.config.agents if p.active}
            leaving = [a for a in people if a.active and a.telegram_id not in staying]
            await lock_all_held(uow, [a.telegram_id for a in leaving])
            for agent in leaving:
                await take_off(uow, deps, agent, now, by=None, mark=False)
            people = roster_from_config(deps.config, await uow.agents.list())
            for agent in people:
                await uow.agents.save(agent)
            await uow.commit()
    deps.rules.warm(Situation(people, {}, {}, now, deps.config.zone))
