"""The routing policy as the office writes it: ordered rules, pools, strategies, filters."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from typing import Literal

from pydantic import Field, field_validator, model_validator

from core.config.durations import Duration
from core.config.lead_types import LEAD_TYPE_NAME
from core.model import Strict, Temperature, Tier, WorkingHours


class Range(Strict):
    """An inclusive range; either end may be open."""

    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min must not be above max")
        return self

    def contains(self, value: float | None) -> bool:
        """Whether *value* lies in the range (an unknown value never does)."""
        if value is None:
            return False
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)


class When(Strict):
    """Conditions on a lead; all given ones must hold, and any listed value of one will do."""

    source: list[str] = Field(default_factory=list)
    product: list[str] = Field(default_factory=list)
    region: list[str] = Field(default_factory=list)  # prefixes: "istanbul" covers districts
    postal_code: list[str] = Field(default_factory=list)  # prefixes
    budget: Range | None = None  # against the top of the lead's budget
    temperature: list[Temperature] = Field(default_factory=list)
    score: Range | None = None
    tags: list[str] = Field(default_factory=list)
    language: list[str] = Field(default_factory=list)
    business_hours: bool | None = None
    returning: bool | None = None

    @property
    def is_default(self) -> bool:
        """True when the rule matches every lead."""
        return self == When()


class Pool(Strict):
    """Who a rule may choose from; every selector given must hold, and any value of one will do.

    `specialties: [$product]` and `territories: [$region]` mean "whoever covers this lead".
    """

    agents: list[str | int] = Field(default_factory=list)
    teams: list[str] = Field(default_factory=list)
    specialties: list[str] = Field(default_factory=list)
    territories: list[str] = Field(default_factory=list)
    tiers: list[Tier] = Field(default_factory=list)


class StrategyName(StrEnum):
    """The distribution methods a rule can use."""

    ROUND_ROBIN = "round_robin"
    WEIGHTED = "weighted"
    LEAST_LOADED = "least_loaded"
    TIERS = "tiers"
    AVAILABILITY = "availability"
    CLAIM = "claim"  # first to claim: offered to every candidate at once


MANAGERS = "managers"
NURTURE = "nurture"
DISQUALIFY = "disqualify"


class IntentLevel(StrEnum):
    """How ready a B2B lead is to buy, from what they did."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Fit(StrEnum):
    """How well a B2B lead's company matches the customers we win."""

    STRONG = "strong"
    WEAK = "weak"


class MatrixRow(Strict):
    """Where one intent level goes, by fit."""

    strong: str
    weak: str


class Matrix(Strict):
    """B2B intent × fit: each cell names a rule, `managers`, `nurture` or `disqualify`.

    A lead that does not say its intent counts as low, one that does not say its fit as weak.
    """

    high: MatrixRow
    medium: MatrixRow
    low: MatrixRow

    def cell(self, intent: IntentLevel, fit: Fit) -> str:
        """The target for one intent level and fit."""
        row: MatrixRow = getattr(self, intent.value)
        return row.strong if fit is Fit.STRONG else row.weak

    def targets(self) -> list[str]:
        """Every target named, in reading order."""
        return [self.cell(i, f) for i in IntentLevel for f in Fit]


class Account(Strict):
    """A named account: leads from this company go to its owner (then the owner's backup)."""

    name: str = Field(min_length=1, max_length=120)
    owner: str | int
    domains: list[str] = Field(default_factory=list)  # e-mail domains of its people

    @field_validator("domains")
    @classmethod
    def _bare_domains(cls, domains: list[str]) -> list[str]:
        cleaned = [d.strip().lower().lstrip("@") for d in domains]
        for domain in cleaned:
            if "." not in domain or "@" in domain or " " in domain:
                raise ValueError(f"{domain!r} is not an e-mail domain like acme.com")
        return cleaned


def _default_split() -> dict[Tier, int]:
    return {Tier.A: 40, Tier.B: 35, Tier.C: 25}


class Rule(Strict):
    """If a lead matches `when`, pick from `pool` with `strategy`; nobody left → `fallback`."""

    name: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.-]+$")
    when: When = When()
    route_to: Literal["agents", "managers", "nurture"] = "agents"  # skip picking altogether
    pool: Pool = Pool()
    strategy: StrategyName = StrategyName.ROUND_ROBIN
    fallback: str = MANAGERS
    tier_split: dict[Tier, int] = Field(default_factory=_default_split)
    matrix: Matrix | None = None  # B2B: intent × fit decides which rule takes the lead
    target_only: bool = False  # never matched by its `when`: only fallbacks and matrices
    # strategy claim: post ONE message to this Telegram group instead of one per member
    claim_chat: int | None = None
    # The lead type (one of the office's `lead_types`) a lead this rule takes becomes: its
    # windows replace those of the lead's temperature and of its source's type.
    lead_type: str | None = Field(default=None, min_length=1, max_length=40,
                                  pattern=LEAD_TYPE_NAME)

    @field_validator("claim_chat")
    @classmethod
    def _a_group_chat(cls, chat: int | None) -> int | None:
        if chat is not None and chat >= 0:
            raise ValueError(f"claim_chat must be a group or supergroup chat id, which is "
                             f"negative (such as -1001234567890), got {chat}")
        return chat

    @model_validator(mode="after")
    def _claim_chat_needs_a_pool(self) -> Rule:
        if self.claim_chat is not None and (self.strategy is not StrategyName.CLAIM
                                            or self.route_to != "agents"):
            raise ValueError(f"rule {self.name!r} has claim_chat, which only a rule with "
                             "strategy: claim (routing to agents) can use")
        return self

    @field_validator("tier_split")
    @classmethod
    def _every_tier_gets_some(cls, split: dict[Tier, int]) -> dict[Tier, int]:
        full = {**{t: 0 for t in Tier}, **split}
        if any(share <= 0 for share in full.values()):
            raise ValueError("every tier needs a share above 0, so nobody drops to zero")
        return full


class RampStep(Strict):
    """A new agent gets every `every`-th lead for their first `days` days, or until `leads`."""

    days: int | None = Field(default=None, gt=0)
    leads: int | None = Field(default=None, gt=0)  # received since the start date, see stats
    every: int = Field(ge=2)

    @model_validator(mode="after")
    def _one_measure(self) -> RampStep:
        if (self.days is None) == (self.leads is None):
            given = "both `days` and `leads`" if self.days is not None else "neither"
            raise ValueError(f"a ramp step takes exactly one of `days` or `leads`, got {given} "
                             "(e.g. {days: 30, every: 3} or {leads: 10, every: 3})")
        return self

    @property
    def length(self) -> int:
        """How many days or leads the step lasts, whichever it is measured in."""
        length = self.days if self.days is not None else self.leads
        assert length is not None
        return length


class PenaltyPolicy(Strict):
    """Missing the accept SLA `misses` times within `within` costs hot leads for `length`."""

    misses: int = Field(default=2, ge=1)
    within: Duration = timedelta(days=7)
    length: Duration = timedelta(days=7)


class TierPolicy(Strict):
    """How tiers are earned: conversion over the review period, once enough leads were had."""

    a_from: float = Field(default=0.30, ge=0, le=1)
    b_from: float = Field(default=0.20, ge=0, le=1)
    review: Duration = timedelta(days=90)
    min_leads: int = Field(default=20, ge=1)


def _default_ramp() -> list[RampStep]:
    return [RampStep(days=30, every=3), RampStep(days=60, every=2)]


class RoutingPolicy(Strict):
    """Ordered rules (first match decides, the default last) and the filters before them."""

    rules: list[Rule] = Field(default_factory=lambda: [Rule(name="default")], min_length=1)
    business_hours: WorkingHours = WorkingHours()
    penalty: PenaltyPolicy = PenaltyPolicy()
    ramp: list[RampStep] = Field(default_factory=_default_ramp)
    tiers: TierPolicy = TierPolicy()
    accounts: list[Account] = Field(default_factory=list)

    @field_validator("ramp")
    @classmethod
    def _shortest_first(cls, ramp: list[RampStep]) -> list[RampStep]:
        # One measure for the whole ramp, so an agent's step never hangs on two clocks.
        if len({step.days is None for step in ramp}) > 1:
            raise ValueError("ramp steps are measured either all in `days` or all in `leads`, "
                             "not both")
        return sorted(ramp, key=lambda step: step.length)

    @property
    def uses_tiers(self) -> bool:
        """Whether any rule picks or filters by performance tier (so tiers must be earned)."""
        return any(rule.strategy is StrategyName.TIERS or rule.pool.tiers
                   for rule in self.rules)

    @property
    def ramp_by_leads(self) -> bool:
        """Whether new agents ramp up by the leads they received rather than by days."""
        return bool(self.ramp) and self.ramp[0].leads is not None

    @model_validator(mode="after")
    def _every_lead_has_somewhere_to_go(self) -> RoutingPolicy:
        names = [rule.name for rule in self.rules]
        for name in names:
            if names.count(name) > 1:
                raise ValueError(f"two rules are named {name!r}")
        last = self.rules[-1]
        if not last.when.is_default or last.target_only or last.matrix is not None:
            raise ValueError(f"the last rule ({last.name!r}) must have no `when`, matrix or "
                             "target_only: it is the default that takes every lead the others "
                             "did not")
        targets = {MANAGERS, NURTURE, DISQUALIFY, *names}
        sent_to: set[str] = set()
        for rule in self.rules:
            sent_to.add(rule.fallback)
            for target in rule.matrix.targets() if rule.matrix else []:
                if target not in targets:
                    raise ValueError(f"rule {rule.name!r}'s matrix sends leads to {target!r}, "
                                     "which is not a rule (nor managers / nurture / "
                                     "disqualify)")
                if target in names and self.rules[names.index(target)].matrix is not None:
                    raise ValueError(f"rule {rule.name!r}'s matrix sends leads to {target!r}, "
                                     "which has a matrix of its own; one matrix per lead")
                sent_to.add(target)
        for rule in self.rules:
            if rule.target_only and rule.name not in sent_to:
                raise ValueError(f"rule {rule.name!r} is target_only but no fallback or "
                                 "matrix sends leads to it")
        for rule in self.rules:
            seen = [rule.name]
            target = rule.fallback
            while target not in (MANAGERS, NURTURE):
                if target not in names:
                    raise ValueError(f"rule {rule.name!r} falls back to {target!r}, which is "
                                     f"not a rule (nor managers / nurture)")
                if target in seen:
                    raise ValueError(f"rule {rule.name!r} falls back in a circle: "
                                     + " → ".join([*seen, target]))
                seen.append(target)
                target = self.rules[names.index(target)].fallback
        return self

    def rule(self, name: str) -> Rule:
        """The rule called *name*."""
        return next(rule for rule in self.rules if rule.name == name)
