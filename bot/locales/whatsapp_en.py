"""English catalog of what a WhatsApp message sends its lead's owner. Values are HTML."""

MESSAGES: dict[str, str] = {
    "whatsapp.message": "💬 <b>{name}</b> wrote on WhatsApp (lead #{lead_id}):\n{text}",
    "whatsapp.reply": "💬 Reply on WhatsApp",
}
