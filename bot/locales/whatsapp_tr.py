"""Turkish catalog of what a WhatsApp message sends its lead's owner. Values are HTML."""

MESSAGES: dict[str, str] = {
    "whatsapp.message": "💬 <b>{name}</b> WhatsApp'tan yazdı (talep #{lead_id}):\n{text}",
    "whatsapp.reply": "💬 WhatsApp'tan yanıtla",
}
