"""`GET /openapi.json`: what the intake accepts and answers, as OpenAPI 3.1, with examples a
test posts one by one: `/webhooks/leads`, and the ad platforms' `/webhooks/meta` and
`/webhooks/google-ads` (`webhooks/openapi_platforms.py`)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from core.lead_extras import CAMPAIGN_FIELDS
from core.lead_input import INTENTS, MAX_LENGTH
from webhooks.openapi_platforms import google_ads_path, meta_path, problem
from webhooks.openapi_whatsapp import whatsapp_path

_TEXT = {"type": "string"}
_AMOUNT = {"oneOf": [{"type": "number", "minimum": 0},
                     {"type": "string", "examples": ["4.500.000", "4,5 milyon", "3-5m"]}]}


def _lead_schema() -> dict[str, Any]:
    texts = {name: {**_TEXT, "maxLength": MAX_LENGTH[name]} for name in (
        "name", "phone", "email", "product", "region", "postal_code", "timing", "message",
        "external_id", "language", "company")}
    # A usable e-mail is one of `format: email`; which phone numbers exist no schema can say.
    texts["email"] = {**texts["email"], "format": "email"}
    texts["phone"] = {**texts["phone"], "examples": ["0532 123 45 67", "+90 532 123 45 67"]}
    return {
        "type": "object",
        "description": "A lead needs a usable phone or e-mail; a problem in any other field "
                       "flags it (the answer's `flags`) instead of refusing the lead. Fields "
                       "not listed here are kept as the lead's extras.",
        "properties": {
            **texts,
            "budget": _AMOUNT, "budget_min": _AMOUNT, "budget_max": _AMOUNT,
            "tags": {"oneOf": [{"type": "array", "items": _TEXT, "maxItems": 10}, _TEXT]},
            "intent": {"type": "string", "enum": sorted(INTENTS)},
            "fit": {"type": "string", "enum": ["strong", "weak"]},
            "consent": {"oneOf": [{"type": "boolean"}, _TEXT, {
                "type": "object", "properties": {
                    "given": {"type": "boolean"}, "at": _TEXT, "form": _TEXT}}]},
            **{name: _TEXT for name in CAMPAIGN_FIELDS},
        },
        "anyOf": [{"required": ["phone"]}, {"required": ["email"]}],
        "additionalProperties": True,
    }


# Each example, and the status its post is answered with (the test posts every one).
EXAMPLES: dict[str, tuple[dict[str, Any], int]] = {
    "web_form": ({"name": "Deniz Kaya", "phone": "0532 123 45 67", "product": "residential",
                  "region": "Istanbul / Kadıköy", "budget": "4-6 milyon", "timing": "this week",
                  "external_id": "form-1001"}, 201),
    "with_campaign_and_consent": ({"email": "deniz@example.com", "utm_source": "google",
                                   "utm_campaign": "spring", "gclid": "abc123",
                                   "consent": {"given": True, "form": "spring-landing"},
                                   "how_did_you_hear": "a friend"}, 201),
    "bad_phone_beside_a_good_email": ({"phone": "12", "email": "deniz@example.com"}, 201),
    "no_usable_contact": ({"name": "Deniz Kaya", "phone": "12"}, 422),
}


def document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of the intake."""
    lead = _lead_schema()
    accepted = {"description": "Stored (201), or the same `external_id` again (200).",
                "content": {"application/json": {"schema": {
                    "type": "object", "required": ["lead_id"],
                    "properties": {"lead_id": {"type": ["integer", "null"]},
                                   "flags": {"type": "object",
                                             "additionalProperties": _TEXT}}}}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "leadrelay intake", "version": "1"},
        "components": {"securitySchemes": {"source": {
            "type": "http", "scheme": "bearer",
            "description": "The source's token from leadrelay.yaml; a form may send it as "
                           "its `token` field instead."}}},
        "paths": {"/webhooks/leads": {"post": {
            "summary": "Take one lead",
            "security": [{"source": []}],
            "requestBody": {"required": True, "content": {
                "application/json": {"schema": lead, "examples": {
                    name: {"value": body} for name, (body, _) in EXAMPLES.items()}},
                "application/x-www-form-urlencoded": {"schema": {
                    **lead, "properties": {**lead["properties"], "token": _TEXT,
                                           "redirect": _TEXT}}},
                "multipart/form-data": {"schema": {
                    **lead, "properties": {**lead["properties"], "token": _TEXT,
                                           "redirect": _TEXT}}},
            }},
            "responses": {
                "200": accepted, "201": accepted,
                "303": {"description": "A form post of a source with `thank_you_urls`: on to "
                                       "its thank-you page."},
                **{status: problem() for status in (
                    "400", "401", "408", "413", "415", "417", "422", "429")},
                "503": problem("The database does not answer; nothing was stored. Retry "
                               "later."),
            },
        }},
            "/webhooks/meta": meta_path(),
            "/webhooks/google-ads": google_ads_path(),
            "/webhooks/whatsapp": whatsapp_path()},
    }


async def openapi(_request: web.Request) -> web.Response:
    """The intake's OpenAPI document."""
    return web.json_response(document())
