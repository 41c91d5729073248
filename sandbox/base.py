"""The state all parts of BotApiSandbox share, declared once so that each mixin type-checks."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import web

from sandbox.values import (
    ApiCall,
    CallbackAnswer,
    JsonDict,
    SandboxFile,
    WebhookDelivery,
    _PendingQuery,
)

if TYPE_CHECKING:
    from sandbox.faults import _Fault
    from sandbox.limits import RateLimitHit, TelegramLimits, _Window
    from sandbox.people import SandboxGroup, SandboxUser, _Chat
    from sandbox.spec import _Spec

_Handler = Callable[[JsonDict], Awaitable[Any]]


class _SandboxState:
    """The attributes BotApiSandbox.__init__ sets; the mixins that make up the class use them."""

    token: str
    bot_id: int
    bot_username: str
    bot_name: str
    strict: bool
    spec_file: Path | None
    _spec: _Spec | None

    requests: list[ApiCall]
    listeners: list[Callable[[ApiCall], None]]
    answers: list[CallbackAnswer]
    violations: list[str]
    errors: list[BaseException]
    webhook: JsonDict
    webhook_deliveries: list[WebhookDelivery]
    rate_limited: list[RateLimitHit]
    long_polls: int

    _users: dict[int, SandboxUser]
    _chats: dict[int, _Chat]
    _groups: dict[int, SandboxGroup]
    _updates: list[JsonDict]
    _updates_changed: asyncio.Condition
    _update_ids: itertools.count[int]
    _query_ids: itertools.count[int]
    _queries: dict[str, _PendingQuery]
    _allowed_updates: list[str] | None
    _commands: dict[tuple[str, str], list[JsonDict]]
    _faults: dict[str, list[_Fault]]
    _limits: TelegramLimits | None
    _timer: Callable[[], float]
    _meters: dict[tuple[str, int | str | None], _Window]
    _files: dict[str, SandboxFile]
    _files_by_path: dict[str, SandboxFile]
    _file_counter: itertools.count[int]
    _webhook_retry_delays: tuple[float, ...]
    _webhook_timeout: float
    _webhook_task: asyncio.Task[None] | None
    _webhook_error: tuple[int, str] | None
    _webhook_delivered: dict[int, JsonDict]
    _deliveries_changed: asyncio.Condition
    _runner: web.AppRunner | None
    _url: str | None
    _closing: bool
    _handlers: dict[str, tuple[str, _Handler]]
