"""The intake server: marketing sources post leads here, authenticated by a per-source token."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import datetime

from aiohttp import web
from telegram import Bot

from core.clock import Clock
from core.errors import DomainError, InvalidInput, UnknownSource
from core.model import LeadStatus, OfferStatus
from leadrelay.bootstrap import Leadrelay
from storage.metrics import DELIVERY_ERROR_KINDS, OTHER_ERROR, MetricsStore, Snapshot, outbox_lag

log = logging.getLogger(__name__)

RELAY = web.AppKey("relay", Leadrelay)
MAX_BODY_BYTES = 64 * 1024
_JSON = "application/json"
_FORM = "application/x-www-form-urlencoded"
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
                 extra={**_caller(request), "problems": {p.field: p.problem
                                                         for p in exc.problems}})
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
    result = await request.app[RELAY].receive_lead(source_token=token, payload=payload,
                                                   routed=False)
    return web.json_response({"lead_id": result.lead_id}, status=201 if result.created else 200)


def _single(value: object) -> str | None:
    return value if isinstance(value, str) else None


async def healthz(_request: web.Request) -> web.Response:
    """Alive."""
    return web.json_response({"status": "ok"})


# --- readiness ------------------------------------------------------------------------------

Check = dict[str, object]


def _reason(exc: BaseException, timeout: float) -> str:
    """Why a check failed, in one short line: no traceback, nothing from the request."""
    if isinstance(exc, TimeoutError):
        return f"no answer within {timeout:g} s"
    return f"{type(exc).__name__}: {exc}"[:200]


class BotApiProbe:
    """Asks Telegram for getMe, remembering a success for a while and sharing one call in flight.

    A scrape storm then costs Telegram one request per *cache_seconds* while all is well,
    and one request at a time while it is not.
    """

    def __init__(self, bot: Bot, *, timeout: float = 3.0, cache_seconds: float = 10.0) -> None:
        self._bot = bot
        self._timeout = timeout
        self._cache_seconds = cache_seconds
        self._ok_until = float("-inf")
        self._inflight: asyncio.Task[str | None] | None = None

    async def problem(self) -> str | None:
        """None when the Bot API answers, or answered lately; otherwise why it did not."""
        loop = asyncio.get_running_loop()
        if loop.time() < self._ok_until:
            return None
        task = self._inflight
        if task is None:
            task = self._inflight = loop.create_task(self._ask(), name="readyz-getMe")
            task.add_done_callback(self._settled)
        # Shielded: one impatient client leaving must not cancel the call others wait for.
        return await asyncio.shield(task)

    def _settled(self, task: asyncio.Task[str | None]) -> None:
        if self._inflight is task:
            self._inflight = None

    async def _ask(self) -> str | None:
        t = self._timeout
        try:
            async with asyncio.timeout(t):
                await self._bot.get_me(connect_timeout=t, read_timeout=t, write_timeout=t,
                                       pool_timeout=t)
        except Exception as exc:  # every way of not answering means not ready
            return _reason(exc, t)
        self._ok_until = asyncio.get_running_loop().time() + self._cache_seconds
        return None


class Readiness:
    """Whether this instance can do its job: the database, the Bot API and the outbox."""

    def __init__(
        self, store: MetricsStore, bot_api: BotApiProbe, clock: Clock, *,
        max_outbox_lag: float = 60.0, timeout: float = 3.0,
    ) -> None:
        self._store = store
        self._bot_api = bot_api
        self._clock = clock
        self._max_outbox_lag = max_outbox_lag
        self._timeout = timeout

    async def check(self) -> tuple[bool, dict[str, Check]]:
        """Run every check at once; ready only if all pass, with each one's verdict."""
        database, bot_api, outbox = await asyncio.gather(
            self._database(), self._bot(), self._outbox())
        checks = {"database": database, "bot_api": bot_api, "outbox": outbox}
        failed = {name: check["error"] for name, check in checks.items() if not check["ok"]}
        if failed:
            log.warning("not ready: %s", failed, extra={"failed_checks": sorted(failed)})
        return not failed, checks

    async def _database(self) -> Check:
        try:
            async with asyncio.timeout(self._timeout):
                await self._store.ping()
        except Exception as exc:  # a driver raises many unrelated types; all mean not ready
            return {"ok": False, "error": _reason(exc, self._timeout)}
        return {"ok": True}

    async def _bot(self) -> Check:
        problem = await self._bot_api.problem()
        return {"ok": True} if problem is None else {"ok": False, "error": problem}

    async def _outbox(self) -> Check:
        limit = self._max_outbox_lag
        try:
            async with asyncio.timeout(self._timeout):
                oldest = await self._store.oldest_unsent()
        except Exception as exc:  # as for the database check
            return {"ok": False, "max_lag_seconds": limit,
                    "error": f"could not read the outbox: {_reason(exc, self._timeout)}"}
        lag = round(outbox_lag(oldest, self._clock.now()), 3)
        if lag < limit:
            return {"ok": True, "lag_seconds": lag, "max_lag_seconds": limit}
        return {"ok": False, "lag_seconds": lag, "max_lag_seconds": limit,
                "error": f"the oldest unsent message has waited {lag:g} s, "
                         f"the limit is {limit:g} s"}


# --- metrics ---------------------------------------------------------------------------------

PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"
Sample = tuple[Mapping[str, str], float]


def _label_value(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")


def _number(value: float) -> str:
    return str(value) if isinstance(value, int) else repr(float(value))


def _family(name: str, kind: str, help_text: str, samples: Iterable[Sample]) -> list[str]:
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
    for labels, value in samples:
        pairs = ",".join(f'{key}="{_label_value(label)}"' for key, label in labels.items())
        lines.append(f"{name}{{{pairs}}} {_number(value)}" if pairs else
                     f"{name} {_number(value)}")
    return lines


def _by(label: str, counts: Mapping[str, int], known: Iterable[str]) -> list[Sample]:
    """One sample per value seen or known, so a series reads 0 instead of vanishing."""
    values = sorted({*known, *counts})
    return [({label: value}, counts.get(value, 0)) for value in values]


def render_metrics(snapshot: Snapshot, *, now: datetime, sources: Iterable[str] = ()) -> str:
    """The Prometheus text exposition (format 0.0.4) of one snapshot taken at *now*."""
    offers = snapshot.answerable_by_status
    kinds = [kind for kind, _ in DELIVERY_ERROR_KINDS] + [OTHER_ERROR]
    families = [
        _family("leadrelay_leads_received_total", "counter", "Leads received, by source.",
                _by("source", snapshot.leads_by_source, sources)),
        _family("leadrelay_offers_total", "counter", "Offers made to agents.",
                [({}, snapshot.offers)]),
        _family("leadrelay_offers_accepted_total", "counter", "Offers an agent accepted.",
                [({}, offers.get(OfferStatus.ACCEPTED, 0))]),
        _family("leadrelay_offers_declined_total", "counter", "Offers an agent declined.",
                [({}, offers.get(OfferStatus.DECLINED, 0))]),
        _family("leadrelay_offers_expired_total", "counter",
                "Offers nobody answered within the accept window (SLA breaches).",
                [({}, offers.get(OfferStatus.EXPIRED, 0))]),
        _family("leadrelay_escalations_total", "counter", "Leads escalated to managers.",
                [({}, snapshot.escalations)]),
        _family("leadrelay_leads", "gauge", "Leads now, by status.",
                _by("status", snapshot.leads_by_status, [s.value for s in LeadStatus])),
        _family("leadrelay_outbox_backlog", "gauge", "Telegram messages waiting to be sent.",
                [({}, snapshot.outbox_backlog)]),
        _family("leadrelay_outbox_lag_seconds", "gauge",
                "Age of the oldest message waiting to be sent; 0 when none waits.",
                [({}, snapshot.outbox_lag(now))]),
        _family("leadrelay_outbox_sent_total", "counter", "Telegram messages sent.",
                [({}, snapshot.outbox_sent)]),
        _family("leadrelay_outbox_failed_total", "counter",
                "Telegram messages given up on for good.", [({}, snapshot.outbox_failed)]),
        _family("leadrelay_delivery_errors_total", "counter",
                "Telegram messages that met a delivery error, by the kind of their last one.",
                _by("kind", snapshot.delivery_errors, kinds)),
        _family("leadrelay_audit_runs_total", "counter", "Runs of the auditor.",
                [({}, snapshot.audit.get("runs", 0))]),
        _family("leadrelay_audit_rerouted_total", "counter",
                "Leads nobody held that the auditor routed again.",
                [({}, snapshot.audit.get("rerouted", 0))]),
        _family("leadrelay_audit_resent_total", "counter",
                "Messages stuck in the outbox that the auditor made due again.",
                [({}, snapshot.audit.get("resent", 0))]),
    ]
    return "\n".join(line for family in families for line in family) + "\n"


METRICS = web.AppKey("metrics", MetricsStore)
READINESS = web.AppKey("readiness", Readiness)


async def readyz(request: web.Request) -> web.Response:
    """Ready when the database, the Bot API and the outbox are all well; 503 naming what is not."""
    ready, checks = await request.app[READINESS].check()
    return web.json_response({"status": "ready" if ready else "not ready", "checks": checks},
                             status=200 if ready else 503)


async def metrics(request: web.Request) -> web.Response:
    """The office's figures in the Prometheus text format, read from the database now."""
    relay = request.app[RELAY]
    try:
        snapshot = await request.app[METRICS].snapshot()
    except Exception:
        log.exception("could not read the figures for /metrics")
        return web.Response(status=503, text="could not read the figures from the database\n")
    text = render_metrics(snapshot, now=relay.deps.clock.now(),
                          sources=[source.name for source in relay.config.sources])
    return web.Response(body=text.encode(), headers={"Content-Type": PROMETHEUS_TEXT})


def build_intake_app(
    relay: Leadrelay, *, metrics_store: MetricsStore | None = None,
    readiness: Readiness | None = None,
) -> web.Application:
    """The aiohttp application with its routes and error translation.

    /metrics and /readyz are served only when given what they read from.
    """
    app = web.Application(client_max_size=MAX_BODY_BYTES, middlewares=[translate_errors])
    app[RELAY] = relay
    app.router.add_post("/webhooks/leads", receive_lead)
    app.router.add_get("/healthz", healthz)
    if metrics_store is not None:
        app[METRICS] = metrics_store
        app.router.add_get("/metrics", metrics)
    if readiness is not None:
        app[READINESS] = readiness
        app.router.add_get("/readyz", readyz)
    return app
