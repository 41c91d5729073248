"""Google Ads lead forms at `/webhooks/google-ads`: a JSON lead with the form's `google_key`
(checked in constant time), its `user_column_data` read as fields and extras, `lead_id` as
the idempotency key; Google's test leads kept apart and never offered to anyone."""

from __future__ import annotations

import json
import logging

from aiohttp import web

from core.lifecycle.lead_ads import admit_google
from core.model import Channel
from core.model.failures import FailureReason
from webhooks.bodies import parse_json, read_body
from webhooks.failures import attempt, keep
from webhooks.keys import APP, REFUSED_SIGNATURES

log = logging.getLogger(__name__)

GOOGLE_PATH = "/webhooks/google-ads"
BODY_TIMEOUT = 10.0
_KEY = "google_key"


async def google_lead(request: web.Request) -> web.Response:
    """One lead of a Google Ads lead form: 200 once stored (or found again by its
    `lead_id`); 403 for a key no source has."""
    app = request.app[APP]()
    noted = attempt(request)
    read = bytearray()
    try:
        body = await read_body(request, within=BODY_TIMEOUT, into=read)
    finally:
        noted.body = noted.body if noted.body is not None else bytes(read)
    post = parse_json(body)
    key = post.get(_KEY)
    # The key is a secret: what is kept of a post never holds it.
    noted.body = json.dumps({**post, _KEY: "(removed)"}, ensure_ascii=False).encode()
    source = app.config.source_by_google_key(key) if isinstance(key, str) and key else None
    if source is None:
        counts = request.app.get(REFUSED_SIGNATURES)
        if counts is not None:
            counts[Channel.GOOGLE_ADS.value] = counts.get(Channel.GOOGLE_ADS.value, 0) + 1
        log.warning("a Google Ads lead was refused: unknown or missing google_key",
                    extra={"path": request.path, "remote": request.remote})
        refusal = web.json_response({"error": "unknown or missing google_key"}, status=403)
        await keep(request, refusal, reason=FailureReason.UNAUTHENTICATED)
        return refusal
    noted.source = source.name
    if post.get("is_test") is True:
        # Google's "send test data": kept to look at, never a lead anyone is offered.
        await keep(request, web.json_response({"error": "a test lead from Google Ads"}),
                   reason=FailureReason.TEST)
        return web.json_response({"lead_id": None, "test": True})
    incoming = admit_google(app.deps, source_name=source.name, post=post)
    result = await app.receive_admitted(incoming, routed=False)
    answer: dict[str, object] = {"lead_id": result.lead_id}
    if result.flags:
        answer["flags"] = dict(result.flags)
    return web.json_response(answer)


def add_google_routes(app: web.Application) -> None:
    """Serve `/webhooks/google-ads` on *app*."""
    app.router.add_post(GOOGLE_PATH, google_lead)
