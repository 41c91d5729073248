"""The office configuration: roster, intake sources, SLAs and scoring, validated on load."""

from __future__ import annotations

import hmac
import re
from datetime import timedelta
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


class AgentConfig(_Strict):
    """One person on the office roster."""

    telegram_id: int = Field(gt=0)
    name: str = Field(min_length=1, max_length=64)
    role: Role = Role.AGENT
    active: bool = True
    away: bool = False
    language: Language | None = None


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

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            hint = "use a name like Europe/Istanbul"
            raise ValueError(f"unknown time zone {value!r} ({hint})") from None
        return value

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


def _constant_time_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
