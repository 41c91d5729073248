"""What happens to a year's lead after Accept (bench/kit/year.py): tries to reach the contact,
a missed first contact, a lead taken back, and the funnel's steps with their drop-off."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bench.kit.year import Rows, Stamp, Year
    from bench.kit.year_office import Member

TEMPERATURES = ("hot", "warm", "cold")
PRODUCTS = ("residential", "rental", "commercial", "land")
REGIONS_ELSEWHERE = ("Istanbul / Sarıyer", "Ankara / Çankaya", "Izmir / Karşıyaka")
DECLINES = ("busy", "area", "product", "other")
LOST_REASONS = ("price", "location", "elsewhere", "unreachable", "not_serious", "other")
# Leads an hour of an Istanbul day brings (0-23): quiet nights, late morning and evening peaks.
HOURS = (2, 1, 1, 1, 1, 2, 4, 7, 10, 13, 15, 15, 14, 13, 12, 12, 12, 13, 15, 17, 17, 14, 9, 5)
MIN, HOUR, DAY = 60.0, 3600.0, 86400.0
ACCEPT_WINDOW = {"hot": 5 * MIN, "warm": 30 * MIN, "cold": 2 * HOUR, "high_intent": 30 * MIN,
                 "event": 2 * HOUR}
CONTACT_WINDOW = {"hot": 15 * MIN, "warm": 2 * HOUR, "cold": 24 * HOUR,
                  "high_intent": 4 * HOUR, "event": 48 * HOUR}
FIRST_TRY = {"hot": 6 * MIN, "warm": 35 * MIN, "cold": 4 * HOUR}  # median, from Accept
RECLAIM_AFTER = 72 * HOUR  # work.reclaim.no_contact_within
# The funnel from a reached contact: each step's chance (hot ×1.3, cold ×0.6) and the median
# wait before it; a lead that misses a step is lost (60 %), kept warm (10 %) or left there
# (closed weeks later).
STEPS = (("info_sent", 0.45, 1 * DAY), ("appointment", 0.30, 3 * DAY),
         ("offer", 0.50, 7 * DAY), ("won", 0.38, 14 * DAY))
STALE_AFTER = 40 * DAY  # a lead left at its stage is closed about this long after
SOURCE_FIT = {"referrals": 1.4, "fair": 1.1, "sahibinden": 0.8, "meta-lead-ads": 0.85}
STAGE_ORDER = ("new", "contacted", "info_sent", "appointment", "offer", "won")


def lognormal(rng: random.Random, median: float, sigma: float) -> float:
    """A wait around *median* seconds with a long tail."""
    return median * math.exp(rng.gauss(0, sigma))


def micros(moment: float) -> int:
    """*moment* in whole microseconds, rounded as the stamps round it."""
    return round(moment * 1_000_000)


def iso(moment: float) -> str:
    """*moment* (epoch seconds) as ISO 8601 in UTC, as events' data holds times."""
    return datetime.fromtimestamp(moment, UTC).isoformat()


def amount_for(rng: random.Random, product: str, budget_max: int | None) -> int:
    """What a won lead's deal was worth (TRY): a sale's price, a rental's monthly rent."""
    if product == "rental":
        return int(round(rng.uniform(15_000, 90_000), -3))
    base = {"residential": 5e6, "commercial": 15e6, "land": 6e6}[product]
    if budget_max is not None:
        base = budget_max * 0.8
    return int(round(lognormal(rng, base, 0.35), -4))


@dataclass
class Lead:
    """One lead while its year is written: its row, and where its story stands."""

    id: int
    received: float
    source: str
    temperature: str
    product: str
    lead_type: str | None
    data: dict[str, Any] = field(default_factory=dict)
    owner: Member | None = None
    accepted: float = 0.0
    last: float = 0.0  # the latest offer's decision
    sequence: int = 0  # offers made
    stage_times: dict[str, float] = field(default_factory=dict)

    def finish(self, stamp: Stamp) -> None:
        """Set the columns the story decides: the furthest stage and its time."""
        reached = [s for s in STAGE_ORDER if s in self.stage_times]
        self.data["furthest_stage"] = reached[-1] if reached else "new"
        if self.data["stage"] != "new":
            self.data["stage_at"] = stamp(self.stage_times.get(self.data["stage"]))


@dataclass
class After:
    """A lead from Accept on, written through its Year."""

    year: Year
    rows: Rows
    lead: Lead

    def event(self, at: float, kind: str, data: dict[str, Any]) -> None:
        """An event of the lead's owner."""
        assert self.lead.owner is not None
        self.year.event(self.rows, self.lead, at, kind, self.lead.owner.telegram_id, data)

    def stage(self, at: float, to: str, **more: Any) -> None:
        """A stage change by the owner, as working.change_stage records it."""
        d = self.lead.data
        before = {"stage": d["stage"], "status": d["status"]}
        self.event(at, "stage", {"from": d["stage"], "to": to, "before": before, **more})
        d["stage"] = to
        self.lead.stage_times[to] = at
        if to in ("won", "lost"):
            d.update(status="closed", closed_at=self.year.stamp(at))


def work_after_accept(after: After) -> None:
    """Tries, a missed first contact or a lead taken back, then the funnel, up to `now`."""
    year, lead, rng = after.year, after.lead, after.year.rng
    first = lead.accepted + lognormal(rng, FIRST_TRY[lead.temperature], 1.1)
    never = rng.random() < 0.06
    due = lead.accepted + CONTACT_WINDOW.get(lead.lead_type or "",
                                             CONTACT_WINDOW[lead.temperature])
    if lead.source == "manual":
        first, never = lead.received + lognormal(rng, 10 * MIN, 1.0), False
    if (never or first > due) and due <= year.now and lead.source != "manual":
        after.event(due, "contact_missed", {"due_at": iso(due), "task_id": None})
    if (never or first > lead.accepted + RECLAIM_AFTER) and lead.source != "manual":
        taken = lead.accepted + RECLAIM_AFTER
        if taken > year.now:
            return
        after.event(taken, "reclaimed", {"reason": "no_contact"})
        if not year.reroute(after.rows, lead, taken):
            return
        first, never = lead.accepted + lognormal(rng, FIRST_TRY[lead.temperature], 0.8), False
    if never or first > year.now:
        return
    _tries(after, first)


def _tries(after: After, first: float) -> None:
    """Up to three tries; reached, the funnel; never reached, kept warm."""
    year, lead, rng = after.year, after.lead, after.year.rng
    at, reached = first, None
    for number in range(1, 4):
        if at > year.now:
            return
        ok = rng.random() < (0.62 if number == 1 else 0.45)
        lead.data["attempts"] = number
        if number == 1:
            lead.data.update(contacted_at=year.stamp(at),
                             to_contact_us=micros(at) - micros(lead.received))
        after.event(at, "attempt", {"reached": ok, "number": number,
                                    "first_contact": number == 1})
        if ok:
            reached = at
            break
        at += lognormal(rng, 5 * HOUR, 0.8)
    if reached is None:
        if at <= year.now:
            after.stage(at, "nurture")
        return
    lead.data["stage"] = "contacted"
    lead.stage_times["contacted"] = reached
    _funnel(after, reached)


def _funnel(after: After, at: float) -> None:
    year, lead, rng, d = after.year, after.lead, after.year.rng, after.lead.data
    boost = {"hot": 1.3, "warm": 1.0, "cold": 0.6}[lead.temperature] * SOURCE_FIT.get(
        lead.source, 1.0)
    for step, chance, wait in STEPS:
        if step == "info_sent" and rng.random() >= chance:
            continue  # optional: many go from a call straight to a viewing
        at += lognormal(rng, wait, 0.7)
        if at > year.now:
            return
        if step != "info_sent" and rng.random() >= min(0.95, chance * boost):
            roll = rng.random()
            if roll >= 0.7:  # left where it is: closed as lost weeks later, as reclaim
                at += lognormal(rng, STALE_AFTER, 0.5)  # rules and reviews make owners do
                if at > year.now:
                    return
            if roll < 0.6 or roll >= 0.7:
                reason = rng.choice(LOST_REASONS)
                d["lost_reason"] = reason
                after.stage(at, "lost", reason=reason)
            else:
                after.stage(at, "nurture")
            return
        if step == "offer":
            d["offer_amount"] = amount_for(rng, lead.product, d["budget_max"])
            after.stage(at, "offer", amount=d["offer_amount"])
        elif step == "won":
            d["amount"] = amount_for(rng, lead.product, d["budget_max"])
            after.stage(at, "won", amount=d["amount"])
        else:
            after.stage(at, step)
            if step == "appointment":
                after.event(at, "appointment", {"at": iso(at + DAY)})
