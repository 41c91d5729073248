"""Posting leads to leadrelay's webhook: one at a time, open loop at a fixed rate, or in bursts."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import aiohttp

from bench.kit.office import SOURCE_TOKEN, lead_payload

Job = TypeVar("Job")


@dataclass
class Posted:
    """One lead post: when it was sent, how it was answered, and the lead id if created."""

    sent_at: float
    status: str
    lead_id: int | None = None
    answered_at: float = 0.0


async def post_json(session: aiohttp.ClientSession, url: str, token: str,
                    payload: dict[str, Any]) -> Posted:
    """POST one lead with the source *token* and time it from just before the request is sent."""
    headers = {"Authorization": f"Bearer {token}"}
    sent_at = time.monotonic()
    try:
        async with session.post(url, json=payload, headers=headers) as reply:
            body = await reply.read()
            answered_at = time.monotonic()
            if reply.status != 201:
                return Posted(sent_at, str(reply.status), answered_at=answered_at)
            lead_id = int(json.loads(body)["lead_id"])
            return Posted(sent_at, "201", lead_id, answered_at)
    except (aiohttp.ClientError, TimeoutError) as exc:
        return Posted(sent_at, type(exc).__name__, answered_at=time.monotonic())


async def post_lead(session: aiohttp.ClientSession, url: str, phone: str) -> Posted:
    """POST the bench office's hot lead with this phone from its website source, timed."""
    return await post_json(session, url, SOURCE_TOKEN, lead_payload(phone))


async def open_loop(session: aiohttp.ClientSession, url: str, numbers: Iterator[str], *,
                    count: int, rate: float, start: float) -> list[asyncio.Task[Posted]]:
    """Post *count* leads *rate* a second from *start* (monotonic), each on its own schedule
    whatever became of the ones before (open loop); return the posts' tasks to gather."""
    tasks: list[asyncio.Task[Posted]] = []
    for n in range(count):
        delay = start + n / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(post_lead(session, url, next(numbers))))
    return tasks


async def fire(jobs: Iterable[Job],
               post: Callable[[aiohttp.ClientSession, Job], Awaitable[Posted]], *,
               concurrency: int, timeout_s: float) -> tuple[list[Posted], bool]:
    """Post every job, *concurrency* in flight on a connection pool of that size (closed loop).

    Returns the posts answered and False if *timeout_s* ran out before the last one.
    """
    queue = iter(jobs)
    results: list[Posted] = []

    async def worker(session: aiohttp.ClientSession) -> None:
        for job in queue:
            results.append(await post(session, job))

    complete = True
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector,
                                     timeout=aiohttp.ClientTimeout(total=30)) as session:
        try:
            async with asyncio.timeout(timeout_s):
                await asyncio.gather(*(worker(session) for _ in range(concurrency)))
        except TimeoutError:
            complete = False
    return results, complete
