"""`/stats`'s audits as Telegram text, a page at a time in monospace for phones: the fairness
audit (leads owed against leads taken, flags with their likely cause), the load and
coverage (open leads per agent, the hours SLAs were missed in) and the automation health."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_compact_decimal

from bot.i18n import CATALOGS, DEFAULT_LANGUAGE, Markup, t, t_raw
from bot.render.formatting import Localized, esc, number
from core.numbers.coverage import Automation, Coverage, LoadLevel, RuleAutomation
from core.numbers.fairness import FairnessAudit, FairShare, Tally
from core.numbers.period import Period

PAGE_ROWS = 15  # a view's rows per message: a phone screen of them
_NAME = 11
_NONE = "—"
_WEEK = [(2026, 1, 5 + d) for d in range(7)]  # a Monday-first week, for weekday names


def cell(text: str, width: int, *, left: bool = False) -> str:
    """*text* cut to *width* characters (with …) and padded, for a monospace table."""
    text = text if len(text) <= width else text[:width - 1] + "…"
    return text.ljust(width) if left else text.rjust(width)


def fits(value: float | Decimal, width: int, lang: str) -> str:
    """*value* in at most *width* characters: whole (tenths under 100), else compact
    (`3.4K`, `18K`, `2,5 Mn`), so a column never cuts a number."""
    value = float(value)
    shown = number(round(value, 1) if abs(value) < 100 else round(value), lang)
    if len(shown) <= width:
        return shown
    locale = "tr_TR" if lang == "tr" else "en_US"
    for digits in (1, 0):
        shown = format_compact_decimal(value, locale=locale, fraction_digits=digits)
        if len(shown) <= width:
            return shown
    return shown


def head(lang: str, prefix: str, columns: list[tuple[str, int]]) -> str:
    """A table's head from the catalog's column names (`<prefix>.col.<name>`), the first
    left-aligned; a name "" leaves its column blank."""
    return " ".join(cell(t_raw(lang, f"{prefix}.col.{name}") if name else "", width,
                         left=index == 0) for index, (name, width) in enumerate(columns))


def pages_of(count: int) -> int:
    """How many pages *count* rows take (at least one)."""
    return max(1, -(-count // PAGE_ROWS))


def _weekday(lang: str, day: int) -> str:
    return format_date(date(*_WEEK[day]), "EEE",
                       locale=lang if lang in CATALOGS else DEFAULT_LANGUAGE)


class AuditViews(Localized):
    """The fairness audit, the load and coverage, and the automation health."""

    def audit_title(self, lang: str, key: str, period: Period, name: str) -> str:
        """A view's first line: what it is, the period and its dates."""
        return t(lang, key, period=Markup(name), start=self.local_datetime(period.start),
                 end=self.local_datetime(period.end))

    def fairness_page(self, lang: str, audit: FairnessAudit, *, page: int,
                      period_name: str) -> str:
        """One page of the fairness audit; flagged agents' causes below the table."""
        rows = audit.agents[page * PAGE_ROWS:(page + 1) * PAGE_ROWS]
        table = [head(lang, "fair", [("name", _NAME), ("owed", 5), ("got", 4), ("off", 5),
                                     ("hot", 7)]), *(self._fair_row(lang, share) for share in rows)]
        lines = [self.audit_title(lang, "fair.title", audit.period, period_name),
                 t(lang, "fair.explain"), ""]
        if not audit.agents:
            lines.append(t(lang, "fair.none"))
        else:
            lines.append("<pre>" + esc("\n".join(table)) + "</pre>")
        flagged = [(share, tally, hot) for share in rows
                   for tally, hot in ((share.leads, False), (share.hot, True))
                   if tally.flag is not None]
        lines += [self._flag_line(lang, share, tally, hot=hot) for share, tally, hot in flagged]
        if audit.agents and not any(s.leads.flag or s.hot.flag for s in audit.agents):
            lines.append(t(lang, "fair.all_fair"))
        if audit.since is not None and audit.since > audit.period.start:
            lines.append(t(lang, "fair.since", since=self.local_datetime(audit.since)))
        return "\n".join(lines)

    def _fair_row(self, lang: str, share: FairShare) -> str:
        leads, hot = share.leads, share.hot
        return " ".join([cell(share.name or str(share.agent_id), _NAME, left=True),
                         cell(fits(leads.fair, 5, lang), 5),
                         cell(fits(leads.received, 4, lang), 4),
                         cell(self._deviation(lang, leads), 5),
                         cell(f"{fits(hot.fair, 3, lang)}/{fits(hot.received, 3, lang)}", 7)])

    def _deviation(self, lang: str, tally: Tally) -> str:
        deviation = tally.deviation
        if deviation is None:
            return _NONE
        if not tally.judged:
            return "·"
        sign = "+" if deviation > 0 else "−" if deviation < 0 else ""
        return sign + self.percent(lang, abs(deviation)) + ("!" if tally.flag else "")

    def _flag_line(self, lang: str, share: FairShare, tally: Tally, *, hot: bool) -> str:
        return t(lang, "fair.flag_hot" if hot else "fair.flag",
                 name=share.name or str(share.agent_id),
                 direction=Markup(t(lang, f"fair.{tally.flag}")),
                 deviation=self._deviation(lang, tally).rstrip("!"),
                 cause=Markup(t(lang, f"fair.cause.{tally.cause or 'rotation'}")))

    def load_page(self, lang: str, load: Coverage, *, page: int, period_name: str) -> str:
        """One page of the open load per agent, then the hours the SLAs were missed in."""
        rows = load.agents[page * PAGE_ROWS:(page + 1) * PAGE_ROWS]
        marks = {LoadLevel.OVERLOADED: "▲", LoadLevel.IDLE: "▽", LoadLevel.NORMAL: ""}
        table = [head(lang, "load", [("name", _NAME), ("average", 5), ("now", 4), ("cap", 4),
                                     ("", 2)]), *(" ".join([
            cell(a.name, _NAME, left=True), cell(fits(a.average, 5, lang), 5),
            cell(fits(a.open_now, 4, lang), 4),
            cell(_NONE if a.capacity is None else fits(a.capacity, 4, lang), 4),
            cell(marks[a.level] + ("z" if a.away else ""), 2)]) for a in rows)]
        lines = [self.audit_title(lang, "load.title", load.period, period_name),
                 t(lang, "load.explain", median=number(round(load.median, 1), lang)), "",
                 "<pre>" + esc("\n".join(table)) + "</pre>" if load.agents
                 else t(lang, "load.none")]
        if load.overloaded:
            lines.append(t(lang, "load.overloaded",
                           names=", ".join(a.name for a in load.overloaded)))
        if load.idle:
            lines.append(t(lang, "load.idle", names=", ".join(a.name for a in load.idle)))
        lines += ["", self._misses(lang, load)]
        return "\n".join(lines)

    def _misses(self, lang: str, load: Coverage) -> str:
        misses = load.misses
        if not misses.total:
            return t(lang, "load.no_misses")
        worst = ", ".join(f"{_weekday(lang, day)} {hour:02d}:00 ({number(n, lang)})"
                          for day, hour, n in misses.worst(3))
        days = " · ".join(f"{_weekday(lang, day)} {number(n, lang)}"
                          for day, n in enumerate(misses.by_weekday))
        return "\n".join([t(lang, "load.misses", total=number(misses.total, lang),
                            offers=number(sum(map(sum, misses.offers)), lang),
                            contacts=number(sum(map(sum, misses.contacts)), lang)),
                          t(lang, "load.worst", worst=worst), t(lang, "load.by_day", days=days)])

    def automation_page(self, lang: str, health: Automation, *, page: int,
                        period_name: str) -> str:
        """One page of the automation health by rule, the office's total and advice."""
        rows = health.rules[page * PAGE_ROWS:(page + 1) * PAGE_ROWS]
        table = [head(lang, "auto", [("rule", _NAME), ("routed", 5), ("auto", 5), ("moved", 5)]),
                 *(self._rule_row(lang, rule) for rule in rows),
                 self._rule_row(lang, health.office, total=True)]
        lines = [self.audit_title(lang, "auto.title", health.period, period_name),
                 t(lang, "auto.explain"), "",
                 "<pre>" + esc("\n".join(table)) + "</pre>" if health.office.routed
                 else t(lang, "auto.none")]
        if health.advice is not None:
            lines.append(t(lang, health.advice,
                           share=self.percent(lang, health.office.untouched_share or 0),
                           target=self.percent(lang, 0.8)))
        return "\n".join(lines)

    def _rule_row(self, lang: str, rule: RuleAutomation, *, total: bool = False) -> str:
        name = (t_raw(lang, "auto.total") if total else
                rule.rule if rule.rule is not None else t_raw(lang, "auto.no_rule"))
        def share(value: float | None) -> str:
            return _NONE if value is None else self.percent(lang, value)
        return " ".join([cell(name, _NAME, left=True), cell(fits(rule.routed, 5, lang), 5),
                         cell(share(rule.untouched_share) + ("!" if rule.below_target else ""), 5),
                         cell(share(rule.reassigned_share), 5)])
