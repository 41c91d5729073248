"""Replies to commands: an agent's leads, the waiting leads, why a lead went where it went,
and the office's figures."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from bot.i18n import CATALOGS, DEFAULT_LANGUAGE, Markup, t, t_raw
from bot.render.formatting import duration, esc, fit, language_name, number, some
from bot.render.handover import HandoverViews
from bot.render.outcomes import outcome_lines
from core.lifecycle.import_pool import PoolView
from core.model import RECLAIM_REASONS, Lead, LeadStatus, Stage
from core.queries import Explanation, WaitingLead
from core.stats import Figures, Stats

# Longest a name or product is shown in a /pending row, so that the rows with Assign buttons
# (PENDING_BUTTONS of them, listed first) always fit in the one message.
ABOUT_CHARS = 24


def urgent_first(items: Sequence[WaitingLead]) -> list[WaitingLead]:
    """Most urgent first: leads a manager must assign, then offers by deadline, then nurture."""
    order = {LeadStatus.WITH_MANAGERS: 0, LeadStatus.OFFERED: 1, LeadStatus.NURTURE: 2}
    return sorted(items, key=lambda i: (
        order.get(i.lead.status, 1),
        i.deadline or i.lead.escalated_at or i.lead.received_at, i.lead.id))


def to_assign(items: Sequence[WaitingLead]) -> list[int]:
    """The leads of *items* waiting for a manager, in the order /pending lists them."""
    return [i.lead.id for i in urgent_first(items) if i.lead.status is LeadStatus.WITH_MANAGERS]


def _about(lead: Lead) -> str:
    """The lead's first name and product, escaped and cut short ("—" when it has neither)."""
    first = lead.name.split()[0] if lead.name and lead.name.split() else None
    parts = [esc(_short(part)) for part in (first, lead.product) if part]
    return " · ".join(parts) or "—"


def _short(text: str) -> str:
    return text if len(text) <= ABOUT_CHARS else text[:ABOUT_CHARS - 1] + "…"


class Replies(HandoverViews):
    """Renders command replies."""

    def waiting(self, lang: str, items: Sequence[WaitingLead], *,
                total: int | None = None, pool: PoolView | None = None) -> str:
        """The `/pending` reply; *total* counts every waiting lead when *items* are only the
        most urgent of them; *pool* the imported leads waiting to be offered."""
        total = len(items) if total is None else max(total, len(items))
        if not total and pool is None:
            return t(lang, "pending.none")
        head = [t(lang, "pending.title", count=total)]
        if pool is not None:
            head += ["", *self.pool_lines(lang, pool)]
        rows: list[str] = []
        for item in urgent_first(items):
            lead = item.lead
            about = dict(lead_id=lead.id, lead=Markup(_about(lead)),
                         temperature=Markup(t(lang, f"temperature.{lead.temperature.value}")))
            if lead.status is LeadStatus.NURTURE:
                rows.append(t(lang, "pending.nurture", **about,
                              time=self.local_datetime(lead.received_at)))
            elif lead.status is LeadStatus.OFFERED and item.deadline is not None:
                rows.append(t(lang, "pending.offered", **about, holder=item.holder or "?",
                              time=self.local_deadline(lang, item.deadline)))
            else:
                since = lead.escalated_at or lead.received_at
                rows.append(t(lang, "pending.with_managers", **about,
                              time=self.local_datetime(since)))
        return fit(lang, head, rows, unread=total - len(items))

    def pool_lines(self, lang: str, pool: PoolView) -> list[str]:
        """The import pool in /pending: how many wait, from which files, the last one when."""
        if pool.last_out is None:
            lines = [t(lang, "pending.pool_idle", count=number(pool.total, lang))]
        else:
            lines = [t(lang, "pending.pool", count=number(pool.total, lang),
                       per_hour=number(pool.per_hour, lang),
                       time=self.local_deadline(lang, pool.last_out))]
        lines += [t(lang, "pending.pool_group", count=number(g.count, lang),
                    file=g.file or "—", source=g.source) for g in pool.groups[:5]]
        return [*lines, t(lang, "pending.pool_hint")]

    def why(self, lang: str, explanation: Explanation) -> str:
        """The `/why` reply: every routing decision for one lead, in plain words."""
        lead_id = explanation.lead.id
        if not explanation.decisions and not explanation.handovers:
            return t(lang, "why.none", lead_id=lead_id)
        lines: list[str] = []
        rounds = iter(explanation.rounds)  # one for each decision that offered the lead
        moves = list(explanation.handovers)  # told in time order among the decisions
        for at, trace in explanation.decisions:
            while moves and moves[0][0] <= at:
                lines += ["", self.handover_line(lang, moves.pop(0), explanation.names)]
            lines += ["", *self.decision_lines(lang, at, trace, explanation.names)]
            if trace.get("outcome") in ("offer", "pool"):
                lines += outcome_lines(lang, next(rounds, []))
        for rest in rounds:  # a round whose decision was not recorded: told all the same
            lines += outcome_lines(lang, rest)
        lines += [line for move in moves
                  for line in ("", self.handover_line(lang, move, explanation.names))]
        return fit(lang, [t(lang, "why.title", lead_id=lead_id)], lines)

    def decision_lines(self, lang: str, at: datetime, trace: dict[str, Any],
                       names: dict[int, str]) -> list[str]:
        """One routing decision: the rule and why it matched, who was left out, the pick."""
        def name(agent_id: int | None) -> str:
            return names.get(agent_id, str(agent_id)) if agent_id is not None else "?"

        when = self.local_datetime(at)
        if trace.get("rule") == "sla":
            lines = [t(lang, "why.sla", time=when)]
        else:
            notes = ", ".join(t(lang, f"cond.{field}", value=self._condition(lang, field, value))
                              for field, value in trace.get("matched", []))
            matched = (t(lang, "why.matched", notes=Markup(notes)) if notes
                       else t(lang, "why.default"))
            matrix = trace.get("matrix")
            first = (matrix["rule"] if matrix else trace["steps"][0]["rule"] if trace.get("steps")
                     else trace.get("rule", "?"))
            lines = [t(lang, "why.rule", time=when, rule=first, matched=Markup(matched))]
            if matrix:
                lines.append(self._matrix_line(lang, matrix))
        steps = trace.get("steps", [])
        for index, step in enumerate(steps):
            if index:
                lines.append(t(lang, "why.fallback", rule=step["rule"]))
            if step["candidates"]:
                lines.append(t(lang, "why.candidates", names=some(
                    lang, [name(c) for c in step["candidates"]])))
            else:
                lines.append(t(lang, "why.nobody"))
            if step["skipped"]:
                skipped = [f"{esc(name(agent_id))} "
                           f"({t(lang, f'why.skip.{reason}', **self._detail(lang, detail))})"
                           for agent_id, reason, detail in step["skipped"]]
                lines.append(t(lang, "why.skipped", items=Markup(some(lang, skipped))))
        outcome, reason = trace.get("outcome"), trace.get("reason")
        detail = self._detail(lang, trace.get("detail", {}))
        if outcome == "offer":
            lines.append(t(lang, f"why.pick.{reason}", agent=name(trace.get("agent_id")),
                           **detail))
            if "set_until" in detail:  # a tier a manager set in chat, not earned
                lines.append(t(lang, "why.tier_set", tier=detail.get("tier", "?"),
                               until=date.fromisoformat(detail["set_until"]).strftime(
                                   "%d.%m.%Y")))
        elif outcome == "pool":
            lines.append(t(lang, "why.to.pool", count=len(trace.get("pool", []))))
        elif reason == "limit":
            lines.append(t(lang, "why.to.limit", **detail))
        else:
            lines.append(t(lang, f"why.to.{outcome}"))
        return lines

    def _matrix_line(self, lang: str, cell: dict[str, Any]) -> str:
        """How the B2B matrix read the lead and where that sent it."""
        intent = t(lang, f"matrix.intent.{cell['intent']}")
        fit = t(lang, f"matrix.fit.{cell['fit']}")
        if not cell.get("intent_given"):
            intent = t(lang, "matrix.not_given", value=Markup(intent))
        if not cell.get("fit_given"):
            fit = t(lang, "matrix.not_given", value=Markup(fit))
        target = cell["target"]
        shown = (t(lang, f"matrix.to.{target}") if target in ("managers", "nurture", "disqualify")
                 else t(lang, "matrix.to.rule", rule=target))
        return t(lang, "why.matrix", intent=Markup(intent), fit=Markup(fit),
                 target=Markup(shown))

    def _condition(self, lang: str, field: str, value: str) -> str:
        """A matched condition's value in the reader's words: vocabulary through the catalog,
        amounts in the office currency; names the office wrote are shown as written."""
        if f"cond.{field}.{value}" in CATALOGS[DEFAULT_LANGUAGE]:
            return t_raw(lang, f"cond.{field}.{value}")
        if field == "budget" and value.isdigit():
            return self.money(lang, int(value))
        if field == "language":
            return language_name(value, lang)
        return value

    def _detail(self, lang: str, detail: dict[str, Any]) -> dict[str, Any]:
        """Dates, shares and weights in a trace, shown as office dates and the reader's numbers."""
        shown = dict(detail)
        if isinstance(shown.get("share"), int | float):
            shown["share"] = self.percent(lang, shown["share"] / 100)
        if isinstance(shown.get("weight"), int | float):
            shown["weight"] = number(shown["weight"], lang)
        moment = shown.get("until")
        if isinstance(moment, str):
            shown["until"] = (self.local_datetime(datetime.fromisoformat(moment)) if "T" in moment
                              else date.fromisoformat(moment).strftime("%d.%m.%Y"))
        shown.setdefault("after", "")
        return shown

    def stats(self, lang: str, period_name: str, stats: Stats) -> str:
        """`/stats … offers`: what became of the period's offers, per agent; *period_name*
        in the reader's words."""
        def n(count: int) -> str:
            return number(count, lang)

        office = stats.office
        lines = [t(lang, "stats.title", period=Markup(period_name),
                   since=self.local_datetime(stats.start)), ""]
        lines.append(t(
            lang, "stats.office", leads_in=n(stats.leads_in), offered=n(stats.leads_offered),
            escalated=n(stats.leads_escalated), offers=n(office.offered),
            accepted=n(office.accepted), declined=n(office.declined), expired=n(office.expired),
            median=Markup(self._maybe_duration(lang, office.median_accept_s)),
            sla=Markup(self._pct(lang, office.sla_met_pct)),
            to_owner=Markup(self._maybe_duration(lang, stats.median_to_owner_s))))
        lines.append(t(
            lang, "stats.first_contact",
            to_contact=Markup(self._maybe_duration(lang, stats.median_to_contact_s)),
            rate=Markup(self._pct(lang, stats.contact_rate_pct)), contacted=n(stats.contacted),
            owned=n(stats.owned)))
        lines.append(t(
            lang, "stats.after_accept", sla=Markup(self._pct(lang, stats.first_contact_sla_pct)),
            met=n(stats.contacted_in_time), due=n(stats.contact_due),
            reclaimed=Markup(self._reclaimed_by_reason(lang, stats.reclaimed)),
            nurtured=n(stats.nurtured)))
        outcomes = ", ".join(
            f"{t(lang, f'stage.{stage.value}')} {n(office.stages[stage.value])}"
            for stage in Stage if office.stages.get(stage.value))
        lines.append(t(lang, "stats.outcomes", outcomes=Markup(outcomes or "—")))
        if not stats.per_agent:
            return "\n".join(lines)
        lines += ["", t(lang, "stats.agents")]
        # Agents come busiest first, so a large office loses its quietest rows, never totals.
        rows = [self._agent_row(lang, agent.name, figures) for agent, figures in stats.per_agent]
        return fit(lang, lines, rows, more="stats.more_agents")

    def _agent_row(self, lang: str, name: str, f: Figures) -> str:
        return t(lang, "stats.agent_row", name=name, accepted=number(f.accepted, lang),
                 offers=number(f.offered, lang),
                 median=Markup(self._maybe_duration(lang, f.median_accept_s)),
                 sla=Markup(self._pct(lang, f.sla_met_pct)),
                 won=number(f.stages.get("won", 0), lang),
                 lost=number(f.stages.get("lost", 0), lang))

    @staticmethod
    def _reclaimed_by_reason(lang: str, reclaimed: Counter[str]) -> str:
        """How many leads were taken back, then how many for each reason, known ones first."""
        known = [(reason, reclaimed[reason]) for reason in RECLAIM_REASONS if reclaimed[reason]]
        other = sum(reclaimed.values()) - sum(count for _, count in known)
        reasons = [*known, *([("other", other)] if other else [])]
        total = number(sum(reclaimed.values()), lang)
        if not reasons:
            return total
        each = ", ".join(f"{t(lang, 'stats.reclaimed.' + reason)} {number(count, lang)}"
                         for reason, count in reasons)
        return f"{total} ({each})"

    def _maybe_duration(self, lang: str, seconds: float | None) -> str:
        return t(lang, "stats.none") if seconds is None else duration(lang, seconds)

    def _pct(self, lang: str, value: float | None) -> str:
        return t(lang, "stats.none") if value is None else self.percent(lang, value / 100)
