"""The inbound_messages table: the platforms' messages taken, by a key made from their id."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from core.errors import Conflict
from storage.tables import inbound_messages


class SqlInboundMessages:
    """core.ports.inbound.InboundMessageRepository on one connection."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def seen(self, key: str) -> int | None:
        """The lead the message *key* names was taken into; None when it was not taken."""
        found = await self._conn.execute(
            select(inbound_messages.c.lead_id).where(inbound_messages.c.key == key))
        lead_id = found.scalar_one_or_none()
        return None if lead_id is None else int(lead_id)

    async def add(self, key: str, *, lead_id: int, at: datetime) -> None:
        """Remember the message *key* names as taken into *lead_id*."""
        try:
            await self._conn.execute(insert(inbound_messages).values(
                key=key, lead_id=lead_id, received_at=at))
        except IntegrityError as exc:
            # Two deliveries of one message raced past seen(); the retry finds it taken.
            raise Conflict("this message was taken already") from exc
