"""The team as a manager reads it (`/agents` and a person's profile), and a person's own
settings: status, load against capacity, tier and SLA misses, all as routing judges them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core.deps import Deps
from core.errors import NotAManager, NotFound
from core.lifecycle.common import person
from core.lifecycle.router import Router
from core.model import Agent, Tier
from core.ports import UnitOfWork
from core.routing import AgentStats, Situation
from core.routing.tiers import set_tier_until, tier_of

ROSTER_PAGE = 20  # people a page of /agents shows (and buttons it carries, two a row)


@dataclass(frozen=True)
class RosterLine:
    """One person as the roster shows them."""

    agent: Agent
    # active | away_until | away | not_started (no chat yet) | blocked (the bot) | inactive
    status: str
    open: int  # what routing holds against their capacity: open leads and offers waiting
    tier: Tier
    tier_set_until: date | None  # a tier a manager set holds until this day's review
    misses: int  # SLA misses within the penalty window: offers let lapse, first calls missed

    @property
    def id(self) -> int:
        """Their Telegram id."""
        return self.agent.telegram_id


@dataclass(frozen=True)
class RosterPage:
    """A page of the roster, in roster order (the inactive last)."""

    lines: tuple[RosterLine, ...]
    page: int
    pages: int
    total: int


@dataclass(frozen=True)
class Profile:
    """One person with everything their profile holds, and their backup's name."""

    line: RosterLine
    backup: str | None


def status_of(agent: Agent, today: date) -> str:
    """What keeps someone from leads, the first that applies; "active" if nothing does."""
    if not agent.active:
        return "inactive"
    if agent.blocked_at is not None:
        return "blocked"
    if agent.chat_id is None:
        return "not_started"
    away_until = agent.profile.away_until
    if away_until is not None and today <= away_until:
        return "away_until"
    return "away" if agent.away else "active"


def _line(deps: Deps, agent: Agent, situation: Situation) -> RosterLine:
    policy = deps.config.routing
    stats = situation.stats.get(agent.telegram_id) or AgentStats()
    window = situation.now - policy.penalty.within
    return RosterLine(
        agent, status_of(agent, situation.today), stats.open_leads,
        tier_of(agent, stats, policy.tiers, today=situation.today),
        set_tier_until(agent.profile, policy.tiers, today=situation.today),
        sum(1 for miss in stats.misses if miss > window))


async def _situation(uow: UnitOfWork, deps: Deps) -> Situation:
    # Routing's own read of the roster and the load, never holding up a routing turn.
    return (await Router.load(uow, deps, deps.clock.now(), lock=False)).situation


async def team_roster(uow: UnitOfWork, deps: Deps, /, *, manager_id: int,
                      page: int = 0) -> RosterPage:
    """A page of `/agents`: everyone on the roster with their status, load, tier and misses."""
    async with uow.reading():
        if not (await person(uow, manager_id)).is_manager:
            raise NotAManager()
        situation = await _situation(uow, deps)
    people = sorted(situation.roster, key=lambda a: not a.active)  # stable: roster order
    pages = max(1, -(-len(people) // ROSTER_PAGE))
    page = min(max(page, 0), pages - 1)
    shown = people[page * ROSTER_PAGE:(page + 1) * ROSTER_PAGE]
    return RosterPage(tuple(_line(deps, a, situation) for a in shown), page, pages, len(people))


async def agent_profile(uow: UnitOfWork, deps: Deps, /, *, viewer_id: int,
                        agent_id: int) -> Profile:
    """Someone's whole profile: for a manager, or for the person themselves (`/settings`)."""
    async with uow.reading():
        viewer = await person(uow, viewer_id)
        if not viewer.active or (viewer_id != agent_id and not viewer.is_manager):
            raise NotAManager()
        situation = await _situation(uow, deps)
    found = next((a for a in situation.roster if a.telegram_id == agent_id), None)
    if found is None:
        raise NotFound()
    backup = next((a.name for a in situation.roster
                   if a.telegram_id == found.profile.backup), None)
    return Profile(_line(deps, found, situation), backup)
