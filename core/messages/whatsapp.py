"""The parameters of what a WhatsApp message sends: its owner told of a contact's message."""

from __future__ import annotations

from dataclasses import dataclass

from core.messages.params import ContactDetails, Params


@dataclass(frozen=True)
class WhatsAppMessageParams(Params):
    """The contact of the owner's lead *lead_id* wrote *text* on WhatsApp while it was open
    (a photo, a voice message… as its placeholder); *contact* names them and gives the
    number the Reply button opens."""

    lead_id: int
    contact: ContactDetails
    text: str
