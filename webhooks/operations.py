"""What operators ask of a running instance: `/readyz` (can it do its job now) and
`/metrics` (the office's figures, as Prometheus reads them)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping
from datetime import datetime

from aiohttp import web

from core.clock import Clock
from core.model import LeadStatus, OfferStatus
from core.ports import BotApiHealth, DeliveryErrorKind, OfficeFigures, Snapshot, outbox_lag
from webhooks.keys import APP, FIGURES

log = logging.getLogger(__name__)

Check = dict[str, object]


def _reason(exc: BaseException, timeout: float) -> str:
    """Why a check failed, in one short line: no traceback, nothing from the request."""
    if isinstance(exc, TimeoutError):
        return f"no answer within {timeout:g} s"
    return f"{type(exc).__name__}: {exc}"[:200]


class Readiness:
    """Whether this instance can do its job: the database, the Bot API and the outbox."""

    def __init__(
        self, store: OfficeFigures, bot_api: BotApiHealth, clock: Clock, *,
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
    kinds = [kind.value for kind in DeliveryErrorKind]
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


READINESS = web.AppKey("readiness", Readiness)


async def readyz(request: web.Request) -> web.Response:
    """Ready when the database, the Bot API and the outbox are all well; 503 naming what is not."""
    ready, checks = await request.app[READINESS].check()
    return web.json_response({"status": "ready" if ready else "not ready", "checks": checks},
                             status=200 if ready else 503)


async def metrics(request: web.Request) -> web.Response:
    """The office's figures in the Prometheus text format, read from the database now."""
    app = request.app[APP]()
    try:
        snapshot = await request.app[FIGURES].snapshot()
    except Exception:
        log.exception("could not read the figures for /metrics")
        return web.Response(status=503, text="could not read the figures from the database\n")
    text = render_metrics(snapshot, now=app.deps.clock.now(),
                          sources=[source.name for source in app.config.sources])
    return web.Response(body=text.encode(), headers={"Content-Type": PROMETHEUS_TEXT})


