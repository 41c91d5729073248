"""Telegram's flood limits, read strictly: a sliding window for the bot and for each chat; 429."""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from sandbox.base import _SandboxState
from sandbox.values import ApiError, JsonDict

# Methods that send or edit a message besides send*/editMessage*; they use up flood-limit tokens.
_MESSAGE_METHODS = frozenset(
    {"copymessage", "copymessages", "forwardmessage", "forwardmessages", "stoppoll",
     "stopmessagelivelocation"}
)


@dataclass(frozen=True)
class TelegramLimits:
    """Telegram's flood limits, each a sliding window: at most *count* messages in any
    *window* seconds, for the bot as a whole and for each chat.

    The windows are strict: a message that arrives a hair early is refused, as Telegram
    may refuse it, so a client must keep a margin of its own rather than rely on luck. A
    token bucket would let a full bucket out at once and so pass up to twice the rate in
    one second; Telegram promises nothing of the kind.
    """

    bot_count: int = 30
    bot_window: float = 1.0
    private_count: int = 3
    private_window: float = 3.0
    group_count: int = 20
    group_window: float = 60.0

    def __post_init__(self) -> None:
        """Refuse limits that could never admit a message."""
        for scope in ("bot", "private", "group"):
            if getattr(self, f"{scope}_count") < 1 or getattr(self, f"{scope}_window") <= 0:
                raise ValueError(f"{scope}_count must be >= 1 and {scope}_window > 0")


@dataclass(frozen=True)
class RateLimitHit:
    """One request the sandbox refused with 429 because a flood-limit window was full."""

    method: str
    chat_id: int | str | None
    retry_after: int
    scope: str
    at: float = field(default_factory=time.monotonic)


class _Window:
    """The times of the messages a chat got within the last *length* seconds."""

    def __init__(self, count: int, length: float) -> None:
        self.count, self.length = count, length
        self.times: deque[float] = deque()

    def wait(self, now: float) -> float:
        """Seconds until one more message fits in the window (0 if one does now)."""
        while self.times and self.times[0] <= now - self.length:
            self.times.popleft()
        return 0.0 if len(self.times) < self.count else self.times[0] + self.length - now

    def take(self, now: float) -> None:
        """Count a message sent at *now*."""
        self.times.append(now)


class _LimitsMixin(_SandboxState):
    """The flood limits in force and the check each request passes before it is handled."""

    @property
    def limits(self) -> TelegramLimits | None:
        """Return the flood limits in force (None: every request is admitted)."""
        return self._limits

    @limits.setter
    def limits(self, limits: TelegramLimits | None) -> None:
        """Switch flood limits on (or off with None); every window starts anew."""
        self._limits = limits
        self._meters.clear()

    def rate_limited_by_chat(self) -> dict[int | str | None, int]:
        """Return how many requests were refused with 429, per chat id (None: no chat_id)."""
        counts: dict[int | str | None, int] = {}
        for hit in self.rate_limited:
            counts[hit.chat_id] = counts.get(hit.chat_id, 0) + 1
        return counts

    def _check_flood_limits(self, key: str, method: str, params: JsonDict) -> None:
        """Count the request in every window it belongs to, or refuse it with 429."""
        limits = self._limits
        if limits is None or not _sends_a_message(key):
            return
        chat_id = _chat_key(params.get("chat_id"))
        scopes: list[tuple[str, int | str | None]] = [("bot", None)]
        if chat_id is not None:
            private = isinstance(chat_id, int) and chat_id > 0
            scopes.append(("private" if private else "group", chat_id))
        now = self._timer()
        meters: list[tuple[str, _Window]] = []
        for scope, meter_key in scopes:
            meter = self._meters.get((scope, meter_key))
            if meter is None:
                meter = self._meters[(scope, meter_key)] = _Window(
                    getattr(limits, f"{scope}_count"), getattr(limits, f"{scope}_window"))
            meters.append((scope, meter))
        # Nothing is used up unless every meter has room, so a refused request has no effect.
        wait, scope = max((meter.wait(now), scope) for scope, meter in meters)
        if wait > 0:
            retry_after = max(1, math.ceil(wait))
            self.rate_limited.append(RateLimitHit(method, chat_id, retry_after, scope, now))
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)
        for _, meter in meters:
            meter.take(now)


def _sends_a_message(key: str) -> bool:
    """Return whether a method (lower-cased) sends or edits a message, i.e. is flood-limited."""
    if key.startswith("send"):
        return key != "sendchataction"
    return key.startswith("editmessage") or key in _MESSAGE_METHODS


def _chat_key(chat_id: Any) -> int | str | None:
    """Return chat_id as the key of its flood-limit window (numeric strings become ints)."""
    if isinstance(chat_id, bool) or chat_id is None:
        return None
    if isinstance(chat_id, int):
        return chat_id
    text = str(chat_id)
    try:
        return int(text)
    except ValueError:
        return text  # an @username of a channel or supergroup
