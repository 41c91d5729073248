"""Group commit for intake: leads that arrive while one batch is written go in the next."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

from core.errors import Conflict
from core.services import IncomingLead, IntakeResult

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
