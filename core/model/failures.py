"""A payload that could not become a lead, kept whole so that it can be looked at and replayed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class FailureReason(StrEnum):
    """Why a payload did not become a lead; the `reason` column and the /metrics label."""

    INVALID = "invalid"  # 422: no usable contact, or a field intake cannot take
    BAD_BODY = "bad_body"  # 400: not valid JSON or form, nested too deep, unreadable, late
    ENCODING = "encoding"  # 400/415: not UTF-8
    UNAUTHENTICATED = "unauthenticated"  # 401: a wrong or missing token
    RATE_LIMITED = "rate_limited"  # 429
    TOO_LARGE = "too_large"  # 413: kept cut to the limit
    UNSUPPORTED_TYPE = "unsupported_type"  # 415
    SPAM = "spam"  # a web form's honeypot field was filled: answered 200, never routed
    UNCLAIMED = "unclaimed"  # a platform's post for a page or number no source claims
    FETCH_FAILED = "fetch_failed"  # a Meta lead the Graph API never gave within its time
    TEST = "test"  # a platform's test lead (Google's "send test data"): kept, never routed


# Headers kept with a failure: none of them carries a token (Authorization is never kept).
KEPT_HEADERS = ("content-type", "user-agent", "x-forwarded-for", "content-length")
TRUNCATED = "_truncated"  # a key of `headers`: the body was cut to the size limit


@dataclass
class FailedIntake:
    """What arrived, as raw bytes with the headers that matter, and why it was refused.

    *source* is the source its token named (None when none did); *authenticated* false for a
    wrong or missing token: such rows are kept a short time only.
    """

    received_at: datetime
    reason: FailureReason
    detail: str
    authenticated: bool
    body: bytes
    source: str | None = None
    content_type: str | None = None
    headers: dict[str, str | bool] = field(default_factory=dict)
    id: int = 0
    replayed_at: datetime | None = None
    lead_id: int | None = None

    @property
    def truncated(self) -> bool:
        """Whether the body was cut to the size limit."""
        return bool(self.headers.get(TRUNCATED))
