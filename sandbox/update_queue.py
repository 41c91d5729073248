"""The queue of updates waiting for the bot, shared by getUpdates and webhook delivery."""

from __future__ import annotations

from sandbox.base import _SandboxState
from sandbox.values import JsonDict

# Update types Telegram leaves out when allowed_updates is empty or was never set.
_NOT_DELIVERED_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


class _UpdateQueueMixin(_SandboxState):
    """Queuing updates and deciding which of them the bot asked for."""

    @property
    def pending_updates(self) -> list[JsonDict]:
        """Return the updates queued and not yet confirmed by getUpdates or the webhook."""
        return list(self._updates)

    async def _enqueue(self, kind: str, payload: JsonDict) -> JsonDict:
        update: JsonDict = {"update_id": next(self._update_ids), kind: payload}
        async with self._updates_changed:
            self._updates.append(update)
            self._updates_changed.notify_all()
        return update

    def _is_allowed(self, update: JsonDict) -> bool:
        kind = next(k for k in update if k != "update_id")
        if not self._allowed_updates:
            return kind not in _NOT_DELIVERED_BY_DEFAULT
        return kind in self._allowed_updates
