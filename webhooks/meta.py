"""Meta Lead Ads at `/webhooks/meta`: the subscription handshake (the signed posts of
`leadgen` changes follow)."""

from __future__ import annotations

from aiohttp import web

from core.model import Channel
from webhooks.keys import APP
from webhooks.meta_platform import verify_handshake

META_PATH = "/webhooks/meta"


async def meta_handshake(request: web.Request) -> web.Response:
    """Meta's GET that subscribes this URL: the challenge back for a known verify token."""
    return verify_handshake(request, request.app[APP]().config.platform_sources(Channel.META))


def add_meta_routes(app: web.Application) -> None:
    """Serve `/webhooks/meta` on *app*."""
    app.router.add_get(META_PATH, meta_handshake)
