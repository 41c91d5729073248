"""python-telegram-bot's requests to the Bot API over aiohttp instead of httpx.

The same work costs less than half the CPU (measured in bench/README.md): every offer,
confirmation and edit goes through here, so it counts per lead. Long polling for updates
keeps python-telegram-bot's own request class, whose time-outs it is tuned for.
"""

from __future__ import annotations

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

_JSON = {"Content-Type": "application/json"}


class AiohttpRequest(BaseRequest):
    """A BaseRequest on one aiohttp session with a pool of *connections*."""

    def __init__(self, *, connections: int = 256, read_timeout: float = 5.0,
                 connect_timeout: float = 5.0, pool_timeout: float = 1.0) -> None:
        # aiohttp has no write time-out: a stalled upload ends at the read time-out.
        self._connections = connections
        self._timeouts = {"read": read_timeout, "connect": connect_timeout,
                          "pool": pool_timeout}
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float:
        """How long to wait for an answer by default."""
        return self._timeouts["read"]

    async def initialize(self) -> None:
        """Open the session (in the running event loop)."""
        if self._session is None or self._session.closed:
            # trust_env: HTTPS_PROXY and friends, as python-telegram-bot's httpx honours them.
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections), trust_env=True)

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request; the answer's status and body, or TimedOut / NetworkError."""
        await self.initialize()
        assert self._session is not None
        connect, pool = self._pick("connect", connect_timeout), self._pick("pool", pool_timeout)
        timeout = aiohttp.ClientTimeout(
            # Waiting for a pooled connection counts against the connect time-out here.
            connect=None if connect is None or pool is None else connect + pool,
            sock_read=self._pick("read", read_timeout))
        data: aiohttp.FormData | bytes | None = None
        headers = None
        if request_data is not None and request_data.contains_files:
            form = aiohttp.FormData()
            for name, value in request_data.json_parameters.items():
                form.add_field(name, value)
            for name, (filename, content, mimetype) in request_data.multipart_data.items():
                form.add_field(name, content, filename=filename, content_type=mimetype)
            data = form
        elif request_data is not None:
            data, headers = request_data.json_payload, _JSON
        try:
            async with self._session.request(method, url, data=data, headers=headers,
                                             timeout=timeout) as response:
                return response.status, await response.read()
        except TimeoutError as exc:
            raise TimedOut() from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp: {exc!r}") from exc

    def _pick(self, name: str, given: object) -> float | None:
        """A time-out as given for this call, else this request's own."""
        value = self._timeouts[name] if given is BaseRequest.DEFAULT_NONE else given
        return None if value is None else float(value)  # type: ignore[arg-type]

