"""The import pool in SQL: imported leads waiting (status `queued`) to be released to routing
at the office's pace, and the count of those released lately that the pace is held to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from core.model import LeadStatus
from core.ports import PoolGroup
from storage.tables import leads

_QUEUED = LeadStatus.QUEUED.value


async def any_queued(conn: AsyncConnection) -> bool:
    """Whether a lead waits in the pool."""
    return (await conn.execute(_ANY)).first() is not None


async def released_since(conn: AsyncConnection, since: datetime) -> int:
    """How many leads the pool released after *since* (an hour ago: those released
    exactly then count no more)."""
    return int((await conn.execute(_RELEASED, {"since": since})).scalar_one())


async def release_queued(conn: AsyncConnection, *, limit: int, at: datetime) -> list[int]:
    """Move up to *limit* of the oldest pooled leads to routing; their ids."""
    if limit <= 0:
        return []
    ids = [row.id for row in await conn.execute(_TAKE, {"limit": limit})]
    if ids:
        await conn.execute(
            update(leads).where(leads.c.id.in_(ids), leads.c.status == _QUEUED)
            .values(status=LeadStatus.NEW.value, released_at=at, version=leads.c.version + 1))
    return ids


async def pool_groups(conn: AsyncConnection) -> list[PoolGroup]:
    """The pool by source and file, the largest first."""
    rows = await conn.execute(
        select(leads.c.source, leads.c.import_file, func.count().label("n"))
        .where(leads.c.status == _QUEUED)
        .group_by(leads.c.source, leads.c.import_file)
        .order_by(func.count().desc(), leads.c.source, leads.c.import_file))
    return [PoolGroup(r.source, r.import_file, int(r.n)) for r in rows]


_ANY = select(leads.c.id).where(leads.c.status == _QUEUED).limit(1)
_RELEASED = select(func.count()).where(leads.c.released_at > bindparam("since"))
# SKIP LOCKED: the release holds the pool's row (taken first, see core/lifecycle/
# import_pool.py) while it takes leads; a pooled lead a manager's /assign holds is passed
# over this turn rather than waited for, so the two never wait on each other in a circle.
_TAKE = (select(leads.c.id).where(leads.c.status == _QUEUED).order_by(leads.c.id)
         .limit(bindparam("limit")).with_for_update(skip_locked=True))
