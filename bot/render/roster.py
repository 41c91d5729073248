"""`/agents`, a person's profile, /settings and the questions that edit a profile."""

from __future__ import annotations

from datetime import date

from bot.i18n import Markup, t
from bot.render.formatting import Localized, language_name, number
from core.model import Agent, Weekday, WorkingHours
from core.profile_input import ProfileField
from core.roster_view import Profile, RosterLine, RosterPage

_WEEK = list(Weekday)


def day(value: date) -> str:
    """A date as the office reads it."""
    return value.strftime("%d.%m.%Y")


class RosterReplies(Localized):
    """Renders the team, a profile and /settings in the reader's language."""

    def roster_page(self, lang: str, page: RosterPage) -> str:
        """One page of `/agents`: a line per person (two on a phone), then the page."""
        lines = [t(lang, "agents.title", count=page.total), ""]
        lines += [self.roster_line(lang, line) for line in page.lines]
        if page.pages > 1:
            lines += ["", t(lang, "agents.page", page=page.page + 1, pages=page.pages)]
        lines += ["", t(lang, "agents.pick")]
        return "\n".join(lines)

    def roster_line(self, lang: str, line: RosterLine) -> str:
        """Name and status, then load against capacity, tier and SLA misses."""
        agent = line.agent
        return t(lang, "agents.line", name=agent.name,
                 role=Markup(t(lang, "agents.manager")) if agent.is_manager else "",
                 status=Markup(self.status(lang, line)), load=Markup(self.load(lang, line)),
                 tier=Markup(self.tier(lang, line)),
                 misses=Markup(t(lang, "agents.misses", count=line.misses)))

    @staticmethod
    def status(lang: str, line: RosterLine) -> str:
        """Active, away (until a day), not started or blocked the bot, inactive."""
        until = line.agent.profile.away_until
        return t(lang, f"status.{line.status}", date=day(until) if until else "")

    @staticmethod
    def load(lang: str, line: RosterLine) -> str:
        """Open leads and offers waiting, against the capacity if there is one."""
        cap = line.agent.profile.capacity
        return (t(lang, "agents.load", open=line.open, cap=cap) if cap is not None
                else t(lang, "agents.load_free", open=line.open))

    @staticmethod
    def tier(lang: str, line: RosterLine) -> str:
        """The tier routing uses now, and until when a manager's holds."""
        if line.tier_set_until is not None:
            return t(lang, "agents.tier_set", tier=line.tier.value,
                     date=day(line.tier_set_until))
        return t(lang, "agents.tier", tier=line.tier.value)

    def profile(self, lang: str, profile: Profile, *, misses_days: int, office_language: str
                ) -> str:
        """Everything on someone's profile, one field a line."""
        line = profile.line
        agent, fields = line.agent, line.agent.profile
        none = t(lang, "profile.none")
        tier = (t(lang, "profile.tier_set", tier=line.tier.value, date=day(line.tier_set_until))
                if line.tier_set_until is not None
                else t(lang, "profile.tier_earned", tier=line.tier.value))
        values = {
            "team": fields.team or none,
            "territories": ", ".join(fields.territories) or none,
            "specialties": ", ".join(fields.specialties) or none,
            "capacity": (str(fields.capacity) if fields.capacity is not None
                         else t(lang, "profile.no_limit")),
            "weight": number(fields.weight, lang),
            "hours": self.hours(lang, fields.hours),
            "backup": profile.backup or none,
            "language": self.language(lang, agent, office_language),
        }
        return "\n".join([
            t(lang, "profile.title", name=agent.name, role=t(lang, f"role.{agent.role.value}")),
            t(lang, "profile.status", status=Markup(self.status(lang, line))),
            t(lang, "profile.load", load=Markup(self.load(lang, line))),
            tier,
            t(lang, "profile.misses", days=misses_days, count=line.misses),
            "",
            *(t(lang, f"profile.{key}", value=value) for key, value in values.items())])

    def settings(self, lang: str, profile: Profile, *, office_language: str) -> str:
        """/settings: the person's own working hours and language."""
        agent = profile.line.agent
        return "\n".join([
            t(lang, "settings.title", name=agent.name),
            t(lang, "profile.hours", value=self.hours(lang, agent.profile.hours)),
            t(lang, "profile.language", value=self.language(lang, agent, office_language)),
            "", t(lang, "settings.hint")])

    @staticmethod
    def language(lang: str, agent: Agent, office: str) -> str:
        """The person's language, or the office's (*office*) when they chose none."""
        if agent.language:
            return language_name(agent.language, lang)
        return t(lang, "profile.office_language", language=language_name(office, lang))

    @staticmethod
    def hours(lang: str, hours: WorkingHours | None) -> str:
        """`Mon–Fri 09:00–18:00` (a run of days as a range), or the office's hours."""
        if hours is None:
            return t(lang, "profile.office_hours")
        index = sorted(_WEEK.index(d) for d in hours.days)
        runs: list[list[int]] = []
        for i in index:
            if runs and runs[-1][-1] == i - 1:
                runs[-1].append(i)
            else:
                runs.append([i])
        names = [t(lang, f"weekday.{run[0]}") if len(run) == 1 else
                 f"{t(lang, f'weekday.{run[0]}')}–{t(lang, f'weekday.{run[-1]}')}"
                 for run in runs]
        return f"{', '.join(names)} {hours.start:%H:%M}–{hours.end:%H:%M}"

    def ask(self, lang: str, field: ProfileField, agent: Agent) -> str:
        """The question a typed field asks, with what it holds now."""
        fields = agent.profile
        now = {
            ProfileField.TEAM: fields.team, ProfileField.CAPACITY: fields.capacity,
            ProfileField.TERRITORIES: ", ".join(fields.territories),
            ProfileField.SPECIALTIES: ", ".join(fields.specialties),
            ProfileField.WEIGHT: number(fields.weight, lang),
            ProfileField.HOURS: self.hours(lang, fields.hours) if fields.hours else None,
        }.get(field)
        return t(lang, f"ask.{field.value}", name=agent.name,
                 now=now if now not in (None, "") else t(lang, "profile.none"))

    @staticmethod
    def saved(lang: str, field: ProfileField, agent: Agent) -> str:
        """What a typed answer saved."""
        return t(lang, "saved", field=t(lang, f"profile.field.{field.value}"), name=agent.name)
