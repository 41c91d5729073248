"""Keeping what intake refused: the raw bytes, the headers that matter, the reason.

The handler notes on the request what it learned (the body as read, the source its token
named); the error middleware (or the Expect handler) calls `keep` with the 4xx it answers.
Storing never changes the answer: a failure to store is logged and the 4xx still goes out.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass

from aiohttp import web

from core.lifecycle.failed_intake import record_failure
from core.model.failures import KEPT_HEADERS, TRUNCATED, FailedIntake, FailureReason
from webhooks.bodies import MAX_BODY_BYTES
from webhooks.keys import APP, DROPPED

log = logging.getLogger(__name__)

# A refusal the headers alone called for has not read the body: what arrives this soon is kept.
UNREAD_GRACE = 0.5
_BY_STATUS = {
    422: FailureReason.INVALID, 401: FailureReason.UNAUTHENTICATED,
    429: FailureReason.RATE_LIMITED, 413: FailureReason.TOO_LARGE,
    415: FailureReason.UNSUPPORTED_TYPE,
}


@dataclass
class Attempt:
    """What the handler learned of one post, for the failure it may become."""

    body: bytes | None = None  # None: not read
    truncated: bool = False
    source: str | None = None  # the source its token named
    reason: FailureReason | None = None  # when the status alone does not say it
    gone: bool = False  # the sender went away: nobody to answer, nothing whole to keep


ATTEMPT: web.RequestKey[Attempt] = web.RequestKey("intake_attempt", Attempt)


def attempt(request: web.Request) -> Attempt:
    """This request's attempt, made on first use."""
    found = request.get(ATTEMPT)
    if found is None:
        found = request[ATTEMPT] = Attempt()
    return found


def reason_for(status: int, noted: FailureReason | None) -> FailureReason:
    """The reason a refusal with *status* is kept under."""
    return noted or _BY_STATUS.get(status, FailureReason.BAD_BODY)


async def keep(request: web.Request, response: web.Response, *,
               reason: FailureReason | None = None, body_sent: bool = True) -> None:
    """Store the refused post answered with *response*; never raises."""
    try:
        await _keep(request, response, reason, body_sent)
    except Exception:
        # The sender still gets its 4xx: a refusal is never made a 5xx by our own trouble.
        log.exception("a refused post could not be kept in failed_intake")


async def _keep(request: web.Request, response: web.Response,
                reason: FailureReason | None, body_sent: bool) -> None:
    noted = attempt(request)
    relay = request.app[APP]()
    if noted.body is None and body_sent:
        noted.body, noted.truncated = await _what_arrives(request)
    headers: dict[str, str | bool] = {name: _text(request.headers[name])[:500]
                                      for name in KEPT_HEADERS if name in request.headers}
    if noted.truncated:
        headers[TRUNCATED] = True
    failure = FailedIntake(
        received_at=relay.deps.clock.now(), reason=reason or reason_for(response.status,
                                                                        noted.reason),
        detail=_detail(response), authenticated=noted.source is not None,
        body=noted.body or b"", source=noted.source,
        content_type=_text(request.headers.get("Content-Type", "")) or None, headers=headers)
    if await relay.run(record_failure, failure=failure) is None:
        request.app[DROPPED][0] += 1  # a flood over the hour's cap: only counted


async def _what_arrives(request: web.Request) -> tuple[bytes, bool]:
    """The body that arrives within UNREAD_GRACE, up to the size limit; and whether it was
    cut (or did not all come)."""
    body = bytearray()
    try:
        async with asyncio.timeout(UNREAD_GRACE):
            while len(body) <= MAX_BODY_BYTES:
                chunk = await request.content.readany()
                if not chunk:
                    return bytes(body), False
                body += chunk
    except TimeoutError:
        return bytes(body[:MAX_BODY_BYTES]), True
    except Exception:  # a broken body: keep what came
        return bytes(body[:MAX_BODY_BYTES]), True
    return bytes(body[:MAX_BODY_BYTES]), True


def _text(header: str) -> str:
    """A header as text a database takes: aiohttp keeps the bytes that are not UTF-8 as lone
    surrogates, which neither database stores; each becomes U+FFFD."""
    return header.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _detail(response: web.Response) -> str:
    """The answer's error and the problems it named, in one line."""
    try:
        answer = json.loads(response.body if isinstance(response.body, bytes) else b"{}")
    except ValueError:
        return str(response.reason)
    parts = [str(answer.get("error", response.reason))]
    parts += [f"{p.get('field')}: {p.get('problem')}" for p in answer.get("fields", [])]
    return "; ".join(parts)[:500]
