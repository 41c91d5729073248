"""WhatsApp's part of `/openapi.json`: `/webhooks/whatsapp`, the subscription handshake and
the signed posts of the WhatsApp Cloud API, with examples a test sends one by one
(tests/test_openapi.py)."""

from __future__ import annotations

from typing import Any

from webhooks.openapi_platforms import SIGNATURE, handshake, problem

_TEXT = {"type": "string"}
_IDS = {"type": "array", "items": {"type": "integer"}}

WHATSAPP_HANDSHAKE = {"hub.mode": "subscribe",
                      "hub.verify_token": "the-whatsapp-verify-token-you-chose",
                      "hub.challenge": "1158201445"}
WHATSAPP_NUMBER_ID = "106540352242922"


def _post(value: dict[str, Any], field: str = "messages") -> dict[str, Any]:
    value = {"messaging_product": "whatsapp", "metadata": {
        "display_phone_number": "902165550000", "phone_number_id": WHATSAPP_NUMBER_ID},
        **value}
    return {"object": "whatsapp_business_account", "entry": [{
        "id": "102290129340398", "changes": [{"field": field, "value": value}]}]}


_DENIZ = {"contacts": [{"profile": {"name": "Deniz Kaya"}, "wa_id": "905321234567"}]}

# Each example signed with the source's app_secret, and the status its post is answered with.
WHATSAPP_EXAMPLES: dict[str, tuple[dict[str, Any], int]] = {
    "first_message": (_post({**_DENIZ, "messages": [{
        "from": "905321234567", "id": "wamid.HBgMOTA1MzIxMjM0NTY3FQIAEhggQUFBQQ==",
        "timestamp": "1772611200", "type": "text",
        "text": {"body": "Is the flat in Moda still for sale?"}}]}), 200),
    "a_photo_with_a_caption": (_post({**_DENIZ, "messages": [{
        "from": "905321234567", "id": "wamid.HBgMOTA1MzIxMjM0NTY3FQIAEhggQkJCQg==",
        "timestamp": "1772611260", "type": "image",
        "image": {"caption": "This one", "mime_type": "image/jpeg", "id": "1234"}}]}), 200),
    "delivery_status": (_post({"statuses": [{
        "id": "wamid.HBgMOTA1MzIxMjM0NTY3FQIAERgSQ0NDQw==", "status": "delivered",
        "timestamp": "1772611300", "recipient_id": "905321234567"}]}), 200),
}


def _messages_post() -> dict[str, Any]:
    message = {"type": "object", "required": ["from", "id", "type"], "properties": {
        "from": _TEXT, "id": {**_TEXT, "description": "The idempotency key: a message "
                                                      "delivered again is taken once."},
        "timestamp": _TEXT,
        "type": {**_TEXT, "description": "text, image, audio, voice, video, document, "
                                         "sticker, location, contacts…: a message without "
                                         "text is kept as its placeholder (`[photo] caption`)"},
        "text": {"type": "object", "properties": {"body": _TEXT}}}}
    value = {"type": "object", "properties": {
        "messaging_product": _TEXT,
        "metadata": {"type": "object", "properties": {
            "display_phone_number": _TEXT,
            "phone_number_id": {**_TEXT, "description": "Matched to the source whose "
                                                        "`phone_number_ids` list it."}}},
        "contacts": {"type": "array", "items": {"type": "object", "properties": {
            "profile": {"type": "object", "properties": {"name": _TEXT}}, "wa_id": _TEXT}}},
        "messages": {"type": "array", "items": message},
        "statuses": {"type": "array", "description": "Acknowledged and left alone.",
                     "items": {"type": "object"}}}}
    change = {"type": "object", "required": ["field", "value"], "properties": {
        "field": {**_TEXT, "description": "Only `messages` changes are taken."},
        "value": value}}
    return {"type": "object", "required": ["object", "entry"], "properties": {
        "object": {**_TEXT, "examples": ["whatsapp_business_account"]},
        "entry": {"type": "array", "items": {"type": "object", "properties": {
            "id": _TEXT, "changes": {"type": "array", "items": change}}}}}}


def whatsapp_path() -> dict[str, Any]:
    """`/webhooks/whatsapp`: the subscription handshake and the signed posts of messages."""
    taken = {"type": "object", "required": ["leads", "attached_to", "failed_intake"],
             "properties": {
                 "leads": {**_IDS, "description": "the new leads a first message made"},
                 "attached_to": {**_IDS, "description": "the open leads a later message "
                                                        "joined"},
                 "failed_intake": {**_IDS, "description": "what could not be taken, kept "
                                                          "to be replayed"},
                 "already_taken": {"type": "integer", "minimum": 0,
                                   "description": "messages taken before (Meta's retries)"}}}
    return {
        "get": handshake(WHATSAPP_HANDSHAKE, channel="whatsapp"),
        "post": {
            "summary": "WhatsApp Cloud API: the messages people send the office's number",
            "description": "Signed with the app secret of the source whose `phone_number_ids` "
                           "name the business number. A first message from a number with no "
                           "open lead makes a lead; a later one joins its open lead. A signed "
                           "post that cannot be taken is answered 200 all the same and kept "
                           "in failed intake.",
            "parameters": [SIGNATURE],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": _messages_post(), "examples": {
                    name: {"value": body} for name, (body, _) in WHATSAPP_EXAMPLES.items()}}}},
            "responses": {
                "200": {"description": "What became of each message.",
                        "content": {"application/json": {"schema": taken}}},
                "400": problem("A body that could not be read; nothing stored."),
                "403": problem("`X-Hub-Signature-256` matches no source's app secret: stored "
                               "nowhere, counted in `leadrelay_webhook_refused_total`."),
                "413": problem("Larger than any WhatsApp post; nothing stored."),
                "503": problem("The database does not answer; nothing was stored. Meta "
                               "retries."),
            },
        },
    }
