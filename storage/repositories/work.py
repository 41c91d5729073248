"""Tasks on leads, each lead's live cards, and the questions waiting for a typed answer."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from core.model import LiveCard, Prompt, PromptKind, Task, TaskKind
from storage.repositories._rows import _insert_returning_ids, fits
from storage.tables import lead_cards, prompts, sent_messages, tasks


def _task(row: Any) -> Task:
    return Task(row.lead_id, row.agent_id, TaskKind(row.kind), row.due_at, row.created_at,
                row.done_at, row.remind_at, row.reminders, row.id)


_SHOWN = [kind.value for kind in TaskKind if kind.shown]
# The reminder sweep runs every few seconds: built once.
_REMINDERS_DUE = (select(tasks).where(tasks.c.done_at.is_(None), tasks.c.reminded_at.is_(None),
                                      tasks.c.remind_at <= bindparam("now"))
                  .order_by(tasks.c.remind_at, tasks.c.id).limit(bindparam("limit")))


class SqlTasks:
    """Tasks on leads; closing one is conditional on it being open."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, task: Task) -> None:
        """Store a new task and give it its id."""
        [task.id] = await _insert_returning_ids(self._conn, tasks, [{
            "lead_id": task.lead_id, "agent_id": task.agent_id, "kind": task.kind.value,
            "due_at": task.due_at, "created_at": task.created_at, "done_at": task.done_at,
            "remind_at": task.remind_at, "reminders": task.reminders}])

    async def get(self, task_id: int) -> Task | None:
        """One task by id."""
        if not fits(tasks.c.id, task_id):
            return None
        row = (await self._conn.execute(select(tasks).where(tasks.c.id == task_id))).first()
        return _task(row) if row else None

    async def reminders_due(self, now: datetime, *, limit: int) -> list[Task]:
        """Open tasks whose reminder is due by *now* and not sent, soonest first."""
        rows = await self._conn.execute(_REMINDERS_DUE, {"now": now, "limit": limit})
        return [_task(r) for r in rows]

    async def mark_reminded(self, task_id: int, *, at: datetime) -> bool:
        """Record that the task's reminder went out, if it is still open, unsent and due by
        *at* (a snooze after the sweep's look moves it later)."""
        result = await self._conn.execute(
            update(tasks).where(tasks.c.id == task_id, tasks.c.done_at.is_(None),
                                tasks.c.reminded_at.is_(None), tasks.c.remind_at <= at)
            .values(reminded_at=at, reminders=tasks.c.reminders + 1))
        return bool(result.rowcount)

    async def mark_reminded_all(self, task_ids: Sequence[int], *, at: datetime) -> list[Task]:
        """mark_reminded for several tasks in one statement: those still open, unsent and
        due by *at*, as they are now (their reminder counted), in the order of *task_ids*."""
        wanted = [i for i in dict.fromkeys(task_ids) if fits(tasks.c.id, i)]
        if not wanted:
            return []
        rows = await self._conn.execute(
            update(tasks).where(tasks.c.id.in_(wanted), tasks.c.done_at.is_(None),
                                tasks.c.reminded_at.is_(None), tasks.c.remind_at <= at)
            .values(reminded_at=at, reminders=tasks.c.reminders + 1).returning(*tasks.c))
        marked = {row.id: _task(row) for row in rows}
        return [marked[i] for i in wanted if i in marked]

    async def snooze(self, task_id: int, *, until: datetime, due: bool) -> bool:
        """Remind of an open task again at *until* (and make it due then, if *due*); whether
        it was still open."""
        values: dict[str, Any] = {"remind_at": until, "reminded_at": None}
        if due:
            values["due_at"] = until
        result = await self._conn.execute(update(tasks).where(
            tasks.c.id == task_id, tasks.c.done_at.is_(None)).values(**values))
        return bool(result.rowcount)

    async def next_reminders(self, *, limit: int,
                             after: datetime | None = None) -> list[datetime]:
        """When the soonest unsent reminders fall (those after *after*, if given), for the
        scheduler."""
        rows = await self._conn.execute(
            select(tasks.c.remind_at).where(
                tasks.c.done_at.is_(None), tasks.c.reminded_at.is_(None),
                tasks.c.remind_at.is_not(None) if after is None else tasks.c.remind_at > after)
            .order_by(tasks.c.remind_at).limit(limit))
        return [row.remind_at for row in rows]

    async def hand_over(self, lead_id: int, *, to: int) -> int:
        """Make *to* the owner of the lead's open tasks; how many there were."""
        result = await self._conn.execute(update(tasks).where(
            tasks.c.lead_id == lead_id, tasks.c.done_at.is_(None)).values(agent_id=to))
        return int(result.rowcount)

    async def open_for(self, lead_ids: Sequence[int]) -> list[Task]:
        """The open tasks of these leads, soonest first."""
        if not lead_ids:
            return []
        rows = await self._conn.execute(select(tasks).where(
            tasks.c.lead_id.in_(sorted(set(lead_ids))), tasks.c.done_at.is_(None))
            .order_by(tasks.c.due_at, tasks.c.id))
        return [_task(r) for r in rows]

    async def due_for(self, agent_id: int, *, until: datetime) -> list[Task]:
        """*agent_id*'s open tasks due before *until* (overdue ones too), soonest first; only
        the kinds shown to them, not the system's own clocks."""
        rows = await self._conn.execute(select(tasks).where(
            tasks.c.agent_id == agent_id, tasks.c.done_at.is_(None), tasks.c.due_at < until,
            tasks.c.kind.in_(_SHOWN))
            .order_by(tasks.c.due_at, tasks.c.id).limit(200))
        return [_task(r) for r in rows]

    async def close(self, task_ids: Sequence[int], *, at: datetime) -> int:
        """Mark open tasks done at *at*; how many were still open."""
        if not task_ids:
            return 0
        result = await self._conn.execute(
            update(tasks).where(tasks.c.id.in_(sorted(set(task_ids))), tasks.c.done_at.is_(None))
            .values(done_at=at))
        return int(result.rowcount)


class SqlCards:
    """Which message is each lead's live card in each chat."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def of_lead(self, lead_id: int) -> list[LiveCard]:
        """The live cards of a lead, one per chat."""
        rows = await self._conn.execute(select(lead_cards).where(lead_cards.c.lead_id == lead_id)
                                        .order_by(lead_cards.c.chat_id))
        return [LiveCard(r.lead_id, r.chat_id, r.ref, r.seq) for r in rows]

    async def of_chat(self, lead_id: int, chat_id: int) -> LiveCard | None:
        """The live card of a lead in one chat, if it has one."""
        row = (await self._conn.execute(select(lead_cards).where(
            lead_cards.c.lead_id == lead_id, lead_cards.c.chat_id == chat_id))).first()
        return LiveCard(row.lead_id, row.chat_id, row.ref, row.seq) if row else None

    async def put(self, card: LiveCard) -> None:
        """Make *card* the live one of its lead in its chat."""
        # The caller holds the lead's lock, so nobody puts a card of this lead meanwhile.
        await self._conn.execute(delete(lead_cards).where(
            lead_cards.c.lead_id == card.lead_id, lead_cards.c.chat_id == card.chat_id))
        await self._conn.execute(insert(lead_cards).values(
            lead_id=card.lead_id, chat_id=card.chat_id, ref=card.ref, seq=card.seq))

    async def in_chat(self, chat_id: int) -> list[LiveCard]:
        """The live cards in one chat, of any lead, by lead id."""
        if not fits(lead_cards.c.chat_id, chat_id):
            return []
        rows = await self._conn.execute(select(lead_cards).where(
            lead_cards.c.chat_id == chat_id, lead_cards.c.ref != "")
            .order_by(lead_cards.c.lead_id))
        return [LiveCard(r.lead_id, r.chat_id, r.ref, r.seq) for r in rows]

    async def drop(self, lead_id: int, chat_id: int) -> None:
        """The lead has no live card in *chat_id* any more (its owner lost it); the count of
        its cards there is kept, so a card sent there later is named after the old ones."""
        await self._conn.execute(update(lead_cards).where(
            lead_cards.c.lead_id == lead_id, lead_cards.c.chat_id == chat_id).values(ref=""))

    async def ref_of_message(self, chat_id: int, message_id: int) -> str | None:
        """The reference of the bot's message *message_id* in *chat_id*, if it was one."""
        if not (fits(sent_messages.c.chat_id, chat_id)
                and fits(sent_messages.c.message_id, message_id)):
            return None
        row = (await self._conn.execute(select(sent_messages.c.ref).where(
            sent_messages.c.chat_id == chat_id, sent_messages.c.message_id == message_id))).first()
        return str(row.ref) if row else None


class SqlPrompts:
    """The one question per chat the bot waits for a typed answer to."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def ask(self, prompt: Prompt) -> None:
        """Wait for an answer to *prompt*, instead of any earlier question in its chat."""
        # One statement: two questions asked at once in a chat that had none would both
        # insert after their deletes found nothing, and the second break the primary key.
        dialect = postgresql if self._conn.dialect.name == "postgresql" else sqlite
        statement = dialect.insert(prompts).values(
            chat_id=prompt.chat_id, kind=prompt.kind.value, lead_id=prompt.lead_id,
            data=prompt.data, asked_at=prompt.asked_at)
        await self._conn.execute(statement.on_conflict_do_update(
            index_elements=["chat_id"],
            set_={name: statement.excluded[name] for name in ("kind", "lead_id", "data",
                                                              "asked_at")}))

    async def pending(self, chat_id: int) -> Prompt | None:
        """The question waiting in *chat_id*, if any."""
        if not fits(prompts.c.chat_id, chat_id):
            return None
        row = (await self._conn.execute(
            select(prompts).where(prompts.c.chat_id == chat_id))).first()
        if row is None:
            return None
        return Prompt(row.chat_id, PromptKind(row.kind), row.asked_at, row.lead_id,
                      dict(row.data or {}))

    async def clear(self, chat_id: int, *, asked_at: datetime | None = None) -> bool:
        """Stop waiting in *chat_id* (only for the question asked at *asked_at*, if given);
        whether one was waiting."""
        if not fits(prompts.c.chat_id, chat_id):
            return False
        statement = delete(prompts).where(prompts.c.chat_id == chat_id)
        if asked_at is not None:
            statement = statement.where(prompts.c.asked_at == asked_at)
        return bool((await self._conn.execute(statement)).rowcount)

    async def forget_before(self, moment: datetime) -> int:
        """Drop every question asked before *moment*; how many there were."""
        result = await self._conn.execute(delete(prompts).where(prompts.c.asked_at < moment))
        return int(result.rowcount)
