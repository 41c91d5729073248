"""Whether a rule's `when` holds for a lead, and who belongs to a rule's pool."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from core.config import Pool, Tier, When
from core.model import Agent, Lead


def fold(text: str) -> str:
    """Case- and accent-insensitive form, so `Kadıköy`, `kadikoy` and `KADIKÖY` agree."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("ı", "i"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


def _any_prefix(value: str | None, prefixes: Sequence[str]) -> bool:
    return value is not None and any(fold(value).startswith(fold(p)) for p in prefixes)


def _any_equal(value: str | None, options: Sequence[str]) -> bool:
    return value is not None and fold(value) in {fold(o) for o in options}


def matches(when: When, lead: Lead, *, now: datetime, zone: ZoneInfo,
            business_hours_covers: bool) -> list[tuple[str, str]] | None:
    """The conditions that held, as (field, value) pairs, or None if any condition failed."""
    top_budget = lead.budget_max if lead.budget_max is not None else lead.budget_min
    checks: list[tuple[bool, bool, str, object]] = [
        (bool(when.source), _any_equal(lead.source, when.source), "source", lead.source),
        (bool(when.product), _any_equal(lead.product, when.product), "product", lead.product),
        (bool(when.region), _any_prefix(lead.region, when.region), "region", lead.region),
        (bool(when.postal_code), _any_prefix(lead.postal_code, when.postal_code),
         "postal_code", lead.postal_code),
        (when.budget is not None, when.budget is not None and when.budget.contains(top_budget),
         "budget", top_budget),
        (bool(when.temperature), lead.temperature in when.temperature, "temperature",
         lead.temperature.value),
        (when.score is not None, when.score is not None and when.score.contains(lead.score),
         "score", lead.score),
        (bool(when.tags), bool({fold(t) for t in lead.tags} & {fold(t) for t in when.tags}),
         "tags", ", ".join(lead.tags)),
        (bool(when.language), _any_equal(lead.language, when.language), "language",
         lead.language),
        (when.business_hours is not None, when.business_hours == business_hours_covers,
         "business_hours", "in" if business_hours_covers else "out"),
        (when.returning is not None, when.returning == lead.returning, "returning",
         "yes" if lead.returning else "no"),
    ]
    notes: list[tuple[str, str]] = []
    for given, held, field, value in checks:
        if not given:
            continue
        if not held:
            return None
        notes.append((field, str(value)))
    return notes


def in_pool(agent: Agent, pool: Pool, lead: Lead, tier: Tier) -> bool:
    """Whether *agent* belongs to *pool* for this lead; managers only when named."""
    named = agent.telegram_id in pool.agents or agent.name in pool.agents
    if pool.agents and not named:
        return False
    if agent.is_manager and not named:
        return False
    profile = agent.profile
    if pool.teams and not _any_equal(profile.team, pool.teams):
        return False
    if pool.tiers and tier not in pool.tiers:
        return False
    if pool.specialties:
        wanted = [lead.product or "" if s == "$product" else s for s in pool.specialties]
        if not {fold(s) for s in profile.specialties} & {fold(w) for w in wanted if w}:
            return False
    if pool.territories:
        return _covers_territory(profile.territories, pool.territories, lead)
    return True


def _covers_territory(owned: Sequence[str], wanted: Sequence[str], lead: Lead) -> bool:
    for territory in wanted:
        if territory == "$region":
            # An agent covers a lead when one of their territories is a prefix of its region
            # or postal code: "istanbul / kadikoy" covers "Istanbul / Kadıköy / Moda".
            if any(_any_prefix(lead.region, [t]) or _any_prefix(lead.postal_code, [t])
                   for t in owned):
                return True
        elif _any_equal(territory, owned):
            return True
    return False
