"""What an owner works a lead with: its tasks, the live cards showing it, and the questions
the bot waits for a typed answer to."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.model.vocabulary import PromptKind, TaskKind


@dataclass
class Task:
    """Something the owner is to do about a lead at a time: a reminder, an appointment."""

    lead_id: int
    agent_id: int
    kind: TaskKind
    due_at: datetime
    created_at: datetime
    done_at: datetime | None = None
    remind_at: datetime | None = None  # when its owner is reminded of it (None: never)
    reminders: int = 0  # reminders sent so far; a snoozed one is sent again
    id: int = 0


@dataclass(frozen=True)
class LiveCard:
    """The newest card of a lead in one chat: the message every change edits."""

    lead_id: int
    chat_id: int
    ref: str
    seq: int = 0  # how many cards the lead has had in this chat before this one


@dataclass(frozen=True)
class Prompt:
    """A question the bot asked in a chat, whose typed answer the next message gives."""

    chat_id: int
    kind: PromptKind
    asked_at: datetime
    lead_id: int | None = None
    data: dict[str, Any] = field(default_factory=dict)
