"""A stand-in for Meta's Graph API, as far as Lead Ads asks it: `GET /{leadgen_id}` with
an `access_token`, answered with the lead it was given; it can fail a number of times and
then recover, or fail for good, as the real one does on a bad day or a revoked token."""

from __future__ import annotations

from typing import Any

from aiohttp import web


class GraphStandIn:
    """Leads by their `leadgen_id`, served to whoever asks with *access_token*."""

    def __init__(self, access_token: str) -> None:
        self.access_token = access_token
        self.leads: dict[str, dict[str, Any]] = {}
        self.failures_left = 0  # the next N asks answer 500
        self.down = False  # every ask answers 500
        self.asked: list[str] = []  # each leadgen_id asked for, in order
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def url(self) -> str:
        """Where it answers, as META_GRAPH_URL names the real one (with its version)."""
        return f"http://127.0.0.1:{self.port}/v21.0"

    def add_lead(self, leadgen_id: str, field_data: dict[str, str | list[str]],
                 **details: Any) -> None:
        """A lead it will give: its answers by question (`full_name`, `phone_number`…)."""
        self.leads[leadgen_id] = {
            "id": leadgen_id, "created_time": "2026-03-04T08:00:00+0000", **details,
            "field_data": [{"name": name, "values": value if isinstance(value, list)
                            else [value]} for name, value in field_data.items()]}

    async def _lead(self, request: web.Request) -> web.Response:
        leadgen_id = request.match_info["leadgen_id"]
        self.asked.append(leadgen_id)
        if self.down or self.failures_left > 0:
            self.failures_left = max(self.failures_left - 1, 0)
            return web.json_response({"error": {"message": "An unexpected error has occurred",
                                                "type": "OAuthException", "code": 2}},
                                     status=500)
        if request.query.get("access_token") != self.access_token:
            return web.json_response({"error": {"message": "Error validating access token",
                                                "type": "OAuthException", "code": 190}},
                                     status=400)
        lead = self.leads.get(leadgen_id)
        if lead is None:
            return web.json_response({"error": {"message": "Unsupported get request",
                                                "type": "GraphMethodException", "code": 100}},
                                     status=400)
        return web.json_response(lead)

    async def start(self) -> None:
        """Listen on a free port of 127.0.0.1."""
        app = web.Application()
        app.router.add_get("/v21.0/{leadgen_id}", self._lead)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
