"""core's LeadAdsGraph port on aiohttp: `GET {META_GRAPH_URL}/{leadgen_id}?access_token=…`,
any trouble (an error answer, a timeout, no connection) said as a GraphError in one line
that never holds the token."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from urllib.parse import quote

import aiohttp

from core.ports.fetches import GraphError

DEFAULT_GRAPH_URL = "https://graph.facebook.com/v21.0"


class MetaGraph:
    """The Graph API at *base_url*, each call given *timeout* seconds."""

    def __init__(self, base_url: str = DEFAULT_GRAPH_URL, *, timeout: float = 10.0) -> None:
        self._base = base_url.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def lead(self, leadgen_id: str, *, access_token: str) -> Mapping[str, object]:
        """The lead *leadgen_id* as the Graph API answers it; GraphError otherwise."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        url = f"{self._base}/{quote(leadgen_id, safe='')}"
        try:
            async with self._session.get(url, params={"access_token": access_token}) as answer:
                body = await answer.read()
                status = answer.status
        except TimeoutError:
            raise GraphError("the Graph API did not answer in time") from None
        except aiohttp.ClientError as exc:
            raise GraphError(f"the Graph API could not be reached ({type(exc).__name__})"
                             ) from None
        try:
            found = json.loads(body)
        except ValueError:
            found = None
        if status != 200 or not isinstance(found, dict):
            raise GraphError(f"the Graph API answered {status}: {_error_of(found)}")
        return found

    async def close(self) -> None:
        """Close the connections it holds."""
        if self._session is not None:
            await self._session.close()
            await asyncio.sleep(0)  # let the connector's transports close before the loop ends
            self._session = None


def _error_of(answer: object) -> str:
    """Graph's own words for an error (`{"error": {"message", "code"}}`), cut short."""
    if isinstance(answer, dict) and isinstance(answer.get("error"), dict):
        error = answer["error"]
        return f"{str(error.get('message', ''))[:200]} (code {error.get('code', '?')})"
    return "not a lead"
