"""The people: who is on the roster and what routing knows of them, and the contacts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from core.model.vocabulary import Role, Tier, Weekday

_WEEK = tuple(Weekday)


class Strict(BaseModel):
    """A value read from the office config: unknown keys refused, never changed after."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def check_zone(value: str) -> str:
    """*value* if it names a time zone, else ValueError saying how to write one."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        hint = "use a name like Europe/Istanbul"
        raise ValueError(f"unknown time zone {value!r} ({hint})") from None
    return value


class WorkingHours(Strict):
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


class AgentProfile(Strict):
    """What routing knows about a person besides who they are."""

    team: str | None = None
    territories: list[str] = Field(default_factory=list)
    specialties: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)
    weight: float = Field(default=1.0, gt=0, le=100)
    capacity: int | None = Field(default=None, ge=1)
    # In leadrelay.yaml: the starting tier until enough data. Set by a manager in chat (then
    # tier_set_at is that day): overrides the earned tier until the next review.
    tier: Tier | None = None
    tier_set_at: date | None = None
    hours: WorkingHours | None = None
    timezone: str | None = None
    start_date: date | None = None
    away_until: date | None = None
    backup: int | None = None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        return None if value is None else check_zone(value)


@dataclass
class Agent:
    """A person on the roster, with the chat the bot may write to once they pressed Start."""

    telegram_id: int
    name: str
    role: Role = Role.AGENT
    active: bool = True
    away: bool = False
    language: str | None = None
    position: int = 0
    chat_id: int | None = None
    profile: AgentProfile = field(default_factory=AgentProfile)
    # When Telegram last refused to deliver to them (they blocked the bot); None once they
    # press Start again.
    blocked_at: datetime | None = None

    @property
    def is_manager(self) -> bool:
        """Whether this person may see office-wide data and assign leads."""
        return self.role is Role.MANAGER and self.active

    @property
    def reachable(self) -> bool:
        """Whether the bot can write to this person: active, with a chat."""
        return self.active and self.chat_id is not None


@dataclass
class Contact:
    """One person, however many times and channels they reach us through."""

    phone: str | None
    email: str | None
    name: str | None
    created_at: datetime
    id: int = 0
