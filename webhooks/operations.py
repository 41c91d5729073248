"""What operators ask of a running instance: `/readyz` (can it do its job now) and
`/metrics` (the office's figures, as Prometheus reads them)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from core.lifecycle.gauges import Gauge, office_gauges
from core.model import Channel, LeadStatus, OfferStatus
from core.model.failures import FailureReason
from core.ports import DeliveryErrorKind, InstanceHealth, OfficeFigures, Snapshot
from webhooks.keys import APP, DROPPED, FIGURES, REFUSED_SIGNATURES, TELEGRAM

log = logging.getLogger(__name__)

Check = dict[str, object]
_PLATFORM_CHANNELS = (Channel.META.value, Channel.WHATSAPP.value, Channel.GOOGLE_ADS.value)
MetricFamily = CounterMetricFamily | GaugeMetricFamily


def _reason(exc: BaseException, timeout: float) -> str:
    """Why a check failed, in one short line: no traceback, nothing from the request."""
    if isinstance(exc, TimeoutError):
        return f"no answer within {timeout:g} s"
    return f"{type(exc).__name__}: {exc}"[:200]


class Readiness:
    """Whether *this instance* can serve: its database connection and its own loops.

    Not the outbox's lag nor Telegram's health: both are shared by every instance, so a
    burst of leads (a web form's token is public) or Telegram's trouble would take every
    instance out of the load balancer at once, and nobody could take leads in. Those are in
    /metrics, to alert on.
    """

    def __init__(self, store: OfficeFigures, instance: InstanceHealth, *,
                 timeout: float = 3.0) -> None:
        self._store = store
        self._instance = instance
        self._timeout = timeout

    async def check(self) -> tuple[bool, dict[str, Check]]:
        """Run every check; ready only if all pass, with each one's verdict."""
        checks = {"database": await self._database(), "loops": self._loops()}
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

    def _loops(self) -> Check:
        stopped = self._instance.problems()
        if not stopped:
            return {"ok": True}
        return {"ok": False, "error": "; ".join(f"{name}: {why}" for name, why in
                                                sorted(stopped.items()))}


# --- metrics ---------------------------------------------------------------------------------


def _by(family: MetricFamily, counts: Mapping[str, int], known: Iterable[str]) -> MetricFamily:
    """One sample per value seen or known, so a series reads 0 instead of vanishing."""
    for value in sorted({*known, *counts}):
        family.add_metric([value], counts.get(value, 0))
    return family


class SnapshotCollector:
    """The metric families of one snapshot taken at *now*, for prometheus-client.

    Its collectors are synchronous and our figures are read from the database asynchronously,
    so each scrape reads a snapshot first and then registers one of these in a registry made
    for that scrape alone.
    """

    def __init__(self, snapshot: Snapshot, *, now: datetime, sources: Iterable[str] = (),
                 telegram_up: bool | None = None, dropped: int = 0,
                 refused: Mapping[str, int] | None = None,
                 office: Sequence[Gauge] = ()) -> None:
        self._snapshot = snapshot
        self._office = office
        self._refused = dict(refused or {})
        self._dropped = dropped
        self._now = now
        self._sources = list(sources)
        self._telegram_up = telegram_up

    def collect(self) -> Iterator[Metric]:
        """Every family, in the order /metrics has always listed them."""
        figures = self._snapshot
        offers = figures.answerable_by_status
        # The counters are named with their `_total`, as exposed; prometheus-client takes it
        # off the family's name and puts it back on the samples.
        yield _by(CounterMetricFamily("leadrelay_leads_received_total",
                                      "Leads received, by source.", labels=["source"]),
                  figures.leads_by_source, self._sources)
        yield CounterMetricFamily("leadrelay_offers_total", "Offers made to agents.",
                                  value=figures.offers)
        yield CounterMetricFamily("leadrelay_offers_accepted_total", "Offers an agent accepted.",
                                  value=offers.get(OfferStatus.ACCEPTED, 0))
        yield CounterMetricFamily("leadrelay_offers_declined_total", "Offers an agent declined.",
                                  value=offers.get(OfferStatus.DECLINED, 0))
        yield CounterMetricFamily(
            "leadrelay_offers_expired_total",
            "Offers nobody answered within the accept window (SLA breaches).",
            value=offers.get(OfferStatus.EXPIRED, 0))
        yield CounterMetricFamily("leadrelay_escalations_total", "Leads escalated to managers.",
                                  value=figures.escalations)
        yield _by(GaugeMetricFamily("leadrelay_leads", "Leads now, by status.",
                                    labels=["status"]),
                  figures.leads_by_status, [status.value for status in LeadStatus])
        yield GaugeMetricFamily("leadrelay_outbox_backlog",
                                "Telegram messages waiting to be sent.",
                                value=figures.outbox_backlog)
        yield GaugeMetricFamily(
            "leadrelay_outbox_lag_seconds",
            "Age of the oldest message waiting to be sent; 0 when none waits.",
            value=figures.outbox_lag(self._now))
        yield CounterMetricFamily("leadrelay_outbox_sent_total", "Telegram messages sent.",
                                  value=figures.outbox_sent)
        yield CounterMetricFamily("leadrelay_outbox_failed_total",
                                  "Telegram messages given up on for good.",
                                  value=figures.outbox_failed)
        yield _by(CounterMetricFamily(
            "leadrelay_delivery_errors_total",
            "Telegram messages that met a delivery error, by the kind of their last one.",
            labels=["kind"]), figures.delivery_errors, [kind.value for kind in DeliveryErrorKind])
        yield CounterMetricFamily("leadrelay_audit_runs_total", "Runs of the auditor.",
                                  value=figures.audit.get("runs", 0))
        yield CounterMetricFamily("leadrelay_audit_rerouted_total",
                                  "Leads nobody held that the auditor routed again.",
                                  value=figures.audit.get("rerouted", 0))
        yield CounterMetricFamily(
            "leadrelay_audit_resent_total",
            "Messages stuck in the outbox that the auditor made due again.",
            value=figures.audit.get("resent", 0))
        yield _by(CounterMetricFamily(
            "leadrelay_intake_failures_total",
            "Posts that could not become leads, by reason (kept in failed_intake, or kept and "
            "since purged).", labels=["reason"]),
            figures.intake_failures, [reason.value for reason in FailureReason])
        yield CounterMetricFamily(
            "leadrelay_intake_failures_dropped_total",
            "Refused posts this instance did not keep, over the hour's cap (per source).",
            value=self._dropped)
        yield _by(CounterMetricFamily(
            "leadrelay_webhook_refused_total",
            "Platform posts this instance refused for a wrong signature or key (stored "
            "nowhere), by channel.", labels=["channel"]),
            self._refused, _PLATFORM_CHANNELS)
        if self._telegram_up is not None:
            yield GaugeMetricFamily(
                "leadrelay_telegram_up",
                "1 when Telegram's Bot API answers this bot (asked at most every 10 s), else 0.",
                value=int(self._telegram_up))
        yield from _office_families(self._office)


_OFFICE_HELP = {
    "leadrelay_office_leads": "Leads that arrived in the period (not test, spam or /new).",
    "leadrelay_office_funnel_ratio": "The period's leads that reached each funnel step.",
    "leadrelay_office_speed_to_lead_seconds": "Arrival to first contact of the period's leads.",
    "leadrelay_office_sla_met_ratio": "Accept and first-contact deadlines met, of those judged.",
    "leadrelay_office_won_leads": "Leads won in the period.",
    "leadrelay_office_revenue": "Amounts recorded with Won in the period (office currency).",
    "leadrelay_office_commission": "Commission on the amounts won in the period.",
}


_OFFICE_LABELS = {name: ("period",) for name in _OFFICE_HELP} | {
    "leadrelay_office_funnel_ratio": ("period", "step"),
    "leadrelay_office_speed_to_lead_seconds": ("period", "quantile"),
    "leadrelay_office_sla_met_ratio": ("period", "sla")}


def _office_families(gauges: Sequence[Gauge]) -> Iterator[Metric]:
    """The office's key figures (core.lifecycle.gauges), one family per name, each listed
    even while it has no sample (a rate of no leads), so the names never come and go."""
    families = {name: GaugeMetricFamily(name, help_text, labels=list(_OFFICE_LABELS[name]))
                for name, help_text in _OFFICE_HELP.items()}
    for name, labels, value in gauges:
        family = families.get(name)
        if family is not None:
            family.add_metric([labels.get(key, "") for key in _OFFICE_LABELS[name]], value)
    yield from families.values()


def render_metrics(snapshot: Snapshot, *, now: datetime, sources: Iterable[str] = (),
                   telegram_up: bool | None = None, dropped: int = 0,
                   refused: Mapping[str, int] | None = None,
                   office: Sequence[Gauge] = ()) -> bytes:
    """The Prometheus text exposition of one snapshot taken at *now*.

    A registry of its own holds nothing but the snapshot: no process or platform collectors,
    and no `_created` series, which a snapshot read from the database has no time for.
    """
    registry = CollectorRegistry()
    registry.register(SnapshotCollector(snapshot, now=now, sources=sources,
                                        telegram_up=telegram_up, dropped=dropped,
                                        refused=refused, office=office))
    return generate_latest(registry)


READINESS = web.AppKey("readiness", Readiness)


async def readyz(request: web.Request) -> web.Response:
    """Ready when this instance's database connection and loops are well; 503 naming what
    is not."""
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
    telegram = request.app.get(TELEGRAM)
    telegram_up = None if telegram is None else await telegram.problem() is None
    try:
        office = (await app.run(office_gauges)).gauges
    except Exception:  # the operational figures still go out without the office's
        log.exception("could not work out the office's key figures for /metrics")
        office = ()
    body = render_metrics(snapshot, now=app.deps.clock.now(),
                          sources=[source.name for source in app.config.sources],
                          telegram_up=telegram_up, dropped=request.app.get(DROPPED, [0])[0],
                          refused=request.app.get(REFUSED_SIGNATURES), office=office)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


