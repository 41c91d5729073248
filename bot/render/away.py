"""Going away, coming back and deactivation as Telegram messages: the offer that went on,
the word to someone whose availability a manager changed, a card without the contact
details, and the replies to /away, /back and /deactivate."""

from __future__ import annotations

from datetime import date

from babel.dates import format_date

from bot.i18n import t
from bot.render.formatting import Localized, esc
from bot.render.shapes import Rendered
from core.lifecycle.availability import AvailabilityResult
from core.messages import (
    AwayChangedParams,
    ContactRemovedParams,
    LeadSummary,
    OfferWithdrawnParams,
)


class AwayViews(Localized):
    """Renders what availability changes send, and the commands' replies."""

    def _offer_withdrawn(self, lang: str, p: OfferWithdrawnParams) -> Rendered:
        return Rendered("\n".join(line for line in (
            t(lang, f"withdrawn.{p.reason}", lead_id=p.summary.lead_id),
            _what(p.summary)) if line))

    def _contact_removed(self, lang: str, p: ContactRemovedParams) -> Rendered:
        return Rendered("\n".join(line for line in (
            t(lang, "contact_removed", lead_id=p.summary.lead_id), _what(p.summary)) if line))

    def _away_changed(self, lang: str, p: AwayChangedParams) -> Rendered:
        if p.away:
            key = "away.set_by_until" if p.until else "away.set_by"
            lines = [t(lang, key, by=p.by or "?",
                       day=_day(lang, date.fromisoformat(p.until)) if p.until else "")]
            lines += self._moved(lang, p.offers, p.leads)
        else:
            lines = [t(lang, "away.back_by", by=p.by) if p.by else t(lang, "away.ended")]
            if p.leads:
                lines.append(t(lang, "away.returned", count=p.leads))
        return Rendered("\n".join(lines))

    def away_reply(self, lang: str, result: AvailabilityResult, *, self_: bool) -> str:
        """The answer to /away: until when, and what moved on."""
        day = _day(lang, result.until) if result.until else ""
        if self_:
            key = "away.done_until" if result.until else "away.done"
        else:
            key = "away.done_other_until" if result.until else "away.done_other"
        lines = [t(lang, key, agent=result.agent, day=day)]
        lines += self._moved(lang, result.offers, 0)
        for lead_id, to in result.handed:
            lines.append(t(lang, "away.lead_to", lead_id=lead_id, to=to) if to
                         else t(lang, "away.lead_routed", lead_id=lead_id))
        return "\n".join(lines)

    def back_reply(self, lang: str, result: AvailabilityResult, *, self_: bool) -> str:
        """The answer to /back: and the leads given back."""
        lines = [t(lang, "away.back_done") if self_
                 else t(lang, "away.back_done_other", agent=result.agent)]
        if result.returned:
            lines.append(t(lang, "away.returned" if self_ else "away.returned_other",
                           count=len(result.returned)))
        return "\n".join(lines)

    def deactivated_reply(self, lang: str, result: AvailabilityResult) -> str:
        """The answer to a confirmed /deactivate."""
        lines = [t(lang, "deactivate.done", agent=result.agent)]
        lines += self._moved(lang, result.offers, 0)
        for lead_id, to in result.handed:
            lines.append(t(lang, "away.lead_to", lead_id=lead_id, to=to) if to
                         else t(lang, "away.lead_routed", lead_id=lead_id))
        return "\n".join(lines)

    @staticmethod
    def _moved(lang: str, offers: int, leads: int) -> list[str]:
        lines = []
        if offers:
            lines.append(t(lang, "away.offers_moved", count=offers))
        if leads:
            lines.append(t(lang, "away.leads_moved_one") if leads == 1
                         else t(lang, "away.leads_moved", count=leads))
        return lines


def _what(s: LeadSummary) -> str:
    return " · ".join(esc(part) for part in (s.first_name, s.product, s.region) if part)


def _day(lang: str, day: date) -> str:
    """An away's last day, with its weekday: `Fri 27 Nov`, `Cum 27 Kas`."""
    return format_date(day, "EEE d MMM", locale="tr_TR" if lang == "tr" else "en_GB")
