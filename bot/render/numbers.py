"""`/stats` as Telegram text: a period's overview (funnel, speed, money, each with its change
against the period before) and a slice's table, a page at a time, in monospace for phones."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from babel.numbers import format_compact_currency, format_compact_decimal

from bot.i18n import Markup, t, t_raw
from bot.render.audits import PAGE_ROWS, fits
from bot.render.audits import cell as _cell
from bot.render.formatting import Localized, duration, esc, number, percent
from core.model import LostReason
from core.numbers.figures import (
    FUNNEL,
    Figures,
    MyNumbers,
    PeriodNumbers,
    Slice,
    SliceRow,
    compared,
)
from core.numbers.reading import change, funnel_reading

# What `/me` lists, by core.numbers.figures.COMPARED's names, and how each is written.
_ME_ROWS = (("leads", "count"), ("to_contact_median_s", "time"), ("contact_sla_pct", "pct"),
            ("to_accept_median_s", "time"), ("accept_sla_pct", "pct"),
            ("appointment_rate", "pct"), ("offer_rate", "pct"), ("won", "count"),
            ("won_rate", "pct"), ("revenue", "money"), ("commission_per_lead", "money"))
_NAME = 11  # characters of a row's name in a table
_NONE = "—"


def compact_money(value: float | Decimal, lang: str, currency: str | None) -> str:
    """An amount in a few characters (`₺4,5 Mn`, `$450K`), for tables."""
    locale = "tr_TR" if lang == "tr" else "en_US"
    if currency is None:
        return format_compact_decimal(value, locale=locale, fraction_digits=1)
    return format_compact_currency(value, currency, locale=locale, fraction_digits=1)


def change_said(lang: str, ratio: float | None, *, key: str,
                lower_is_better: bool = False) -> str:
    """A change against the period before in *key*'s words: its arrow, its size and ⚠ when
    it went the wrong way; "" when there is nothing to compare with."""
    if ratio is None:
        return ""
    arrow = "▲" if ratio > 0 else "▼" if ratio < 0 else "="
    good = ratio == 0 or (ratio < 0) == lower_is_better
    return t(lang, key, arrow=arrow, change=percent(abs(ratio), lang), mark="" if good else " ⚠")


def _known(reason: str) -> str:
    """A lost reason the catalogs name; an older or unknown one is said as `other`."""
    return reason if reason in {r.value for r in LostReason} else LostReason.OTHER.value


class NumbersViews(Localized):
    """The `/stats` overview and slice tables, and `/me`."""

    def numbers_overview(self, lang: str, numbers: PeriodNumbers) -> str:
        """A period's office figures: funnel, speed and money, with their changes."""
        office, before = numbers.office, numbers.previous
        lines = [self._numbers_title(lang, numbers),
                 t(lang, "numbers.counted"), "",
                 t(lang, "numbers.leads", leads=number(office.leads, lang),
                   change=Markup(self._change(lang, office.leads, before.leads)))]
        lines.append(self._funnel_block(lang, office))
        lines.append(t(lang, funnel_reading(office)))
        if numbers.lost_reasons:
            lost = ", ".join(f"{t_raw(lang, 'lost.' + _known(reason))} {number(n, lang)}"
                             for reason, n in numbers.lost_reasons[:4])
            lines.append(t(lang, "numbers.lost", reasons=lost))
        lines += ["", t(
            lang, "numbers.speed",
            median=self._seconds(lang, office.to_contact_median_s),
            p90=self._seconds(lang, office.to_contact_p90_s),
            change=Markup(self._change(lang, office.to_contact_median_s,
                                       before.to_contact_median_s, lower_is_better=True)))]
        lines.append(t(
            lang, "numbers.sla", accept=self._seconds(lang, office.to_accept_median_s),
            accept_sla=self._pct(lang, office.accept_sla_pct),
            contact_sla=self._pct(lang, office.contact_sla_pct),
            change=Markup(self._change(lang, office.contact_sla_pct, before.contact_sla_pct))))
        lines += ["", t(
            lang, "numbers.money", revenue=self.money(lang, office.revenue),
            won=number(office.won_in_period, lang),
            per_lead=self._money_or_none(lang, office.revenue_per_lead),
            commission=self._money_or_none(lang, office.commission_per_lead),
            change=Markup(self._change(lang, office.revenue, before.revenue)))]
        if office.roi is not None and office.cost is not None:
            lines.append(t(lang, "numbers.roi", cost=self.money(lang, round(office.cost)),
                           roi=number(round(float(office.roi), 1), lang)))
        manual = numbers.manual
        if manual.leads:
            lines.append(t(lang, "numbers.manual", leads=number(manual.leads, lang),
                           won=number(manual.won, lang)))
        return "\n".join(lines)

    def numbers_table(self, lang: str, numbers: PeriodNumbers, *, page: int,
                      names: Mapping[str, str]) -> str:
        """One page of a slice's rows; *names* say who an agent's id is."""
        by = numbers.by or Slice.SOURCE
        rows = numbers.rows[page * PAGE_ROWS:(page + 1) * PAGE_ROWS]
        money = by is Slice.SOURCE
        head = self._head(lang, money=money)
        body = [self._money_row(lang, row, names) if money else self._row(lang, row, names)
                for row in rows]
        lines = [self._numbers_title(lang, numbers),
                 t(lang, f"numbers.by.{by.value}"), "",
                 "<pre>" + esc("\n".join([head, *body]) if body else
                               t_raw(lang, "numbers.table.empty")) + "</pre>"]
        if numbers.office.leads:
            lines.append(t(lang, "numbers.table.money_total" if money else "numbers.table.total",
                           leads=number(numbers.office.leads, lang),
                           rows=number(len(numbers.rows), lang)))
        return "\n".join(lines)

    def my_numbers(self, lang: str, mine: MyNumbers) -> str:
        """`/me`: an agent's figures beside the median of the agents who had leads."""
        own = compared(mine.mine)
        rows = [(t_raw(lang, f"me.row.{name}"), self._me_value(lang, kind, own[name]),
                 self._me_value(lang, kind, mine.team_median.get(name)))
                for name, kind in _ME_ROWS]
        width = max(len(label) for label, _, _ in rows)
        head = " ".join([" " * width, _cell(t_raw(lang, "me.col.you"), 9),
                         _cell(t_raw(lang, "me.col.team"), 9)])
        table = [head, *(" ".join([label.ljust(width), _cell(you, 9), _cell(team, 9)])
                         for label, you, team in rows)]
        lines = [t(lang, "me.title", period=Markup(self.period_name(lang, mine.period.name)),
                   start=self.local_datetime(mine.period.start),
                   end=self.local_datetime(mine.period.end)),
                 "<pre>" + esc("\n".join(table)) + "</pre>",
                 t(lang, "me.median", count=number(mine.team_size, lang))]
        if not mine.mine.leads:
            lines.append(t(lang, "me.no_leads"))
        return "\n".join(lines)

    def _me_value(self, lang: str, kind: str, value: float | None) -> str:
        if value is None:
            return _NONE
        if kind == "time":
            return self._short_seconds(value)
        if kind == "pct":
            return self.percent(lang, value / 100)
        if kind == "money":
            return compact_money(value, lang, self.currency)
        return fits(value, 9, lang)

    def _numbers_title(self, lang: str, numbers: PeriodNumbers) -> str:
        period = numbers.period
        return t(lang, "numbers.title", period=Markup(self.period_name(lang, period.name)),
                 start=self.local_datetime(period.start), end=self.local_datetime(period.end))

    def period_name(self, lang: str, name: str) -> str:
        """`last 7 days`, `this month`, or the dates of a range, in the reader's words."""
        key = "numbers.period." + name.replace(" ", "_")
        if name in ("today", "7d", "30d", "this month", "last month"):
            return t(lang, key)
        if name.endswith("d") and name[:-1].isdigit():
            return t(lang, "numbers.period.days", days=number(int(name[:-1]), lang))
        return esc(name)

    def _label(self, lang: str, row: SliceRow, names: Mapping[str, str]) -> str:
        if row.key is None:
            return t_raw(lang, "numbers.table.none")
        return names.get(row.key, row.key)

    def _head(self, lang: str, *, money: bool) -> str:
        def col(key: str, width: int, *, left: bool = False) -> str:
            return _cell(t_raw(lang, f"numbers.col.{key}"), width, left=left)

        if money:
            return " ".join([col("source", _NAME, left=True), col("leads", 5), col("won", 4),
                             col("comm", 6), col("roi", 5)])
        return " ".join([col("name", _NAME, left=True), col("leads", 5), col("won", 3),
                         col("close", 4), col("sla", 4), col("speed", 4)])

    def _row(self, lang: str, row: SliceRow, names: Mapping[str, str]) -> str:
        f = row.figures
        return " ".join([
            _cell(self._label(lang, row, names), _NAME, left=True),
            _cell(fits(f.leads, 5, lang), 5), _cell(fits(f.won, 3, lang), 3),
            _cell(self._pct(lang, f.rate("won")), 4),
            _cell(self._pct(lang, f.contact_sla_pct), 4),
            _cell(self._short_seconds(f.to_contact_median_s), 4)])

    def _money_row(self, lang: str, row: SliceRow, names: Mapping[str, str]) -> str:
        f = row.figures
        roi = _NONE if f.roi is None else fits(float(f.roi), 5, lang)
        return " ".join([
            _cell(self._label(lang, row, names), _NAME, left=True),
            _cell(fits(f.leads, 5, lang), 5), _cell(fits(f.won, 4, lang), 4),
            _cell(fits(f.commission, 6, lang), 6), _cell(roi, 5)])

    def _funnel_block(self, lang: str, office: Figures) -> str:
        width = max(len(t_raw(lang, f"numbers.step.{step}")) for step in FUNNEL)
        lines = [" ".join([t_raw(lang, f"numbers.step.{step}").ljust(width),
                           number(getattr(office, step), lang).rjust(6),
                           self._pct(lang, office.rate(step)).rjust(5)])
                 for step in FUNNEL[1:]]
        return "<pre>" + esc("\n".join(lines)) + "</pre>"

    def _change(self, lang: str, now: float | Decimal | None, before: float | Decimal | None,
                *, lower_is_better: bool = False) -> str:
        ratio = change(None if now is None else float(now),
                       None if before is None else float(before))
        if ratio is not None and round(abs(ratio) * 100) == 0:
            return t(lang, "numbers.same")
        return change_said(lang, ratio, key="numbers.change", lower_is_better=lower_is_better)

    def _seconds(self, lang: str, seconds: float | None) -> str:
        return _NONE if seconds is None else duration(lang, seconds)

    def _short_seconds(self, seconds: float | None) -> str:
        if seconds is None:
            return _NONE
        if seconds < 3600:
            return f"{round(seconds / 60)}m"
        return f"{round(seconds / 3600)}h" if seconds < 86400 else f"{round(seconds / 86400)}d"

    def _pct(self, lang: str, value: float | None) -> str:
        return _NONE if value is None else self.percent(lang, value / 100)

    def _money_or_none(self, lang: str, value: float | Decimal | None) -> str:
        return _NONE if value is None else self.money(lang, round(value))

