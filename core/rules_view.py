"""The office's routing rules as the whole team may read them: what each rule takes, who it
chooses from and how, so nobody has to suspect favouritism (the field's guides ask for it)."""

from __future__ import annotations

from dataclasses import dataclass

from core.config.routing import Rule
from core.deps import Deps
from core.errors import UnknownAgent
from core.model import Agent, Tier
from core.ports import UnitOfWork
from core.routing.conditions import Folded, in_static_pool


@dataclass(frozen=True)
class RuleView:
    """One rule in words: its conditions, where it sends a lead, and who is in its pool."""

    name: str
    # condition → the values it takes, as written in the config; a range as (low, high)
    when: dict[str, str | tuple[float | None, float | None]]
    route_to: str  # agents | managers | nurture
    strategy: str
    members: list[str]  # who the rule chooses from, whatever the lead (before tiers)
    covers_product: bool  # and only those whose specialties cover the lead's product
    covers_region: bool  # and only those whose territories cover the lead's area
    tiers: list[str]
    fallback: str  # a rule's name, or managers | nurture | disqualify
    target_only: bool  # taken only as another rule's fallback (or a B2B matrix's pick)


@dataclass(frozen=True)
class RulesView:
    """The rules, first match first, and the ones the asking person is in."""

    rules: list[RuleView]
    mine: list[str]


def _condition(value: object) -> str | tuple[float | None, float | None]:
    if isinstance(value, list):
        return " / ".join(str(v) for v in value)
    if isinstance(value, dict):  # a range
        return (value.get("min"), value.get("max"))
    return str(value).lower()


def _view(rule: Rule, roster: list[Agent]) -> RuleView:
    untiered = rule.pool.model_copy(update={"tiers": []})
    members = [a.name for a in roster
               if a.active and in_static_pool(a, Folded.of(a), untiered, Tier.B)]
    return RuleView(
        name=rule.name,
        when={field: _condition(value)
              for field, value in rule.when.model_dump(exclude_defaults=True).items()},
        route_to=rule.route_to, strategy=rule.strategy.value, members=members,
        covers_product="$product" in rule.pool.specialties,
        covers_region="$region" in rule.pool.territories,
        tiers=[tier.value for tier in rule.pool.tiers], fallback=rule.fallback,
        target_only=rule.target_only)


async def office_rules(uow: UnitOfWork, deps: Deps, /, *, person_id: int) -> RulesView:
    """The routing rules for anyone on the roster, and which of them *person_id* is in."""
    async with uow.reading():
        roster = await uow.agents.list()
    me = next((a for a in roster if a.telegram_id == person_id and a.active), None)
    if me is None:
        raise UnknownAgent()
    rules = [_view(rule, roster) for rule in deps.config.routing.rules]
    return RulesView(rules, [r.name for r in rules
                             if r.route_to == "agents" and me.name in r.members])
