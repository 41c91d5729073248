"""An ad platform's lead read as intake's payload: Meta's `field_data` and Google's
`user_column_data` as lead fields, custom questions by their name (kept as extras unless
intake knows the name), and the platform's ids as campaign fields (a Click-to-WhatsApp
ad's `referral` too)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from urllib.parse import urlsplit

from core.lead_extras import CAMPAIGN_CHARS, as_text

# Meta's standard questions (`field_data[].name`) and Google's (`column_id`), as lead fields.
META_FIELDS = {"full_name": "name", "phone_number": "phone", "email": "email",
               "city": "region", "zip": "postal_code", "zip_code": "postal_code",
               "post_code": "postal_code", "postal_code": "postal_code"}
GOOGLE_FIELDS = {"FULL_NAME": "name", "PHONE_NUMBER": "phone", "EMAIL": "email",
                 "POSTAL_CODE": "postal_code", "CITY": "region"}
_NAME_PARTS = {"first_name": 0, "last_name": 1, "FIRST_NAME": 0, "LAST_NAME": 1}
# What each platform says about the ad a lead came from, kept as campaign fields.
META_CAMPAIGN = ("ad_id", "adgroup_id", "adset_id", "campaign_id", "form_id", "ad_name",
                 "adset_name", "campaign_name", "platform", "is_organic")
GOOGLE_CAMPAIGN = ("campaign_id", "form_id", "gcl_id", "adgroup_id", "creative_id")
# A Click-to-WhatsApp `referral`'s fields kept as they are; `source_id` is kept as `ad_id`
# (or `post_id`, for a boosted post) and the network its `source_url` is on as utm_source.
WHATSAPP_CAMPAIGN = ("source_type", "source_url", "headline", "ctwa_clid")
_NETWORKS = {"facebook.com": "facebook", "fb.me": "facebook", "fb.com": "facebook",
             "fb.watch": "facebook", "instagram.com": "instagram", "ig.me": "instagram",
             "instagr.am": "instagram"}
_MAX_QUESTIONS = 200


def meta_payload(field_data: object) -> dict[str, object]:
    """Meta's `field_data` (`[{"name": …, "values": […]}]`) as intake's payload: several
    values of one question joined by commas."""
    answers: list[tuple[str, str]] = []
    for item in field_data if isinstance(field_data, list) else []:
        if not isinstance(item, Mapping) or not isinstance(item.get("name"), str):
            continue
        values = item.get("values")
        values = values if isinstance(values, list) else [values]
        answers.append((item["name"], ", ".join(as_text(v, 1000) for v in values
                                                if v not in (None, ""))))
    return _payload(answers[:_MAX_QUESTIONS], META_FIELDS)


def google_payload(columns: object) -> dict[str, object]:
    """Google's `user_column_data` (`[{"column_id", "string_value", "column_name"?}]`) as
    intake's payload: a custom question by its `column_name`, else its id in lower case."""
    answers: list[tuple[str, str]] = []
    for item in columns if isinstance(columns, list) else []:
        if not isinstance(item, Mapping):
            continue
        column, named = item.get("column_id"), item.get("column_name")
        key = column if isinstance(column, str) and column in {*GOOGLE_FIELDS, *_NAME_PARTS} \
            else named if isinstance(named, str) and named.strip() \
            else column.lower() if isinstance(column, str) else None
        if key is None:
            continue
        value = item.get("string_value")
        answers.append((key, as_text(value, 1000) if value is not None else ""))
    return _payload(answers[:_MAX_QUESTIONS], GOOGLE_FIELDS)


def _payload(answers: Sequence[tuple[str, str]], fields: Mapping[str, str]) -> dict[str, object]:
    payload: dict[str, object] = {}
    parts = ["", ""]
    for key, value in answers:
        if key in _NAME_PARTS:
            parts[_NAME_PARTS[key]] = value.strip()
        elif key in fields:
            payload.setdefault(fields[key], value)
        elif value:
            payload.setdefault(key, value)
    if "name" not in payload and any(parts):
        payload["name"] = " ".join(part for part in parts if part)
    return payload


def campaign_of(keys: Sequence[str], *sources: Mapping[str, object]) -> dict[str, str]:
    """The campaign fields among *keys* that *sources* give (the first that has one wins)."""
    found: dict[str, str] = {}
    for key in keys:
        for source in sources:
            value = source.get(key)
            if value not in (None, "") and not isinstance(value, dict | list):
                found[key] = as_text(value, CAMPAIGN_CHARS)
                break
    return found


def whatsapp_campaign(referral: Mapping[str, str]) -> dict[str, str]:
    """A Click-to-WhatsApp `referral` as campaign fields: `utm_source` facebook or
    instagram (as its `source_url` says), `ad_id` (or `post_id`), and the click's own
    fields, `ctwa_clid` among them; nothing for a message that came from no ad or post."""
    found = campaign_of(WHATSAPP_CAMPAIGN, referral)
    network = _network(referral.get("source_url"))
    if network is not None:
        found["utm_source"] = network
    source_id = referral.get("source_id")
    if source_id:
        kind = "post_id" if referral.get("source_type") == "post" else "ad_id"
        found[kind] = as_text(source_id, CAMPAIGN_CHARS)
    return found


def _network(url: str | None) -> str | None:
    """facebook or instagram, for a link on one of them (`https://fb.me/…`,
    `https://www.instagram.com/p/…`); None for another or none."""
    try:
        host = (urlsplit(url.strip()).hostname or "") if url else ""
    except ValueError:
        return None
    return next((network for domain, network in _NETWORKS.items()
                 if host == domain or host.endswith("." + domain)), None)
