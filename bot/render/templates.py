"""Outbox rows as Telegram messages: one renderer per template, with its buttons.

A row's template names its renderer in one table and its parameters are read back as the
template's typed record (core.messages), so a template without a renderer fails a test,
not a send.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from bot import keyboards
from bot.i18n import Markup, t
from bot.render.away import AwayViews
from bot.render.card import CardViews
from bot.render.clocks import ClockViews
from bot.render.formatting import duration, esc, phone
from bot.render.intake import IntakeViews
from bot.render.invites import InviteViews
from bot.render.lead_more import flag_lines
from bot.render.outcomes import what_happened
from bot.render.shapes import Rendered
from bot.render.team import TeamViews
from bot.render.whatsapp import WhatsAppViews
from core.messages import (
    PARAMS,
    AcceptedParams,
    AgentUnreachableParams,
    AssignedParams,
    AuditReportParams,
    ClaimedParams,
    ClaimGroupParams,
    ContactDetails,
    DeclinedParams,
    EscalatedParams,
    EscalationClosedParams,
    ExpiredParams,
    GroupUnreachableParams,
    LeadParams,
    LeadSummary,
    OfferParams,
    Template,
)

_MESSAGE_SHOWN = 1000
TemplateRenderer = Callable[[str, Any], Rendered]


class Templates(CardViews, ClockViews, AwayViews, InviteViews, TeamViews, IntakeViews,
                WhatsAppViews):
    """Renders outbox rows."""

    def renderers(self) -> Mapping[Template, TemplateRenderer]:
        """The renderer of each template."""
        return {
            Template.OFFER: self._offer,
            Template.CLAIM_OFFER: self._claim_offer,
            Template.CLAIM_GROUP: self._claim_group,
            Template.CLAIM_GROUP_TAKEN: self._claim_group_taken,
            Template.CLAIM_GROUP_EXPIRED: self._claim_group_expired,
            Template.CLAIM_TAKEN: self._claim_taken,
            Template.OFFER_ACCEPTED: self._offer_accepted,
            Template.LEAD_ASSIGNED: self._lead_assigned,
            Template.OFFER_DECLINED: self._offer_declined,
            Template.OFFER_EXPIRED: self._offer_expired,
            Template.ESCALATED: self._escalated,
            Template.ESCALATION_CLOSED: self._escalation_closed,
            Template.AUDIT_REPORT: self._audit_report,
            Template.GROUP_UNREACHABLE: self._group_unreachable,
            Template.AGENT_UNREACHABLE: self._agent_unreachable,
            Template.CARD: self._card,
            Template.CARD_MOVED: self._card_moved,
            Template.REMINDER: self._reminder,
            Template.REMINDER_ANSWERED: self._reminder_answered,
            Template.NURTURED: self._nurtured,
            Template.CONTACT_MISSED: self._contact_missed,
            Template.MISS_CLOSED: self._miss_closed,
            Template.CONTACT_NUDGE: self._contact_nudge,
            Template.RECLAIM_WARNING: self._reclaim_warning,
            Template.RECLAIMED: self._reclaimed,
            Template.OUTCOME_PROMPT: self._outcome_prompt,
            Template.OUTCOME_ANSWERED: self._outcome_answered,
            Template.OFFER_WITHDRAWN: self._offer_withdrawn,
            Template.AWAY_CHANGED: self._away_changed,
            Template.CONTACT_REMOVED: self._contact_removed,
            Template.INVITE_ACCEPTED: self._invite_accepted,
            Template.TEAM_ESCALATED: self._team_escalated,
            Template.DIGEST: self._digest,
            Template.TEAM_DIGEST: self._team_digest,
            Template.DIGEST_CHARTS: self._digest_charts,
            Template.INTAKE_FAILED: self._intake_failed,
            Template.WHATSAPP_MESSAGE: self._whatsapp_message,
        }

    def outgoing(self, template: str, params: dict[str, Any]) -> Rendered:
        """Render one outbox row (its template name and its stored parameters)."""
        try:
            kind = Template(template)
        except ValueError:
            raise KeyError(f"no renderer for outbox template {template!r}") from None
        lang = str(params.get("lang", "en"))
        return self.renderers()[kind](lang, PARAMS[kind].from_json(params))

    def _summary_lines(self, lang: str, s: LeadSummary,
                       contact: ContactDetails | None = None) -> list[str]:
        temperature = Markup(t(lang, f"temperature.{s.temperature}"))
        lines = [t(lang, "offer.title", temperature=temperature, lead_id=s.lead_id,
                   score=s.score)]
        if s.returning:
            lines.append(t(lang, "offer.returning"))
        lines.append("")
        name = (contact.name if contact else None) or s.first_name
        rows = [("field.name", name), ("field.product", s.product),
                ("field.region", s.region), ("field.budget", self._budget(lang, s)),
                ("field.timing", s.timing), ("field.source", s.source)]
        if s.company or s.intent:  # B2B leads say who they are and what they did
            rows += [("field.company", s.company),
                     ("field.intent", t(lang, f"intent.{s.intent}") if s.intent else None)]
        for key, value in rows:
            lines.append(f"{t(lang, key)}: {esc(value) if value else t(lang, 'not_given')}")
        if s.missing:
            names = ", ".join(t(lang, f"missing.{m}") for m in s.missing)
            lines.append(t(lang, "offer.missing", fields=Markup(names)))
        return lines

    def _budget(self, lang: str, s: LeadSummary) -> str | None:
        low, high = s.budget_min, s.budget_max
        if low is not None and high is not None:
            return t(lang, "budget.range", low=self.money(lang, low),
                     high=self.money(lang, high))
        if low is not None:
            return t(lang, "budget.from", low=self.money(lang, low))
        if high is not None:
            return t(lang, "budget.up_to", high=self.money(lang, high))
        return None

    def _contact_lines(self, lang: str, c: ContactDetails) -> list[str]:
        lines = []
        if c.phone:
            lines.append(f"{t(lang, 'field.phone')}: <b>{esc(phone(c.phone))}</b>")
        if c.email:
            lines.append(f"{t(lang, 'field.email')}: {esc(c.email)}")
        if c.message:
            message = str(c.message)
            if len(message) > _MESSAGE_SHOWN:  # keeps every view well under Telegram's 4096
                message = message[:_MESSAGE_SHOWN].rstrip() + "…"
            lines.append(f"{t(lang, 'field.message')}: <i>{esc(message)}</i>")
        return lines

    def _deadline(self, deadline: str, window_s: int, *, business_hours: bool) -> datetime:
        """An offer's deadline as the agent will have it: its clock starts on delivery, so a
        message that waited in the outbox shows the full window from now. (A window in
        business hours is recounted on delivery through the office's calendar, which only
        the stored deadline reflects here.)"""
        stored = datetime.fromisoformat(deadline)
        if business_hours:
            return stored
        return max(stored, self._clock.now() + timedelta(seconds=window_s))

    def _window_line(self, lang: str, key: str, p: OfferParams | ClaimGroupParams) -> str:
        """How long the offer stays open, and until when (its weekday when not today)."""
        due = self._deadline(p.deadline, p.window_s, business_hours=p.business_hours)
        return t(lang, f"{key}_business" if p.business_hours else key,
                 window=duration(lang, p.window_s), time=self.local_deadline(lang, due))

    def _offer(self, lang: str, p: OfferParams) -> Rendered:
        lines = self._summary_lines(lang, p.summary)
        lines += ["", t(lang, "offer.hidden"), self._window_line(lang, "offer.deadline", p)]
        return Rendered("\n".join(lines), keyboards.offer_keyboard(lang, p.offer_id, p.token))

    def _claim_offer(self, lang: str, p: OfferParams) -> Rendered:
        lines = self._summary_lines(lang, p.summary)
        lines += ["", t(lang, "claim.note", count=p.pool_size), t(lang, "offer.hidden"),
                  self._window_line(lang, "claim.deadline", p)]
        return Rendered("\n".join(lines), keyboards.claim_keyboard(lang, p.offer_id, p.token))

    def _claim_group(self, lang: str, p: ClaimGroupParams) -> Rendered:
        lines = self._summary_lines(lang, p.summary)
        lines += ["", t(lang, "claim_group.note", count=p.pool_size),
                  self._window_line(lang, "claim.deadline", p)]
        return Rendered("\n".join(lines), keyboards.claim_group_keyboard(
            lang, p.summary.lead_id, p.sequence, p.token))

    def _claim_group_taken(self, lang: str, p: ClaimedParams) -> Rendered:
        return Rendered(t(lang, "claim_group.taken", lead_id=p.summary.lead_id, agent=p.agent))

    def _claim_group_expired(self, lang: str, p: LeadParams) -> Rendered:
        return Rendered(t(lang, "claim_group.expired", lead_id=p.summary.lead_id))

    def _claim_taken(self, lang: str, p: ClaimedParams) -> Rendered:
        return Rendered(t(lang, "claim_taken.title", lead_id=p.summary.lead_id, agent=p.agent))

    def decline_prompt(self, lang: str, lead_id: int, offer_id: int, token: str) -> Rendered:
        """The question an agent answers after pressing Decline."""
        return Rendered(t(lang, "decline.ask", lead_id=lead_id),
                        keyboards.decline_keyboard(lang, offer_id, token))

    def _offer_accepted(self, lang: str, p: AcceptedParams) -> Rendered:
        title = t(lang, "offer_accepted.title", lead_id=p.summary.lead_id)
        return self._owned(lang, p.summary, p.contact, title)

    def _lead_assigned(self, lang: str, p: AssignedParams) -> Rendered:
        title = t(lang, "lead_assigned.title", by=p.by, lead_id=p.summary.lead_id)
        return self._owned(lang, p.summary, p.contact, title)

    def _owned(self, lang: str, s: LeadSummary, c: ContactDetails, title: str) -> Rendered:
        """The owner's view: the whole lead, how to reach them, and outcome buttons."""
        summary = self._summary_lines(lang, s, c)[1:]  # the title line is replaced by *title*
        lines = [title, *summary, "", *self._contact_lines(lang, c),
                 "", t(lang, "offer_accepted.next", lead_id=s.lead_id)]
        return Rendered("\n".join(lines), keyboards.outcome_keyboard(lang, s.lead_id))

    def _offer_declined(self, lang: str, p: DeclinedParams) -> Rendered:
        reason = t(lang, f"reason.{p.reason}")
        return Rendered(t(lang, "offer_declined.title", lead_id=p.summary.lead_id,
                          reason=Markup(reason)))

    def _offer_expired(self, lang: str, p: ExpiredParams) -> Rendered:
        return Rendered(t(lang, "offer_expired.title", lead_id=p.summary.lead_id,
                          window=Markup(duration(lang, p.window_s))))

    def _escalated(self, lang: str, p: EscalatedParams) -> Rendered:
        # Offers nobody accepted in time tell what happened to each instead; rows written
        # before outcomes were stored say it the old way, with the names of those tried.
        happened = what_happened(lang, p.outcomes) if p.outcomes else None
        reason = (happened if happened and p.reason == "no_accept"
                  else Markup(t(lang, f"escalation.{p.reason}")))
        lines = [t(lang, "escalated.title", lead_id=p.summary.lead_id, reason=reason), ""]
        lines += [*self._summary_lines(lang, p.summary, p.contact), "",
                  *self._contact_lines(lang, p.contact), *flag_lines(lang, p.contact)]
        if happened and reason is not happened:
            lines.append(t(lang, "escalated.happened", what=happened))
        elif p.tried and not happened:
            lines.append(t(lang, "escalated.tried", names=", ".join(p.tried)))
        lines += ["", t(lang, "escalated.pick")]
        choices = [(int(agent_id), str(name)) for agent_id, name in p.choices]
        return Rendered("\n".join(lines), keyboards.assign_keyboard(
            p.summary.lead_id, choices, lang=lang, marks=p.marks))

    def _escalation_closed(self, lang: str, p: EscalationClosedParams) -> Rendered:
        return Rendered(t(lang, "escalation_closed.title", lead_id=p.summary.lead_id,
                          agent=p.agent, by=p.by))

    def _audit_report(self, lang: str, p: AuditReportParams) -> Rendered:
        lines = [t(lang, "audit.title")]
        if p.leads:
            lines.append(t(lang, "audit.leads", count=len(p.leads),
                           ids=", ".join(f"#{i}" for i in p.leads[:20])))
        if p.resent:
            lines.append(t(lang, "audit.resent", count=p.resent))
        return Rendered("\n".join(lines))

    def _group_unreachable(self, lang: str, p: GroupUnreachableParams) -> Rendered:
        return Rendered(t(lang, "group_unreachable.title", chat=p.chat, lead_id=p.lead_id))

    def _agent_unreachable(self, lang: str, p: AgentUnreachableParams) -> Rendered:
        key = "agent_unreachable.lead" if p.lead_id else "agent_unreachable.title"
        return Rendered(t(lang, key, agent=p.agent, lead_id=p.lead_id))
