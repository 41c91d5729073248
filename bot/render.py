"""Turning outbox rows and query results into Telegram text and keyboards."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import phonenumbers
from telegram import InlineKeyboardMarkup

from bot import keyboards
from bot.i18n import Markup, t
from core.clock import Clock
from core.model import Lead, LeadStatus, Stage
from core.queries import Explanation, WaitingLead
from core.stats import Figures, Stats


@dataclass(frozen=True)
class Rendered:
    """A message ready to send or to edit into place."""

    text: str
    keyboard: InlineKeyboardMarkup | None = None


def duration(lang: str, seconds: float) -> str:
    """`45 s`, `5 min`, `2 h`, `1 h 30 min`."""
    seconds = round(seconds)
    if seconds < 120 and seconds % 60:
        return t(lang, "unit.s", n=seconds)
    minutes = round(seconds / 60)
    if minutes < 60:
        return t(lang, "unit.min", n=minutes)
    hours, rest = divmod(minutes, 60)
    return t(lang, "unit.h", n=hours) if not rest else t(lang, "unit.h_min", h=hours, m=rest)


def _money(value: int) -> str:
    return f"{value:,}".replace(",", " ")


def _phone(e164: str) -> str:
    """International format, which Telegram clients turn into a tap-to-call link."""
    try:
        number = phonenumbers.parse(e164)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


# Telegram refuses a message over 4096 characters; long lists stop short of that.
_MESSAGE_LIMIT = 3800
_NAMES_SHOWN = 20


def _fit(lang: str, head: list[str], rows: list[str], *, unread: int = 0,
         more: str = "list.more") -> str:
    """*head* and as many *rows* as fit in one Telegram message, then how many were left
    (counting *unread* more that were never fetched), said by the catalog's *more*."""
    lines, used = list(head), sum(len(line) + 1 for line in head)
    left = unread
    for index, row in enumerate(rows):
        if used + len(row) + 1 > _MESSAGE_LIMIT:
            left += len(rows) - index
            break
        lines.append(row)
        used += len(row) + 1
    if left:
        lines.append(t(lang, more, count=left))
    return "\n".join(lines)


def _some(lang: str, items: list[str]) -> str:
    """The first items of a list joined, and how many more there are."""
    shown = ", ".join(items[:_NAMES_SHOWN])
    if len(items) > _NAMES_SHOWN:
        shown += " " + t(lang, "list.and_more", count=len(items) - _NAMES_SHOWN)
    return shown


_MESSAGE_SHOWN = 1000


class Renderer:
    """Renders in the office's time zone."""

    def __init__(self, *, zone: ZoneInfo, office: str, clock: Clock) -> None:
        self.zone = zone
        self.office = office
        self._clock = clock

    def local_time(self, when: datetime | str) -> str:
        """A time of day in the office zone, with the date when it is not today's."""
        if isinstance(when, str):
            when = datetime.fromisoformat(when)
        local = when.astimezone(self.zone)
        today = self._clock.now().astimezone(self.zone).date()
        return local.strftime("%H:%M" if local.date() == today else "%d.%m %H:%M")

    def _deadline(self, p: dict[str, Any]) -> datetime:
        """An offer's deadline as the agent will have it: its clock starts on delivery, so a
        message that waited in the outbox shows the full window from now."""
        stored = datetime.fromisoformat(p["deadline"])
        return max(stored, self._clock.now() + timedelta(seconds=p["window_s"]))

    def local_datetime(self, when: datetime) -> str:
        """Date and time in the office zone."""
        return when.astimezone(self.zone).strftime("%d.%m %H:%M")

    # --- outbox templates ---------------------------------------------------------------

    def outgoing(self, template: str, params: dict[str, Any]) -> Rendered:
        """Render one outbox row."""
        lang = str(params.get("lang", "en"))
        method = getattr(self, f"_{template}", None)
        if method is None:
            raise KeyError(f"no renderer for outbox template {template!r}")
        result: Rendered = method(lang, params)
        return result

    def _summary_lines(self, lang: str, p: dict[str, Any]) -> list[str]:
        temperature = Markup(t(lang, f"temperature.{p['temperature']}"))
        lines = [t(lang, "offer.title", temperature=temperature, lead_id=p["lead_id"],
                   score=p["score"])]
        if p.get("returning"):
            lines.append(t(lang, "offer.returning"))
        lines.append("")
        rows = [("field.name", p.get("name") or p.get("first_name")),
                ("field.product", p.get("product")), ("field.region", p.get("region")),
                ("field.budget", self._budget(lang, p)), ("field.timing", p.get("timing")),
                ("field.source", p.get("source"))]
        if p.get("company") or p.get("intent"):  # B2B leads say who they are and what they did
            intent = p.get("intent")
            rows += [("field.company", p.get("company")),
                     ("field.intent", t(lang, f"intent.{intent}") if intent else None)]
        for key, value in rows:
            lines.append(f"{t(lang, key)}: {_esc(value) if value else t(lang, 'not_given')}")
        if p.get("missing"):
            names = ", ".join(t(lang, f"missing.{m}") for m in p["missing"])
            lines.append(t(lang, "offer.missing", fields=Markup(names)))
        return lines

    def _budget(self, lang: str, p: dict[str, Any]) -> str | None:
        low, high = p.get("budget_min"), p.get("budget_max")
        if low is not None and high is not None:
            return t(lang, "budget.range", low=_money(low), high=_money(high))
        if low is not None:
            return t(lang, "budget.from", low=_money(low))
        if high is not None:
            return t(lang, "budget.up_to", high=_money(high))
        return None

    def _contact_lines(self, lang: str, p: dict[str, Any]) -> list[str]:
        lines = []
        if p.get("phone"):
            lines.append(f"{t(lang, 'field.phone')}: <b>{_esc(_phone(p['phone']))}</b>")
        if p.get("email"):
            lines.append(f"{t(lang, 'field.email')}: {_esc(p['email'])}")
        if p.get("message"):
            message = str(p["message"])
            if len(message) > _MESSAGE_SHOWN:  # keeps every view well under Telegram's 4096
                message = message[:_MESSAGE_SHOWN].rstrip() + "…"
            lines.append(f"{t(lang, 'field.message')}: <i>{_esc(message)}</i>")
        return lines

    def _offer(self, lang: str, p: dict[str, Any]) -> Rendered:
        lines = self._summary_lines(lang, p)
        lines += ["", t(lang, "offer.hidden"), t(
            lang, "offer.deadline", window=duration(lang, p["window_s"]),
            time=self.local_time(self._deadline(p)))]
        return Rendered("\n".join(lines), keyboards.offer_keyboard(lang, p["offer_id"], p["token"]))

    def _claim_offer(self, lang: str, p: dict[str, Any]) -> Rendered:
        lines = self._summary_lines(lang, p)
        lines += ["", t(lang, "claim.note", count=p.get("pool_size", 0)), t(lang, "offer.hidden"),
                  t(lang, "claim.deadline", window=duration(lang, p["window_s"]),
                    time=self.local_time(self._deadline(p)))]
        return Rendered("\n".join(lines), keyboards.claim_keyboard(lang, p["offer_id"],
                                                                   p["token"]))

    def _claim_group(self, lang: str, p: dict[str, Any]) -> Rendered:
        lines = self._summary_lines(lang, p)
        lines += ["", t(lang, "claim_group.note", count=p.get("pool_size", 0)),
                  t(lang, "claim.deadline", window=duration(lang, p["window_s"]),
                    time=self.local_time(self._deadline(p)))]
        return Rendered("\n".join(lines), keyboards.claim_group_keyboard(
            lang, p["lead_id"], p["sequence"], p["token"]))

    def _claim_group_taken(self, lang: str, p: dict[str, Any]) -> Rendered:
        return Rendered(t(lang, "claim_group.taken", lead_id=p["lead_id"], agent=p["agent"]))

    def _claim_group_expired(self, lang: str, p: dict[str, Any]) -> Rendered:
        return Rendered(t(lang, "claim_group.expired", lead_id=p["lead_id"]))

    def _claim_taken(self, lang: str, p: dict[str, Any]) -> Rendered:
        return Rendered(t(lang, "claim_taken.title", lead_id=p["lead_id"], agent=p["agent"]))

    def decline_prompt(self, lang: str, lead_id: int, offer_id: int, token: str) -> Rendered:
        """The question an agent answers after pressing Decline."""
        return Rendered(t(lang, "decline.ask", lead_id=lead_id),
                        keyboards.decline_keyboard(lang, offer_id, token))

    def _offer_accepted(self, lang: str, p: dict[str, Any]) -> Rendered:
        return self._owned(lang, p, t(lang, "offer_accepted.title", lead_id=p["lead_id"]))

    def _lead_assigned(self, lang: str, p: dict[str, Any]) -> Rendered:
        return self._owned(lang, p, t(lang, "lead_assigned.title", by=p["by"],
                                      lead_id=p["lead_id"]))

    def _owned(self, lang: str, p: dict[str, Any], title: str) -> Rendered:
        """The owner's view: the whole lead, how to reach them, and outcome buttons."""
        summary = self._summary_lines(lang, p)[1:]  # the title line is replaced by *title*
        lines = [title, *summary, "", *self._contact_lines(lang, p),
                 "", t(lang, "offer_accepted.next", lead_id=p["lead_id"])]
        return Rendered("\n".join(lines), keyboards.outcome_keyboard(lang, p["lead_id"]))

    def _offer_declined(self, lang: str, p: dict[str, Any]) -> Rendered:
        reason = t(lang, f"reason.{p['reason']}")
        return Rendered(t(lang, "offer_declined.title", lead_id=p["lead_id"],
                          reason=Markup(reason)))

    def _offer_expired(self, lang: str, p: dict[str, Any]) -> Rendered:
        return Rendered(t(lang, "offer_expired.title", lead_id=p["lead_id"],
                          window=Markup(duration(lang, p["window_s"]))))

    def _escalated(self, lang: str, p: dict[str, Any]) -> Rendered:
        lines = [t(lang, "escalated.title", lead_id=p["lead_id"],
                   reason=Markup(t(lang, f"escalation.{p['reason']}"))), ""]
        lines += [*self._summary_lines(lang, p), "", *self._contact_lines(lang, p)]
        if p.get("tried"):
            lines.append(t(lang, "escalated.tried", names=", ".join(p["tried"])))
        lines += ["", t(lang, "escalated.pick")]
        choices = [(int(agent_id), str(name)) for agent_id, name in p["choices"]]
        return Rendered("\n".join(lines), keyboards.assign_keyboard(p["lead_id"], choices))

    def _escalation_closed(self, lang: str, p: dict[str, Any]) -> Rendered:
        return Rendered(t(lang, "escalation_closed.title", lead_id=p["lead_id"],
                          agent=p["agent"], by=p["by"]))

    def _audit_report(self, lang: str, p: dict[str, Any]) -> Rendered:
        lines = [t(lang, "audit.title")]
        if p["leads"]:
            lines.append(t(lang, "audit.leads", count=len(p["leads"]),
                           ids=", ".join(f"#{i}" for i in p["leads"][:20])))
        if p["resent"]:
            lines.append(t(lang, "audit.resent", count=p["resent"]))
        return Rendered("\n".join(lines))

    def _group_unreachable(self, lang: str, p: dict[str, Any]) -> Rendered:
        return Rendered(t(lang, "group_unreachable.title", chat=p["chat"], lead_id=p["lead_id"]))

    def _agent_unreachable(self, lang: str, p: dict[str, Any]) -> Rendered:
        key = "agent_unreachable.lead" if p.get("lead_id") else "agent_unreachable.title"
        return Rendered(t(lang, key, agent=p["agent"], lead_id=p.get("lead_id")))

    # --- command replies ----------------------------------------------------------------

    def my_leads(self, lang: str, leads: Sequence[Lead]) -> str:
        """The `/leads` reply."""
        if not leads:
            return t(lang, "leads.none")
        rows = [t(lang, "leads.title", count=len(leads))]
        for lead in leads:
            rows.append(t(
                lang, "leads.row", lead_id=lead.id,
                temperature=Markup(t(lang, f"temperature.{lead.temperature.value}")),
                product=lead.product or "—", region=lead.region or "—",
                stage=Markup(t(lang, f"stage.{lead.stage.value}")),
                since=self.local_datetime(lead.accepted_at or lead.received_at)))
        return "\n".join(rows)

    def waiting(self, lang: str, items: Sequence[WaitingLead], *,
                total: int | None = None) -> str:
        """The `/pending` reply; *total* counts every waiting lead when *items* are only the
        most urgent of them."""
        total = len(items) if total is None else max(total, len(items))
        if not total:
            return t(lang, "pending.none")
        head = [t(lang, "pending.title", count=total)]
        rows: list[str] = []
        # Most urgent first: leads a manager must assign, then offers by deadline, then nurture.
        order = {LeadStatus.WITH_MANAGERS: 0, LeadStatus.OFFERED: 1, LeadStatus.NURTURE: 2}
        items = sorted(items, key=lambda i: (
            order.get(i.lead.status, 1),
            i.deadline or i.lead.escalated_at or i.lead.received_at, i.lead.id))
        for item in items:
            temperature = Markup(t(lang, f"temperature.{item.lead.temperature.value}"))
            if item.lead.status is LeadStatus.NURTURE:
                rows.append(t(lang, "pending.nurture", lead_id=item.lead.id,
                              temperature=temperature,
                              time=self.local_datetime(item.lead.received_at)))
            elif item.lead.status is LeadStatus.OFFERED and item.deadline is not None:
                rows.append(t(lang, "pending.offered", lead_id=item.lead.id,
                              temperature=temperature, holder=item.holder or "?",
                              time=self.local_time(item.deadline)))
            else:
                since = item.lead.escalated_at or item.lead.received_at
                rows.append(t(lang, "pending.with_managers", lead_id=item.lead.id,
                              temperature=temperature, time=self.local_datetime(since)))
        return _fit(lang, head, rows, unread=total - len(items))

    def why(self, lang: str, explanation: Explanation) -> str:
        """The `/why` reply: every routing decision for one lead, in plain words."""
        lead_id = explanation.lead.id
        if not explanation.decisions:
            return t(lang, "why.none", lead_id=lead_id)
        lines: list[str] = []
        for at, trace in explanation.decisions:
            lines += ["", *self.decision_lines(lang, at, trace, explanation.names)]
        return _fit(lang, [t(lang, "why.title", lead_id=lead_id)], lines)

    def decision_lines(self, lang: str, at: datetime, trace: dict[str, Any],
                       names: dict[int, str]) -> list[str]:
        """One routing decision: the rule and why it matched, who was left out, the pick."""
        def name(agent_id: int | None) -> str:
            return names.get(agent_id, str(agent_id)) if agent_id is not None else "?"

        when = self.local_datetime(at)
        if trace.get("rule") == "sla":
            lines = [t(lang, "why.sla", time=when)]
        else:
            notes = ", ".join(t(lang, f"cond.{field}", value=value)
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
                lines.append(t(lang, "why.candidates", names=_some(
                    lang, [name(c) for c in step["candidates"]])))
            else:
                lines.append(t(lang, "why.nobody"))
            if step["skipped"]:
                skipped = [f"{_esc(name(agent_id))} "
                           f"({t(lang, f'why.skip.{reason}', **self._detail(detail))})"
                           for agent_id, reason, detail in step["skipped"]]
                lines.append(t(lang, "why.skipped", items=Markup(_some(lang, skipped))))
        outcome, reason = trace.get("outcome"), trace.get("reason")
        detail = self._detail(trace.get("detail", {}))
        if outcome == "offer":
            lines.append(t(lang, f"why.pick.{reason}", agent=name(trace.get("agent_id")),
                           **detail))
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

    def _detail(self, detail: dict[str, Any]) -> dict[str, Any]:
        """Dates in a trace, shown as office dates."""
        shown = dict(detail)
        moment = shown.get("until")
        if isinstance(moment, str):
            shown["until"] = (self.local_datetime(datetime.fromisoformat(moment)) if "T" in moment
                              else date.fromisoformat(moment).strftime("%d.%m.%Y"))
        shown.setdefault("after", "")
        return shown

    def stats(self, lang: str, period: str, stats: Stats) -> str:
        """The `/stats` reply."""
        office = stats.office
        lines = [t(lang, "stats.title", period=Markup(t(lang, f"stats.period.{period}")),
                   since=self.local_datetime(stats.start)), ""]
        lines.append(t(
            lang, "stats.office", leads_in=stats.leads_in, offered=stats.leads_offered,
            escalated=stats.leads_escalated, offers=office.offered, accepted=office.accepted,
            declined=office.declined, expired=office.expired,
            median=Markup(self._maybe_duration(lang, office.median_accept_s)),
            sla=Markup(self._pct(lang, office.sla_met_pct)),
            to_owner=Markup(self._maybe_duration(lang, stats.median_to_owner_s))))
        outcomes = ", ".join(
            f"{t(lang, f'stage.{stage.value}')} {office.stages[stage.value]}"
            for stage in Stage if office.stages.get(stage.value))
        lines.append(t(lang, "stats.outcomes", outcomes=Markup(outcomes or "—")))
        if not stats.per_agent:
            return "\n".join(lines)
        lines += ["", t(lang, "stats.agents")]
        # Agents come busiest first, so a large office loses its quietest rows, never totals.
        rows = [self._agent_row(lang, agent.name, figures) for agent, figures in stats.per_agent]
        return _fit(lang, lines, rows, more="stats.more_agents")

    def _agent_row(self, lang: str, name: str, f: Figures) -> str:
        return t(lang, "stats.agent_row", name=name, accepted=f.accepted, offers=f.offered,
                 median=Markup(self._maybe_duration(lang, f.median_accept_s)),
                 sla=Markup(self._pct(lang, f.sla_met_pct)), won=f.stages.get("won", 0),
                 lost=f.stages.get("lost", 0))

    def _maybe_duration(self, lang: str, seconds: float | None) -> str:
        return t(lang, "stats.none") if seconds is None else duration(lang, seconds)

    def _pct(self, lang: str, value: float | None) -> str:
        return t(lang, "stats.none") if value is None else f"{value:.0f}%"


def _esc(value: object) -> str:
    return html.escape(str(value), quote=False)
