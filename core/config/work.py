"""How the office works a lead after Accept: Undo's window, the opening message, the hours
appointments are booked in (and business time is counted in), the days it is closed, whose
a lead entered by hand is, and how long an invitation to join the team stays open."""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from typing import Literal

from pydantic import Field, field_validator

from core.config.durations import Duration
from core.model import Stage, Strict, Weekday, WorkingHours


def _office_hours() -> WorkingHours:
    return WorkingHours(days=list(Weekday)[:6], start=time(9, 0), end=time(19, 0))


def _follow_ups() -> dict[Stage, list[timedelta]]:
    days = [timedelta(days=n) for n in (1, 3, 7)]
    return {Stage.CONTACTED: days, Stage.APPOINTMENT: list(days),
            Stage.OFFER: [timedelta(days=2), timedelta(days=5)]}


class ReclaimPolicy(Strict):
    """When an owned lead is taken back from its owner, each rule null to turn it off.

    Each is explained to the owner `warn_before` ahead and again after.
    """

    no_contact_within: Duration | None = timedelta(hours=72)  # from Accept, no try logged
    no_progress_within: Duration | None = timedelta(days=14)  # the stage has not moved
    owned_longer_than: Duration | None = timedelta(days=60)  # without Won
    # ... except a lead at Appointment or Offer with activity (a note, a try, a stage) this
    # recently, which is being worked.
    active_within: Duration = timedelta(days=14)
    warn_before: Duration = timedelta(hours=24)
    to: Literal["routing", "managers"] = "routing"  # where a reclaimed lead goes


class AwayPolicy(Strict):
    """What becomes of an agent's open leads while they are away (`/away`)."""

    # backup: to their `backup` if that one is active and not away, else routing;
    # routing: routed again without them; keep: they stay theirs.
    leads_to: Literal["backup", "routing", "keep"] = "backup"
    # On /back (or when the away ends by its date), the leads the backup got from them
    # come back if the backup has not worked them since.
    return_on_back: bool = True


class DigestConfig(Strict):
    """The managers' morning digest: yesterday's figures and today's open matters."""

    enabled: bool = False
    # The office's wall time it is sent at, on working days (the business calendar's).
    at: time = time(9, 0)
    # A short summary without names in the team's group too, when the office has one.
    to_group: bool = True


class ImportsPolicy(Strict):
    """How leads imported with `leadrelay import --route` reach the team (`work.imports`)."""

    # Imported leads offered per available agent per hour (active, not away, in their
    # working hours); the rest wait in the import pool, shown in /pending. None go out
    # while the office is closed (`work.hours`, holidays, closed dates).
    pace_per_agent_hour: int = Field(default=5, ge=1, le=120)
    # An imported lead's first call is due this many of the office's business days after
    # its owner took it (the field's practice for a list), instead of the minutes its
    # temperature gives a lead that just asked; missed, the managers are told.
    first_call_within_days: int = Field(default=3, ge=1, le=30)


class WorkConfig(Strict):
    """The `work:` section of leadrelay.yaml."""

    # How long an owner can take back a stage change; later only a manager corrects it.
    undo_within: Duration = timedelta(minutes=10)
    # The first WhatsApp message to a new contact, in the office's language; {first_name},
    # {office} and {agent} are filled in. Unset: the catalog's own in the office language.
    first_message: str | None = Field(default=None, min_length=1, max_length=500)
    # The hours the appointment picker offers, for agents who set no working hours.
    hours: WorkingHours = Field(default_factory=_office_hours)
    # When the bot reminds nobody of what it planned itself (next tries); what an agent
    # chose (Remind me, an appointment) comes at the time they chose.
    quiet_from: time = time(21, 0)
    quiet_until: time = time(8, 0)
    # How long before an appointment its owner is reminded of it.
    appointment_reminder: Duration = timedelta(hours=1)
    # A lead an agent enters with /new is theirs; false: it is routed like any other.
    own_entries: bool = True
    # Days the office is closed besides its weekly days off and public holidays.
    closed_dates: list[date] = Field(default_factory=list)
    # Whose public holidays close the office: a country code the `holidays` package knows,
    # with a region after a dash where they differ by region (TR, DE-BY). Left out of the
    # file: the country of `default_region` (OfficeConfig fills it in); null: none.
    holidays: str | None = None
    reclaim: ReclaimPolicy = ReclaimPolicy()
    away: AwayPolicy = AwayPolicy()
    # The owner is reminded to get back to the contact this long after a stage, unless the
    # stage moved on meanwhile.
    follow_ups: dict[Stage, list[Duration]] = Field(default_factory=_follow_ups)
    # The owner is asked where a lead stands this long after Accept, if its stage has not
    # moved since the last time (or since Accept).
    outcome_prompts: list[Duration] = Field(
        default_factory=lambda: [timedelta(days=n) for n in (1, 7, 21, 30)])
    # How long the link of /invite puts the first person who opens it on the roster.
    invite_valid_for: Duration = timedelta(days=7)

    # The team's group chat (a negative chat id), where escalations are announced without
    # contact details; a group a manager sets with /setgroup wins over this one.
    team_group: int | None = None
    digest: DigestConfig = DigestConfig()
    imports: ImportsPolicy = ImportsPolicy()

    @field_validator("team_group")
    @classmethod
    def _a_group(cls, value: int | None) -> int | None:
        if value is not None and value >= 0:
            raise ValueError("must be a group's chat id, which is negative (like -1001234567890)")
        return value

    @field_validator("holidays")
    @classmethod
    def _country_code(cls, value: str | None) -> str | None:
        if value is None:
            return value
        value = value.upper()
        if not re.fullmatch(r"[A-Z]{2}(-[A-Z0-9]{1,3})?", value):
            raise ValueError(f"{value!r} is not a country code (use two letters from ISO 3166, "
                             "like TR, with a region after a dash where needed, like DE-BY)")
        return value

    @field_validator("first_message")
    @classmethod
    def _known_fields(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            value.format(first_name="", office="", agent="")
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError("may use only {first_name}, {office} and {agent} "
                             f"(write {{{{ and }}}} for braces): {exc}") from None
        return value
