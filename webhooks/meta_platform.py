"""What Meta's webhooks (Lead Ads and the WhatsApp Cloud API) share: the GET handshake that
subscribes a URL, and the `X-Hub-Signature-256` every post carries.

A post is authenticated before its JSON is read: the signature is checked over the raw bytes
against each configured app secret (an office has one or two), in constant time; the sources
whose secret signed it are the only ones its entries may then name.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Iterable, Sequence

from aiohttp import web

from core.config import SourceConfig
from webhooks.keys import REFUSED_SIGNATURES

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Hub-Signature-256"
_PREFIX = "sha256="


def signature_of(raw_body: bytes, app_secret: str) -> str:
    """The header value Meta sends with *raw_body* signed by *app_secret*."""
    digest = hmac.new(app_secret.encode(), raw_body, hashlib.sha256).hexdigest()
    return _PREFIX + digest


def check_signature(raw_body: bytes, header: str | None, app_secret: str) -> bool:
    """Whether *header* (`sha256=<hex>`) is *raw_body*'s HMAC-SHA256 under *app_secret*,
    compared in constant time."""
    if not header:
        return False
    given = header.strip().lower().encode("ascii", "replace")
    return hmac.compare_digest(given, signature_of(raw_body, app_secret).encode())


def signed_by(raw_body: bytes, header: str | None,
              sources: Iterable[SourceConfig]) -> list[SourceConfig]:
    """The sources whose `app_secret` signed *raw_body* (several when they share an app)."""
    signers: list[SourceConfig] = []
    for source in sources:
        if source.app_secret is not None and check_signature(
                raw_body, header, source.app_secret.get_secret_value()):
            signers.append(source)
    return signers


def verify_handshake(request: web.Request, sources: Sequence[SourceConfig]) -> web.Response:
    """Meta's subscription check: `hub.mode=subscribe` with the `hub.verify_token` of one of
    *sources* → 200 with `hub.challenge` as plain text; anything else → 403."""
    query = request.query
    token = query.get("hub.verify_token", "")
    challenge = query.get("hub.challenge", "")
    known = False
    for source in sources:  # every one compared, so the time taken tells nothing
        if source.verify_token is not None and hmac.compare_digest(
                source.verify_token.get_secret_value().encode(),
                token.encode("utf-8", "surrogatepass")):
            known = True
    if query.get("hub.mode") != "subscribe" or not known or not challenge:
        log.warning("a webhook subscription check was refused",
                    extra={"path": request.path, "remote": request.remote})
        return web.Response(status=403, text="verification failed\n",
                            content_type="text/plain")
    return web.Response(text=challenge[:1000], content_type="text/plain")


def refuse_signature(request: web.Request, channel: str) -> web.Response:
    """403 for a post no configured app secret signed; counted for /metrics, stored nowhere
    (anyone can post to a public URL, and such a post is not ours to keep)."""
    counts = request.app.get(REFUSED_SIGNATURES)
    if counts is not None:
        counts[channel] = counts.get(channel, 0) + 1
    log.warning("a webhook post was refused: its %s does not match any app secret",
                SIGNATURE_HEADER, extra={"path": request.path, "remote": request.remote,
                                         "channel": channel})
    return web.json_response({"error": f"{SIGNATURE_HEADER} does not match"}, status=403)
