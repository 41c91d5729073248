"""The files managers sent the bot for import, waiting for Import or Cancel (`uow.chat_imports`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

from core.model.chat_imports import ImportStatus, PendingImport


class ChatImportRepository(Protocol):
    """Pending imports, in this transaction."""

    async def add(self, pending: PendingImport) -> int:
        """Store a previewed import; its new id."""
        ...

    async def get(self, import_id: int) -> PendingImport | None:
        """One import by id."""
        ...

    async def move(self, import_id: int, *, expect: ImportStatus, to: ImportStatus,
                   at: datetime, created_after: datetime | None = None,
                   held: bool | None = None, result: Mapping[str, int] | None = None) -> bool:
        """Move an import from *expect* to *to* as one conditional update (only one of two
        presses wins), only if created after *created_after* when given; False when it was
        not in *expect* (or too old). *held* records the manager's pick, *result* the
        counts."""
        ...
