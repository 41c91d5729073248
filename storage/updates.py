"""Which Telegram updates arrived by webhook, so a re-sent one is handled only once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import begin_write
from storage.tables import telegram_updates


class UpdateLog:
    """Claims each update_id once across every instance; each call is a short transaction."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def claim(self, update_id: int, *, at: datetime) -> bool:
        """True for the first to claim *update_id*; False if it was seen already."""
        try:
            async with begin_write(self._engine) as conn:
                await conn.execute(insert(telegram_updates).values(
                    update_id=update_id, received_at=at))
        except IntegrityError:
            return False
        return True

    async def release(self, update_id: int) -> None:
        """Forget a claim whose handling failed, so Telegram's next try is handled."""
        async with begin_write(self._engine) as conn:
            await conn.execute(delete(telegram_updates).where(
                telegram_updates.c.update_id == update_id))

    async def forget_before(self, moment: datetime) -> int:
        """Drop claims older than *moment* (Telegram re-sends for a day at most)."""
        async with begin_write(self._engine) as conn:
            result = await conn.execute(delete(telegram_updates).where(
                telegram_updates.c.received_at < moment))
            return int(result.rowcount or 0)
