"""Meta Lead Ads at `/webhooks/meta`: the subscription handshake, and each signed `leadgen`
change stored at once and answered 200, its fields fetched from the Graph API afterwards
(`core/lifecycle/lead_ads.py`). Never rate-limited, and never a 5xx for the Graph API's
trouble: Meta disables a subscription that keeps failing."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from aiohttp import web

from core.lifecycle.lead_ads import LeadgenChange, take_leadgen_changes
from core.model import Channel
from webhooks.bodies import parse_json, read_body
from webhooks.failures import attempt
from webhooks.keys import APP
from webhooks.meta_platform import (
    SIGNATURE_HEADER,
    refuse_signature,
    signed_by,
    verify_handshake,
)

log = logging.getLogger(__name__)

META_PATH = "/webhooks/meta"
BODY_TIMEOUT = 10.0


async def meta_handshake(request: web.Request) -> web.Response:
    """Meta's GET that subscribes this URL: the challenge back for a known verify token."""
    return verify_handshake(request, request.app[APP]().config.platform_sources(Channel.META))


async def meta_changes(request: web.Request) -> web.Response:
    """A signed post of page changes: each `leadgen` change kept by its `leadgen_id`, 200
    once they are stored; anything else acknowledged and left alone."""
    app = request.app[APP]()
    body = await read_body(request, within=BODY_TIMEOUT)
    signers = signed_by(body, request.headers.get(SIGNATURE_HEADER),
                        app.config.platform_sources(Channel.META))
    if not signers:
        return refuse_signature(request, Channel.META.value)
    noted = attempt(request)
    noted.body, noted.source = body, signers[0].name
    post = parse_json(body)  # signed, so kept when it is not JSON (the middleware's 400)
    changes = list(_leadgen_changes(post))
    if not changes:
        return web.json_response({"kept": 0})
    taken = await app.run(take_leadgen_changes, changes=changes,
                          signers=[source.name for source in signers])
    log.info("meta leadgen changes received", extra={
        "kept": taken.kept, "again": taken.again, "failed": taken.failed})
    return web.json_response({"kept": taken.kept, "again": taken.again,
                              "failed": taken.failed})


def _leadgen_changes(post: Mapping[str, object]) -> list[LeadgenChange]:
    """The `leadgen` changes of a page post, each with the page it names."""
    entries = post.get("entry")
    if post.get("object") != "page" or not isinstance(entries, list):
        return []
    found: list[LeadgenChange] = []
    for entry in entries:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("changes"), list):
            continue
        for change in entry["changes"]:
            if not isinstance(change, Mapping) or change.get("field") != "leadgen":
                continue
            value = change.get("value")
            if not isinstance(value, Mapping):
                continue
            page = value.get("page_id", entry.get("id"))
            found.append(LeadgenChange(str(page) if page is not None else "", dict(value)))
    return found


def add_meta_routes(app: web.Application) -> None:
    """Serve `/webhooks/meta` on *app*."""
    app.router.add_get(META_PATH, meta_handshake)
    app.router.add_post(META_PATH, meta_changes)
