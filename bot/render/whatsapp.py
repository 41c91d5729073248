"""What a WhatsApp message sends: its lead's owner told what the contact wrote, with a
button that opens the chat with them."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.card_keyboards import whatsapp_url
from bot.i18n import t, t_raw
from bot.render.formatting import Localized, phone
from bot.render.shapes import Rendered
from core.messages import WhatsAppMessageParams

_TEXT_SHOWN = 1000


class WhatsAppViews(Localized):
    """The renderers of WhatsApp's messages."""

    def _whatsapp_message(self, lang: str, p: WhatsAppMessageParams) -> Rendered:
        who = p.contact.name or (phone(p.contact.phone) if p.contact.phone else "?")
        text = p.text if len(p.text) <= _TEXT_SHOWN else p.text[:_TEXT_SHOWN - 1] + "…"
        keyboard = None
        if p.contact.phone:
            keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(
                t_raw(lang, "whatsapp.reply"), url=whatsapp_url(p.contact.phone, None))]])
        return Rendered(t(lang, "whatsapp.message", name=who, lead_id=p.lead_id, text=text),
                        keyboard)
