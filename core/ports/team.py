"""The team's records: office-wide settings kept in the database, invitations, availability."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from core.model import AvailabilityChange, Invite

# The office settings a chat can change, by their key in the settings table.
ROSTER_EDITED = "roster_edited"  # {"at": iso, "by": id}: the roster is the database's now
TEAM_GROUP = "team_group"  # {"chat_id": id, "by": id}: the team's group chat
DIGEST_SENT = "digest_sent"  # {"day": iso date}: the office day the last morning digest went


class TeamRepository(Protocol):
    """Settings, invitations and the availability history, in this transaction."""

    async def setting(self, key: str) -> Any:
        """The stored value of an office setting, or None."""
        ...

    async def put_setting(self, key: str, value: Any, *, at: datetime) -> None:
        """Store an office setting (a JSON value), replacing what was there."""
        ...

    async def claim_setting(self, key: str, *, expect: Any, value: Any, at: datetime) -> bool:
        """Store *value* only if the setting still holds *expect* (None: is not there), as
        one conditional write; False when another transaction changed it first (so two
        instances doing a once-a-day job end with one of them doing it)."""
        ...

    async def add_invite(self, invite: Invite) -> None:
        """Store a new invitation."""
        ...

    async def invite(self, code_hash: str) -> Invite | None:
        """The invitation with this code hash, used or not."""
        ...

    async def use_invite(self, code_hash: str, *, by: int, at: datetime) -> bool:
        """Mark an unused, unexpired invitation used by *by*; False when it was not (so two
        people opening one link at once end with one of them on the roster)."""
        ...

    async def record_availability(self, change: AvailabilityChange) -> None:
        """Add one change of someone's availability to the history."""
        ...

    async def availability(self, *, agent_id: int | None = None,
                           since: datetime | None = None) -> Sequence[AvailabilityChange]:
        """The history of availability changes, oldest first, of one person or everyone."""
        ...
