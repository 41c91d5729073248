"""A WhatsApp Cloud API webhook read as the messages it carries, each with the business
number it was sent to and its text as a lead shows it (a photo as `[photo] its caption`…).

The placeholders are stored data, the same in every office and language (as `received` and
the other history kinds are): the card shows them as the contact's own words are shown.
Status updates, other fields and message kinds that carry nothing to show (`system`) are
left out; a post that is not a WhatsApp business account's is read as nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

OBJECT = "whatsapp_business_account"
MESSAGES_FIELD = "messages"
# WhatsApp's own limit on a text is 4096 characters; a caption's is 1024.
TEXT_KEPT = 4096
_LABELS = {"image": "photo", "video": "video", "sticker": "sticker", "order": "order"}


@dataclass(frozen=True)
class WhatsAppMessage:
    """One message a contact sent to one of the office's WhatsApp numbers."""

    phone_number_id: str  # the business number it was sent to, as Meta names it
    message_id: str  # `wamid.…`: the same on every delivery of it
    sender: str  # the contact's number, digits only (WhatsApp's wa_id)
    name: str | None  # the contact's WhatsApp profile name
    kind: str  # WhatsApp's message type: text, image, audio, location…
    text: str  # what it says, or its placeholder and caption
    # A Click-to-WhatsApp ad's or post's `referral`, on the first message after the tap:
    # its fields that are text (source_url, source_id, source_type, headline, ctwa_clid…).
    referral: Mapping[str, str] = field(default_factory=dict)


def messages_in(payload: Mapping[str, Any]) -> list[WhatsAppMessage]:
    """Every message of *payload* (entry[].changes[].value.messages[]), in order."""
    if payload.get("object") != OBJECT:
        return []
    found: list[WhatsAppMessage] = []
    for entry in _dicts(payload.get("entry")):
        for change in _dicts(entry.get("changes")):
            value = change.get("value")
            if change.get("field") == MESSAGES_FIELD and isinstance(value, dict):
                found += _messages_of(value)
    return found


def _messages_of(value: Mapping[str, Any]) -> list[WhatsAppMessage]:
    metadata = value.get("metadata")
    number = _text(metadata.get("phone_number_id")) if isinstance(metadata, dict) else None
    names = {_text(c.get("wa_id")): _text(_get(c, "profile", "name"))
             for c in _dicts(value.get("contacts"))}
    found = []
    for message in _dicts(value.get("messages")):
        sender, message_id = _text(message.get("from")), _text(message.get("id"))
        kind = _text(message.get("type")) or "unknown"
        shown = shown_text(kind, message)
        if number is None or not sender or not message_id or shown is None:
            continue  # nothing to answer or to show: a system notice, a broken entry
        found.append(WhatsAppMessage(number, message_id, _digits(sender), names.get(sender),
                                     kind, shown[:TEXT_KEPT], _referral(message)))
    return found


def _referral(message: Mapping[str, Any]) -> dict[str, str]:
    """The text fields of *message*'s `referral` (a nested object, such as the ad's welcome
    message, left out)."""
    referral = message.get("referral")
    if not isinstance(referral, dict):
        return {}
    return {key: text for key, value in referral.items()
            if isinstance(key, str) and (text := _text(value)) is not None}


def shown_text(kind: str, message: Mapping[str, Any]) -> str | None:
    """A message as a lead's text shows it; None for one that shows nothing."""
    found = message.get(kind)
    body: Mapping[str, Any] = found if isinstance(found, dict) else {}
    caption = _text(body.get("caption"))
    if kind == "text":
        return _text(body.get("body")) or ""
    if kind == "button":
        return _text(body.get("text")) or ""
    if kind == "interactive":
        reply = body.get("button_reply") or body.get("list_reply") or {}
        return _text(reply.get("title")) if isinstance(reply, dict) else None
    if kind == "system":
        return None
    if kind in ("audio", "voice"):
        label = "[voice message]" if kind == "voice" or body.get("voice") is True else "[audio]"
    elif kind == "document":
        filename = _text(body.get("filename"))
        label = f"[document: {filename}]" if filename else "[document]"
    elif kind == "location":
        label = _location(body)
    elif kind == "contacts":
        label = _contacts(message.get("contacts"))
    elif kind == "reaction":
        label = f"[reaction: {_text(body.get('emoji')) or ''}]"
    else:
        label = f"[{_LABELS.get(kind, kind if kind.isidentifier() else 'message')}]"
    return f"{label} {caption}" if caption else label


def _location(body: Mapping[str, Any]) -> str:
    place = ", ".join(p for p in (_text(body.get("name")), _text(body.get("address"))) if p)
    where = [str(body[k]) for k in ("latitude", "longitude")
             if isinstance(body.get(k), int | float) and not isinstance(body.get(k), bool)]
    parts = [p for p in (place, ", ".join(where) if len(where) == 2 else "") if p]
    return f"[location: {' · '.join(parts)}]" if parts else "[location]"


def _contacts(cards: object) -> str:
    people = []
    for card in _dicts(cards):
        name = _text(_get(card, "name", "formatted_name"))
        phones = [p for p in (_text(x.get("phone")) for x in _dicts(card.get("phones"))) if p]
        people.append(" ".join(p for p in (name, *phones[:1]) if p))
    shown = "; ".join(p for p in people if p)
    return f"[contact: {shown}]" if shown else "[contact]"


def _dicts(value: object) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _get(value: object, *path: str) -> object:
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _text(value: object) -> str | None:
    """A string's stripped text, a number's digits (ids may come as numbers); else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    return value.strip() or None if isinstance(value, str) else None


def _digits(number: str) -> str:
    return "".join(ch for ch in number if ch.isdigit())
