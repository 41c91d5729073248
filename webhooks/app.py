"""The intake server: marketing sources post leads here, authenticated by a per-source token."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from core.errors import DomainError, FieldProblem, InvalidInput, UnknownSource
from core.lead_input import FIELDS
from core.ports import BotApiHealth, OfficeFigures
from webhooks.keys import APP, FIGURES, TELEGRAM, CurrentApp
from webhooks.operations import READINESS, Readiness, metrics, readyz

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
_JSON = "application/json"
_FORM = "application/x-www-form-urlencoded"
# Names the log may show: a sender's own field names can be anything, up to a whole JSON body
# (`curl -d '{…}'` posts a form whose one field name is the body), so others are only counted.
_LOGGED_FIELDS = frozenset(FIELDS) | {"token", "source"}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _problem(status: int, error: str, fields: list[dict[str, str]] | None = None) -> web.Response:
    body: dict[str, object] = {"error": error}
    if fields is not None:
        body["fields"] = fields
    return web.json_response(body, status=status)


@web.middleware
async def translate_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer every failure with JSON that names the problem; a 500 only for our own bugs."""
    try:
        return await handler(request)
    except InvalidInput as exc:
        fields = [{"field": p.field, "problem": p.problem} for p in exc.problems]
        log.info("a lead was refused as invalid",
                 extra={**_caller(request), **_loggable(exc.problems)})
        return _problem(422, "invalid lead", fields)
    except UnknownSource:
        # Who called, never the token they sent: it may be a real one with a typo.
        log.warning("a lead was refused: unknown or missing source token",
                    extra=_caller(request))
        return _problem(401, "unknown or missing source token")
    except DomainError as exc:
        return _problem(409, exc.key)
    except web.HTTPRequestEntityTooLarge:
        return _problem(413, f"body larger than {MAX_BODY_BYTES} bytes")
    except web.HTTPException as exc:
        if exc.status >= 400:
            return _problem(exc.status, exc.reason)
        raise
    except Exception:
        log.exception("intake failed on %s %s", request.method, request.path,
                      extra=_caller(request))
        return _problem(500, "internal error; the lead was not stored, please retry")


def _loggable(problems: list[FieldProblem]) -> dict[str, object]:
    """The problems with known fields by name, and how many unknown fields there were."""
    return {"problems": {p.field: p.problem for p in problems if p.field in _LOGGED_FIELDS},
            "unknown_fields": sum(1 for p in problems if p.field not in _LOGGED_FIELDS)}


def _caller(request: web.Request) -> dict[str, object]:
    """Where a request came from, for the log: address, path and client, nothing it sent."""
    caller: dict[str, object] = {"remote": request.remote, "path": request.path,
                                 "user_agent": request.headers.get("User-Agent", "")[:120]}
    # Behind nginx (docs/deploy.md) the remote is the proxy; the client is in this header.
    forwarded = request.headers.get("X-Forwarded-For")
    if forwarded:
        caller["forwarded_for"] = forwarded[:120]
    return caller


def _bearer(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


async def receive_lead(request: web.Request) -> web.Response:
    """Take one lead as JSON, or as a form post from a plain HTML form."""
    content_type = request.content_type
    token = _bearer(request)
    if content_type == _JSON:
        if token is None:
            raise UnknownSource()
        try:
            payload = json.loads(await request.read())
        except (ValueError, UnicodeDecodeError):
            return _problem(400, "body is not valid JSON", [{"field": "body",
                                                            "problem": "is not valid JSON"}])
        if not isinstance(payload, dict):
            return _problem(400, "body must be a JSON object",
                            [{"field": "body", "problem": "must be a JSON object"}])
    elif content_type == _FORM:
        form = await request.post()
        # An HTML form cannot set headers, so it may carry its source token as a field.
        token = token or _single(form.get("token")) or request.query.get("token")
        if token is None:
            raise UnknownSource()
        payload = {key: _single(value) for key, value in form.items() if key != "token"}
    else:
        return _problem(415, f"send {_JSON} or {_FORM}",
                        [{"field": "Content-Type", "problem": f"{content_type!r} not accepted"}])
    # Answered once stored: from then on the lead cannot be lost, and routing follows at once
    # (in this instance or any other), so the sender never waits for our routing turn.
    result = await request.app[APP]().receive_lead(source_token=token, payload=payload,
                                                   routed=False)
    return web.json_response({"lead_id": result.lead_id}, status=201 if result.created else 200)


def _single(value: object) -> str | None:
    return value if isinstance(value, str) else None


async def healthz(_request: web.Request) -> web.Response:
    """Alive."""
    return web.json_response({"status": "ok"})


def build_intake_app(
    current: CurrentApp, *, figures: OfficeFigures | None = None,
    readiness: Readiness | None = None, telegram: BotApiHealth | None = None,
) -> web.Application:
    """The aiohttp application with its routes and error translation.

    /metrics and /readyz are served only when given what they read from; /metrics says
    whether Telegram answers when given how to ask.
    """
    app = web.Application(client_max_size=MAX_BODY_BYTES, middlewares=[translate_errors])
    app[APP] = current
    app.router.add_post("/webhooks/leads", receive_lead)
    app.router.add_get("/healthz", healthz)
    if telegram is not None:
        app[TELEGRAM] = telegram
    if figures is not None:
        app[FIGURES] = figures
        app.router.add_get("/metrics", metrics)
    if readiness is not None:
        app[READINESS] = readiness
        app.router.add_get("/readyz", readyz)
    return app
