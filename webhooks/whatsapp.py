"""The WhatsApp Cloud API at `/webhooks/whatsapp`: the subscription handshake, and signed
posts of the messages contacts send to the office's numbers.

A post is answered 200 once what it carries is stored, as a lead, a line of an open lead's
history, or failed intake: a number no source claims, a body that cannot be read, a number
intake cannot take. Meta disables a subscription that keeps failing, and a payload it sends
again fails again, so none of these is an error to it. Only a database that does not answer
gets 503: nothing was stored, and Meta's retry (for up to seven days) brings it in then.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from aiohttp import web

from core.app import App
from core.config import SourceConfig
from core.errors import InvalidInput, StorageUnavailable
from core.lifecycle.failed_intake import record_failure
from core.lifecycle.whatsapp import WHATSAPP_TYPE, WhatsAppTaken, take_whatsapp_message
from core.model import Channel
from core.model.failures import KEPT_HEADERS, FailedIntake, FailureReason
from core.whatsapp_payload import WhatsAppMessage, messages_in
from webhooks.bodies import BadBody, SenderGone, TooLarge, parse_json, read_body
from webhooks.keys import APP
from webhooks.meta_platform import (
    SIGNATURE_HEADER,
    refuse_signature,
    signed_by,
    verify_handshake,
)

log = logging.getLogger(__name__)

WHATSAPP_PATH = "/webhooks/whatsapp"
_BODY_TIMEOUT = 10.0


async def whatsapp_handshake(request: web.Request) -> web.Response:
    """Meta's GET that subscribes this URL: the challenge back for a WhatsApp source's
    verify token."""
    sources = request.app[APP]().config.platform_sources(Channel.WHATSAPP)
    return verify_handshake(request, sources)


async def receive_whatsapp(request: web.Request) -> web.Response:
    """Take the messages of one signed post; 200 with what became of them."""
    relay = request.app[APP]()
    try:
        raw = await read_body(request, within=_BODY_TIMEOUT)
    except TooLarge:
        # Larger than any WhatsApp post: not read whole, so its signature cannot be checked.
        return web.json_response({"error": "body too large"}, status=413)
    except (BadBody, SenderGone):
        return web.json_response({"error": "body could not be read"}, status=400)
    signers = signed_by(raw, request.headers.get(SIGNATURE_HEADER),
                        relay.config.platform_sources(Channel.WHATSAPP))
    if not signers:
        return refuse_signature(request, Channel.WHATSAPP.value)
    try:
        return web.json_response(await _take(request, relay, raw, signers))
    except StorageUnavailable as exc:
        log.warning("a WhatsApp post could not be stored: the database does not answer (%s)",
                    exc.__cause__.__class__.__name__)
        return web.json_response({"error": "the database does not answer; retry"},
                                 status=503, headers={"Retry-After": "30"})


async def _take(request: web.Request, relay: App, raw: bytes,
                signers: Sequence[SourceConfig]) -> dict[str, object]:
    answer: dict[str, list[int]] = {"leads": [], "attached_to": [], "failed_intake": []}
    one = signers[0].name if len(signers) == 1 else None
    try:
        payload = parse_json(raw)
    except BadBody as exc:
        answer["failed_intake"] += await _fail(request, relay, raw, FailureReason.BAD_BODY,
                                               exc.problem, one)
        return {**answer, "already_taken": 0}
    found = messages_in(payload)
    claims = {number: source for source in signers for number in source.phone_number_ids}
    unclaimed = sorted({m.phone_number_id for m in found} - set(claims))
    if unclaimed:
        answer["failed_intake"] += await _fail(
            request, relay, raw, FailureReason.UNCLAIMED,
            f"phone_number_id {', '.join(unclaimed)} is claimed by no whatsapp source "
            "(phone_number_ids) whose app_secret signed this post", None)
    again = 0
    for got in (m for m in found if m.phone_number_id in claims):
        source = claims[got.phone_number_id].name
        try:
            taken = await relay.run(take_whatsapp_message, source=source, got=got)
        except InvalidInput as exc:
            answer["failed_intake"] += await _fail(request, relay, raw, FailureReason.INVALID,
                                                   str(exc), source)
            continue
        except StorageUnavailable:
            raise
        except Exception:
            log.exception("a WhatsApp message could not be taken", extra={"source": source})
            answer["failed_intake"] += await _fail(
                request, relay, raw, FailureReason.BAD_BODY,
                "a message could not be taken (see the log); replay it once fixed", source)
            continue
        _log(got, source, taken)
        if taken.again:
            again += 1
        else:
            answer["leads" if taken.created else "attached_to"].append(taken.lead_id)
    if answer["leads"]:
        await relay.route_new_leads(wait=False)
    return {**answer, "already_taken": again}


def _log(got: WhatsAppMessage, source: str, taken: WhatsAppTaken) -> None:
    """One line per message: its kind and lead, never its sender's number or its words."""
    if taken.again:
        log.info("a WhatsApp message was delivered again; taken before",
                 extra={"source": source, "kind": got.kind})
        return
    log.info("WhatsApp message taken as a new lead" if taken.created
             else "WhatsApp message added to its open lead",
             extra={"lead_id": taken.lead_id, "source": source, "kind": got.kind,
                    "owner_told": taken.owner_told, "ad": bool(got.referral)})


async def _fail(request: web.Request, relay: App, raw: bytes, reason: FailureReason,
                detail: str, source: str | None) -> list[int]:
    """Keep the whole post in failed intake (its signature was right: kept to replay, and
    its source's managers told once an hour); its id, or nothing if it could not be kept.

    Its type is WHATSAPP_TYPE, which `leadrelay intake replay` takes as a signed WhatsApp
    post (the Content-Type it came with stays among its headers)."""
    headers: dict[str, str | bool] = {name: request.headers[name][:500]
                                      for name in KEPT_HEADERS if name in request.headers}
    failure = FailedIntake(
        received_at=relay.deps.clock.now(), reason=reason, detail=detail[:500],
        authenticated=True, body=raw, source=source, content_type=WHATSAPP_TYPE,
        headers=headers)
    log.warning("a WhatsApp post was kept in failed intake: %s", reason.value,
                extra={"source": source})
    failure_id = await relay.run(record_failure, failure=failure)
    return [] if failure_id is None else [failure_id]


def add_whatsapp_routes(app: web.Application) -> None:
    """Serve `/webhooks/whatsapp` on *app*."""
    app.router.add_get(WHATSAPP_PATH, whatsapp_handshake)
    app.router.add_post(WHATSAPP_PATH, receive_whatsapp)
