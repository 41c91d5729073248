"""A lead's card as a Telegram message: everything about the lead that fits one message,
and the buttons to work it."""

from __future__ import annotations

from datetime import datetime

from bot.card_keyboards import card_keyboard, outcome_keyboard, reminder_keyboard, whatsapp_url
from bot.i18n import Markup, t, t_raw
from bot.render.formatting import MESSAGE_LIMIT, Localized, esc, phone
from bot.render.lead_more import flag_lines, more_lines
from bot.render.shapes import Rendered
from core.messages import (
    CardMovedParams,
    CardParams,
    LeadSummary,
    NurturedParams,
    OutcomeAnsweredParams,
    OutcomePromptParams,
    ReminderAnsweredParams,
    ReminderParams,
)
from core.model import Stage

# What a card shows of the contact's own message, and less when the card would not fit.
_MESSAGE_SHOWN = (600, 200, 0)
_NOTE_SHOWN = (1000, 300, 100)
# What it shows of each extra under More, and how many; none when even that would not fit.
_EXTRA_SHOWN = (200, 60, 0)
_EXTRAS_SHOWN = 20


class CardViews(Localized):
    """Renders lead cards."""

    def _card(self, lang: str, p: CardParams) -> Rendered:
        for message_chars, note_chars, extra_chars in zip(_MESSAGE_SHOWN, _NOTE_SHOWN,
                                                          _EXTRA_SHOWN, strict=True):
            text = self._card_text(lang, p, message_chars=message_chars, note_chars=note_chars,
                                   extra_chars=extra_chars)
            if len(text) <= MESSAGE_LIMIT:
                break
        else:  # nothing of the person's own writing is left to cut: the fields are bounded
            text = text[:MESSAGE_LIMIT]
        return Rendered(text, card_keyboard(
            lang, p.summary.lead_id, stage=Stage(p.stage), closed=p.closed,
            whatsapp=self._whatsapp(p), undo=self._undo_open(p), give_back=p.owner_view))

    def _card_moved(self, lang: str, p: CardMovedParams) -> Rendered:
        return Rendered(t(lang, "card.moved", lead_id=p.lead_id))

    def _reminder(self, lang: str, p: ReminderParams) -> Rendered:
        s = p.summary
        what = [s.first_name, s.product, s.region]
        lines = [t(lang, f"reminder.{p.kind}", lead_id=s.lead_id, time=self.local_time(p.due_at)),
                 " · ".join(esc(part) for part in what if part)]
        return Rendered("\n".join(line for line in lines if line),
                        reminder_keyboard(lang, p.task_id, s.lead_id))

    def _nurtured(self, lang: str, p: NurturedParams) -> Rendered:
        return Rendered(t(lang, "nurtured.title", lead_id=p.summary.lead_id, agent=p.agent,
                          tries=p.tries))

    def _outcome_prompt(self, lang: str, p: OutcomePromptParams) -> Rendered:
        s = p.summary
        what = " · ".join(str(part) for part in (s.first_name, s.product, s.region) if part)
        lines = [t(lang, "outcome.prompt", lead_id=s.lead_id, since=self.local_time(p.since),
                   stage=t_raw(lang, f"stage.{p.stage}")), what]
        return Rendered("\n".join(line for line in lines if line),
                        outcome_keyboard(lang, s.lead_id, stage=Stage(p.stage)))

    def _outcome_answered(self, lang: str, p: OutcomeAnsweredParams) -> Rendered:
        if p.working:
            return Rendered(t(lang, "outcome.working", lead_id=p.lead_id))
        return Rendered(t(lang, "outcome.answered", lead_id=p.lead_id,
                          stage=t_raw(lang, f"stage.{p.stage}")))

    def _reminder_answered(self, lang: str, p: ReminderAnsweredParams) -> Rendered:
        if p.until is None:
            return Rendered(t(lang, "reminder.done", lead_id=p.lead_id))
        return Rendered(t(lang, "reminder.snoozed", lead_id=p.lead_id,
                          time=self.local_time(p.until)))

    def _undo_open(self, p: CardParams) -> bool:
        return p.undo_until is not None and datetime.fromisoformat(p.undo_until) > \
            self._clock.now()

    def _whatsapp(self, p: CardParams) -> str | None:
        if not p.contact.phone:
            return None
        first_name = p.summary.first_name or ""
        agent = next(iter((p.owner or "").split()), "")  # a roster name may be blank
        if p.first_message:
            text = p.first_message.format(first_name=first_name, office=self.office, agent=agent)
        else:
            text = t_raw(p.office_lang, "card.first_message", first_name=first_name,
                         office=self.office, agent=agent)
        return whatsapp_url(p.contact.phone, text if p.owner_view else None)

    def _card_text(self, lang: str, p: CardParams, *, message_chars: int,
                   note_chars: int, extra_chars: int) -> str:
        s = p.summary
        temperature = Markup(t(lang, f"temperature.{s.temperature}"))
        if p.opened == "accepted":
            lines = [t(lang, "offer_accepted.title", lead_id=s.lead_id)]
        elif p.opened == "assigned":
            lines = [t(lang, "lead_assigned.title", by=p.by or "?", lead_id=s.lead_id)]
        elif p.opened in ("handover", "returned"):  # an agent's away (core/lifecycle/availability)
            lines = [t(lang, f"card.{p.opened}_title", by=p.by or "?", lead_id=s.lead_id)]
        elif p.opened == "entered":
            lines = [t(lang, "card.entered_title", lead_id=s.lead_id, temperature=temperature,
                       score=s.score)]
        else:
            lines = [t(lang, "card.title", lead_id=s.lead_id, temperature=temperature,
                       score=s.score)]
        if s.returning:
            lines.append(t(lang, "offer.returning"))
        lines.append("")
        c = p.contact
        name = c.name or s.first_name
        shown = esc(name) if name else t(lang, "not_given")
        lines.append(f"{t(lang, 'field.name')}: <b>{shown}</b>")
        if c.phone:
            lines.append(f"{t(lang, 'field.phone')}: <b>{esc(phone(c.phone))}</b>")
        if c.email:
            lines.append(f"{t(lang, 'field.email')}: {esc(c.email)}")
        rows = [("field.product", s.product), ("field.region", s.region),
                ("field.budget", self._budget_of(lang, s)), ("field.timing", s.timing),
                ("field.source", s.source)]
        if s.company or s.intent:
            rows += [("field.company", s.company),
                     ("field.intent", t(lang, f"intent.{s.intent}") if s.intent else None)]
        for key, value in rows:
            if value:
                lines.append(f"{t(lang, key)}: {esc(value)}")
        if c.message and message_chars:
            message = str(c.message)
            if len(message) > message_chars:
                message = message[:message_chars - 1].rstrip() + "…"
            lines.append(f"{t(lang, 'field.message')}: <i>{esc(message)}</i>")
        lines += flag_lines(lang, c)
        if more := more_lines(lang, c, chars=extra_chars, keys=_EXTRAS_SHOWN,
                              zone=self.zone):
            lines += ["", *more]
        if p.earlier:
            items = ", ".join(t(lang, "card.earlier_item", lead_id=i, date=self._date(at),
                                stage=t_raw(lang, f"stage.{stage}"))
                              for i, at, stage in p.earlier)
            lines.append(t(lang, "card.earlier", items=Markup(items)))
        lines += ["", *self._progress(lang, p)]
        if p.notes:
            lines += ["", t(lang, "card.notes")]
            for at, author, note in p.notes:
                shown = note if len(note) <= note_chars else note[:note_chars - 1].rstrip() + "…"
                lines.append(t(lang, "card.note", time=self.local_time(at), author=author,
                               text=shown))
            if p.notes_total > len(p.notes):
                lines.append(t(lang, "card.notes_more", lead_id=s.lead_id))
        if not p.owner_view and p.owner:
            lines += ["", t(lang, "card.owner", name=p.owner)]
        if p.owner_view:
            lines += ["", t(lang, "card.reply_hint")]
        return "\n".join(lines)

    def _progress(self, lang: str, p: CardParams) -> list[str]:
        head = [t(lang, "card.stage", stage=t_raw(lang, f"stage.{p.stage}"))]
        if p.first_contact_at:
            head.append(t(lang, "card.first_contact", time=self.local_time(p.first_contact_at)))
        if p.attempts:
            head.append(t(lang, "card.attempts", count=p.attempts))
        lines = [" · ".join(head)]
        if p.offer_amount is not None:
            lines.append(t(lang, "card.offer_amount", amount=self.money(lang, p.offer_amount)))
        if p.amount is not None and p.stage == Stage.WON.value:
            lines.append(t(lang, "card.won_amount", amount=self.money(lang, p.amount)))
        if p.lost_reason and p.stage == Stage.LOST.value:
            lines.append(t(lang, "card.lost_reason",
                           reason=t_raw(lang, f"lost.{p.lost_reason}")))
        if p.next_task:
            kind, due = p.next_task
            lines.append(t(lang, "card.next", task=Markup(t(lang, f"task.{kind}")),
                           time=self.local_deadline(lang, due)))
        elif not p.closed:
            lines.append(t(lang, "card.no_next"))
        return lines

    def _budget_of(self, lang: str, s: LeadSummary) -> str | None:
        low, high = s.budget_min, s.budget_max
        if low is not None and high is not None and low != high:
            return t_raw(lang, "budget.range", low=self.money(lang, low),
                         high=self.money(lang, high))
        if low is not None:
            return self.money(lang, low) if high == low else t_raw(
                lang, "budget.from", low=self.money(lang, low))
        if high is not None:
            return t_raw(lang, "budget.up_to", high=self.money(lang, high))
        return None

    def _date(self, at: str) -> str:
        return datetime.fromisoformat(at).astimezone(self.zone).strftime("%d.%m.%Y")
