"""Whether a rule's `when` holds for a lead, and who belongs to a rule's pool."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from core.config import Pool, When
from core.model import Agent, Lead, Tier


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Case- and accent-insensitive form, so `Kadıköy`, `kadikoy` and `KADIKÖY` agree."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("ı", "i"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


@lru_cache(maxsize=4096)
def _folded(options: tuple[str, ...]) -> frozenset[str]:
    return frozenset(fold(o) for o in options)


def _any_prefix(value: str | None, prefixes: Sequence[str]) -> bool:
    if value is None:
        return False
    folded = fold(value)
    return any(folded.startswith(p) for p in _folded(tuple(prefixes)))


def _any_equal(value: str | None, options: Sequence[str]) -> bool:
    return value is not None and fold(value) in _folded(tuple(options))


def matches(when: When, lead: Lead, *, now: datetime, zone: ZoneInfo,
            business_hours_covers: bool) -> list[tuple[str, str]] | None:
    """The conditions that held, as (field, value) pairs, or None if any condition failed.

    Only the conditions a rule gives are looked at, cheapest first; with a hundred rules
    this runs a hundred times for a lead that only the default takes.
    """
    notes: list[tuple[str, str]] = []
    if when.temperature:
        if lead.temperature not in when.temperature:
            return None
        notes.append(("temperature", lead.temperature.value))
    if when.returning is not None:
        if when.returning != lead.returning:
            return None
        notes.append(("returning", "yes" if lead.returning else "no"))
    if when.business_hours is not None:
        if when.business_hours != business_hours_covers:
            return None
        notes.append(("business_hours", "in" if business_hours_covers else "out"))
    if when.source:
        if not _any_equal(lead.source, when.source):
            return None
        notes.append(("source", lead.source))
    if when.product:
        if not _any_equal(lead.product, when.product):
            return None
        notes.append(("product", str(lead.product)))
    if when.region:
        if not _any_prefix(lead.region, when.region):
            return None
        notes.append(("region", str(lead.region)))
    if when.postal_code:
        if not _any_prefix(lead.postal_code, when.postal_code):
            return None
        notes.append(("postal_code", str(lead.postal_code)))
    if when.budget is not None:
        top = lead.budget_max if lead.budget_max is not None else lead.budget_min
        if not when.budget.contains(top):
            return None
        notes.append(("budget", str(top)))
    if when.score is not None:
        if not when.score.contains(lead.score):
            return None
        notes.append(("score", str(lead.score)))
    if when.tags:
        if not {fold(t) for t in lead.tags} & _folded(tuple(when.tags)):
            return None
        notes.append(("tags", ", ".join(lead.tags)))
    if when.language:
        if not _any_equal(lead.language, when.language):
            return None
        notes.append(("language", str(lead.language)))
    return notes


@dataclass(frozen=True)
class Folded:
    """An agent's routing labels, folded once per roster read."""

    team: str | None
    specialties: frozenset[str]
    territories: tuple[str, ...]

    @classmethod
    def of(cls, agent: Agent) -> Folded:
        """Fold *agent*'s labels."""
        profile = agent.profile
        return cls(fold(profile.team) if profile.team else None,
                   frozenset(fold(s) for s in profile.specialties),
                   tuple(fold(t) for t in profile.territories))


@dataclass(frozen=True)
class LeadKeys:
    """A lead's product, region and postal code, folded once per decision."""

    product: str | None
    region: str | None
    postal_code: str | None

    @classmethod
    def of(cls, lead: Lead) -> LeadKeys:
        """Fold *lead*'s routing keys."""
        return cls(fold(lead.product) if lead.product else None,
                   fold(lead.region) if lead.region else None,
                   fold(lead.postal_code) if lead.postal_code else None)


def in_static_pool(agent: Agent, folded: Folded, pool: Pool, tier: Tier) -> bool:
    """The part of pool membership that does not depend on the lead; managers only if named."""
    named = agent.telegram_id in pool.agents or agent.name in pool.agents
    if pool.agents and not named:
        return False
    if agent.is_manager and not named:
        return False
    if pool.teams and folded.team not in {fold(t) for t in pool.teams}:
        return False
    if pool.tiers and tier not in pool.tiers:
        return False
    fixed_specialties = {fold(s) for s in pool.specialties if s != "$product"}
    if fixed_specialties and "$product" not in pool.specialties and not (
            folded.specialties & fixed_specialties):
        return False
    fixed_territories = {fold(t) for t in pool.territories if t != "$region"}
    return not (fixed_territories and "$region" not in pool.territories
                and not set(folded.territories) & fixed_territories)


def in_lead_pool(folded: Folded, pool: Pool, lead: LeadKeys) -> bool:
    """The part of pool membership that depends on the lead (`$product`, `$region`)."""
    if "$product" in pool.specialties:
        wanted = {fold(s) for s in pool.specialties if s != "$product"}
        if lead.product:
            wanted.add(lead.product)
        if not folded.specialties & wanted:
            return False
    if "$region" in pool.territories:
        # An agent covers a lead when one of their territories is a prefix of its region or
        # postal code: "istanbul / kadikoy" covers "Istanbul / Kadıköy / Moda".
        fixed = {fold(t) for t in pool.territories if t != "$region"}
        return bool(set(folded.territories) & fixed) or any(
            (lead.region is not None and lead.region.startswith(t))
            or (lead.postal_code is not None and lead.postal_code.startswith(t))
            for t in folded.territories)
    return True


def in_pool(agent: Agent, pool: Pool, lead: Lead, tier: Tier) -> bool:
    """Whether *agent* belongs to *pool* for this lead (both parts; for tests and tools)."""
    folded = Folded.of(agent)
    return in_static_pool(agent, folded, pool, tier) and in_lead_pool(
        folded, pool, LeadKeys.of(lead))
