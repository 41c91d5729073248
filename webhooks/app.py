"""The intake server: marketing sources post leads here, authenticated by a per-source token.

What the headers alone tell (the content type, a declared length over the limit, an unknown
bearer token) is refused before `100 Continue` and without reading the body; so is a bearer
token's source over its rate. The body is read within a time limit and parsed strictly.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import HttpVersion11, web

from core.clock import Clock
from core.config import SourceConfig
from core.errors import DomainError, FieldProblem, InvalidInput, StorageUnavailable, UnknownSource
from core.lead_input import FIELDS
from core.model.failures import FailureReason
from core.ports import BotApiHealth, OfficeFigures
from webhooks.bodies import (
    MAX_BODY_BYTES,
    BadBody,
    SenderGone,
    TooLarge,
    parse_payload,
    read_body,
)
from webhooks.failures import attempt, keep
from webhooks.google_ads import GOOGLE_PATH, add_google_routes
from webhooks.keys import APP, DROPPED, FIGURES, REFUSED_SIGNATURES, TELEGRAM, CurrentApp
from webhooks.limits import RateLimits
from webhooks.meta import META_PATH, add_meta_routes
from webhooks.openapi import openapi
from webhooks.operations import READINESS, Readiness, metrics, readyz
from webhooks.whatsapp import add_whatsapp_routes

log = logging.getLogger(__name__)

INTAKE_PATH = "/webhooks/leads"
_JSON = "application/json"
_FORM = "application/x-www-form-urlencoded"
_MULTIPART = "multipart/form-data"
# The form field naming which of its source's thank-you pages a browser goes to after posting.
_REDIRECT = "redirect"
# Names the log may show: a sender's own field names can be anything, up to a whole JSON body
# (`curl -d '{…}'` posts a form whose one field name is the body), so others are only counted.
_LOGGED_FIELDS = frozenset(FIELDS) | {"token", "source"}
_UTF8 = ("utf-8", "utf8")
BODY_TIMEOUT = 10.0
# The answers that refuse what a sender sent (a 409 or 503 is about us, not the payload).
_REFUSALS = frozenset({400, 401, 408, 413, 415, 417, 422, 429})
# A platform's post refused after its signature or key named a source is kept too.
_PLATFORM_PATHS = frozenset({META_PATH, GOOGLE_PATH})
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class _Guard:
    """What intake keeps between requests: the body's time limit, the clock, the rates."""

    body_timeout: float
    clock: Clock | None
    rates: RateLimits


GUARD: web.AppKey[_Guard] = web.AppKey("intake_guard")


def _problem(status: int, error: str, fields: list[dict[str, str]] | None = None, *,
             retry_after: int | None = None) -> web.Response:
    body: dict[str, object] = {"error": error}
    if fields is not None:
        body["fields"] = fields
    headers = None if retry_after is None else {"Retry-After": str(retry_after)}
    return web.json_response(body, status=status, headers=headers)


@web.middleware
async def translate_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer every failure with JSON that names the problem; a 500 only for our own bugs.
    A refused lead (a 4xx of the intake, the sender still there) is kept in failed_intake."""
    response = await _answer(request, handler)
    if (request.path == INTAKE_PATH and isinstance(response, web.Response)
            and response.status in _REFUSALS and not attempt(request).gone):
        await keep(request, response)
    elif (request.path in _PLATFORM_PATHS and isinstance(response, web.Response)
          and response.status in _REFUSALS and attempt(request).source is not None):
        await keep(request, response)  # signed by a platform's secret, yet not taken
    return response


async def _answer(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except InvalidInput as exc:
        fields = [{"field": p.field, "problem": p.problem} for p in exc.problems]
        log.info("a lead was refused as invalid",
                 extra={**_caller(request), **_loggable(exc.problems)})
        return _problem(422, "invalid lead", fields)
    except UnknownSource:
        return _unknown_source(request)
    except BadBody as exc:
        if exc.encoding:
            attempt(request).reason = FailureReason.ENCODING
        return _problem(exc.status, exc.error, [{"field": "body", "problem": exc.problem}])
    except TooLarge as exc:
        noted = attempt(request)
        noted.body, noted.truncated = exc.head, True
        return _too_large()
    except SenderGone:
        # Nobody is left to answer, and nothing was stored: not our failure.
        attempt(request).gone = True
        log.info("a sender went away before its whole body arrived", extra=_caller(request))
        return _problem(400, "body incomplete")
    except DomainError as exc:
        return _problem(409, exc.key)
    except StorageUnavailable as exc:
        # Our trouble, not the sender's, and passing: a sender retries on 503 (Meta, Google
        # and Zapier do), and nothing was stored, so the retry makes no duplicate.
        log.warning("a lead could not be stored: the database does not answer (%s)",
                    exc.__cause__.__class__.__name__, extra=_caller(request))
        return _problem(503, "the database does not answer; the lead was not stored, please "
                             "retry", retry_after=30)
    except web.HTTPRequestEntityTooLarge:
        return _too_large()
    except web.HTTPException as exc:
        if exc.status >= 400:
            answer = _problem(exc.status, exc.reason)
            if "Allow" in exc.headers:  # a 405 says which methods there are (RFC 9110)
                answer.headers["Allow"] = exc.headers["Allow"]
            return answer
        raise
    except Exception:
        log.exception("intake failed on %s %s", request.method, request.path,
                      extra=_caller(request))
        return _problem(500, "internal error; the lead was not stored, please retry")


def _loggable(problems: list[FieldProblem]) -> dict[str, object]:
    """The problems with known fields by name, and how many unknown fields there were."""
    return {"problems": {p.field: p.problem for p in problems if p.field in _LOGGED_FIELDS},
            "unknown_fields": sum(1 for p in problems if p.field not in _LOGGED_FIELDS)}


def _unknown_source(request: web.Request) -> web.Response:
    # Who called, never the token they sent: it may be a real one with a typo.
    log.warning("a lead was refused: unknown or missing source token", extra=_caller(request))
    return _problem(401, "unknown or missing source token")


def _too_large() -> web.Response:
    return _problem(413, f"body larger than {MAX_BODY_BYTES} bytes")


def _caller(request: web.Request) -> dict[str, object]:
    """Where a request came from, for the log: address, path and client, nothing it sent."""
    caller: dict[str, object] = {
        "remote": request.remote, "path": _printable(request.path, 120),
        "user_agent": _printable(request.headers.get("User-Agent", ""), 120)}
    # Behind nginx (docs/deploy.md) the remote is the proxy; the client is in this header.
    forwarded = request.headers.get("X-Forwarded-For")
    if forwarded:
        caller["forwarded_for"] = _printable(forwarded, 120)
    return caller


def _printable(text: str, limit: int) -> str:
    """*text* cut to *limit*, with what a log line cannot show as-is escaped."""
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text[:limit])


def _bearer(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


def _source(request: web.Request, token: str | None) -> SourceConfig | None:
    return request.app[APP]().config.source_by_token(token) if token else None


def _before_body(request: web.Request) -> web.Response | None:
    """The refusal that the headers alone call for, if any; also before `100 Continue`."""
    known = _source(request, _bearer(request))
    attempt(request).source = known.name if known is not None else None
    content_type = request.content_type
    if content_type not in (_JSON, _FORM, _MULTIPART):
        return _problem(415, f"send {_JSON}, {_FORM} or {_MULTIPART}", [
            {"field": "Content-Type", "problem": f"{_printable(content_type, 80)!r} not accepted"}])
    charset = request.charset
    if content_type == _FORM and charset is not None and charset.lower() not in _UTF8:
        attempt(request).reason = FailureReason.ENCODING
        return _problem(415, "send forms in UTF-8", [
            {"field": "Content-Type",
             "problem": f"charset {_printable(charset, 40)!r} not accepted; send utf-8"}])
    if (request.content_length or 0) > MAX_BODY_BYTES:
        return _too_large()
    token = _bearer(request)
    # JSON needs the header's token; a form may carry its own, so only a wrong one ends it here.
    if (token is None and content_type == _JSON) or (token and _source(request, token) is None):
        return _unknown_source(request)
    return None


async def _expect(request: web.Request) -> web.StreamResponse | None:
    """Answer `Expect: 100-continue` with the refusal the headers call for, if any."""
    refusal = _before_body(request)
    if refusal is not None:
        # Answered before the body is sent (and outside the middleware): kept without it.
        await keep(request, refusal, body_sent=False)
        return refusal
    # Not aiohttp's handler: it echoes an unknown Expect in its 417 and fails on non-UTF-8.
    if request.headers.get("Expect", "").lower() != "100-continue":
        return _problem(417, "only Expect: 100-continue is understood",
                        [{"field": "Expect", "problem": "is not 100-continue"}])
    if request.version >= HttpVersion11:
        await request.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        request.writer.output_size = 0  # aiohttp takes a non-zero size as a response begun
    return None


def _over_rate(request: web.Request, source: SourceConfig) -> web.Response | None:
    guard = request.app[GUARD]
    clock = guard.clock or request.app[APP]().deps.clock
    wait = guard.rates.take(source.name, per_minute=source.requests_per_minute, now=clock.now())
    if not wait:
        return None
    log.info("a lead was refused: source over its rate", extra={
        **_caller(request), "source": source.name, "per_minute": source.requests_per_minute})
    return _problem(429, f"more than {source.requests_per_minute} requests a minute from this "
                         f"source; retry after {wait} s", retry_after=wait)


async def receive_lead(request: web.Request) -> web.Response:
    """Take one lead as JSON, or as a form post from a plain HTML form."""
    noted = attempt(request)
    refusal = _before_body(request)
    if refusal is not None:
        return refusal
    token = _bearer(request)
    source = _source(request, token)
    if source is not None and (refusal := _over_rate(request, source)) is not None:
        return refusal
    read = bytearray()
    try:
        body = await read_body(request, within=request.app[GUARD].body_timeout, into=read)
    finally:
        noted.body = noted.body if noted.body is not None else bytes(read)
    payload, field_token = parse_payload(request.headers.get("Content-Type", ""), body)
    if source is None:
        # An HTML form cannot set headers, so it may carry its source token as a field.
        token = field_token
        source = _source(request, token)
        if source is None:
            raise UnknownSource()
        noted.source = source.name
        if (refusal := _over_rate(request, source)) is not None:
            return refusal
    thank_you = None
    if request.content_type != _JSON:  # a browser's form may ask for a thank-you page
        asked = payload.pop(_REDIRECT, None)
        thank_you = source.thank_you(asked if isinstance(asked, str) else None)
    if source.honeypot is not None and payload.pop(source.honeypot, None) not in (None, ""):
        # Only a bot fills a field nobody sees: kept as spam, answered as if taken.
        await keep(request, web.json_response({"error": "honeypot field filled"}),
                   reason=FailureReason.SPAM)
        return web.json_response({"lead_id": None}, status=200)
    # Answered once stored: from then on the lead cannot be lost, and routing follows at once
    # (in this instance or any other), so the sender never waits for our routing turn.
    result = await request.app[APP]().receive_lead(source_token=token, payload=payload,
                                                   routed=False)
    if thank_you is not None:  # a browser's form: to the office's own thank-you page
        raise web.HTTPSeeOther(thank_you)
    answer: dict[str, object] = {"lead_id": result.lead_id}
    if result.flags:  # kept despite these fields: the sender may want to fix its form
        answer["flags"] = dict(result.flags)
    return web.json_response(answer, status=201 if result.created else 200)


async def healthz(_request: web.Request) -> web.Response:
    """Alive."""
    return web.json_response({"status": "ok"})


def build_intake_app(
    current: CurrentApp, *, figures: OfficeFigures | None = None,
    readiness: Readiness | None = None, telegram: BotApiHealth | None = None,
    body_timeout: float = BODY_TIMEOUT, clock: Clock | None = None,
) -> web.Application:
    """The aiohttp application with its routes and error translation.

    A body must arrive within *body_timeout* seconds. Sources' rates are counted by *clock*
    (the current app's by default). /metrics and /readyz are served only when given what
    they read from; /metrics says whether Telegram answers when given how to ask.
    """
    app = web.Application(client_max_size=MAX_BODY_BYTES, middlewares=[translate_errors])
    app[APP] = current
    app[GUARD] = _Guard(body_timeout, clock, RateLimits())
    app[DROPPED] = [0]
    app[REFUSED_SIGNATURES] = {}
    app.router.add_post(INTAKE_PATH, receive_lead, expect_handler=_expect)
    add_meta_routes(app)
    add_google_routes(app)
    add_whatsapp_routes(app)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/openapi.json", openapi)
    if telegram is not None:
        app[TELEGRAM] = telegram
    if figures is not None:
        app[FIGURES] = figures
        app.router.add_get("/metrics", metrics)
    if readiness is not None:
        app[READINESS] = readiness
        app.router.add_get("/readyz", readyz)
    return app
