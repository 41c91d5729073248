"""The export in the manager's words: the CSV's column names and values, the file's name,
and what /export says with it."""

from __future__ import annotations

import shlex
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.i18n import t, t_raw
from bot.render.formatting import number
from core.lifecycle.export import ExportDone
from core.model import LeadStatus, LostReason, Stage, Temperature
from core.numbers.export import CsvStyle, style_for
from core.numbers.period import Period

_MONEY_COLUMNS = frozenset({"budget_min", "budget_max", "amount_won", "offer_amount"})


def export_headers(lang: str, *, currency: str | None = None) -> Callable[[str], str]:
    """Each column's name in *lang*; amounts name the office's currency when it has one."""
    def name(column: str) -> str:
        text = t_raw(lang, f"export.column.{column}")
        if currency and column in _MONEY_COLUMNS:
            return t_raw(lang, "export.column.in_currency", column=text, currency=currency)
        return text

    return name


def export_style(lang: str, zone: ZoneInfo) -> CsvStyle:
    """The CSV as *lang*'s Excel reads it, with stored values in *lang*'s words."""
    labels = {f"stage.{s}": t_raw(lang, f"stage.{s}") for s in Stage}
    labels |= {f"lost.{r}": t_raw(lang, f"lost.{r}") for r in LostReason}
    labels |= {f"status.{s}": t_raw(lang, f"export.status.{s}") for s in LeadStatus}
    labels |= {f"temperature.{h}": t_raw(lang, f"export.temperature.{h}") for h in Temperature}
    return style_for(lang, zone=zone, labels=labels)


def _moment(at: datetime, zone: ZoneInfo) -> str:
    return at.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def file_name(period: Period, zone: ZoneInfo, suffix: str = ".csv") -> str:
    """`leads_2026-11-01_2026-11-30.csv`: the office's first and last day of *period*."""
    first = period.start.astimezone(zone).date()
    last = (period.end - timedelta(microseconds=1)).astimezone(zone).date()
    return f"leads_{first}_{last}{suffix}"


def caption(lang: str, done: ExportDone, zone: ZoneInfo) -> str:
    """What the document says: how many leads, received when."""
    return t(lang, "export.caption", rows=number(done.rows, lang), period=done.period.name,
             start=_moment(done.period.start, zone), end=_moment(done.period.end, zone))


def empty(lang: str, period: Period, zone: ZoneInfo) -> str:
    """No lead arrived in *period*."""
    return t(lang, "export.empty", period=period.name, start=_moment(period.start, zone),
             end=_moment(period.end, zone))


def too_big(lang: str, period: Period, size: int) -> str:
    """Over Telegram's limit: the command that writes it on the server."""
    return t(lang, "export.too_big", period=period.name,
             size=number(round(size / 2**20, 1), lang),
             command=cli_command(period.name, lang))


def cli_command(period: str, lang: str) -> str:
    """`leadrelay export` for the same period and language, quoted for a shell."""
    return f"leadrelay export --period {shlex.quote(period)} --lang {lang} --out leads.csv"
