"""The office configuration: roster, intake sources, SLAs and scoring, validated on load."""

from __future__ import annotations

import hmac
import re
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    field_validator,
    model_validator,
)

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$")
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(value: object) -> timedelta:
    """Turn `90s`, `5m`, `2h`, `1d` (or a number of seconds) into a timedelta."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str) and (match := _DURATION.match(value)):
        seconds = float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    else:
        raise ValueError(f"expected a duration such as 90s, 5m or 2h, got {value!r}")
    if seconds <= 0:
        raise ValueError("a duration must be longer than zero")
    return timedelta(seconds=seconds)


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]


class Temperature(StrEnum):
    """How urgently a lead must be answered."""

    HOT = "hot"
    WARM = "warm"
    COLD = "cold"


class Role(StrEnum):
    """What a person on the roster may do."""

    AGENT = "agent"
    MANAGER = "manager"


class Channel(StrEnum):
    """Kinds of lead source, each with a default warmth."""

    REFERRAL = "referral"
    WHATSAPP = "whatsapp"
    WEB_FORM = "web_form"
    GOOGLE_ADS = "google_ads"
    META = "meta"
    FAIR = "fair"
    ORGANIC = "organic"
    DATABASE = "database"
    OTHER = "other"


Language = Literal["en", "tr"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Tier(StrEnum):
    """Performance tier: A converts best."""

    A = "A"
    B = "B"
    C = "C"


class Weekday(StrEnum):
    """Days of the week, as written in the config."""

    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"


_WEEK = tuple(Weekday)


class WorkingHours(_Strict):
    """When someone works: days of the week and a daily window in their time zone."""

    days: list[Weekday] = Field(default_factory=lambda: list(Weekday)[:5], min_length=1)
    start: time = time(9, 0)
    end: time = time(18, 0)

    @model_validator(mode="after")
    def _start_before_end(self) -> WorkingHours:
        if self.start >= self.end:
            raise ValueError("start must be before end")
        return self

    def covers(self, moment: datetime) -> bool:
        """Whether *moment* (already in the right zone) falls inside these hours."""
        return _WEEK[moment.weekday()] in self.days and self.start <= moment.time() < self.end


class AgentProfile(_Strict):
    """What routing knows about a person besides who they are."""

    team: str | None = None
    territories: list[str] = Field(default_factory=list)
    specialties: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)
    weight: float = Field(default=1.0, gt=0, le=100)
    capacity: int | None = Field(default=None, ge=1)
    tier: Tier | None = None
    hours: WorkingHours | None = None
    timezone: str | None = None
    start_date: date | None = None
    away_until: date | None = None
    backup: int | None = None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        return None if value is None else _check_zone(value)


class AgentConfig(AgentProfile):
    """One person on the office roster."""

    telegram_id: int = Field(gt=0)
    name: str = Field(min_length=1, max_length=64)
    role: Role = Role.AGENT
    active: bool = True
    away: bool = False
    language: Language | None = None

    @property
    def profile(self) -> AgentProfile:
        """The routing attributes alone."""
        return AgentProfile.model_validate(self.model_dump(include=set(AgentProfile.model_fields)))


class SourceConfig(_Strict):
    """A marketing source allowed to post leads, identified by its bearer token."""

    name: str = Field(min_length=1, max_length=64)
    token: SecretStr
    channel: Channel = Channel.OTHER
    warmth: float | None = Field(default=None, ge=0, le=1)

    @field_validator("token")
    @classmethod
    def _long_enough(cls, token: SecretStr) -> SecretStr:
        if len(token.get_secret_value()) < 16:
            raise ValueError("a source token must be at least 16 characters long")
        return token


class SlaConfig(_Strict):
    """How long one temperature's offer waits for Accept, and how many agents try."""

    accept_within: Duration
    offers_before_managers: int = Field(default=3, ge=1, le=50)


def _default_sla() -> dict[Temperature, SlaConfig]:
    return {
        Temperature.HOT: SlaConfig(accept_within=timedelta(minutes=5), offers_before_managers=3),
        Temperature.WARM: SlaConfig(accept_within=timedelta(minutes=30), offers_before_managers=3),
        Temperature.COLD: SlaConfig(accept_within=timedelta(hours=2), offers_before_managers=2),
    }


def _default_warmth() -> dict[Channel, float]:
    return {
        Channel.REFERRAL: 1.0,
        Channel.WHATSAPP: 0.9,
        Channel.FAIR: 0.8,
        Channel.WEB_FORM: 0.7,
        Channel.GOOGLE_ADS: 0.7,
        Channel.META: 0.6,
        Channel.ORGANIC: 0.5,
        Channel.DATABASE: 0.3,
        Channel.OTHER: 0.5,
    }


class ScoringWeights(_Strict):
    """Points each factor can contribute; they add up to 100."""

    budget: int = Field(default=40, ge=0)
    timing: int = Field(default=30, ge=0)
    region: int = Field(default=20, ge=0)
    channel: int = Field(default=10, ge=0)

    @model_validator(mode="after")
    def _sum_to_100(self) -> ScoringWeights:
        total = self.budget + self.timing + self.region + self.channel
        if total != 100:
            raise ValueError(f"weights must add up to 100, they add up to {total}")
        return self


class ScoringBands(_Strict):
    """The lowest score of each band; anything below warm is cold."""

    hot: int = Field(default=70, ge=0, le=100)
    warm: int = Field(default=40, ge=0, le=100)

    @model_validator(mode="after")
    def _ordered(self) -> ScoringBands:
        if self.warm > self.hot:
            raise ValueError("the warm band must start below the hot band")
        return self


class ScoringConfig(_Strict):
    """The score formula's weights, bands and channel warmth."""

    weights: ScoringWeights = ScoringWeights()
    bands: ScoringBands = ScoringBands()
    channel_warmth: dict[Channel, float] = Field(default_factory=_default_warmth)

    @field_validator("channel_warmth")
    @classmethod
    def _complete(cls, warmth: dict[Channel, float]) -> dict[Channel, float]:
        for channel, value in warmth.items():
            if not 0 <= value <= 1:
                raise ValueError(f"warmth of {channel.value} must be between 0 and 1")
        return {**_default_warmth(), **warmth}


class Range(_Strict):
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


class When(_Strict):
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


class Pool(_Strict):
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


class MatrixRow(_Strict):
    """Where one intent level goes, by fit."""

    strong: str
    weak: str


class Matrix(_Strict):
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


class Account(_Strict):
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


class Rule(_Strict):
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


class RampStep(_Strict):
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


class PenaltyPolicy(_Strict):
    """Missing the accept SLA `misses` times within `within` costs hot leads for `length`."""

    misses: int = Field(default=2, ge=1)
    within: Duration = timedelta(days=7)
    length: Duration = timedelta(days=7)


class TierPolicy(_Strict):
    """How tiers are earned: conversion over the review period, once enough leads were had."""

    a_from: float = Field(default=0.30, ge=0, le=1)
    b_from: float = Field(default=0.20, ge=0, le=1)
    review: Duration = timedelta(days=90)
    min_leads: int = Field(default=20, ge=1)


def _default_ramp() -> list[RampStep]:
    return [RampStep(days=30, every=3), RampStep(days=60, every=2)]


class RoutingPolicy(_Strict):
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


class OfficeConfig(_Strict):
    """Everything an office decides about how its leads are handled."""

    name: str = Field(min_length=1)
    timezone: str = "UTC"
    default_region: str = "US"
    language: Language = "en"
    agents: list[AgentConfig] = Field(min_length=1)
    sources: list[SourceConfig] = Field(min_length=1)
    sla: dict[Temperature, SlaConfig] = Field(default_factory=_default_sla)
    scoring: ScoringConfig = ScoringConfig()
    routing: RoutingPolicy = RoutingPolicy()

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return _check_zone(value)

    @field_validator("default_region")
    @classmethod
    def _known_region(cls, value: str) -> str:
        value = value.upper()
        if value not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError(f"unknown phone region {value!r} (use a two-letter code like TR)")
        return value

    @field_validator("sla")
    @classmethod
    def _every_temperature(cls, sla: dict[Temperature, SlaConfig]) -> dict[Temperature, SlaConfig]:
        return {**_default_sla(), **sla}

    @field_validator("agents")
    @classmethod
    def _workable_roster(cls, agents: list[AgentConfig]) -> list[AgentConfig]:
        seen: set[int] = set()
        for agent in agents:
            if agent.telegram_id in seen:
                raise ValueError(f"two agents share telegram_id {agent.telegram_id}")
            seen.add(agent.telegram_id)
        if not any(a.role is Role.MANAGER and a.active for a in agents):
            raise ValueError("at least one active manager is needed: escalations go to managers")
        return agents

    @field_validator("sources")
    @classmethod
    def _distinct_sources(cls, sources: list[SourceConfig]) -> list[SourceConfig]:
        names = [s.name for s in sources]
        for name in names:
            if names.count(name) > 1:
                raise ValueError(f"two sources share the name {name!r}")
        tokens = [s.token.get_secret_value() for s in sources]
        if len(set(tokens)) != len(tokens):
            raise ValueError("two sources share a token; each source needs its own")
        return sources

    @model_validator(mode="after")
    def _known_people(self) -> OfficeConfig:
        ids = {a.telegram_id for a in self.agents}
        names = {a.name for a in self.agents}
        for rule in self.routing.rules:
            for who in rule.pool.agents:
                if who not in ids and who not in names:
                    raise ValueError(f"routing rule {rule.name!r} names {who!r}, who is not "
                                     "on the roster")
        seen_accounts: set[str] = set()
        for account in self.routing.accounts:
            if account.owner not in ids and account.owner not in names:
                raise ValueError(f"account {account.name!r} is owned by {account.owner!r}, "
                                 "who is not on the roster")
            key = account.name.casefold()
            if key in seen_accounts:
                raise ValueError(f"account {account.name!r} is listed twice")
            seen_accounts.add(key)
        for agent in self.agents:
            if agent.backup is not None and agent.backup not in ids:
                raise ValueError(f"{agent.name}'s backup {agent.backup} is not on the roster")
        return self

    @property
    def zone(self) -> ZoneInfo:
        """The office's time zone."""
        return ZoneInfo(self.timezone)

    def source_by_token(self, token: str) -> SourceConfig | None:
        """Find the source a bearer token belongs to."""
        for source in self.sources:
            if _constant_time_equal(source.token.get_secret_value(), token):
                return source
        return None

    def source_named(self, name: str) -> SourceConfig | None:
        """Find a source by its name."""
        return next((s for s in self.sources if s.name == name), None)

    def warmth_of(self, source: SourceConfig) -> float:
        """How warm leads from *source* are, 0..1."""
        if source.warmth is not None:
            return source.warmth
        return self.scoring.channel_warmth[source.channel]


def _check_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        hint = "use a name like Europe/Istanbul"
        raise ValueError(f"unknown time zone {value!r} ({hint})") from None
    return value


def _constant_time_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
