"""The roster: people as the office config lists them, with the chats they opened."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from core.config import AgentConfig, OfficeConfig
from core.deps import Deps
from core.errors import NotAPrivateChat, UnknownAgent
from core.model import Agent
from core.ports import ROSTER_EDITED, UnitOfWork
from core.spelling import fold


def roster_from_config(config: OfficeConfig, stored: Sequence[Agent]) -> list[Agent]:
    """The roster as the config describes it, keeping the chats people opened; anyone the
    config no longer lists stays, inactive, so their history keeps its names."""
    return roster_from(config.agents, stored)


def roster_from(listed: Sequence[AgentConfig], stored: Sequence[Agent]) -> list[Agent]:
    """The roster *listed* describes, keeping the chats people opened; anyone it no longer
    lists stays, inactive, so their history keeps its names."""
    known = {a.telegram_id: a for a in stored}
    roster = []
    for position, person in enumerate(listed):
        agent = known.pop(person.telegram_id, None) or Agent(person.telegram_id, person.name)
        agent.name, agent.role, agent.active = person.name, person.role, person.active
        agent.away, agent.language, agent.position = person.away, person.language, position
        agent.profile = person.profile
        roster.append(agent)
    for gone in known.values():
        gone.active = False
        roster.append(gone)
    return roster


def as_config(agent: Agent) -> AgentConfig:
    """A stored person as leadrelay.yaml would list them."""
    return AgentConfig(telegram_id=agent.telegram_id, name=agent.name, role=agent.role,
                       active=agent.active, away=agent.away, language=agent.language,
                       **agent.profile.model_dump(exclude_defaults=True))


def config_with_roster(config: OfficeConfig, people: Sequence[Agent]) -> OfficeConfig:
    """*config* with *people* as its roster, validated again (routing rules, accounts and
    backups must name someone on it); pydantic's ValidationError when they do not."""
    return OfficeConfig.model_validate(
        {**config.model_dump(), "agents": [as_config(a).model_dump() for a in people]})


async def roster_in_force(uow: UnitOfWork, deps: Deps, /) -> list[Agent] | None:
    """The stored roster when it was edited in chat (it then wins over leadrelay.yaml's
    agents); None while the config's agents are the roster."""
    async with uow.reading():
        if await uow.team.setting(ROSTER_EDITED) is None:
            return None
        return await uow.agents.list()


# The row (of the rotations table, which no routing rule names: rule names are the config's)
# every change of the roster takes first, before any lead: two changes of one person never
# undo each other, names stay unique, and the last manager is counted under it.
ROSTER_LOCK = "roster:edits"


async def lock_roster(uow: UnitOfWork) -> None:
    """Take the roster's turn in the caller's transaction, before any lead's lock."""
    await uow.rotations.lock(ROSTER_LOCK)


async def mark_roster_edited(uow: UnitOfWork, *, by: int | None, now: datetime) -> None:
    """Record, in the caller's transaction, that the roster was changed in chat: from now on
    the stored roster wins over the agents in leadrelay.yaml."""
    await uow.team.claim_setting(ROSTER_EDITED, expect=None,
                                 value={"at": now.isoformat(), "by": by}, at=now)


async def link_chat(uow: UnitOfWork, deps: Deps, /, *, telegram_id: int,
                    chat_id: int) -> Agent:
    """Remember the private chat of a rostered person who pressed Start.

    Only their private chat: offers and contact details go to the chat stored here, and a
    group's is everyone's in it. Telegram gives a private chat its person's user id.
    """
    if chat_id != telegram_id:
        raise NotAPrivateChat()
    async with uow:
        agent = await uow.agents.get(telegram_id)
        if agent is not None and agent.active and (agent.chat_id != chat_id
                                                   or agent.blocked_at is not None):
            await lock_roster(uow)
            agent = await uow.agents.get(telegram_id)  # as the roster's turn left it
        if agent is None or not agent.active:
            raise UnknownAgent()
        if agent.chat_id != chat_id or agent.blocked_at is not None:
            agent.chat_id, agent.blocked_at = chat_id, None
            await uow.agents.save(agent)
            await uow.commit()
        return agent


async def roster(uow: UnitOfWork, deps: Deps, /) -> list[Agent]:
    """Everyone on the stored roster."""
    async with uow.reading():
        return await uow.agents.list()


async def whoami(uow: UnitOfWork, deps: Deps, /, *, telegram_id: int) -> Agent | None:
    """The rostered person behind a Telegram id, if any."""
    async with uow.reading():
        agent = await uow.agents.get(telegram_id)
        return agent if agent is not None and agent.active else None


def people_named(choices: Sequence[list[Any]], wanted: str) -> list[list[Any]]:
    """The people of *choices* ([telegram_id, name]) *wanted* names: by Telegram id, by
    their whole name, or else by the start of their name or of a word of it (case and
    Turkish letters aside: "ayse" and "AYŞE" are Ayşe)."""
    text = wanted.strip().removeprefix("@")
    if text.isascii() and text.isdigit():
        return [c for c in choices if str(c[0]) == text]
    key = fold(" ".join(text.split()))
    if not key:
        return []
    whole = [c for c in choices if fold(str(c[1])) == key]
    if whole:
        return whole
    return [c for c in choices
            if any(word.startswith(key) for word in _starts(fold(str(c[1]))))]


def _starts(name: str) -> list[str]:
    """The name, and the name from each of its words on ("ayşe kaya" → also "kaya")."""
    words = name.split()
    return [" ".join(words[i:]) for i in range(len(words))]
