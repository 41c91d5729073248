"""Serving the intake: aiohttp's runner, with a log that does not blame us for a sender."""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_protocol import RequestPayloadError

# What a sender's bytes make aiohttp raise: the parser's errors, and a body's (as the handler
# reads it, or as aiohttp drains what it left unread) wrapped in RequestPayloadError.
_SENDERS_DOING = (HttpProcessingError, RequestPayloadError)

log = logging.getLogger(__name__)


class _SenderFaults(logging.Filter):
    """A request aiohttp's HTTP parser refuses (a header byte it does not allow, a body that
    does not decode) is answered 400 and is the sender's doing: an INFO line, no traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if not isinstance(exc, _SENDERS_DOING):
            return True
        if not log.isEnabledFor(logging.INFO):
            return False
        record.levelno, record.levelname = logging.INFO, "INFO"
        record.msg, record.args = "a request the HTTP parser refused: %s: %s", (
            type(exc).__name__, str(exc)[:200])
        record.exc_info = record.exc_text = None
        return True


log.addFilter(_SenderFaults())


def intake_runner(app: web.Application) -> web.AppRunner:
    """The runner that serves *app*, logging its server's troubles through this module."""
    return web.AppRunner(app, access_log=None, logger=log)
