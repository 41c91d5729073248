"""Where routing rules keep what they remember between decisions, locked per transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.tables import rotations


class SqlRotations:
    """Round-robin pointers, locked for the length of the transaction."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def lock(self, key: str) -> dict[str, Any]:
        """Lock the row (FOR UPDATE; SQLite already holds the write lock) and read it."""
        query = select(rotations.c.state).where(rotations.c.key == key).with_for_update()
        row = (await self._conn.execute(query)).first()
        if row is None:
            dialect = postgresql if self._conn.dialect.name == "postgresql" else sqlite
            await self._conn.execute(
                dialect.insert(rotations).values(key=key, state={})
                .on_conflict_do_nothing(index_elements=["key"]))
            row = (await self._conn.execute(query)).first()
        assert row is not None
        return dict(row.state or {})

    async def try_lock(self, key: str) -> dict[str, Any] | None:
        """Lock the row and read it, unless another transaction holds it: then None, at once
        (SQLite: this transaction already holds the write lock, so it is always free)."""
        query = select(rotations.c.state).where(rotations.c.key == key)
        row = (await self._conn.execute(query.with_for_update(skip_locked=True))).first()
        if row is not None:
            return dict(row.state or {})
        if (await self._conn.execute(query)).first() is not None:
            return None  # there, and held by someone else
        return await self.lock(key)  # the first turn ever makes the row

    async def read(self, key: str) -> dict[str, Any]:
        """What the row holds, without locking or creating it."""
        query = select(rotations.c.state).where(rotations.c.key == key)
        state = (await self._conn.execute(query)).scalar()
        return dict(state or {})

    async def save(self, key: str, state: dict[str, Any]) -> None:
        """Replace what the row holds."""
        await self._conn.execute(
            update(rotations).where(rotations.c.key == key).values(state=state))
