"""`/report`'s words: the charts' labels in the reader's language (core.numbers.report.
ChartLabels, drawn by a worker that reads no catalog) and the album's caption."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime
from babel.numbers import get_decimal_symbol, get_group_symbol

from bot.i18n import CATALOGS, DEFAULT_LANGUAGE, t, t_raw
from bot.render.formatting import percent
from core.numbers.figures import FUNNEL
from core.numbers.period import Period
from core.numbers.report import SPEED_BUCKETS, ChartLabels, Step

_DAYS = re.compile(r"^(\d+)d$")
_NAMED = {"today": "report.period.today", "this month": "report.period.this_month",
          "last month": "report.period.last_month"}


def chart_labels(lang: str, period: Period, step: Step, *, zone: ZoneInfo) -> ChartLabels:
    """Every word the charts of *period* draw, in *lang*, and how *lang* writes numbers."""
    locale = _locale(lang)
    half = percent(0.5, lang)  # "50%", "%50": where the number goes in a percentage

    def say(key: str) -> str:
        return t_raw(lang, f"report.{key}")

    return ChartLabels(
        period=_heading(lang, period, zone),
        funnel_title=say("funnel"),
        funnel_steps=tuple(say(f"step.{name}") for name in FUNNEL),
        speed_title=say("speed"),
        speed_buckets=tuple(say(f"speed.{name}") for name in SPEED_BUCKETS),
        leads=say("leads"), fairness_title=say("fairness"), received=say("received"),
        fair_share=say("fair_share"), sla_title=say(f"sla.{step.value}"),
        accept_sla=say("accept_sla"), contact_sla=say("contact_sla"),
        sources_title=say("sources"), close_rate=say("close_rate"), roi=say("roi"),
        no_data=say("no_data"), others=say("others"), no_source=say("no_source"),
        decimal=get_decimal_symbol(locale), group=get_group_symbol(locale),
        percent=half.replace("50", "{}", 1))


def caption(lang: str, period: Period, *, zone: ZoneInfo) -> str:
    """The album's caption: which period, in the office's zone, and what the charts count."""
    return t(lang, "report.caption", period=_heading(lang, period, zone), zone=zone.key)


def _heading(lang: str, period: Period, zone: ZoneInfo) -> str:
    span = period_span(lang, period, zone=zone)
    name = period_name(lang, period)
    return f"{name} · {span}" if name else span


def period_name(lang: str, period: Period) -> str | None:
    """`last 30 days`, `bu ay`; None for a range of days, which its span names."""
    if period.name in _NAMED:
        return t_raw(lang, _NAMED[period.name])
    if (days := _DAYS.match(period.name)) is not None:
        return t_raw(lang, "report.period.days", count=int(days[1]))
    return None


def period_span(lang: str, period: Period, *, zone: ZoneInfo) -> str:
    """The period's first and last moment in the office's zone: whole days as dates (the
    last one included), anything else with the time."""
    local_start = period.start.astimezone(zone)
    local_end = period.end.astimezone(zone)
    locale = _locale(lang)
    if local_start.time() == time(0) and local_end.time() == time(0):
        last = local_end - timedelta(days=1)
        return f"{_date(local_start, locale)} – {_date(last, locale)}"
    return (f"{format_datetime(local_start, 'd MMM HH:mm', locale=locale)} – "
            f"{format_datetime(local_end, 'd MMM HH:mm', locale=locale)}")


def _date(moment: datetime, locale: Locale) -> str:
    return format_datetime(moment, "d MMM y", locale=locale)


def _locale(lang: str) -> Locale:
    return Locale.parse(lang if lang in CATALOGS else DEFAULT_LANGUAGE)
