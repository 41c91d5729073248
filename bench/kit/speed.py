"""Speed to lead at a fixed rate: the warm-up and the timed phase `speed_to_lead.py` and
`trace.py` run, against leadrelay or the baseline server."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import aiohttp

from bench.kit.load import Posted, open_loop, post_lead
from bench.kit.meters import CpuMeter
from bench.kit.process import Leadrelay
from bench.kit.watch import OfferWatch

OFFER_TIMEOUT_S = 5.0  # a lead without its offer after this long counts as "no offer"
WARMUP_LEADS = 10


@dataclass
class SpeedResult:
    """Figures of the fixed-rate phase."""

    planned: int
    created: int
    offer_ms: list[float]
    answer_ms: list[float]
    no_offer: int
    statuses: Counter[str]
    send_span: float
    cpu: tuple[float, float]
    posted: list[Posted]
    cpu_s: float  # the seconds `cpu` was measured over: from the first post to the last offer


async def warm_up(session: aiohttp.ClientSession, url: str, watch: OfferWatch,
                  numbers: Iterator[str]) -> None:
    """Post a few leads one by one and wait for their offers, so pools and caches are warm."""
    ids = []
    for _ in range(WARMUP_LEADS):
        posted = await post_lead(session, url, next(numbers))
        if posted.lead_id is None:
            raise RuntimeError(f"warm-up lead was refused with {posted.status}")
        ids.append(posted.lead_id)
    await watch.wait_all(ids, time.monotonic() + OFFER_TIMEOUT_S)
    missing = [lead for lead in ids if lead not in watch.seen]
    if missing:
        raise RuntimeError(f"warm-up leads {missing} got no offer within {OFFER_TIMEOUT_S}s")


async def speed_to_lead(session: aiohttp.ClientSession, relay: Leadrelay, watch: OfferWatch,
                        numbers: Iterator[str], *, rate: float, seconds: float) -> SpeedResult:
    """Post leads on a fixed schedule (open loop) and time each one to its offer."""
    url = f"{relay.base}/webhooks/leads"
    planned = max(1, round(rate * seconds))
    meter = CpuMeter(relay.pid)
    tasks = await open_loop(session, url, numbers, count=planned, rate=rate,
                            start=time.monotonic() + 0.01)
    async with asyncio.timeout(OFFER_TIMEOUT_S + 30):
        results = await asyncio.gather(*tasks)
    send_span = results[-1].sent_at - results[0].sent_at
    created = [r for r in results if r.lead_id is not None]
    ids = [r.lead_id for r in created if r.lead_id is not None]
    await watch.wait_all(ids, max(r.sent_at for r in results) + OFFER_TIMEOUT_S)
    cpu = meter.read()
    cpu_s = time.monotonic() - meter.wall0
    offer_ms, no_offer = [], 0
    for posted in created:
        assert posted.lead_id is not None
        seen = watch.seen.get(posted.lead_id)
        if seen is None or seen - posted.sent_at > OFFER_TIMEOUT_S:
            no_offer += 1
        if seen is not None:
            offer_ms.append((seen - posted.sent_at) * 1000)
    return SpeedResult(
        planned=planned, created=len(created), offer_ms=offer_ms,
        answer_ms=[(r.answered_at - r.sent_at) * 1000 for r in created], no_offer=no_offer,
        statuses=Counter(r.status for r in results), send_span=send_span, cpu=cpu,
        posted=list(results), cpu_s=cpu_s)
