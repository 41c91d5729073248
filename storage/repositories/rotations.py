"""Where routing rules keep what they remember between decisions, locked per transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.tables import rotations


class SqlRotations:
    """Round-robin pointers, locked for the length of the transaction."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def lock(self, key: str) -> dict[str, Any]:
        """Lock the row (FOR UPDATE; SQLite already holds the write lock) and read it."""
        row = (await self._conn.execute(_LOCK, {"row_key": key})).first()
        if row is None:
            dialect = postgresql if self._conn.dialect.name == "postgresql" else sqlite
            await self._conn.execute(
                dialect.insert(rotations).values(key=key, state={})
                .on_conflict_do_nothing(index_elements=["key"]))
            row = (await self._conn.execute(_LOCK, {"row_key": key})).first()
        assert row is not None
        return dict(row.state or {})

    async def try_lock(self, key: str) -> dict[str, Any] | None:
        """Lock the row and read it, unless another transaction holds it: then None, at once
        (SQLite: this transaction already holds the write lock, so it is always free)."""
        row = (await self._conn.execute(_TRY_LOCK, {"row_key": key})).first()
        if row is not None:
            return dict(row.state or {})
        if (await self._conn.execute(_READ, {"row_key": key})).first() is not None:
            return None  # there, and held by someone else
        return await self.lock(key)  # the first turn ever makes the row

    async def read(self, key: str) -> dict[str, Any]:
        """What the row holds, without locking or creating it."""
        state = (await self._conn.execute(_READ, {"row_key": key})).scalar()
        return dict(state or {})

    async def save(self, key: str, state: dict[str, Any]) -> None:
        """Replace what the row holds."""
        await self._conn.execute(_SAVE, {"row_key": key, "new_state": state})


# Every routing turn runs these: built once, as building one costs more than running it.
_READ = select(rotations.c.state).where(rotations.c.key == bindparam("row_key"))
_LOCK = _READ.with_for_update()
_TRY_LOCK = _READ.with_for_update(skip_locked=True)
_SAVE = update(rotations).where(rotations.c.key == bindparam("row_key")).values(
    state=bindparam("new_state", type_=rotations.c.state.type))
