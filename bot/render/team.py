"""What the team's group and the managers' morning get, as Telegram messages: an escalation
announced in the group (no contact details, with the Assign buttons) and the digest."""

from __future__ import annotations

from datetime import date
from typing import Any

from babel.dates import format_date

from bot import keyboards
from bot.i18n import CATALOGS, DEFAULT_LANGUAGE, Markup, t
from bot.render.formatting import Localized, duration, esc, number
from bot.render.numbers import change_said
from bot.render.outcomes import what_happened
from bot.render.report import caption
from bot.render.shapes import Rendered
from core.messages import DigestChartsParams, DigestParams, TeamEscalatedParams
from core.numbers.period import parse_period
from core.numbers.reading import change as between


def _day(lang: str, iso: str) -> str:
    """An office date with its weekday, the reader's way: `Wed 25.11`, `Çar 25.11`."""
    return format_date(date.fromisoformat(iso), "EEE dd.MM",
                       locale=lang if lang in CATALOGS else DEFAULT_LANGUAGE)


class TeamViews(Localized):
    """Renders the team group's posts and the morning digest."""

    def _team_escalated(self, lang: str, p: TeamEscalatedParams) -> Rendered:
        s = p.summary
        happened = what_happened(lang, p.outcomes) if p.outcomes else None
        reason = (happened if happened and p.reason == "no_accept"
                  else Markup(t(lang, f"escalation.{p.reason}")))
        what = [t(lang, f"temperature.{s.temperature}"),
                *(esc(part) for part in (s.product, s.region) if part)]
        lines = [t(lang, "team_escalated.title", lead_id=s.lead_id, reason=reason),
                 " · ".join(what)]
        if happened and reason is not happened:
            lines.append(t(lang, "team_escalated.happened", what=happened))
        lines += ["", t(lang, "team_escalated.pick")]
        choices = [(int(agent_id), str(name)) for agent_id, name in p.choices]
        return Rendered("\n".join(lines), keyboards.assign_keyboard(
            s.lead_id, choices, lang=lang, marks=p.marks))

    def _digest(self, lang: str, p: DigestParams) -> Rendered:
        lines = [*self._digest_head(lang, p, "digest.title"), "",
                 t(lang, "digest.now"), *self._digest_now(lang, p),
                 t(lang, "digest.overdue", count=number(p.overdue_tasks, lang))]
        names = [t(lang, "digest.away_until", name=name, date=_day(lang, until))
                 if until else esc(name) for name, until in p.away]
        lines.append(t(lang, "digest.away", names=Markup(", ".join(names))) if names
                     else t(lang, "digest.away_none"))
        if p.week:
            lines += ["", *self._digest_week(lang, p.week)]
        return Rendered("\n".join(lines))

    def _digest_week(self, lang: str, week: dict[str, Any]) -> list[str]:
        """Monday's lines: last week's key figures, each against the week before."""
        def change(name: str, *, lower_is_better: bool = False) -> Markup:
            ratio = between(week.get(name), week.get(f"{name}_before"))
            return Markup(change_said(lang, ratio, key="digest.week.change",
                                      lower_is_better=lower_is_better))

        def pct(name: str) -> str:
            value = week.get(name)
            return "—" if value is None else self.percent(lang, value / 100)

        speed = week.get("speed_s")
        return [t(lang, "digest.week.title", start=_day(lang, week["start"]),
                  end=_day(lang, week["end"])),
                t(lang, "digest.week.leads", leads=number(week["leads"] or 0, lang),
                  change=change("leads"), close=pct("close_rate")),
                t(lang, "digest.week.speed",
                  speed="—" if speed is None else duration(lang, speed),
                  change=change("speed_s", lower_is_better=True), contact=pct("contact_sla"),
                  accept=pct("accept_sla")),
                t(lang, "digest.week.money", won=number(week["won"] or 0, lang),
                  revenue=self.money(lang, round(week["revenue"] or 0)),
                  change=change("revenue"),
                  commission=self.money(lang, round(week["commission"] or 0)))]

    def _digest_charts(self, lang: str, p: DigestChartsParams) -> Rendered:
        """The caption of Monday's album of last week's charts (bot/albums.py sends it)."""
        week = parse_period(p.period, now=self._clock.now(), zone=self.zone)
        return Rendered(caption(lang, week, zone=self.zone))

    def _team_digest(self, lang: str, p: DigestParams) -> Rendered:
        """The group's edition: the figures alone, no names."""
        return Rendered("\n".join([*self._digest_head(lang, p, "team_digest.title"),
                                   *self._digest_now(lang, p)]))

    def _digest_head(self, lang: str, p: DigestParams, title: str) -> list[str]:
        one_day = (date.fromisoformat(p.day) - date.fromisoformat(p.since)).days == 1
        lines = [t(lang, title, day=_day(lang, p.day)), "",
                 t(lang, "digest.yesterday") if one_day
                 else t(lang, "digest.since", since=_day(lang, p.since)),
                 t(lang, "digest.leads_in", count=number(p.leads_in, lang))]
        if p.offered:
            lines.append(t(lang, "digest.in_time", count=number(p.accepted_in_time, lang),
                           offered=number(p.offered, lang),
                           percent=self.percent(lang, p.accepted_in_time / p.offered)))
        else:
            lines.append(t(lang, "digest.in_time_none"))
        lines += [t(lang, "digest.escalated", count=number(p.escalated, lang)),
                  t(lang, "digest.missed", count=number(p.contact_missed, lang))]
        return lines

    def _digest_now(self, lang: str, p: DigestParams) -> list[str]:
        return [t(lang, "digest.unowned", count=number(p.with_managers + p.on_offer, lang),
                  with_managers=number(p.with_managers, lang))]
