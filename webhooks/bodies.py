"""A lead's body off the wire: bounded in size and in time, and parsed strictly."""

from __future__ import annotations

import asyncio
import json
import re
from email.parser import BytesParser
from email.policy import HTTP
from urllib.parse import parse_qsl

from aiohttp import web
from aiohttp.http import HttpProcessingError

MAX_BODY_BYTES = 64 * 1024
MAX_DEPTH = 32
# Strings may hold brackets; one that is never closed runs to the end (the JSON is bad anyway).
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*(?:"|\\?\Z)', re.DOTALL)
_NOT_BRACKETS = bytes(set(range(256)) - set(b"[]{}"))


class BadBody(Exception):
    """A body that cannot be taken: the status to answer, and what is wrong with it."""

    def __init__(self, status: int, error: str, problem: str, *, encoding: bool = False) -> None:
        super().__init__(error)
        self.status, self.error, self.problem = status, error, problem
        self.encoding = encoding  # the bytes are not in the encoding they must be


class SenderGone(Exception):
    """The sender went away before its whole body arrived."""


class TooLarge(Exception):
    """A body over MAX_BODY_BYTES: *head* is its first MAX_BODY_BYTES, kept as it failed."""

    def __init__(self, head: bytes) -> None:
        super().__init__(f"body larger than {MAX_BODY_BYTES} bytes")
        self.head = head


async def read_body(request: web.Request, *, within: float,
                    into: bytearray | None = None) -> bytes:
    """The whole body, if it arrives within *within* seconds and MAX_BODY_BYTES.

    Over the size, TooLarge with the part that fits (a 413). What arrived is in *into*
    however the reading ends (to keep a failure's bytes).
    """
    body = bytearray() if into is None else into
    try:
        async with asyncio.timeout(within):
            while chunk := await request.content.readany():
                body += chunk
                if len(body) > MAX_BODY_BYTES:
                    raise TooLarge(bytes(body[:MAX_BODY_BYTES]))
            return bytes(body)
    except TimeoutError:
        raise BadBody(408, f"body not received within {within:g} s",
                      f"did not arrive within {within:g} s") from None
    except ConnectionError as exc:
        raise SenderGone() from exc
    except (web.RequestPayloadError, HttpProcessingError):
        # Chunks or a Content-Encoding that do not decode: the sender's fault, not ours.
        raise BadBody(400, "body could not be read",
                      "could not be read: its chunks or its Content-Encoding are broken"
                      ) from None


def parse_json(body: bytes) -> dict[str, object]:
    """A JSON object, strictly: no NaN or Infinity, at most MAX_DEPTH levels deep."""
    # Measured first, because the parser recurses and fails far deeper than any lead goes.
    if _depth(body) > MAX_DEPTH:
        raise BadBody(400, "body is nested too deeply",
                      f"is nested deeper than {MAX_DEPTH} levels")
    try:
        payload = json.loads(body, parse_constant=_not_a_json_number)
    except _NotAJsonNumber as exc:
        raise BadBody(400, "body is not valid JSON", f"is not valid JSON: {exc}") from None
    except ValueError:  # also a body that is not UTF-8, and integers of thousands of digits
        raise BadBody(400, "body is not valid JSON", "is not valid JSON") from None
    if not isinstance(payload, dict):
        raise BadBody(400, "body must be a JSON object", "must be a JSON object")
    return payload


def parse_form(body: bytes) -> list[tuple[str, str]]:
    """The fields of a URL-encoded form in UTF-8, in order.

    A percent-escape that is not UTF-8 becomes a lone surrogate, which validation names as
    that field's problem; a body that is not UTF-8 itself is refused whole.
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadBody(400, "body is not valid UTF-8", "is not valid UTF-8",
                      encoding=True) from None
    return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="surrogateescape")


def parse_multipart(body: bytes, content_type: str) -> list[tuple[str, str]]:
    """The text fields of a `multipart/form-data` body (what many form builders send), in
    order, as a URL-encoded form's; file parts are left out (a lead is its fields)."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    if not message.is_multipart() or message.defects:
        raise BadBody(400, "body is not valid multipart/form-data",
                      "is not valid multipart/form-data")
    fields = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str) or part.get_filename() is not None:
            continue
        raw = part.get_payload(decode=True)
        charset = part.get_content_charset() or "utf-8"
        try:
            value = raw.decode(charset) if isinstance(raw, bytes) else ""
        except (LookupError, UnicodeDecodeError):
            raise BadBody(400, "a field is not valid UTF-8",
                          f"field {name[:40]!r} is not valid {charset[:20]}") from None
        fields.append((name, value))
    return fields


def parse_payload(content_type: str, body: bytes) -> tuple[dict[str, object], str | None]:
    """A lead's fields from a JSON or form body (by its whole Content-Type header, which
    names a multipart body's boundary), and the token a form carries as a field (None for
    JSON, whose token is in its header)."""
    media = content_type.partition(";")[0].strip().lower()
    if media == "application/json":
        return parse_json(body), None
    fields = (parse_multipart(body, content_type) if media == "multipart/form-data"
              else parse_form(body))
    token = next((value for key, value in fields if key == "token"), None)
    return {key: value for key, value in fields if key != "token"}, token


class _NotAJsonNumber(ValueError):
    pass


def _not_a_json_number(name: str) -> object:
    raise _NotAJsonNumber(f"{name} is not a JSON number")


def _depth(body: bytes) -> int:
    """How deep arrays and objects nest in *body*, not counting brackets inside strings."""
    depth = deepest = 0
    for bracket in _STRING.sub(b"", body).translate(None, _NOT_BRACKETS):
        if bracket in b"[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest
