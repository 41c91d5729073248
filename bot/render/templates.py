"""Outbox rows as Telegram messages: one renderer per template, with its buttons."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardMarkup

from bot import keyboards
from bot.i18n import Markup, t
from bot.render.formatting import Localized, duration, esc, money, phone


@dataclass(frozen=True)
class Rendered:
    """A message ready to send or to edit into place."""

    text: str
    keyboard: InlineKeyboardMarkup | None = None


_MESSAGE_SHOWN = 1000


class Templates(Localized):
    """Renders outbox rows."""

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
            lines.append(f"{t(lang, key)}: {esc(value) if value else t(lang, 'not_given')}")
        if p.get("missing"):
            names = ", ".join(t(lang, f"missing.{m}") for m in p["missing"])
            lines.append(t(lang, "offer.missing", fields=Markup(names)))
        return lines

    def _budget(self, lang: str, p: dict[str, Any]) -> str | None:
        low, high = p.get("budget_min"), p.get("budget_max")
        if low is not None and high is not None:
            return t(lang, "budget.range", low=money(low), high=money(high))
        if low is not None:
            return t(lang, "budget.from", low=money(low))
        if high is not None:
            return t(lang, "budget.up_to", high=money(high))
        return None

    def _contact_lines(self, lang: str, p: dict[str, Any]) -> list[str]:
        lines = []
        if p.get("phone"):
            lines.append(f"{t(lang, 'field.phone')}: <b>{esc(phone(p['phone']))}</b>")
        if p.get("email"):
            lines.append(f"{t(lang, 'field.email')}: {esc(p['email'])}")
        if p.get("message"):
            message = str(p["message"])
            if len(message) > _MESSAGE_SHOWN:  # keeps every view well under Telegram's 4096
                message = message[:_MESSAGE_SHOWN].rstrip() + "…"
            lines.append(f"{t(lang, 'field.message')}: <i>{esc(message)}</i>")
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

