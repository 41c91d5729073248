"""The clocks after Accept as Telegram messages: a missed first contact for the managers
(with Reassign), the owner's nudge, reclaim warnings and the word that a lead was taken."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import keyboards
from bot.card_keyboards import ShowCardAction, encode_card
from bot.i18n import t, t_raw
from bot.render.formatting import Localized, esc
from bot.render.handover import reason_label
from bot.render.shapes import Rendered
from core.messages import (
    ContactMissedParams,
    ContactNudgeParams,
    LeadSummary,
    MissClosedParams,
    ReclaimedParams,
    ReclaimWarningParams,
)


class ClockViews(Localized):
    """Renders what the clocks after Accept send."""

    def _contact_missed(self, lang: str, p: ContactMissedParams) -> Rendered:
        lines = [t(lang, "contact_missed.title", lead_id=p.summary.lead_id, agent=p.agent,
                   time=self.local_time(p.due_at)), self._what(p.summary)]
        if p.reclaim_at:
            lines.append(t(lang, "contact_missed.reclaim", time=self.local_time(p.reclaim_at)))
        choices = [(int(agent_id), str(name)) for agent_id, name in p.choices]
        if choices:
            lines += ["", t(lang, "contact_missed.pick")]
        return Rendered("\n".join(line for line in lines if line),
                        keyboards.reassign_keyboard(p.summary.lead_id, choices, lang=lang,
                                                    marks=p.marks))

    def _miss_closed(self, lang: str, p: MissClosedParams) -> Rendered:
        return Rendered(t(lang, f"miss_closed.{p.outcome}", lead_id=p.lead_id,
                          agent=p.agent or "?", by=p.by or "?"))

    def _contact_nudge(self, lang: str, p: ContactNudgeParams) -> Rendered:
        lines = [t(lang, "contact_nudge.title", lead_id=p.summary.lead_id,
                   time=self.local_time(p.due_at)), self._what(p.summary),
                 t(lang, "contact_nudge.reclaim", time=self.local_time(p.reclaim_at))
                 if p.reclaim_at else t(lang, "contact_nudge.log")]
        return Rendered("\n".join(line for line in lines if line),
                        self._open_card(lang, p.summary.lead_id))

    def _reclaim_warning(self, lang: str, p: ReclaimWarningParams) -> Rendered:
        text = "\n".join(line for line in (
            t(lang, f"reclaim_warning.{p.reason}", lead_id=p.summary.lead_id,
              time=self.local_time(p.at)), self._what(p.summary)) if line)
        return Rendered(text, self._open_card(lang, p.summary.lead_id))

    def _reclaimed(self, lang: str, p: ReclaimedParams) -> Rendered:
        why = reason_label(lang, p.reason, p.why)
        because = t(lang, "handover.because", reason=why) if why is not None else ""
        if p.brief:  # the card it was: no contact details, no buttons
            lead_id = p.summary.lead_id
            head = (t(lang, "returned.card", lead_id=lead_id) if p.reason == "returned"
                    else t(lang, "reclaimed.card", lead_id=lead_id))
            now_with = t(lang, "handover.now_with", to=p.to) if p.to else ""
            return Rendered("\n".join(line for line in (
                head, self._what(p.summary), now_with, because) if line))
        text = t(lang, f"reclaimed.{p.reason}", lead_id=p.summary.lead_id,
                 to=p.to or "?", by=p.by or "?")
        return Rendered("\n".join(line for line in (text, because) if line))

    @staticmethod
    def _what(s: LeadSummary) -> str:
        return " · ".join(esc(part) for part in (s.first_name, s.product, s.region) if part)

    @staticmethod
    def _open_card(lang: str, lead_id: int) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[InlineKeyboardButton(
            t_raw(lang, "button.open_card"),
            callback_data=encode_card(ShowCardAction(lead_id)))]])
