"""Away, back and deactivation: who takes leads, recorded with its time and who changed it.

`/away` (oneself, or anyone for a manager) withdraws the person's pending offers at once
and hands their open leads to their backup, or back to routing (`work.away.leads_to`);
`/back`, or the end of an away's last day, gives the backup's untouched leads back
(`work.away.return_on_back`). Deactivation moves everything on for good and edits the
person's old cards into notes without the contact details. Each change is an
AvailabilityChange in the history (the fairness audit reads it) and marks the roster as
edited in chat.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from core.away_words import parse_away
from core.deps import Deps
from core.errors import (
    AmbiguousAgent,
    InThePast,
    LastManager,
    NotAManager,
    NotAway,
    NotAwayOther,
    UnknownAgent,
)
from core.lifecycle.away_handover import (
    away_on,
    can_cover,
    give_back,
    hand_over,
    lock_held,
    owned_by,
    returnable,
    strip_everything,
    withdraw_offers,
)
from core.lifecycle.common import manager, message
from core.lifecycle.router import Router
from core.messages import AwayChangedParams, Template
from core.model import Agent, AvailabilityChange
from core.ports import UnitOfWork
from core.roster import lock_roster, mark_roster_edited, people_named


@dataclass(frozen=True)
class AvailabilityResult:
    """What a change of availability did: to whom, and what moved."""

    agent: str
    away: bool
    until: date | None = None
    offers: int = 0  # pending offers that moved on
    handed: list[tuple[int, str | None]] = field(default_factory=list)  # lead, now whose
    returned: list[int] = field(default_factory=list)  # leads given back on return


def office_today(deps: Deps, now: datetime) -> date:
    """The office's date at *now*."""
    return now.astimezone(deps.config.zone).date()


async def find_person(uow: UnitOfWork, deps: Deps, /, *, by: int, text: str) -> Agent:
    """The active person *text* names, by Telegram id or a unique start of their name (a
    whole name wins over a longer one it starts), for a manager *by*."""
    async with uow.reading():
        await manager(uow, by)
        people = [a for a in await uow.agents.list() if a.active]
    ids = {int(id_) for id_, _ in people_named([[a.telegram_id, a.name] for a in people], text)}
    found = [a for a in people if a.telegram_id in ids]
    if not found:
        raise UnknownAgent()
    if len(found) > 1:
        raise AmbiguousAgent(names=", ".join(a.name for a in found))
    return found[0]


@dataclass(frozen=True)
class AwayTarget:
    """What /away's words ask for: whom, and the last day away (None: until /back)."""

    agent_id: int
    until: date | None


async def read_away(uow: UnitOfWork, deps: Deps, /, *, by: int,
                    text: str) -> AwayTarget | None:
    """Read /away's words (`until friday`, `for 3 days`, a manager's `Ayşe 3 gün`): whom
    and until when; None when they read as no period, or name someone for a non-manager."""
    ask = parse_away(text, today=office_today(deps, deps.clock.now()))
    if ask is None:
        return None
    if ask.who is None:
        return AwayTarget(by, ask.until)
    try:
        person = await find_person(uow, deps, by=by, text=ask.who)
    except NotAManager:
        return None  # an agent's words that are no period: the usage tells them how
    return AwayTarget(person.telegram_id, ask.until)


async def _target(uow: UnitOfWork, agent_id: int, by: int) -> tuple[Agent, Agent]:
    """The person changed and the one changing them: oneself, or anyone for a manager."""
    actor = await uow.agents.get(by)
    if actor is None or not actor.active:
        raise UnknownAgent()
    if agent_id != by and not actor.is_manager:
        raise NotAManager()
    agent = actor if agent_id == by else await uow.agents.get(agent_id)
    if agent is None or not agent.active:
        raise UnknownAgent()
    return agent, actor


async def go_away(uow: UnitOfWork, deps: Deps, /, *, agent_id: int, by: int,
                  until: date | None) -> AvailabilityResult:
    """Set *agent_id* away until the end of *until* (None: until they are back): no offers
    from now on, their pending offers move on, their open leads go to their backup or back
    to routing (`work.away.leads_to`), everyone concerned told."""
    now = deps.clock.now()
    today = office_today(deps, now)
    if until is not None and until < today:
        raise InThePast()
    async with uow:
        await lock_roster(uow)
        agent, actor = await _target(uow, agent_id, by)
        held = await lock_held(uow, agent_id)
        agent.away = until is None
        agent.profile = agent.profile.model_copy(update={"away_until": until})
        await uow.agents.save(agent)
        await uow.team.record_availability(AvailabilityChange(
            agent_id, now, away=True, until=until, by=by, reason="away"))
        await mark_roster_edited(uow, by=by, now=now)
        router = await Router.load(uow, deps, now)  # reads the roster with them away
        offers = await withdraw_offers(uow, deps, agent, held, now, router, reason="away")
        handed: list[tuple[int, str | None]] = []
        policy = deps.config.work.away.leads_to
        if policy != "keep":
            backup = await uow.agents.get(agent.profile.backup or 0)
            handed = await hand_over(
                uow, deps, agent, owned_by(held, agent_id), now, router, reason="away",
                backup=backup if policy == "backup" and can_cover(backup, agent, today)
                else None)
        await router.save(uow)
        result = AvailabilityResult(agent.name, True, until, offers, handed)
        if by != agent_id and agent.reachable:
            await uow.outbox.add(message(deps, agent, Template.AWAY_CHANGED, now,
                                         params=AwayChangedParams(
                                             away=True, until=until.isoformat() if until
                                             else None, by=actor.name, offers=offers,
                                             leads=len(handed))))
        await uow.commit()
    return result


async def go_away_for(uow: UnitOfWork, deps: Deps, /, *, agent_id: int, by: int,
                      days: int | None) -> AvailabilityResult:
    """go_away for *days* days, today the first (None: until they are back)."""
    until = None
    if days is not None:
        until = office_today(deps, deps.clock.now()) + timedelta(days=max(days, 1) - 1)
    return await go_away(uow, deps, agent_id=agent_id, by=by, until=until)


async def come_back(uow: UnitOfWork, deps: Deps, /, *, agent_id: int,
                    by: int) -> AvailabilityResult:
    """*agent_id* is back: offers reach them again, and the leads their backup got from
    them and has not worked since come back (`work.away.return_on_back`), both told."""
    now = deps.clock.now()
    async with uow:
        await lock_roster(uow)
        agent, actor = await _target(uow, agent_id, by)
        if not away_on(agent, office_today(deps, now)):
            raise NotAway() if agent_id == by else NotAwayOther(name=agent.name)
        returned = await _back(uow, deps, agent, now, by=by, reason="back")
        if by != agent_id and agent.reachable:
            await uow.outbox.add(message(deps, agent, Template.AWAY_CHANGED, now,
                                         params=AwayChangedParams(
                                             away=False, by=actor.name, leads=len(returned))))
        await uow.commit()
    return AvailabilityResult(agent.name, False, returned=returned)


async def _back(uow: UnitOfWork, deps: Deps, agent: Agent, now: datetime, *, by: int | None,
                reason: str) -> list[int]:
    """Clear *agent*'s away, record it, and give back what their backup left untouched."""
    candidates = await returnable(uow, agent) if deps.config.work.away.return_on_back else []
    leads = await uow.leads.lock_all(candidates)
    agent.away = False
    agent.profile = agent.profile.model_copy(update={"away_until": None})
    await uow.agents.save(agent)
    await uow.team.record_availability(AvailabilityChange(
        agent.telegram_id, now, away=False, by=by, reason=reason))
    if by is not None:  # an away that ended by its date (perhaps the file's) is no edit
        await mark_roster_edited(uow, by=by, now=now)
    return await give_back(uow, deps, agent, leads, now)


async def return_from_ended_aways(uow: UnitOfWork, deps: Deps, /) -> list[int]:
    """Everyone whose away ended with yesterday (or before) is back, as on /back, by nobody;
    the ids of those back. The audit runs it."""
    now = deps.clock.now()
    today = office_today(deps, now)
    async with uow.reading():  # a look that takes no write turn: most runs find none
        ended = [a.telegram_id for a in await uow.agents.list()
                 if a.active and a.profile.away_until is not None
                 and a.profile.away_until < today]
    if not ended:
        return []
    back = []
    async with uow:
        await lock_roster(uow)
        for agent_id in ended:
            agent = await uow.agents.get(agent_id)
            until = agent.profile.away_until if agent is not None else None
            if agent is None or until is None or until >= today:
                continue  # changed meanwhile
            returned = await _back(uow, deps, agent, now, by=None, reason="ended")
            if agent.reachable and not agent.away:
                await uow.outbox.add(message(deps, agent, Template.AWAY_CHANGED, now,
                                             params=AwayChangedParams(
                                                 away=False, leads=len(returned))))
            back.append(agent_id)
        await uow.commit()
    return back


async def deactivate_agent(uow: UnitOfWork, deps: Deps, /, *, agent_id: int,
                           by: int) -> AvailabilityResult:
    """A manager takes someone off the roster for good: their pending offers move on,
    their open leads go to their backup or back to routing, and every card and escalation
    left in their chat is edited to drop the contact details. Never the last manager."""
    now = deps.clock.now()
    async with uow:
        await lock_roster(uow)  # the managers are counted under it
        await manager(uow, by)
        agent = await uow.agents.get(agent_id)
        if agent is None or not agent.active:
            raise UnknownAgent()
        people = await uow.agents.list()
        if agent.is_manager and sum(p.is_manager for p in people) <= 1:
            raise LastManager(name=agent.name)
        result = await take_off(uow, deps, agent, now, by=by)
        await uow.commit()
    return result


async def take_off(uow: UnitOfWork, deps: Deps, agent: Agent, now: datetime, *,
                   by: int | None, mark: bool = True) -> AvailabilityResult:
    """Make *agent* inactive in the caller's transaction (by a manager, or by None for a
    roster read from a file), and move on everything they held; *mark*: as an edit of the
    roster (not when leadrelay.yaml, still the roster, dropped them)."""
    held = await lock_held(uow, agent.telegram_id)
    agent.active = False
    await uow.agents.save(agent)
    await uow.team.record_availability(AvailabilityChange(
        agent.telegram_id, now, away=True, by=by, reason="deactivated"))
    if mark:
        await mark_roster_edited(uow, by=by, now=now)
    router = await Router.load(uow, deps, now)
    offers = await withdraw_offers(uow, deps, agent, held, now, router, reason="deactivated")
    backup = await uow.agents.get(agent.profile.backup or 0)
    handed = await hand_over(uow, deps, agent, owned_by(held, agent.telegram_id), now, router,
                             reason="deactivated", tell=False,
                             backup=backup if can_cover(backup, agent, office_today(deps, now))
                             else None)
    await router.save(uow)
    await strip_everything(uow, deps, agent, now)
    return AvailabilityResult(agent.name, True, None, offers, handed)
