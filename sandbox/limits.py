"""Telegram's flood limits: a token bucket for the bot, a sliding window for each chat; 429."""

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
    """Telegram's flood limits: the bot's as a token bucket (burst = capacity, rate = refill
    per second), each chat's as a sliding window (at most count messages in any window s).

    A chat's window is strict: a message that arrives a hair early is refused, as Telegram
    may refuse it, so a client must keep a margin of its own rather than rely on luck.
    """

    bot_burst: int = 30
    bot_rate: float = 30.0
    private_count: int = 3
    private_window: float = 3.0
    group_count: int = 20
    group_window: float = 60.0

    def __post_init__(self) -> None:
        """Refuse limits that could never admit a message."""
        if self.bot_burst < 1 or self.bot_rate <= 0:
            raise ValueError("bot_burst must be >= 1 and bot_rate > 0")
        for scope in ("private", "group"):
            if getattr(self, f"{scope}_count") < 1 or getattr(self, f"{scope}_window") <= 0:
                raise ValueError(f"{scope}_count must be >= 1 and {scope}_window > 0")


@dataclass(frozen=True)
class RateLimitHit:
    """One request the sandbox refused with 429 because a flood-limit bucket was empty."""

    method: str
    chat_id: int | str | None
    retry_after: int
    scope: str
    at: float = field(default_factory=time.monotonic)


@dataclass
class _Bucket:
    """A token bucket holding up to capacity tokens, refilled continuously at rate per second."""

    capacity: float
    rate: float
    tokens: float
    updated: float

    def wait(self, now: float) -> float:
        """Refill up to now and return the seconds until a token is available (0 if one is)."""
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        # The tolerance absorbs float error after sleeping exactly the advertised retry_after.
        return 0.0 if self.tokens >= 1 - 1e-9 else (1 - self.tokens) / self.rate

    def take(self, now: float) -> None:
        """Use up a token (wait() has just refilled up to *now*)."""
        self.tokens -= 1


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
        """Switch flood limits on (or off with None); every bucket and window starts anew."""
        self._limits = limits
        self._meters.clear()

    def rate_limited_by_chat(self) -> dict[int | str | None, int]:
        """Return how many requests were refused with 429, per chat id (None: no chat_id)."""
        counts: dict[int | str | None, int] = {}
        for hit in self.rate_limited:
            counts[hit.chat_id] = counts.get(hit.chat_id, 0) + 1
        return counts

    def _check_flood_limits(self, key: str, method: str, params: JsonDict) -> None:
        """Use up a token of every bucket the request counts against, or refuse it with 429."""
        limits = self._limits
        if limits is None or not _sends_a_message(key):
            return
        chat_id = _chat_key(params.get("chat_id"))
        scopes: list[tuple[str, int | str | None]] = [("bot", None)]
        if chat_id is not None:
            private = isinstance(chat_id, int) and chat_id > 0
            scopes.append(("private" if private else "group", chat_id))
        now = self._timer()
        meters: list[tuple[str, _Bucket | _Window]] = []
        for scope, meter_key in scopes:
            meter = self._meters.get((scope, meter_key))
            if meter is None:
                meter = self._meters[(scope, meter_key)] = (
                    _Bucket(limits.bot_burst, limits.bot_rate, limits.bot_burst, now)
                    if scope == "bot" else
                    _Window(getattr(limits, f"{scope}_count"),
                            getattr(limits, f"{scope}_window")))
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
    """Return chat_id as the key of its flood-limit bucket (numeric strings become ints)."""
    if isinstance(chat_id, bool) or chat_id is None:
        return None
    if isinstance(chat_id, int):
        return chat_id
    text = str(chat_id)
    try:
        return int(text)
    except ValueError:
        return text  # an @username of a channel or supergroup
