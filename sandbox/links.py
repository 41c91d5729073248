"""The URL of an inline button as Telegram reads it: what it refuses, and how it echoes the rest.

TDLib checks the URL before the message is sent (its ``check_link``). It takes http and https
URLs whose host has a dot or is an IPv6 address (the scheme may be left out: ``example.com`` is
``http://example.com/``), and the links ``tg:``, ``ton:`` and ``tonsite:``. The rest is refused
as "inline keyboard button URL '<url>' is invalid: <why>"; ``tel:+4930123456``, say, is read as
the host ``tel`` with a port that is no number. A URL it takes comes back in Message.reply_markup
normalized: the host lower-cased, an empty path made "/", blanks in the path percent-encoded
(``https://Example.com`` -> ``https://example.com/``).
"""

from __future__ import annotations

import ipaddress
import re

from sandbox.values import _bad

_INTERNAL_SCHEMES = ("tg", "ton", "tonsite")
_PROTOCOL_RE = re.compile(r"[^:/?#@\[\]]*")
_PORT_RE = re.compile(r"[0-9]+")
# Besides letters and digits, the characters RFC 3986 allows in a host, as TDLib lists them.
_PART_SYMBOLS = frozenset(".-_!$,~*'();&+=")
_HEX = frozenset("0123456789abcdefABCDEF")
_IPV6_SYMBOLS = frozenset("0123456789abcdef:.")


class _Refused(Exception):
    """Why TDLib refuses a URL, in its own words."""


def checked_button_url(url: str) -> str:
    """Return *url* as Telegram echoes it on the button, or raise Telegram's 400 for it."""
    try:
        return _checked_link(url)
    except _Refused as why:
        raise _bad(f"inline keyboard button URL '{url}' is invalid: {why}") from None


def _checked_link(link: str) -> str:
    scheme = next((s for s in _INTERNAL_SCHEMES if link[: len(s) + 1].lower() == f"{s}:"), None)
    if scheme is None:
        protocol, userinfo, host, port, is_ipv6, path = _parse_url(link)
        if "." not in host and not is_ipv6:
            raise _Refused("Wrong HTTP URL")
        credentials = f"{userinfo}@" if userinfo else ""
        return f"{protocol}://{credentials}{host}{f':{port}' if port else ''}{path}"
    rest = link[len(scheme) + 1 :]
    rest = rest.removeprefix("//")
    protocol, userinfo, host, port, is_ipv6, path = _parse_url(rest)
    if rest[:7].lower() == "http://" or protocol == "https" or userinfo or port or is_ipv6:
        raise _Refused("Wrong tg URL" if scheme == "tg" else "Wrong ton URL")
    if path[1:2] == "?":
        path = path[1:]  # tg://resolve?domain=x, not tg://resolve/?domain=x
    allowed = "-_." if scheme == "tonsite" else "-_"
    if any(not (c.isascii() and c.isalnum()) and c not in allowed for c in host):
        raise _Refused("Unallowed characters in URL host")
    return f"{scheme}://{host}{path}"


def _parse_url(url: str) -> tuple[str, str, str, int, bool, str]:
    """Split an http(s) URL into (protocol, userinfo, host, port, is_ipv6, path) as TDLib does."""
    match = _PROTOCOL_RE.match(url)
    protocol = match.group(0) if match else ""
    rest = url
    if url[len(protocol) : len(protocol) + 3] == "://":
        protocol = protocol.lower()
        if protocol not in ("http", "https"):
            raise _Refused("Unsupported URL protocol")
        rest = url[len(protocol) + 3 :]
    else:
        protocol = "http"
    end = next((i for i, c in enumerate(rest) if c in "/?#"), len(rest))
    authority, path = rest[:end], rest[end:]

    # The port follows the last colon that comes after any "]" or "@" (and is not the first char).
    colon = len(authority) - 1
    while colon > 0 and authority[colon] not in ":]@":
        colon -= 1
    port = 0
    userinfo_host = authority
    if colon > 0 and authority[colon] == ":":
        digits = authority[colon + 1 :]
        port = int(digits) if _PORT_RE.fullmatch(digits) else -1
        if not 0 < port <= 65535:
            raise _Refused("Wrong port number specified in the URL")
        userinfo_host = authority[:colon]
    userinfo, _, host = userinfo_host.rpartition("@")

    is_ipv6 = len(host) >= 2 and host[0] == "[" and host[-1] == "]"
    if is_ipv6:
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            raise _Refused("Wrong IPv6 address specified in the URL") from None
    if not host:
        raise _Refused("URL host is empty")
    if host == ".":
        raise _Refused("Host is invalid")
    host = "".join(c.lower() if c.isascii() else c for c in host)
    if is_ipv6:
        if any(c not in _IPV6_SYMBOLS for c in host[1:-1]):
            raise _Refused("Wrong IPv6 URL host")
    else:
        _check_part(host, "host", allow_colon=False)
        _check_part(userinfo, "userinfo", allow_colon=True)

    path = path.rstrip(" \t\r\n\v\f\0") or "/"
    if path[0] != "/":
        path = "/" + path
    path = "".join(f"%{ord(c):02X}" if ord(c) <= 0x20 else c for c in path)
    return protocol, userinfo, host, port, is_ipv6, path


def _check_part(part: str, name: str, *, allow_colon: bool) -> None:
    """Refuse a host or userinfo with a character RFC 3986 does not allow there."""
    index = 0
    while index < len(part):
        char = part[index]
        if char == "%":
            if part[index + 1 : index + 2] not in _HEX or part[index + 2 : index + 3] not in _HEX:
                raise _Refused(f"Wrong percent-encoded symbol in URL {name}")
            index += 3
            continue
        # Plain UTF-8 is allowed as it is.
        if not char.isascii() or char.isalnum() or char in _PART_SYMBOLS or (
                allow_colon and char == ":"):
            index += 1
            continue
        raise _Refused(f"Disallowed character in URL {name}")
