"""The chat_imports table: files managers sent the bot for import."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from core.model.chat_imports import ImportStatus, PendingImport
from storage.tables import chat_imports


class SqlChatImports:
    """core.ports.chat_imports.ChatImportRepository on one connection."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, pending: PendingImport) -> int:
        """Store *pending*; its new id."""
        pending.id = int((await self._conn.execute(insert(chat_imports).values(
            file_id=pending.file_id, file_name=pending.file_name[:255],
            manager_id=pending.manager_id, source=pending.source, row_count=pending.rows,
            held=pending.held, status=pending.status.value, result=dict(pending.result),
            created_at=pending.created_at, finished_at=pending.finished_at,
        ).returning(chat_imports.c.id))).scalar_one())
        return pending.id

    async def get(self, import_id: int) -> PendingImport | None:
        """One import by id."""
        row = (await self._conn.execute(
            select(chat_imports).where(chat_imports.c.id == import_id))).first()
        return None if row is None else _pending(row)

    async def move(self, import_id: int, *, expect: ImportStatus, to: ImportStatus,
                   at: datetime, created_after: datetime | None = None,
                   held: bool | None = None, result: Mapping[str, int] | None = None) -> bool:
        """A conditional update on status: of two presses, one moves it."""
        query = update(chat_imports).where(chat_imports.c.id == import_id,
                                           chat_imports.c.status == expect.value)
        if created_after is not None:
            query = query.where(chat_imports.c.created_at > created_after)
        values: dict[str, Any] = {"status": to.value}
        if held is not None:
            values["held"] = held
        if result is not None:
            values["result"] = dict(result)
        if to in (ImportStatus.DONE, ImportStatus.FAILED, ImportStatus.CANCELLED):
            values["finished_at"] = at
        return bool((await self._conn.execute(query.values(**values))).rowcount)


def _pending(row: Any) -> PendingImport:
    return PendingImport(
        file_id=row.file_id, file_name=row.file_name, manager_id=row.manager_id,
        source=row.source, rows=row.row_count, held=row.held, created_at=row.created_at,
        status=ImportStatus(row.status), result=dict(row.result or {}),
        finished_at=row.finished_at, id=row.id)
