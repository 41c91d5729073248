"""The baseline: only the irreducible work of one lead, for leadrelay's speed to be read against.

An aiohttp server in a process of its own, on the event loop `leadrelay run` uses, that checks
the source's bearer token, parses the JSON body, inserts one row into a WAL-mode SQLite file
synced on every commit (leadrelay's default settings, through the same driver), answers 201
with the row's id, and then sends one `sendMessage` with a button to the next agent, round
robin. Nothing else: no validation, routing, outbox or pacing.

    BASELINE_PORT=… BASELINE_DATABASE=… BASELINE_API_URL=… BASELINE_BOT_TOKEN=… \\
    BASELINE_SOURCE_TOKEN=… BASELINE_AGENTS=1,2,3 python -m bench.kit.baseline
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
from collections.abc import AsyncIterator

import aiohttp
import aiosqlite
from aiohttp import web

with contextlib.suppress(ImportError):  # as `leadrelay run` does when uvloop is there
    import uvloop

    uvloop.install()

_CONFIG = web.AppKey("config", dict)
_DATABASE = web.AppKey("database", aiosqlite.Connection)
_TELEGRAM = web.AppKey("telegram", aiohttp.ClientSession)
_SENDS = web.AppKey("sends", set)


async def take_lead(request: web.Request) -> web.Response:
    """Store the lead, answer 201, then offer it to the next agent."""
    config = request.app[_CONFIG]
    if request.headers.get("Authorization") != f"Bearer {config['source_token']}":
        return web.json_response({"error": "unknown token"}, status=401)
    try:
        lead = json.loads(await request.read())
    except ValueError:
        return web.json_response({"error": "not JSON"}, status=400)
    database = request.app[_DATABASE]
    cursor = await database.execute(
        "INSERT INTO leads (phone, body) VALUES (?, ?)", (str(lead.get("phone")), json.dumps(lead)))
    await database.commit()
    lead_id = cursor.lastrowid
    send = asyncio.create_task(offer(request.app, int(lead_id or 0)))
    request.app[_SENDS].add(send)
    send.add_done_callback(request.app[_SENDS].discard)
    return web.json_response({"lead_id": lead_id}, status=201)


async def offer(app: web.Application, lead_id: int) -> None:
    """Send the lead's offer to the next agent (the bench watches for its `#id`)."""
    config = app[_CONFIG]
    payload = {"chat_id": next(config["agents"]), "text": f"New lead #{lead_id}",
               "reply_markup": {"inline_keyboard": [[
                   {"text": "Accept", "callback_data": f"accept:{lead_id}"}]]}}
    with contextlib.suppress(aiohttp.ClientError):
        async with app[_TELEGRAM].post(f"{config['api']}/sendMessage", json=payload) as reply:
            await reply.read()


async def healthz(_request: web.Request) -> web.Response:
    """Up."""
    return web.json_response({"status": "ok"})


async def resources(app: web.Application) -> AsyncIterator[None]:
    """Open the database (WAL, FULL sync) and the Bot API session for the server's life."""
    database = await aiosqlite.connect(app[_CONFIG]["database"])
    await database.execute("PRAGMA journal_mode=WAL")
    await database.execute("PRAGMA synchronous=FULL")
    await database.execute(
        "CREATE TABLE IF NOT EXISTS leads (id INTEGER PRIMARY KEY, phone TEXT, body TEXT)")
    await database.commit()
    app[_DATABASE] = database
    app[_TELEGRAM] = aiohttp.ClientSession()
    yield
    await asyncio.gather(*app[_SENDS], return_exceptions=True)
    await app[_TELEGRAM].close()
    await database.close()


def build() -> web.Application:
    """The baseline server, configured from BASELINE_* environment variables."""
    env = os.environ
    app = web.Application()
    app[_CONFIG] = {
        "database": env["BASELINE_DATABASE"], "source_token": env["BASELINE_SOURCE_TOKEN"],
        "api": f"{env['BASELINE_API_URL']}/bot{env['BASELINE_BOT_TOKEN']}",
        "agents": itertools.cycle([int(a) for a in env["BASELINE_AGENTS"].split(",")]),
    }
    app[_SENDS] = set()
    app.cleanup_ctx.append(resources)
    app.router.add_post("/webhooks/leads", take_lead)
    app.router.add_get("/healthz", healthz)
    return app


if __name__ == "__main__":
    web.run_app(build(), host="127.0.0.1", port=int(os.environ["BASELINE_PORT"]),
                print=None)
