"""How often each source may post: a bucket per source that refills evenly, in this instance.

A source may post its per-minute allowance at once, then as fast as the bucket refills.
Each instance counts on its own, so N instances behind a load balancer take up to N times
the limit in all.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime


@dataclass
class _Bucket:
    requests: float
    at: datetime


class RateLimits:
    """Each source's requests per minute, counted by the time the caller passes in."""

    def __init__(self) -> None:
        self._buckets: dict[str, _Bucket] = {}

    def take(self, source: str, *, per_minute: int, now: datetime) -> int:
        """Count one request of *source*: 0 if it may go on, else the seconds to wait."""
        bucket = self._buckets.setdefault(source, _Bucket(float(per_minute), now))
        per_second = per_minute / 60
        # A clock set back refills nothing, and does not make the next refill count twice.
        elapsed = max(0.0, (now - bucket.at).total_seconds())
        bucket.requests = min(float(per_minute), bucket.requests + elapsed * per_second)
        bucket.at = max(bucket.at, now)
        if bucket.requests >= 1:
            bucket.requests -= 1
            return 0
        return max(1, math.ceil((1 - bucket.requests) / per_second))
