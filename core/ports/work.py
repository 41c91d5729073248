"""The storage of working a lead: tasks, live cards, and questions waiting for an answer."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from core.model import LiveCard, Prompt, Task


class TaskRepository(Protocol):
    """Tasks on leads; closing one is conditional on it being open."""

    async def add(self, task: Task) -> None:
        """Store a new task and give it its id."""
        ...

    async def open_for(self, lead_ids: Sequence[int]) -> list[Task]:
        """The open tasks of these leads, soonest first."""
        ...

    async def due_for(self, agent_id: int, *, until: datetime) -> list[Task]:
        """*agent_id*'s open tasks due before *until* (overdue ones too), soonest first; only
        the kinds shown to them, not the system's own clocks."""
        ...

    async def close(self, task_ids: Sequence[int], *, at: datetime) -> int:
        """Mark open tasks done at *at*; how many were still open."""
        ...

    async def get(self, task_id: int) -> Task | None:
        """One task by id."""
        ...

    async def reminders_due(self, now: datetime, *, limit: int) -> list[Task]:
        """Open tasks whose reminder is due by *now* and not sent, soonest first."""
        ...

    async def mark_reminded(self, task_id: int, *, at: datetime) -> bool:
        """Record that the task's reminder went out, if it is still open, unsent and due by
        *at*."""
        ...

    async def mark_reminded_all(self, task_ids: Sequence[int], *, at: datetime) -> list[Task]:
        """mark_reminded for several tasks at once: those still open, unsent and due by *at*,
        as they are now (their reminder counted), in the order of *task_ids*."""
        ...

    async def snooze(self, task_id: int, *, until: datetime, due: bool) -> bool:
        """Remind of an open task again at *until* (and make it due then, if *due*); whether
        it was still open."""
        ...

    async def next_reminders(self, *, limit: int,
                             after: datetime | None = None) -> list[datetime]:
        """When the soonest unsent reminders fall (those after *after*, if given), for the
        scheduler."""
        ...

    async def hand_over(self, lead_id: int, *, to: int) -> int:
        """Make *to* the owner of the lead's open tasks; how many there were."""
        ...


class CardRepository(Protocol):
    """Which message is each lead's live card in each chat."""

    async def of_lead(self, lead_id: int) -> list[LiveCard]:
        """The live cards of a lead, one per chat."""
        ...

    async def of_chat(self, lead_id: int, chat_id: int) -> LiveCard | None:
        """The live card of a lead in one chat, if it has one."""
        ...

    async def put(self, card: LiveCard) -> None:
        """Make *card* the live one of its lead in its chat."""
        ...

    async def in_chat(self, chat_id: int) -> list[LiveCard]:
        """The live cards in one chat, of any lead, by lead id."""
        ...

    async def drop(self, lead_id: int, chat_id: int) -> None:
        """The lead has no live card in *chat_id* any more (its owner lost it); the count of
        its cards there is kept, so a card sent there later is named after the old ones."""
        ...

    async def ref_of_message(self, chat_id: int, message_id: int) -> str | None:
        """The reference of the bot's message *message_id* in *chat_id*, if it was one."""
        ...


class PromptRepository(Protocol):
    """The one question per chat the bot waits for a typed answer to."""

    async def ask(self, prompt: Prompt) -> None:
        """Wait for an answer to *prompt*, instead of any earlier question in its chat."""
        ...

    async def pending(self, chat_id: int) -> Prompt | None:
        """The question waiting in *chat_id*, if any."""
        ...

    async def clear(self, chat_id: int, *, asked_at: datetime | None = None) -> bool:
        """Stop waiting in *chat_id* (only for the question asked at *asked_at*, if given);
        whether one was waiting."""
        ...

    async def forget_before(self, moment: datetime) -> int:
        """Drop every question asked before *moment*; how many there were."""
        ...
