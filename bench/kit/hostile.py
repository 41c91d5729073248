"""Requests to the intake as a hostile or broken sender makes them, sent byte for byte.

`Probe` is one request as the bytes on the wire (any header bytes, a Content-Length that
lies, Expect, a chunked body); `send` puts it on a fresh connection and reads the answer.
aiohttp's own client refuses to send much of this, which is why this one is raw.
The hypothesis strategies that make probes live in `bench.kit.fuzz`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass, field
from typing import Any

CHUNK = 4096


@dataclass(frozen=True)
class Probe:
    """One POST as its sender writes it: headers as raw bytes, the body, how it is framed."""

    body: bytes = b""
    headers: tuple[tuple[bytes, bytes], ...] = ()
    path: bytes = b"/webhooks/leads"
    declared_length: int | None = None
    """A Content-Length other than the body's own (a lie, or a body not sent yet)."""
    chunked: bool = False
    send_body: bool = True
    framed: bool = True
    """False: no Content-Length or Transfer-Encoding added, the body sent exactly as given."""

    def head(self) -> bytes:
        """The request line and headers; every probe asks for the connection to close."""
        lines = [b"POST " + self.path + b" HTTP/1.1", b"Host: 127.0.0.1", b"Connection: close"]
        lines += [name + b": " + value for name, value in self.headers]
        if self.framed and self.chunked:
            lines.append(b"Transfer-Encoding: chunked")
        elif self.framed:
            length = len(self.body) if self.declared_length is None else self.declared_length
            lines.append(b"Content-Length: %d" % length)
        return b"\r\n".join(lines) + b"\r\n\r\n"

    def framed_body(self) -> bytes:
        """The body as it goes on the wire: as is, or in chunks."""
        if not self.chunked or not self.framed:
            return self.body
        chunks = [self.body[i:i + CHUNK] for i in range(0, len(self.body), CHUNK)]
        return b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks) + b"0\r\n\r\n"

    @property
    def awaits_continue(self) -> bool:
        """Whether the sender waits for `100 Continue` before its body, as curl does."""
        return any(name.lower() == b"expect" and value.strip().lower() == b"100-continue"
                   for name, value in self.headers)


@dataclass(frozen=True)
class Reply:
    """The final answer to a probe, and whether a `100 Continue` came first."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    continued: bool = False

    def json(self) -> Any:
        """The body as JSON."""
        return json.loads(self.body)


async def send(port: int, probe: Probe, *, host: str = "127.0.0.1", within: float = 10.0,
               continue_wait: float = 1.0) -> Reply:
    """Send *probe* on a new connection and return the final answer (TimeoutError if none).

    Like curl, a sender that asked for `100 Continue` sends its body anyway when neither
    that nor a final answer came within *continue_wait* seconds.
    """
    async with asyncio.timeout(within):
        reader, writer = await asyncio.open_connection(host, port)
        try:
            return await _exchange(reader, writer, probe, continue_wait)
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()


async def _exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, probe: Probe,
                    continue_wait: float) -> Reply:
    await _write(writer, probe.head())
    continued = False
    if probe.awaits_continue:
        try:
            async with asyncio.timeout(continue_wait):
                first = await _read_reply(reader)
        except TimeoutError:
            first = None
        if first is not None and first.status != 100:
            return first
        continued = first is not None
    if probe.send_body:
        await _write(writer, probe.framed_body())
    while True:
        reply = await _read_reply(reader)
        if reply.status >= 200:
            return Reply(reply.status, reply.headers, reply.body, continued)
        continued = continued or reply.status == 100


async def _write(writer: asyncio.StreamWriter, data: bytes) -> None:
    # A server may answer and close before it has read everything: its answer still counts.
    with contextlib.suppress(ConnectionError):
        writer.write(data)
        await writer.drain()


async def _read_reply(reader: asyncio.StreamReader) -> Reply:
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    status = int(status_line.split(" ", 2)[1])
    headers: dict[str, str] = {}
    for line in header_lines:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    if status < 200:
        return Reply(status, headers)
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    else:
        body = await reader.read()
    return Reply(status, headers, body)
