"""The roster: every agent and manager, with their chat and routing profile."""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import Row, Text, cast, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from core.model import Agent, AgentProfile, Role
from storage.repositories._rows import fits
from storage.tables import agents


class SqlAgents:
    """The roster table."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def list(self) -> list[Agent]:
        """Every agent and manager, in roster order."""
        rows = await self._conn.execute(_ROSTER)
        return [_agent(row) for row in rows]

    async def get(self, telegram_id: int) -> Agent | None:
        """One person by Telegram id."""
        if not fits(agents.c.telegram_id, telegram_id):
            return None
        row = (await self._conn.execute(
            _AGENT_ROWS.where(agents.c.telegram_id == telegram_id))).first()
        return _agent(row) if row else None

    async def save(self, agent: Agent) -> None:
        """Insert or update one person."""
        values = {
            "name": agent.name, "role": agent.role.value, "active": agent.active,
            "away": agent.away, "language": agent.language, "position": agent.position,
            "chat_id": agent.chat_id, "profile": agent.profile.model_dump(mode="json"),
            "blocked_at": agent.blocked_at,
        }
        result = await self._conn.execute(
            update(agents).where(agents.c.telegram_id == agent.telegram_id).values(**values))
        if result.rowcount == 0:
            await self._conn.execute(insert(agents).values(telegram_id=agent.telegram_id, **values))


# The profile as its stored JSON text, so an unchanged profile is parsed once per process.
_AGENT_ROWS = select(*(c for c in agents.c if c.name != "profile"),
                     cast(agents.c.profile, Text).label("profile"))
_ROSTER = _AGENT_ROWS.order_by(agents.c.position)  # read in every routing turn: built once


def _agent(row: Row[Any]) -> Agent:
    return Agent(
        telegram_id=row.telegram_id, name=row.name, role=Role(row.role), active=row.active,
        away=row.away, language=row.language, position=row.position, chat_id=row.chat_id,
        profile=_profile(row.profile or "{}"), blocked_at=row.blocked_at,
    )


@functools.lru_cache(maxsize=8192)
def _profile(stored: str) -> AgentProfile:
    """A stored profile, validated once: the roster is read in every routing transaction."""
    return AgentProfile.model_validate_json(stored)
