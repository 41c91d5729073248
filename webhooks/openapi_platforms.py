"""The ad platforms' part of `/openapi.json`: Meta Lead Ads at `/webhooks/meta` and Google
Ads lead forms at `/webhooks/google-ads`, each as its platform sends and as we answer, with
examples a test sends one by one (tests/test_openapi.py)."""

from __future__ import annotations

from typing import Any

_TEXT = {"type": "string"}
_ID = {"oneOf": [{"type": "string"}, {"type": "integer"}]}
_COUNT = {"type": "integer", "minimum": 0}
_PLAIN = {"text/plain": {"schema": _TEXT}}


def problem(description: str = "Nothing became a lead; the body says why (the post is kept, "
                               "to be replayed once fixed).") -> dict[str, Any]:
    """An answer whose JSON body names what is wrong."""
    return {"description": description,
            "content": {"application/json": {"schema": {
                "type": "object", "required": ["error"],
                "properties": {"error": _TEXT, "fields": {"type": "array", "items": {
                    "type": "object", "properties": {"field": _TEXT, "problem": _TEXT}}}}}}}}


_UNREAD = problem("The body could not be taken: not whole (400), not within the time limit "
                  "(408) or over 64 KiB (413). Nothing was stored.")
_DATABASE = problem("The database does not answer; nothing was stored. The platform retries.")

# --- Meta Lead Ads ----------------------------------------------------------------------------

# What Meta's GET sends when the URL is subscribed in the app's Webhooks settings.
META_HANDSHAKE = {"hub.mode": "subscribe", "hub.verify_token": "the-verify-token-you-chose",
                  "hub.challenge": "1158201444"}
META_PAGE = "111222333444555"
META_LEADGEN_ID = "444444444444"


def _page_post(*changes: dict[str, Any]) -> dict[str, Any]:
    return {"object": "page", "entry": [{"id": META_PAGE, "time": 1772611200,
                                         "changes": list(changes)}]}


# Each example signed with the source's app_secret, and the status its post is answered with.
META_EXAMPLES: dict[str, tuple[dict[str, Any], int]] = {
    "new_lead": (_page_post({"field": "leadgen", "value": {
        "leadgen_id": META_LEADGEN_ID, "page_id": META_PAGE, "form_id": "987654321012345",
        "ad_id": "238495873490", "adgroup_id": "238495873491",
        "created_time": 1772611200}}), 200),
    "another_change_of_the_page": (_page_post({"field": "feed", "value": {
        "item": "status", "verb": "add", "post_id": f"{META_PAGE}_1"}}), 200),
}


def _leadgen_post() -> dict[str, Any]:
    # A `leadgen` change's value; other fields' values have shapes of their own.
    value = {"type": "object", "properties": {
        "leadgen_id": _ID, "page_id": _ID, "form_id": _ID, "ad_id": _ID, "adgroup_id": _ID,
        "created_time": {"type": "integer"}}}
    change = {"type": "object", "required": ["field", "value"], "properties": {
        "field": {**_TEXT, "description": "Only `leadgen` changes are taken (each needs its "
                                          "`leadgen_id`); others are acknowledged and left "
                                          "alone."},
        "value": value}}
    return {"type": "object", "required": ["object", "entry"], "properties": {
        "object": {**_TEXT, "examples": ["page"]},
        "entry": {"type": "array", "items": {"type": "object", "properties": {
            "id": _ID, "time": {"type": "integer"},
            "changes": {"type": "array", "items": change}}}}}}


def handshake(example: dict[str, str], *, channel: str) -> dict[str, Any]:
    """The GET that Meta sends to subscribe a URL (Lead Ads' and WhatsApp's alike)."""
    def query(name: str, description: str, **schema: Any) -> dict[str, Any]:
        return {"name": name, "in": "query", "required": True, "description": description,
                "schema": {**_TEXT, **schema}, "example": example[name]}

    return {
        "summary": f"Meta's subscription check ({channel})",
        "parameters": [
            query("hub.mode", "Always `subscribe`.", enum=["subscribe"]),
            query("hub.verify_token", f"The `verify_token` of a {channel} source."),
            query("hub.challenge", "Answered back as the body."),
        ],
        "responses": {
            "200": {"description": "`hub.challenge`, as Meta expects.", "content": _PLAIN},
            "403": {"description": "Not `subscribe`, or a verify token no source has.",
                    "content": _PLAIN},
        },
    }


# The header each of Meta's posts is signed in.
SIGNATURE = {
    "name": "X-Hub-Signature-256", "in": "header", "required": True,
    "description": "`sha256=` and the HMAC-SHA256 of the raw body with the app secret.",
    "schema": {**_TEXT, "pattern": "^sha256=[0-9a-f]{64}$"}}


def meta_path() -> dict[str, Any]:
    """`/webhooks/meta`: the subscription handshake and the signed posts of page changes."""
    kept = {"type": "object", "required": ["kept"], "properties": {
        "kept": {**_COUNT, "description": "`leadgen` changes kept, their fields to be "
                                          "fetched from the Graph API"},
        "again": {**_COUNT, "description": "changes kept before (Meta's retries)"},
        "failed": {**_COUNT, "description": "changes kept in failed intake (a page no "
                                            "source claims, no `leadgen_id`)"}}}
    return {
        "get": handshake(META_HANDSHAKE, channel="meta"),
        "post": {
            "summary": "Meta Lead Ads: new leads of the pages, by their leadgen_id",
            "description": "Signed with the app secret of the source whose `page_ids` name the "
                           "page; each `leadgen` change is kept at once (by its `leadgen_id`, "
                           "so a retry adds nothing) and its fields are fetched from the Graph "
                           "API afterwards. Never rate-limited, never a 5xx for the Graph API's "
                           "trouble.",
            "parameters": [SIGNATURE],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": _leadgen_post(), "examples": {
                    name: {"value": body} for name, (body, _) in META_EXAMPLES.items()}}}},
            "responses": {
                "200": {"description": "Kept (or nothing in it to keep).",
                        "content": {"application/json": {"schema": kept}}},
                "400": problem("Signed, but not a JSON object (kept in failed intake), or a "
                               "body that could not be read."),
                "403": problem("`X-Hub-Signature-256` matches no source's app secret: stored "
                               "nowhere, counted in `leadrelay_webhook_refused_total`."),
                "408": _UNREAD, "413": _UNREAD, "503": _DATABASE,
            },
        },
    }


# --- Google Ads lead forms --------------------------------------------------------------------

GOOGLE_KEY = "the-key-you-set-in-google-ads"


def _google_lead(lead_id: str, *columns: tuple[str, str, str], key: str = GOOGLE_KEY,
                 is_test: bool = False) -> dict[str, Any]:
    return {"lead_id": lead_id, "api_version": "1.0", "form_id": 40000000,
            "campaign_id": 123456, "google_key": key, "is_test": is_test,
            "gcl_id": "EAIaIQobChMI-gclid", "adgroup_id": 20000000, "creative_id": 30000000,
            "user_column_data": [{"column_id": column, "column_name": name,
                                  "string_value": value} for column, name, value in columns]}


_DENIZ = (("FULL_NAME", "Full Name", "Deniz Kaya"),
          ("PHONE_NUMBER", "User Phone", "+905321234567"),
          ("EMAIL", "User Email", "deniz@example.com"), ("CITY", "City", "Istanbul"),
          ("rooms_question", "How many rooms?", "3+1"))

# Each example, and the status its post is answered with (the test posts every one).
GOOGLE_EXAMPLES: dict[str, tuple[dict[str, Any], int]] = {
    "lead": (_google_lead("TeSter-123-ABCDEFGHIJKLMNOPQRSTUVWXYZ", *_DENIZ), 200),
    "test_data": (_google_lead("TeSter-124-ABCDEFGHIJKLMNOPQRSTUVWXYZ", *_DENIZ,
                               is_test=True), 200),
    "no_usable_contact": (_google_lead("TeSter-125-ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                                       ("FULL_NAME", "Full Name", "Deniz Kaya"),
                                       ("PHONE_NUMBER", "User Phone", "12")), 422),
    "wrong_key": (_google_lead("TeSter-126-ABCDEFGHIJKLMNOPQRSTUVWXYZ", *_DENIZ,
                               key="not-the-key-of-any-source"), 403),
}


def google_ads_path() -> dict[str, Any]:
    """`/webhooks/google-ads`: one lead of a lead form, as Google's webhook posts it."""
    column = {"type": "object", "properties": {
        "column_id": {**_TEXT, "description": "FULL_NAME, FIRST_NAME, LAST_NAME, PHONE_NUMBER, "
                                              "EMAIL, POSTAL_CODE, CITY, or a custom "
                                              "question's id"},
        "column_name": {**_TEXT, "description": "A custom question's name, kept as the "
                                                "lead's extra"},
        "string_value": _TEXT}}
    lead = {"type": "object", "required": ["google_key", "lead_id", "user_column_data"],
            "properties": {
                "google_key": {**_TEXT, "description": "The key set in the form's webhook "
                                                       "integration; checked first."},
                "lead_id": {**_TEXT, "description": "The idempotency key: a retry finds the "
                                                    "same lead."},
                "api_version": _TEXT, "campaign_id": _ID, "form_id": _ID, "adgroup_id": _ID,
                "creative_id": _ID, "gcl_id": _TEXT,
                "is_test": {"type": "boolean", "description": "Google's \"send test data\": "
                                                              "kept apart, never offered."},
                "user_column_data": {"type": "array", "items": column}}}
    taken = {"type": "object", "required": ["lead_id"], "properties": {
        "lead_id": {"type": ["integer", "null"]},
        "test": {"type": "boolean"},
        "flags": {"type": "object", "additionalProperties": _TEXT}}}
    return {"post": {
        "summary": "Google Ads lead forms: one lead",
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": lead, "examples": {
                name: {"value": body} for name, (body, _) in GOOGLE_EXAMPLES.items()}}}},
        "responses": {
            "200": {"description": "Stored, or found again by its `lead_id`; a test lead is "
                                   "kept apart (`lead_id` null, `test` true).",
                    "content": {"application/json": {"schema": taken}}},
            "400": problem("Not a JSON object, or a body that could not be read; nothing "
                           "stored."),
            "403": problem("A `google_key` no source has: kept in failed intake without "
                           "the key, counted in `leadrelay_webhook_refused_total`."),
            "408": _UNREAD, "413": _UNREAD,
            "422": problem(),
            "503": _DATABASE,
        },
    }}
