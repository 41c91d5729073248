"""BotApiSandbox: the aiohttp server, its lifecycle and the dispatch of each HTTP request."""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from aiohttp import web

from sandbox.acting import _ActingMixin
from sandbox.base import _Handler
from sandbox.faults import _Fault, _FaultsMixin
from sandbox.keyboards import _check_reply_markup, _placeholder_problem, _takes_only_inline
from sandbox.limits import RateLimitHit, TelegramLimits, _LimitsMixin, _Window
from sandbox.methods.commands import _CommandsMixin
from sandbox.methods.files import _FilesMixin, attach_parts
from sandbox.methods.updates import _UpdatesMixin
from sandbox.people import SandboxGroup, SandboxUser, _Chat
from sandbox.spec import _decode, _Spec, _SpecChecksMixin, find_spec
from sandbox.values import (
    ApiCall,
    ApiError,
    CallbackAnswer,
    JsonDict,
    SandboxFile,
    WebhookDelivery,
    _bad,
    _PendingQuery,
    _Upload,
)

logger = logging.getLogger(__name__)


class BotApiSandbox(
    _ActingMixin,
    _UpdatesMixin,
    _FilesMixin,
    _CommandsMixin,
    _FaultsMixin,
    _LimitsMixin,
    _SpecChecksMixin,
):
    """An in-process Telegram Bot API server plus the controls to act as Telegram users."""

    def __init__(
        self,
        *,
        token: str,
        bot_id: int | None = None,
        bot_username: str = "leadrelay_bot",
        bot_name: str = "LeadRelay",
        spec_path: str | Path | None = None,
        strict: bool = True,
        limits: TelegramLimits | None = None,
        webhook_retry_delays: Sequence[float] = (0.2, 0.4, 0.8, 1.6, 2.0),
        webhook_timeout: float = 10.0,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        """Configure the sandbox; the spec is looked up now, the server starts in start().

        *timer* is the clock the flood limits read (a test may move it by hand).
        """
        # The n-th failed delivery of an update waits webhook_retry_delays[n-1] (the last repeats).
        if not webhook_retry_delays or any(delay < 0 for delay in webhook_retry_delays):
            raise ValueError("webhook_retry_delays must be a non-empty list of delays >= 0")
        if webhook_timeout <= 0:
            raise ValueError("webhook_timeout must be > 0")
        self.token = token
        self.bot_id = bot_id if bot_id is not None else int(token.split(":", 1)[0])
        self.bot_username = bot_username
        self.bot_name = bot_name
        self.strict = strict
        self.spec_file = find_spec(spec_path)
        self._spec = _Spec.load(self.spec_file) if self.spec_file is not None else None

        self.requests: list[ApiCall] = []
        self.listeners: list[Callable[[ApiCall], None]] = []
        self.answers: list[CallbackAnswer] = []
        self.violations: list[str] = []
        self.errors: list[BaseException] = []
        self.webhook: JsonDict = {}
        self.webhook_deliveries: list[WebhookDelivery] = []
        self.rate_limited: list[RateLimitHit] = []
        self.long_polls = 0  # getUpdates calls waiting for an update right now

        self._users: dict[int, SandboxUser] = {}
        self._chats: dict[int, _Chat] = {}
        self._groups: dict[int, SandboxGroup] = {}
        self._updates: list[JsonDict] = []
        self._updates_changed = asyncio.Condition()
        self._update_ids = itertools.count(100_000_001)
        self._query_ids = itertools.count(1)
        self._queries: dict[str, _PendingQuery] = {}
        self._allowed_updates: list[str] | None = None
        self._commands: dict[tuple[str, str], list[JsonDict]] = {}
        self._faults: dict[str, list[_Fault]] = {}
        self._limits = limits
        self._timer = timer
        self._meters: dict[tuple[str, int | str | None], _Window] = {}
        self._files: dict[str, SandboxFile] = {}
        self._files_by_path: dict[str, SandboxFile] = {}
        self._file_counter = itertools.count(1)
        self._webhook_retry_delays = tuple(float(delay) for delay in webhook_retry_delays)
        self._webhook_timeout = float(webhook_timeout)
        self._webhook_task: asyncio.Task[None] | None = None
        self._webhook_error: tuple[int, str] | None = None
        self._webhook_delivered: dict[int, JsonDict] = {}
        self._deliveries_changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._url: str | None = None
        self._closing = False
        self._handlers: dict[str, tuple[str, _Handler]] = {
            name.lower(): (name, handler)
            for name, handler in [
                ("getMe", self._get_me),
                ("getUpdates", self._get_updates),
                ("setWebhook", self._set_webhook),
                ("deleteWebhook", self._delete_webhook),
                ("getWebhookInfo", self._get_webhook_info),
                ("setMyCommands", self._set_my_commands),
                ("getMyCommands", self._get_my_commands),
                ("deleteMyCommands", self._delete_my_commands),
                ("sendMessage", self._send_message),
                ("editMessageText", self._edit_message_text),
                ("editMessageReplyMarkup", self._edit_message_reply_markup),
                ("deleteMessage", self._delete_message),
                ("answerCallbackQuery", self._answer_callback_query),
                ("sendChatAction", self._send_chat_action),
                ("sendDocument", self._send_document),
                ("sendPhoto", self._send_photo),
                ("sendMediaGroup", self._send_media_group),
                ("getFile", self._get_file),
                ("close", self._true),
                ("logOut", self._true),
            ]
        }

    # ---- lifecycle -------------------------------------------------------------------------

    @property
    def delivering(self) -> bool:
        """Return whether updates are being posted to a webhook (or will be, once queued)."""
        return self._webhook_task is not None and not self._webhook_task.done()

    @property
    def validating(self) -> bool:
        """Return whether requests are checked against the Bot API spec."""
        return self._spec is not None

    @property
    def url(self) -> str:
        """Return the root URL, e.g. http://127.0.0.1:PORT (no trailing slash)."""
        if self._url is None:
            raise RuntimeError("the sandbox is not started; call start() or use 'async with'")
        return self._url

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Start serving on host:port (port 0 picks a free port)."""
        if self._runner is not None:
            raise RuntimeError("the sandbox is already running")
        self._closing = False
        # Telegram accepts uploads up to 50 MB; aiohttp's default body limit is 1 MB.
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_route("GET", "/file/bot{token}/{file_path:.+}", self._handle_file)
        app.router.add_route("*", "/{tail:.*}", self._not_found)
        # Long polls are woken in stop(), so shutdown never needs the 60 s default grace.
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        self._runner = runner
        address = runner.addresses[0]
        self._url = f"http://{host}:{address[1]}"
        if self.webhook.get("url"):
            self._start_webhook_delivery()

    async def stop(self) -> None:
        """Stop webhook delivery, wake pending long polls and shut the server down."""
        await self._stop_webhook_delivery()
        self._closing = True
        async with self._updates_changed:
            self._updates_changed.notify_all()
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> Self:
        """Start the server."""
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the server."""
        await self.stop()

    # ---- test-facing API -----------------------------------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str,
        *,
        language_code: str = "en",
        username: str | None = None,
        last_name: str | None = None,
    ) -> SandboxUser:
        """Return the user with this id, creating them (and their private chat) on first use."""
        existing = self._users.get(user_id)
        if existing is not None:
            return existing
        if user_id <= 0:
            raise ValueError("user ids are positive; groups use negative ids")
        user = SandboxUser(
            self, user_id, first_name, language_code=language_code, username=username,
            last_name=last_name,
        )
        self._users[user_id] = user
        self._chats[user_id] = user._chat
        return user

    def group(self, chat_id: int, title: str, members: list[SandboxUser]) -> SandboxGroup:
        """Return the group with this (negative) id, creating it; members may press buttons."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        existing = self._groups.get(chat_id)
        if existing is not None:
            existing._chat.members = list(members)
            return existing
        # Ids below -10^12 are supergroups in Telegram (-100… prefix).
        kind = "supergroup" if chat_id < -(10**12) else "group"
        chat = _Chat(chat_id, kind, title=title)
        group = SandboxGroup(self, chat, list(members))
        self._chats[chat_id] = chat
        self._groups[chat_id] = group
        return group

    def calls(self, method: str) -> list[ApiCall]:
        """Return the recorded requests of one method (case-insensitive)."""
        wanted = method.lower()
        return [call for call in self.requests if call.method.lower() == wanted]

    # ---- HTTP ----------------------------------------------------------------------------

    async def _not_found(self, request: web.Request) -> web.Response:
        return web.json_response(ApiError(404, "Not Found").payload(), status=404)

    async def _handle(self, request: web.Request) -> web.Response:
        at = time.monotonic()
        requested = request.match_info["method"]
        key = requested.lower()
        method = self._canonical(key, requested)
        params: JsonDict = {}
        try:
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            params, parts = await self._read_params(request, key)
            result = await self._dispatch(key, method, params, parts)
            status, payload = 200, {"ok": True, "result": result}
        except ApiError as exc:
            status, payload = exc.error_code, exc.payload()
        except Exception as exc:
            # A sandbox bug must be loud in tests, not look like a Telegram error.
            logger.exception("sandbox failed handling %s", method)
            self.errors.append(exc)
            status = 500
            payload = ApiError(500, "Internal Server Error").payload()
        call = ApiCall(method=method, params=params, at=at, status=status)
        self.requests.append(call)
        for listener in list(self.listeners):
            try:
                listener(call)
            except Exception as exc:
                logger.exception("sandbox listener failed")
                self.errors.append(exc)
        return web.json_response(payload, status=status)

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(ApiError(401, "Unauthorized").payload(), status=401)
        stored = self._files_by_path.get(request.match_info["file_path"])
        if stored is None:
            return web.json_response(ApiError(404, "Not Found").payload(), status=404)
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )

    def _canonical(self, key: str, requested: str) -> str:
        if self._spec is not None and key in self._spec.methods:
            return str(self._spec.methods[key]["name"])
        if key in self._handlers:
            return self._handlers[key][0]
        return requested

    async def _read_params(
        self, request: web.Request, key: str
    ) -> tuple[JsonDict, dict[str, _Upload]]:
        """The request's parameters, and the uploads its JSON objects name by attach://."""
        raw: JsonDict = dict(request.query)
        uploads: dict[str, _Upload] = {}
        if request.method == "POST" and request.body_exists:
            content_type = request.content_type
            if content_type == "application/json":
                try:
                    body = json.loads(await request.text())
                except ValueError:
                    raise _bad("can't parse JSON encoded request body") from None
                if not isinstance(body, dict):
                    raise _bad("JSON request body must be an object")
                raw.update(body)
            elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
                form = await request.post()
                for name, value in form.items():
                    if isinstance(value, web.FileField):
                        uploads[name] = _Upload(
                            value.filename, value.file.read(), value.content_type
                        )
                    else:
                        raw[name] = value
        fields = self._spec.fields(key) if self._spec is not None else None
        params: JsonDict = {}
        for name, value in raw.items():
            if isinstance(value, str):
                spec_field = fields.get(name) if fields is not None else None
                types = list(spec_field["types"]) if spec_field is not None else None
                value = _decode(name, value, types)
            params[name] = value
        # Files are either referenced as attach://<part> or sent under the parameter's name.
        for name, value in list(params.items()):
            if isinstance(value, str) and value.startswith("attach://"):
                part = value[len("attach://") :]
                if part in uploads:
                    params[name] = uploads.pop(part)
        parts: dict[str, _Upload] = {}
        for name, upload in uploads.items():
            if name.startswith("attached") and (fields is None or name not in fields):
                parts[name] = upload  # an attach:// part referenced from inside some JSON object
                continue
            params[name] = upload
        return params, parts

    async def _dispatch(
        self, key: str, method: str, params: JsonDict, parts: dict[str, _Upload]
    ) -> Any:
        spec_known = self._spec is not None and key in self._spec.methods
        if self._spec is not None and not spec_known:
            raise ApiError(404, "Not Found")
        self._inject_fault(key)
        # Telegram's own reading of reply_markup comes first, so that its words are the answer.
        markup = params.get("reply_markup")
        _check_reply_markup(markup, inline_only=_takes_only_inline(key))
        if spec_known:
            self._validate(key, method, params)
        problem = _placeholder_problem(markup)
        if problem is not None:
            self.violations.append(f"{method}: {problem}")
            raise _bad(f"invalid parameter: {problem}")
        self._check_flood_limits(key, method, params)
        entry = self._handlers.get(key)
        if entry is None:
            # Methods the sandbox does not model succeed after validation, like a no-op.
            return True
        return await entry[1](attach_parts(params, parts) if parts else params)

    # ---- method handlers ------------------------------------------------------------------

    async def _true(self, params: JsonDict) -> bool:
        return True

    async def _get_me(self, params: JsonDict) -> JsonDict:
        return {
            **self._bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
