"""The team's records: office settings changed in chat, invitations, availability history."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Text, cast, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from core.model import AvailabilityChange, Invite, Role
from storage.tables import availability_changes, invites, office_settings


class SqlTeam:
    """The office_settings, invites and availability_changes tables."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def setting(self, key: str) -> Any:
        """The stored value of an office setting, or None."""
        return (await self._conn.execute(
            select(office_settings.c.value).where(office_settings.c.key == key))).scalar()

    async def put_setting(self, key: str, value: Any, *, at: datetime) -> None:
        """Store an office setting, replacing what was there."""
        result = await self._conn.execute(update(office_settings).where(
            office_settings.c.key == key).values(value=value, updated_at=at))
        if result.rowcount == 0:
            await self._conn.execute(insert(office_settings).values(
                key=key, value=value, updated_at=at))

    async def claim_setting(self, key: str, *, expect: Any, value: Any, at: datetime) -> bool:
        """Compare and set: one conditional statement, so that of two transactions claiming
        the same change one writes and the other finds it done (PostgreSQL re-reads the row
        the first changed; SQLite has one writer at a time)."""
        if expect is None:
            dialect = postgresql if self._conn.dialect.name == "postgresql" else sqlite
            result = await self._conn.execute(
                dialect.insert(office_settings).values(key=key, value=value, updated_at=at)
                .on_conflict_do_nothing(index_elements=[office_settings.c.key]))
        else:
            # JSON has no equality on PostgreSQL; the stored text is what json.dumps wrote.
            result = await self._conn.execute(update(office_settings).where(
                office_settings.c.key == key,
                cast(office_settings.c.value, Text) == json.dumps(expect),
            ).values(value=value, updated_at=at))
        return result.rowcount == 1

    async def add_invite(self, invite: Invite) -> None:
        """Store a new invitation."""
        await self._conn.execute(insert(invites).values(
            code_hash=invite.code_hash, role=invite.role.value, invited_by=invite.invited_by,
            created_at=invite.created_at, expires_at=invite.expires_at))

    async def invite(self, code_hash: str) -> Invite | None:
        """The invitation with this code hash, used or not."""
        row = (await self._conn.execute(
            select(invites).where(invites.c.code_hash == code_hash))).first()
        if row is None:
            return None
        return Invite(code_hash=row.code_hash, role=Role(row.role), invited_by=row.invited_by,
                      created_at=row.created_at, expires_at=row.expires_at,
                      used_by=row.used_by, used_at=row.used_at)

    async def use_invite(self, code_hash: str, *, by: int, at: datetime) -> bool:
        """Mark an unused, unexpired invitation used: one winner however many open it."""
        result = await self._conn.execute(update(invites).where(
            invites.c.code_hash == code_hash, invites.c.used_by.is_(None),
            invites.c.expires_at > at).values(used_by=by, used_at=at))
        return result.rowcount == 1

    async def record_availability(self, change: AvailabilityChange) -> None:
        """Add one change of someone's availability to the history."""
        await self._conn.execute(insert(availability_changes).values(
            agent_id=change.agent_id, at=change.at, away=change.away, until=change.until,
            by_id=change.by, reason=change.reason))

    async def availability(self, *, agent_id: int | None = None,
                           since: datetime | None = None) -> Sequence[AvailabilityChange]:
        """The history of availability changes, oldest first."""
        query = select(availability_changes).order_by(availability_changes.c.at,
                                                      availability_changes.c.id)
        if agent_id is not None:
            query = query.where(availability_changes.c.agent_id == agent_id)
        if since is not None:
            query = query.where(availability_changes.c.at >= since)
        return [AvailabilityChange(agent_id=row.agent_id, at=row.at, away=row.away,
                                   until=row.until, by=row.by_id, reason=row.reason)
                for row in await self._conn.execute(query)]
