"""Group commit for intake and coalesced routing passes, so a burst costs few transactions.

Leads that arrive while one batch is written go in the next; kicks that arrive while one
routing pass runs cost one more pass, not one each.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from core.errors import Conflict, StorageUnavailable
from core.lifecycle.intake import IncomingLead, IntakeResult

log = logging.getLogger(__name__)

WriteBatch = Callable[[Sequence[IncomingLead]], Awaitable[list[IntakeResult]]]


class IntakeQueue:
    """Writes admitted leads in batches; each caller still gets its own result or error.

    There is no timer: a lone lead is written at once, and only leads that pile up behind a
    write share the next transaction, so batching adds no latency when traffic is light.
    """

    def __init__(self, write: WriteBatch, *, max_batch: int = 200) -> None:
        self._write = write
        self._max_batch = max_batch
        self._waiting: list[tuple[IncomingLead, asyncio.Future[IntakeResult]]] = []
        self._worker: asyncio.Task[None] | None = None
        self.batches = 0

    @property
    def backlog(self) -> int:
        """Leads admitted and waiting behind the batch being written."""
        return len(self._waiting)

    async def submit(self, lead: IncomingLead) -> IntakeResult:
        """Store *lead* (with whoever else is waiting) and return once it is committed."""
        future: asyncio.Future[IntakeResult] = asyncio.get_running_loop().create_future()
        self._waiting.append((lead, future))
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._drain(), name="intake-writer")
        return await asyncio.shield(future)

    async def _drain(self) -> None:
        while self._waiting:
            # One turn of the loop lets requests already parsed join this batch; a write
            # costs the same for one lead as for dozens, so this is where a burst is won.
            await asyncio.sleep(0)
            batch = self._waiting[: self._max_batch]
            del self._waiting[: self._max_batch]
            self.batches += 1
            try:
                results = await self._write([lead for lead, _ in batch])
            except StorageUnavailable as exc:
                # No lead sank this batch, and one at a time would only ask a database that
                # does not answer again and again: each sender is told to retry.
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            except Exception as exc:
                # One lead must not sink the others: write them one by one, each with its
                # own result or error.
                # A conflict (another instance stored one of them first) is routine.
                level = logging.INFO if isinstance(exc, Conflict) else logging.WARNING
                log.log(level, "writing %d lead(s) together failed (%s); writing them one by "
                        "one", len(batch), type(exc).__name__,
                        extra={"count": len(batch), "error_kind": type(exc).__name__})
                await self._one_by_one(batch)
                continue
            for (_, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)

    async def _one_by_one(
        self, batch: list[tuple[IncomingLead, asyncio.Future[IntakeResult]]]
    ) -> None:
        for lead, future in batch:
            try:
                try:
                    [result] = await self._write([lead])
                except Conflict:
                    [result] = await self._write([lead])  # reread: someone stored it first
            except Exception as exc:
                if not future.done():
                    future.set_exception(exc)
            else:
                if not future.done():
                    future.set_result(result)


class Route(Protocol):
    """Routes up to *limit* waiting leads (or only *lead_id*) in one transaction; how many."""

    def __call__(self, *, limit: int, lead_id: int | None = None) -> Awaitable[int]: ...


Waiting = Callable[[int], Awaitable[list[int]]]  # the ids of up to N leads waiting
Park = Callable[[int], Awaitable[bool]]  # a lead to the managers; False if it left meanwhile


class RoutingLoop:
    """Routes stored leads in the background, one pass at a time.

    A kick during a pass asks for one more pass after it, so leads stored while a pass runs
    are never left behind, and a burst of kicks costs one pass, not one each.
    """

    def __init__(self, route: Route, *, waiting: Waiting, park: Park, batch: int) -> None:
        self._route = route
        self._waiting = waiting
        self._park = park
        self._batch = batch
        self._again = False
        self._waiters: list[asyncio.Future[None]] = []
        self._worker: asyncio.Task[None] | None = None

    def kick(self) -> None:
        """Route whatever waits, soon; returns at once."""
        self._again = True
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._run(), name="router")

    async def settle(self) -> None:
        """Return once a pass that began after this call has finished (its error, if any)."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(future)
        self.kick()
        await asyncio.shield(future)

    async def stop(self) -> None:
        """Finish the passes asked for; call it once nothing stores leads any more."""
        if self._worker is not None:
            await asyncio.gather(self._worker, return_exceptions=True)

    async def _run(self) -> None:
        while self._again:
            self._again = False
            waiters, self._waiters = self._waiters, []
            error: Exception | None = None
            try:
                while await self._route(limit=self._batch) >= self._batch:
                    pass
            except Exception:
                log.exception("routing stored leads failed; routing them one at a time")
                try:
                    await self._one_by_one()
                except Exception as exc:
                    # The leads stay stored and waiting; the next kick or the sweep routes them.
                    log.exception("routing stored leads failed; the next pass retries")
                    error = exc
            for future in waiters:
                if not future.done():
                    if error is None:
                        future.set_result(None)
                    else:
                        future.set_exception(error)

    async def _one_by_one(self) -> None:
        """Route the waiting leads singly; a lead that fails alone goes to the managers."""
        for lead_id in await self._waiting(self._batch):
            try:
                await self._route(limit=1, lead_id=lead_id)
            except Exception:
                # Raises too if the database is the trouble: then the leads stay waiting.
                if await self._park(lead_id):
                    log.exception("routing failed on one lead; handed it to the managers",
                                  extra={"lead_id": lead_id})
