"""The office configuration: roster, intake sources, SLAs, scoring and routing, validated."""

from __future__ import annotations

import hmac
import re
from datetime import timedelta
from typing import Literal
from zoneinfo import ZoneInfo

import phonenumbers
from pydantic import Field, field_validator, model_validator

from core.config.durations import Duration
from core.config.lead_types import LEAD_TYPE_NAME, LeadType
from core.config.money import MoneyConfig
from core.config.routing import RoutingPolicy
from core.config.scoring import ScoringConfig
from core.config.sources import SourceConfig
from core.config.work import WorkConfig
from core.model import AgentProfile, Channel, Role, Strict, Temperature, check_zone

Language = Literal["en", "tr"]
# What a lead entered with /new carries as its source; no configured source may take it.
MANUAL_SOURCE = "manual"


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


class RetentionPolicy(Strict):
    """How long personal data of closed leads is kept (KVKK/GDPR: no longer than needed).

    Unset, it is kept until someone asks for it to be forgotten (`leadrelay contact forget`).
    """

    closed_leads_months: int | None = Field(default=None, ge=1, le=240)


class SlaConfig(Strict):
    """How long one temperature's offer waits for Accept, how many agents try, and how soon
    after Accept the owner must first try to reach the contact."""

    accept_within: Duration
    offers_before_managers: int = Field(default=3, ge=1, le=50)
    # Missed: the managers are told (with Reassign) and the owner nudged. null: no deadline.
    first_contact_within: Duration | None = None
    # Still no try by then (from Accept): the lead is taken back and routed again without
    # its owner. null: only the reclaim rules (work.reclaim) take it back.
    reclaim_within: Duration | None = None


def _default_sla() -> dict[Temperature, SlaConfig]:
    return {
        Temperature.HOT: SlaConfig(accept_within=timedelta(minutes=5), offers_before_managers=3,
                                   first_contact_within=timedelta(minutes=15),
                                   reclaim_within=timedelta(minutes=30)),
        Temperature.WARM: SlaConfig(accept_within=timedelta(minutes=30), offers_before_managers=3,
                                    first_contact_within=timedelta(hours=2)),
        Temperature.COLD: SlaConfig(accept_within=timedelta(hours=2), offers_before_managers=2,
                                    first_contact_within=timedelta(hours=24)),
    }


class OfficeConfig(Strict):
    """Everything an office decides about how its leads are handled."""

    name: str = Field(min_length=1)
    timezone: str = "UTC"
    default_region: str = "US"
    language: Language = "en"
    # Budgets and amounts are shown in it (ISO 4217, such as TRY); unset, as bare numbers.
    currency: str | None = None
    agents: list[AgentConfig] = Field(min_length=1)
    sources: list[SourceConfig] = Field(min_length=1)
    sla: dict[Temperature, SlaConfig] = Field(default_factory=_default_sla)
    # Kinds of lead with windows of their own, named by a source's or a rule's `lead_type`.
    lead_types: dict[str, LeadType] = Field(default_factory=dict)
    scoring: ScoringConfig = ScoringConfig()
    routing: RoutingPolicy = RoutingPolicy()
    retention: RetentionPolicy = RetentionPolicy()
    # The largest Won amount /outcome records; anything above is taken for a typo. At most
    # what a BIGINT column holds.
    max_amount: int = Field(default=10**12, gt=0, le=2**63 - 1)
    work: WorkConfig = WorkConfig()
    # Commission rates per product, for revenue, commission and each source's ROI.
    money: MoneyConfig = MoneyConfig()

    @model_validator(mode="before")
    @classmethod
    def _holidays_of_the_office_country(cls, data: object) -> object:
        """`work.holidays` left out of the file: the public holidays of `default_region`."""
        if not isinstance(data, dict):
            return data
        work = data.get("work", {})
        region = data.get("default_region", "US")
        if (isinstance(work, dict) and "holidays" not in work and isinstance(region, str)
                and re.fullmatch(r"[A-Za-z]{2}", region)):
            return {**data, "work": {**work, "holidays": region}}
        return data

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return check_zone(value)

    @field_validator("currency")
    @classmethod
    def _currency_code(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[A-Z]{3}", value):
            raise ValueError(f"{value!r} is not a currency code (use three capital letters "
                             "from ISO 4217, like TRY, EUR or USD)")
        return value

    @field_validator("default_region")
    @classmethod
    def _known_region(cls, value: str) -> str:
        value = value.upper()
        if value not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError(f"unknown phone region {value!r} (use a two-letter code like TR)")
        return value

    @field_validator("sla", mode="before")
    @classmethod
    def _temperature_defaults(cls, sla: object) -> object:
        """A temperature given in part keeps its own defaults for what the file leaves out."""
        if not isinstance(sla, dict):
            return sla
        defaults = {t.value: rule.model_dump() for t, rule in _default_sla().items()}
        return {key: {**defaults[str(key)], **given}
                if isinstance(given, dict) and str(key) in defaults else given
                for key, given in sla.items()}

    @field_validator("sla")
    @classmethod
    def _every_temperature(cls, sla: dict[Temperature, SlaConfig]) -> dict[Temperature, SlaConfig]:
        full = {**_default_sla(), **sla}
        for temperature, rule in full.items():
            if (rule.first_contact_within and rule.reclaim_within
                    and rule.reclaim_within <= rule.first_contact_within):
                raise ValueError(f"sla.{temperature.value}: reclaim_within must be longer than "
                                 "first_contact_within (managers are told first)")
        return full

    @field_validator("lead_types")
    @classmethod
    def _lead_type_names(cls, types: dict[str, LeadType]) -> dict[str, LeadType]:
        for name in types:
            if not re.fullmatch(LEAD_TYPE_NAME, name) or len(name) > 40:
                raise ValueError(f"{name!r} cannot name a lead type: use up to 40 letters, "
                                 "digits, dots, dashes or underscores (such as demo_request)")
        return types

    @field_validator("agents")
    @classmethod
    def _workable_roster(cls, agents: list[AgentConfig]) -> list[AgentConfig]:
        seen: set[int] = set()
        names: dict[str, str] = {}
        for agent in agents:
            if agent.telegram_id in seen:
                raise ValueError(f"two agents share telegram_id {agent.telegram_id}")
            seen.add(agent.telegram_id)
            # Routing rules and accounts name people: one name, one person.
            key = " ".join(agent.name.casefold().split())
            if key in names:
                raise ValueError(f"two people are called {names[key]!r}: names must differ, "
                                 "as routing rules name people")
            names[key] = agent.name
        if not any(a.role is Role.MANAGER and a.active for a in agents):
            raise ValueError("at least one active manager is needed: escalations go to managers")
        return agents

    @field_validator("sources")
    @classmethod
    def _distinct_sources(cls, sources: list[SourceConfig]) -> list[SourceConfig]:
        names = [s.name for s in sources]
        if MANUAL_SOURCE in names:
            raise ValueError(f"the source name {MANUAL_SOURCE!r} is kept for leads entered "
                             "with /new; give this source another name")
        for name in names:
            if names.count(name) > 1:
                raise ValueError(f"two sources share the name {name!r}")
        tokens = [s.token.get_secret_value() for s in sources if s.token is not None]
        if len(set(tokens)) != len(tokens):
            raise ValueError("two sources share a token; each source needs its own")
        for key in ("page_ids", "phone_number_ids"):
            claimed: dict[str, str] = {}
            for source in sources:
                for value in getattr(source, key):
                    if value in claimed:
                        raise ValueError(f"{key}: {value} is claimed by both {claimed[value]!r} "
                                         f"and {source.name!r}; each belongs to one source")
                    claimed[value] = source.name
        keys = [s.google_key.get_secret_value() for s in sources if s.google_key is not None]
        if len(set(keys)) != len(keys):
            raise ValueError("google_key: two sources share a key; each needs its own")
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

    @model_validator(mode="after")
    def _known_lead_types(self) -> OfficeConfig:
        named = [(f"sources[{i}].lead_type", s.lead_type) for i, s in enumerate(self.sources)]
        named += [(f"routing.rules[{i}].lead_type", r.lead_type)
                  for i, r in enumerate(self.routing.rules)]
        for key, name in named:
            if name is not None and name not in self.lead_types:
                known = (f"known: {', '.join(sorted(self.lead_types))}" if self.lead_types
                         else "lead_types defines none")
                raise ValueError(f"{key}: {name!r} is not a lead type under lead_types "
                                 f"({known})")
        return self

    def lead_type(self, name: str | None) -> LeadType | None:
        """The lead type called *name*; None for none, or one a reload took away."""
        return self.lead_types.get(name) if name is not None else None

    @property
    def zone(self) -> ZoneInfo:
        """The office's time zone."""
        return ZoneInfo(self.timezone)

    def source_by_token(self, token: str) -> SourceConfig | None:
        """Find the source a bearer token belongs to."""
        for source in self.sources:
            if source.token is not None and _constant_time_equal(
                    source.token.get_secret_value(), token):
                return source
        return None

    def platform_sources(self, channel: Channel) -> list[SourceConfig]:
        """The sources that take leads at *channel*'s own webhook."""
        return [s for s in self.sources if s.platform is channel]

    def source_for_page(self, page_id: str) -> SourceConfig | None:
        """The Meta source that claims the Facebook page *page_id*."""
        return next((s for s in self.platform_sources(Channel.META)
                     if page_id in s.page_ids), None)

    def source_for_phone_number(self, phone_number_id: str) -> SourceConfig | None:
        """The WhatsApp source that claims the business number *phone_number_id*."""
        return next((s for s in self.platform_sources(Channel.WHATSAPP)
                     if phone_number_id in s.phone_number_ids), None)

    def source_by_google_key(self, key: str) -> SourceConfig | None:
        """The Google Ads source whose key *key* is, compared in constant time."""
        found = None
        for source in self.platform_sources(Channel.GOOGLE_ADS):
            assert source.google_key is not None  # a Google Ads source has its key
            if _constant_time_equal(source.google_key.get_secret_value(), key):
                found = source
        return found

    def source_named(self, name: str) -> SourceConfig | None:
        """Find a source by its name."""
        return next((s for s in self.sources if s.name == name), None)

    def warmth_of(self, source: SourceConfig) -> float:
        """How warm leads from *source* are, 0..1."""
        if source.warmth is not None:
            return source.warmth
        return self.scoring.channel_warmth[source.channel]


def _constant_time_equal(a: str, b: str) -> bool:
    # A token from a header or a form may hold lone surrogates (bytes that were not UTF-8):
    # it matches no source, and must not fail to encode.
    return hmac.compare_digest(a.encode("utf-8", "surrogatepass"),
                               b.encode("utf-8", "surrogatepass"))
