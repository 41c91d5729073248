"""Where the platforms' message ids are remembered (the inbound_messages table), so that a
message delivered twice is taken once."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class InboundMessageRepository(Protocol):
    """The messages taken from the platforms, by a key made from their id, in this
    transaction."""

    async def seen(self, key: str) -> int | None:
        """The lead the message *key* names was taken into; None when it was not taken."""
        ...

    async def add(self, key: str, *, lead_id: int, at: datetime) -> None:
        """Remember the message *key* names as taken into *lead_id*; Conflict if another
        transaction took it first."""
        ...
