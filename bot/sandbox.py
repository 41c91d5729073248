"""A local stand-in for the Telegram Bot API that the real python-telegram-bot client talks to.

The sandbox is an aiohttp server speaking the Bot API over HTTP (``/bot<token>/<method>`` and
``/file/bot<token>/<path>``) plus a Python API with which tests, the demo and benchmarks act as
Telegram users: they send messages, press inline buttons and wait for what the bot answers.
When the Bot API spec (``../shared/telegram-bot-api/api.min.json``) is available, every request
is validated against it the way Telegram would refuse it. Telegram's flood limits can be switched
on (``limits=TelegramLimits()``), answering 429 "Too Many Requests: retry after N" like Telegram.
Updates reach the bot by long polling (``getUpdates``) or, after ``setWebhook``, as POSTs to the
webhook URL, one at a time in update_id order, retried with back-off until answered 2xx.
"""

from __future__ import annotations

import asyncio
import bisect
import builtins
import errno
import functools
import ipaddress
import itertools
import json
import logging
import math
import os
import re
import secrets
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

__all__ = [
    "ApiCall",
    "BotApiSandbox",
    "Button",
    "CallbackAnswer",
    "RateLimitHit",
    "SandboxFile",
    "SandboxGroup",
    "SandboxMessage",
    "SandboxUser",
    "TelegramLimits",
    "WebhookDelivery",
    "find_spec",
]

logger = logging.getLogger(__name__)

JsonDict = dict[str, Any]

_SPEC_RELATIVE = Path("..") / "shared" / "telegram-bot-api" / "api.min.json"

# Telegram's own limits, see https://core.telegram.org/bots/api
_MAX_TEXT = 4096
_MAX_CAPTION = 1024
_MAX_CALLBACK_ANSWER = 200
_MAX_CALLBACK_DATA_BYTES = 64

# Update types Telegram leaves out when allowed_updates is empty or was never set.
_NOT_DELIVERED_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

# Without the spec we still must not json-decode free text ("true", "42" are valid messages).
_STRING_FIELDS = frozenset(
    {
        "text", "caption", "parse_mode", "callback_query_id", "file_id", "url", "secret_token",
        "ip_address", "language_code", "action", "title", "description", "short_description",
        "name", "business_connection_id", "message_effect_id", "inline_message_id",
        "callback_data", "emoji", "query", "switch_pm_text",
    }
)

_CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
        "upload_document", "choose_sticker", "find_location", "record_video_note",
        "upload_video_note",
    }
)

# Methods that send or edit a message besides send*/editMessage*; they use up flood-limit tokens.
_MESSAGE_METHODS = frozenset(
    {"copymessage", "copymessages", "forwardmessage", "forwardmessages", "stoppoll",
     "stopmessagelivelocation"}
)

# Webhook delivery: Telegram's defaults and limits for setWebhook.
_WEBHOOK_MAX_CONNECTIONS = 40
_WEBHOOK_PORTS = frozenset({80, 88, 443, 8443})
_SECRET_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]*$")
_MAX_SECRET_TOKEN = 256
_MAX_RETRY_AFTER = 3600

_COMMAND_RE = re.compile(r"^/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")
_BOT_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")

# Formatting entities Telegram produces for each supported HTML tag.
_TAG_ENTITY = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "span": "spoiler", "tg-spoiler": "spoiler", "a": "text_link", "code": "code", "pre": "pre",
    "blockquote": "blockquote", "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


# --------------------------------------------------------------------------------------------
# Public value objects
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApiCall:
    """One request the bot made to the sandbox, as observed by tests and listeners."""

    method: str
    params: JsonDict
    at: float = field(default_factory=time.monotonic)
    status: int = 200


@dataclass(frozen=True)
class WebhookDelivery:
    """One attempt to POST an update to the webhook: the HTTP status, or why it failed."""

    update_id: int
    url: str
    status: int | None
    error: str | None = None
    attempt: int = 1
    at: float = field(default_factory=time.monotonic)

    @property
    def ok(self) -> bool:
        """Return whether the webhook answered 2xx, which confirms the update."""
        return self.error is None


@dataclass(frozen=True)
class Button:
    """One inline keyboard button as a user sees it."""

    text: str
    callback_data: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class CallbackAnswer:
    """What the bot answered to a callback query (the toast or alert a user sees)."""

    text: str | None
    show_alert: bool
    url: str | None = None
    callback_query_id: str = ""
    cache_time: int = 0


@dataclass(frozen=True)
class TelegramLimits:
    """Telegram's flood limits: the bot's as a token bucket (burst = capacity, rate = refill
    per second), each chat's as a sliding window (at most count messages in any window s).

    A chat's window is strict: a message that arrives a hair early is refused, as Telegram
    may refuse it, so a client must keep a margin of its own rather than rely on luck.
    """

    bot_burst: int = 30
    bot_rate: float = 30.0
    private_count: int = 3
    private_window: float = 3.0
    group_count: int = 20
    group_window: float = 60.0

    def __post_init__(self) -> None:
        """Refuse limits that could never admit a message."""
        if self.bot_burst < 1 or self.bot_rate <= 0:
            raise ValueError("bot_burst must be >= 1 and bot_rate > 0")
        for scope in ("private", "group"):
            if getattr(self, f"{scope}_count") < 1 or getattr(self, f"{scope}_window") <= 0:
                raise ValueError(f"{scope}_count must be >= 1 and {scope}_window > 0")


@dataclass(frozen=True)
class RateLimitHit:
    """One request the sandbox refused with 429 because a flood-limit bucket was empty."""

    method: str
    chat_id: int | str | None
    retry_after: int
    scope: str
    at: float = field(default_factory=time.monotonic)


@dataclass
class SandboxFile:
    """A file the bot uploaded (document or photo), kept with its bytes."""

    file_id: str
    file_unique_id: str
    filename: str | None
    data: builtins.bytes
    mime_type: str | None
    file_path: str

    @property
    def bytes(self) -> builtins.bytes:
        """Return the uploaded content."""
        return self.data

    @property
    def size(self) -> int:
        """Return the size of the content in bytes."""
        return len(self.data)


@dataclass
class SandboxMessage:
    """A message the bot sent into a chat, updated in place when the bot edits or deletes it."""

    message_id: int
    chat_id: int
    text: str
    html: str
    buttons: list[list[Button]] = field(default_factory=list)
    edits: int = 0
    deleted: bool = False
    document: SandboxFile | None = None
    photo: SandboxFile | None = None
    date: int = 0
    parse_mode: str | None = None
    entities: list[JsonDict] = field(default_factory=list)
    raw: JsonDict = field(default_factory=dict)

    def button_texts(self) -> list[str]:
        """Return the visible texts of all inline buttons, row by row."""
        return [button.text for row in self.buttons for button in row]


class ApiError(Exception):
    """An error reply in Telegram's format; raised inside the sandbox, never by PTB."""

    def __init__(self, error_code: int, description: str, retry_after: int | None = None):
        """Keep the HTTP status/error code, Telegram's description and an optional retry_after."""
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> JsonDict:
        """Return the JSON body Telegram would send for this error."""
        body: JsonDict = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def _bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


@dataclass
class _Upload:
    filename: str | None
    data: bytes
    content_type: str | None

    def __repr__(self) -> str:
        return f"<upload {self.filename!r} {len(self.data)} bytes>"


@dataclass
class _Fault:
    error_code: int
    description: str
    retry_after: int | None
    times: int


@dataclass
class _Bucket:
    """A token bucket holding up to capacity tokens, refilled continuously at rate per second."""

    capacity: float
    rate: float
    tokens: float
    updated: float

    def wait(self, now: float) -> float:
        """Refill up to now and return the seconds until a token is available (0 if one is)."""
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        # The tolerance absorbs float error after sleeping exactly the advertised retry_after.
        return 0.0 if self.tokens >= 1 - 1e-9 else (1 - self.tokens) / self.rate

    def take(self, now: float) -> None:
        """Use up a token (wait() has just refilled up to *now*)."""
        self.tokens -= 1


class _Window:
    """The times of the messages a chat got within the last *length* seconds."""

    def __init__(self, count: int, length: float) -> None:
        self.count, self.length = count, length
        self.times: deque[float] = deque()

    def wait(self, now: float) -> float:
        """Seconds until one more message fits in the window (0 if one does now)."""
        while self.times and self.times[0] <= now - self.length:
            self.times.popleft()
        return 0.0 if len(self.times) < self.count else self.times[0] + self.length - now

    def take(self, now: float) -> None:
        """Count a message sent at *now*."""
        self.times.append(now)


@dataclass
class _PendingQuery:
    future: asyncio.Future[CallbackAnswer]
    answered: bool = False
    expired: bool = False


# --------------------------------------------------------------------------------------------
# Spec handling
# --------------------------------------------------------------------------------------------


def find_spec(spec_path: str | Path | None = None) -> Path | None:
    """Locate api.min.json: explicit path, $TELEGRAM_API_SPEC, next to the repo, or from cwd."""
    candidates: list[Path] = []
    if spec_path is not None:
        candidates.append(Path(spec_path))
    env = os.environ.get("TELEGRAM_API_SPEC")
    if env:
        candidates.append(Path(env))
    repo_root = Path(__file__).resolve().parent.parent
    candidates.append(repo_root / _SPEC_RELATIVE)
    candidates.append(Path.cwd() / _SPEC_RELATIVE)
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    return None


class _Spec:
    """The Bot API methods and types, indexed for validation."""

    def __init__(self, data: JsonDict):
        self.methods: dict[str, JsonDict] = {
            name.lower(): method for name, method in data["methods"].items()
        }
        self.types: dict[str, JsonDict] = data["types"]
        self.version: str = str(data.get("version", ""))

    @classmethod
    def load(cls, path: Path) -> _Spec:
        # Parsing the 1 MB spec costs ~0.3 s; sandboxes are created per test, specs never change.
        return _load_spec(path.resolve(), path.stat().st_mtime_ns)

    def fields(self, method_key: str) -> dict[str, JsonDict]:
        method = self.methods.get(method_key)
        if method is None:
            return {}
        return {f["name"]: f for f in method.get("fields", [])}

    def problem(self, value: Any, types: list[str], path: str) -> str | None:
        """Return why value matches none of types (None when it matches one)."""
        scored: list[tuple[int, str]] = []
        for type_name in types:
            problem = self._problem_one(value, type_name, path)
            if problem is None:
                return None
            scored.append((self._closeness(value, type_name), problem))
        if len(scored) == 1:
            return scored[0][1]
        # Report the candidate the value resembles most so nested errors stay precise.
        best = max(scored, key=lambda item: item[0])
        if best[0] > 0:
            return best[1]
        return f"{path} must be {' or '.join(types)}"

    def _closeness(self, value: Any, type_name: str) -> int:
        if not _shallow_match(value, type_name):
            return 0
        definition = self.types.get(type_name)
        if isinstance(value, dict) and definition is not None:
            required = [f["name"] for f in definition.get("fields", []) if f.get("required")]
            if all(name in value for name in required):
                return 2
        return 1

    def _problem_one(self, value: Any, type_name: str, path: str) -> str | None:
        if type_name.startswith("Array of "):
            if not isinstance(value, list):
                return f"{path} must be an Array"
            inner = type_name[len("Array of ") :]
            for index, item in enumerate(value):
                problem = self.problem(item, [inner], f"{path}[{index}]")
                if problem is not None:
                    return problem
            return None
        if type_name in ("Integer", "Float", "String", "Boolean", "InputFile"):
            return None if _shallow_match(value, type_name) else f"{path} must be {type_name}"
        definition = self.types.get(type_name)
        if definition is None:
            return None  # a type this spec does not describe: nothing to check against
        subtypes = definition.get("subtypes")
        if subtypes:
            return self.problem(value, list(subtypes), path)
        if not isinstance(value, dict):
            return f"{path} must be a JSON object ({type_name})"
        fields = {f["name"]: f for f in definition.get("fields", [])}
        if not fields:
            return None
        for name, spec_field in fields.items():
            if spec_field.get("required") and name not in value:
                return f"field {path}.{name} is required"
        for key, item in value.items():
            spec_field = fields.get(key)
            if spec_field is None:
                return f"unknown field {path}.{key} in {type_name}"
            problem = self.problem(item, list(spec_field["types"]), f"{path}.{key}")
            if problem is not None:
                return problem
        return None


@functools.lru_cache(maxsize=4)
def _load_spec(path: Path, mtime_ns: int) -> _Spec:
    with path.open(encoding="utf-8") as handle:
        return _Spec(json.load(handle))


def _shallow_match(value: Any, type_name: str) -> bool:
    if type_name == "Integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if type_name == "Float":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if type_name == "String":
        return isinstance(value, str)
    if type_name == "Boolean":
        return isinstance(value, bool)
    if type_name == "InputFile":
        return isinstance(value, _Upload)
    if type_name.startswith("Array of "):
        return isinstance(value, list)
    return isinstance(value, dict)


# --------------------------------------------------------------------------------------------
# HTML parse mode
# --------------------------------------------------------------------------------------------


class _EntityParseError(Exception):
    pass


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class _TelegramHtml(HTMLParser):
    """Parses Telegram's HTML subset into visible text plus entities, failing like Telegram."""

    def __init__(self, source: str):
        super().__init__(convert_charrefs=False)
        self._source = source
        self._line_starts = [0]
        for match in re.finditer("\n", source):
            self._line_starts.append(match.end())
        self._parts: list[str] = []
        self._offset16 = 0
        self._stack: list[tuple[str, int, dict[str, str | None]]] = []
        self.entities: list[JsonDict] = []

    @property
    def text(self) -> str:
        return "".join(self._parts)

    def _char_index(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def _byte_offset(self) -> int:
        return len(self._source[: self._char_index()].encode("utf-8"))

    def _emit(self, text: str) -> None:
        self._parts.append(text)
        self._offset16 += _utf16_len(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _TAG_ENTITY:
            raise _EntityParseError(
                f'Unsupported start tag "{tag}" at byte offset {self._byte_offset()}'
            )
        attributes = dict(attrs)
        if tag == "span" and attributes.get("class") != "tg-spoiler":
            raise _EntityParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {self._byte_offset()}'
            )
        self._stack.append((tag, self._offset16, attributes))

    def handle_endtag(self, tag: str) -> None:
        if not self._stack:
            raise _EntityParseError(f"Unexpected end tag at byte offset {self._byte_offset()}")
        open_tag, start, attributes = self._stack[-1]
        if open_tag != tag:
            raise _EntityParseError(
                f'Unmatched end tag at byte offset {self._byte_offset()}, '
                f'expected "</{open_tag}>", found "</{tag}>"'
            )
        self._stack.pop()
        length = self._offset16 - start
        if length == 0:
            return  # Telegram drops empty entities
        entity: JsonDict = {"type": _TAG_ENTITY[tag], "offset": start, "length": length}
        if tag == "a":
            href = attributes.get("href")
            if not href:
                return
            entity["url"] = href
        elif tag == "blockquote" and "expandable" in attributes:
            entity["type"] = "expandable_blockquote"
        elif tag == "tg-emoji":
            entity["custom_emoji_id"] = attributes.get("emoji-id") or ""
        elif tag == "pre" and self.entities:
            # <pre><code class="language-x"> becomes one pre entity carrying the language.
            inner = self.entities[-1]
            if inner["type"] == "code" and inner["offset"] == start and "language" in inner:
                self.entities.pop()
                entity["language"] = inner["language"]
        elif tag == "code":
            css = attributes.get("class") or ""
            if css.startswith("language-"):
                entity["language"] = css[len("language-") :]
        self.entities.append(entity)

    def handle_data(self, data: str) -> None:
        if "<" in data:
            # A lone "<" means the sender forgot to escape user-provided text.
            offset = self._byte_offset() + len(data[: data.index("<")].encode("utf-8"))
            raise _EntityParseError(f'Unsupported start tag "" at byte offset {offset}')
        self._emit(data)

    def handle_entityref(self, name: str) -> None:
        if name in _NAMED_ENTITIES:
            self._emit(_NAMED_ENTITIES[name])
            return
        # Telegram leaves unknown named entities (and bare "&") as literal text.
        index = self._char_index()
        terminated = self._source[index + 1 + len(name) : index + 2 + len(name)] == ";"
        self._emit(f"&{name}{';' if terminated else ''}")

    def handle_charref(self, name: str) -> None:
        try:
            code = int(name[1:], 16) if name[:1] in ("x", "X") else int(name)
            self._emit(chr(code))
        except (ValueError, OverflowError):
            self._emit(f"&#{name};")

    def handle_comment(self, data: str) -> None:
        raise _EntityParseError(f'Unsupported start tag "!--" at byte offset {self._byte_offset()}')

    def handle_decl(self, decl: str) -> None:
        raise _EntityParseError(f'Unsupported start tag "!" at byte offset {self._byte_offset()}')

    def handle_pi(self, data: str) -> None:
        raise _EntityParseError(f'Unsupported start tag "?" at byte offset {self._byte_offset()}')

    def unknown_decl(self, data: str) -> None:
        raise _EntityParseError(f'Unsupported start tag "!" at byte offset {self._byte_offset()}')

    def finish(self) -> None:
        self.close()
        if self._stack:
            raise _EntityParseError(
                f'Can\'t find end tag corresponding to start tag "{self._stack[-1][0]}"'
            )
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))


def parse_html(source: str) -> tuple[str, list[JsonDict]]:
    """Return (visible text, entities) for Telegram HTML, raising ValueError like Telegram would."""
    parser = _TelegramHtml(source)
    try:
        parser.feed(source)
        parser.finish()
    except _EntityParseError as exc:
        raise ValueError(str(exc)) from None
    return parser.text, parser.entities


# --------------------------------------------------------------------------------------------
# Chats and users
# --------------------------------------------------------------------------------------------


class _Chat:
    """Server-side state of one chat: the bot's messages, the users' messages, waiters."""

    def __init__(self, chat_id: int, kind: str, *, title: str | None = None) -> None:
        self.id = chat_id
        self.type = kind
        self.title = title
        self.user: SandboxUser | None = None
        self.members: list[SandboxUser] = []
        self.ordered: list[SandboxMessage] = []
        self.bot_messages: dict[int, SandboxMessage] = {}
        self.user_messages: dict[int, JsonDict] = {}
        self.deleted_user_messages: set[int] = set()
        self.actions: list[str] = []
        self.chat_instance = str(secrets.randbelow(9 * 10**18) + 10**18)
        self.changed = asyncio.Condition()
        self._ids = itertools.count(1)

    def next_message_id(self) -> int:
        return next(self._ids)

    def to_dict(self) -> JsonDict:
        if self.user is not None:
            chat: JsonDict = {"id": self.id, "type": "private", "first_name": self.user.first_name}
            if self.user.username:
                chat["username"] = self.user.username
            return chat
        return {"id": self.id, "type": self.type, "title": self.title or ""}

    async def notify(self) -> None:
        async with self.changed:
            self.changed.notify_all()

    async def wait_for(
        self,
        predicate: Callable[[SandboxMessage], bool] | None,
        timeout: float,  # noqa: ASYNC109 - a per-call deadline is the point of this API
    ) -> SandboxMessage:
        # Without a predicate only messages that arrive after the call count.
        start = len(self.ordered) if predicate is None else 0
        found: list[SandboxMessage] = []

        def check() -> bool:
            for message in self.ordered[start:]:
                if message.deleted:
                    continue
                if predicate is None or predicate(message):
                    found.append(message)
                    return True
            return False

        async with self.changed:
            try:
                async with asyncio.timeout(timeout):
                    await self.changed.wait_for(check)
            except TimeoutError:
                texts = [m.text for m in self.ordered if not m.deleted]
                what = "a new message" if predicate is None else "a matching message"
                raise TimeoutError(
                    f"no {what} in chat {self.id} within {timeout}s; messages now: {texts!r}"
                ) from None
        return found[0]


class SandboxUser:
    """A Telegram user that tests drive: sends messages, presses buttons, reads replies."""

    def __init__(
        self,
        sandbox: BotApiSandbox,
        user_id: int,
        first_name: str,
        *,
        language_code: str = "en",
        username: str | None = None,
    ) -> None:
        """Create the user and their private chat (whose id equals the user id)."""
        self.id = user_id
        self.first_name = first_name
        self.language_code = language_code
        self.username = username
        self.started = False
        self.blocked = False
        self.sent: list[JsonDict] = []
        self._sandbox = sandbox
        self._chat = _Chat(user_id, "private")
        self._chat.user = self

    def __repr__(self) -> str:
        return f"SandboxUser(id={self.id}, first_name={self.first_name!r})"

    def to_dict(self) -> JsonDict:
        """Return the User object Telegram puts into updates."""
        user: JsonDict = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.username:
            user["username"] = self.username
        if self.language_code:
            user["language_code"] = self.language_code
        return user

    @property
    def chat_id(self) -> int:
        """Return the id of the private chat with the bot (equal to the user id)."""
        return self.id

    @property
    def messages(self) -> list[SandboxMessage]:
        """Return the bot's messages in this user's private chat, oldest first."""
        return list(self._chat.ordered)

    @property
    def chat_actions(self) -> list[str]:
        """Return the chat actions (typing, ...) the bot sent to this chat."""
        return list(self._chat.actions)

    def block(self) -> None:
        """Block the bot: its later sends fail with 403 'bot was blocked by the user'."""
        self.blocked = True

    def unblock(self) -> None:
        """Unblock the bot again."""
        self.blocked = False

    async def send(self, text: str) -> JsonDict:
        """Send text to the bot in the private chat and return the Message dict."""
        # Writing to a bot (e.g. pressing Start/Restart) also lifts a block, as in Telegram.
        self.started = True
        self.blocked = False
        return await self._sandbox._user_message(self, self._chat, text)

    async def press(
        self,
        message: SandboxMessage | int,
        button_text: str,
        *,
        timeout: float = 10.0,  # noqa: ASYNC109 - a per-call deadline is the point of this API
    ) -> CallbackAnswer:
        """Press the inline button labelled button_text and return the bot's callback answer."""
        chat, current = self._sandbox._pressable(self, message)
        for row in current.buttons:
            for button in row:
                if button.text != button_text:
                    continue
                if button.callback_data is None:
                    raise AssertionError(
                        f"button {button_text!r} on message {current.message_id} has no "
                        f"callback_data (url={button.url!r}); it cannot be pressed"
                    )
                return await self._sandbox._press(
                    self, chat, current.message_id, button.callback_data, timeout
                )
        raise AssertionError(
            f"no button {button_text!r} on message {current.message_id} "
            f"({current.text[:80]!r}); buttons: {current.button_texts()!r}"
        )

    async def press_data(
        self,
        message: SandboxMessage | int,
        callback_data: str,
        *,
        timeout: float = 10.0,  # noqa: ASYNC109 - a per-call deadline is the point of this API
    ) -> CallbackAnswer:
        """Send a callback query with arbitrary data, e.g. forged or from a stale keyboard."""
        if isinstance(message, SandboxMessage):
            chat = self._sandbox._chat_for_press(self, message.chat_id)
            message_id = message.message_id
        else:
            chat, message_id = self._chat, message
        return await self._sandbox._press(self, chat, message_id, callback_data, timeout)

    async def wait_for(
        self,
        predicate: Callable[[SandboxMessage], bool] | None = None,
        *,
        timeout: float = 20.0,  # noqa: ASYNC109 - a per-call deadline is the point of this API
    ) -> SandboxMessage:
        """Return the first (non-deleted) bot message matching predicate, or the next new one.

        The default timeout is generous: it is only reached when the message never comes,
        and a busy machine must not turn a slow message into a failure.
        """
        return await self._chat.wait_for(predicate, timeout)


class SandboxGroup:
    """A group chat the bot is in; its members can write and press buttons there."""

    def __init__(
        self, sandbox: BotApiSandbox, chat: _Chat, members: list[SandboxUser]
    ) -> None:
        """Wrap the server-side chat state."""
        self._sandbox = sandbox
        self._chat = chat
        chat.members = members

    @property
    def id(self) -> int:
        """Return the (negative) chat id."""
        return self._chat.id

    @property
    def title(self) -> str:
        """Return the group title."""
        return self._chat.title or ""

    @property
    def members(self) -> list[SandboxUser]:
        """Return the users who may write and press buttons here."""
        return self._chat.members

    @property
    def messages(self) -> list[SandboxMessage]:
        """Return the bot's messages in this group, oldest first."""
        return list(self._chat.ordered)

    async def send(self, user: SandboxUser, text: str) -> JsonDict:
        """Post text into the group as user and return the Message dict."""
        if user not in self._chat.members:
            raise AssertionError(f"{user!r} is not a member of group {self.id}")
        return await self._sandbox._user_message(user, self._chat, text)

    async def wait_for(
        self,
        predicate: Callable[[SandboxMessage], bool] | None = None,
        *,
        timeout: float = 20.0,  # noqa: ASYNC109 - a per-call deadline is the point of this API
    ) -> SandboxMessage:
        """Return the first (non-deleted) bot message matching predicate, or the next new one.

        The default timeout is generous: it is only reached when the message never comes,
        and a busy machine must not turn a slow message into a failure.
        """
        return await self._chat.wait_for(predicate, timeout)


# --------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------

_Handler = Callable[[JsonDict], Awaitable[Any]]


class BotApiSandbox:
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
        self._meters: dict[tuple[str, int | str | None], _Bucket | _Window] = {}
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
    ) -> SandboxUser:
        """Return the user with this id, creating them (and their private chat) on first use."""
        existing = self._users.get(user_id)
        if existing is not None:
            return existing
        if user_id <= 0:
            raise ValueError("user ids are positive; groups use negative ids")
        user = SandboxUser(
            self, user_id, first_name, language_code=language_code, username=username
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

    def commands(
        self, scope: JsonDict | None = None, language_code: str = ""
    ) -> list[JsonDict]:
        """Return the commands setMyCommands stored for scope (default scope when None)."""
        return list(self._commands.get(_command_key(scope, language_code), []))

    def fail_next(
        self,
        method: str,
        *,
        error_code: int,
        description: str,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next `times` calls of method fail with this Telegram error."""
        self._faults.setdefault(method.lower(), []).append(
            _Fault(error_code, description, retry_after, times)
        )

    @property
    def limits(self) -> TelegramLimits | None:
        """Return the flood limits in force (None: every request is admitted)."""
        return self._limits

    @limits.setter
    def limits(self, limits: TelegramLimits | None) -> None:
        """Switch flood limits on (or off with None); every bucket and window starts anew."""
        self._limits = limits
        self._meters.clear()

    def rate_limited_by_chat(self) -> dict[int | str | None, int]:
        """Return how many requests were refused with 429, per chat id (None: no chat_id)."""
        counts: dict[int | str | None, int] = {}
        for hit in self.rate_limited:
            counts[hit.chat_id] = counts.get(hit.chat_id, 0) + 1
        return counts

    def calls(self, method: str) -> list[ApiCall]:
        """Return the recorded requests of one method (case-insensitive)."""
        wanted = method.lower()
        return [call for call in self.requests if call.method.lower() == wanted]

    @property
    def pending_updates(self) -> list[JsonDict]:
        """Return the updates queued and not yet confirmed by getUpdates or the webhook."""
        return list(self._updates)

    async def redeliver(self, update_id: int) -> JsonDict:
        """Send an update to the webhook once more, as Telegram does when an answer got lost."""
        if not self.webhook.get("url"):
            raise RuntimeError("redeliver needs a webhook; getUpdates re-sends unconfirmed updates")
        update = self._webhook_delivered.get(update_id)
        if update is None:
            update = next((u for u in self._updates if u["update_id"] == update_id), None)
        if update is None:
            raise ValueError(f"update {update_id} was never queued while the webhook was set")
        copy: JsonDict = json.loads(json.dumps(update))
        async with self._updates_changed:
            # In update_id order: before later updates, after a still-queued original.
            ids = [u["update_id"] for u in self._updates]
            self._updates.insert(bisect.bisect_right(ids, update_id), copy)
            self._updates_changed.notify_all()
        return copy

    async def wait_for_delivery(
        self,
        predicate: Callable[[WebhookDelivery], bool] | None = None,
        *,
        timeout: float = 20.0,  # noqa: ASYNC109 - a per-call deadline is the point of this API
    ) -> WebhookDelivery:
        """Return the first webhook delivery attempt matching predicate, or the next new one."""
        start = len(self.webhook_deliveries) if predicate is None else 0
        found: list[WebhookDelivery] = []

        def check() -> bool:
            for delivery in self.webhook_deliveries[start:]:
                if predicate is None or predicate(delivery):
                    found.append(delivery)
                    return True
            return False

        async with self._deliveries_changed:
            try:
                async with asyncio.timeout(timeout):
                    await self._deliveries_changed.wait_for(check)
            except TimeoutError:
                raise TimeoutError(
                    f"no {'new' if predicate is None else 'matching'} webhook delivery within "
                    f"{timeout}s; deliveries now: {self.webhook_deliveries!r}"
                ) from None
        return found[0]

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
            params = await self._read_params(request, key)
            result = await self._dispatch(key, method, params)
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

    async def _read_params(self, request: web.Request, key: str) -> JsonDict:
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
        for name, upload in uploads.items():
            if name.startswith("attached") and (fields is None or name not in fields):
                continue  # an attach:// part referenced from inside some JSON object
            params[name] = upload
        return params

    async def _dispatch(self, key: str, method: str, params: JsonDict) -> Any:
        spec_known = self._spec is not None and key in self._spec.methods
        if self._spec is not None and not spec_known:
            raise ApiError(404, "Not Found")
        self._inject_fault(key)
        if spec_known:
            self._validate(key, method, params)
        _check_inline_keyboard(params.get("reply_markup"))
        self._check_flood_limits(key, method, params)
        entry = self._handlers.get(key)
        if entry is None:
            # Methods the sandbox does not model succeed after validation, like a no-op.
            return True
        return await entry[1](params)

    def _inject_fault(self, key: str) -> None:
        faults = self._faults.get(key)
        if not faults:
            return
        fault = faults[0]
        fault.times -= 1
        if fault.times <= 0:
            faults.pop(0)
        raise ApiError(fault.error_code, fault.description, fault.retry_after)

    def _check_flood_limits(self, key: str, method: str, params: JsonDict) -> None:
        """Use up a token of every bucket the request counts against, or refuse it with 429."""
        limits = self._limits
        if limits is None or not _sends_a_message(key):
            return
        chat_id = _chat_key(params.get("chat_id"))
        scopes: list[tuple[str, int | str | None]] = [("bot", None)]
        if chat_id is not None:
            private = isinstance(chat_id, int) and chat_id > 0
            scopes.append(("private" if private else "group", chat_id))
        now = self._timer()
        meters: list[tuple[str, _Bucket | _Window]] = []
        for scope, meter_key in scopes:
            meter = self._meters.get((scope, meter_key))
            if meter is None:
                meter = self._meters[(scope, meter_key)] = (
                    _Bucket(limits.bot_burst, limits.bot_rate, limits.bot_burst, now)
                    if scope == "bot" else
                    _Window(getattr(limits, f"{scope}_count"),
                            getattr(limits, f"{scope}_window")))
            meters.append((scope, meter))
        # Nothing is used up unless every meter has room, so a refused request has no effect.
        wait, scope = max((meter.wait(now), scope) for scope, meter in meters)
        if wait > 0:
            retry_after = max(1, math.ceil(wait))
            self.rate_limited.append(RateLimitHit(method, chat_id, retry_after, scope, now))
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)
        for _, meter in meters:
            meter.take(now)

    def _validate(self, key: str, method: str, params: JsonDict) -> None:
        assert self._spec is not None
        fields = self._spec.fields(key)
        for name in params:
            if name not in fields:
                self.violations.append(f"{method}: unknown parameter {name}")
                if self.strict:
                    raise _bad(f"unknown parameter {name}")
        for name, spec_field in fields.items():
            if spec_field.get("required") and params.get(name) is None:
                self.violations.append(f"{method}: parameter {name} is required")
                raise _bad(f"parameter {name} is required")
        for name, value in params.items():
            known = fields.get(name)
            if known is None:
                continue
            problem = self._spec.problem(value, list(known["types"]), name)
            if problem is not None:
                self.violations.append(f"{method}: {problem}")
                raise _bad(f"invalid parameter: {problem}")

    # ---- update queue ----------------------------------------------------------------------

    async def _enqueue(self, kind: str, payload: JsonDict) -> JsonDict:
        update: JsonDict = {"update_id": next(self._update_ids), kind: payload}
        async with self._updates_changed:
            self._updates.append(update)
            self._updates_changed.notify_all()
        return update

    def _is_allowed(self, update: JsonDict) -> bool:
        kind = next(k for k in update if k != "update_id")
        if not self._allowed_updates:
            return kind not in _NOT_DELIVERED_BY_DEFAULT
        return kind in self._allowed_updates

    async def _user_message(self, user: SandboxUser, chat: _Chat, text: str) -> JsonDict:
        message: JsonDict = {
            "message_id": chat.next_message_id(),
            "from": user.to_dict(),
            "chat": chat.to_dict(),
            "date": int(time.time()),
            "text": text,
        }
        match = _COMMAND_RE.match(text)
        if match:
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": _utf16_len(match.group(0))}
            ]
        chat.user_messages[message["message_id"]] = message
        if chat.user is user:
            user.sent.append(message)
        await self._enqueue("message", json.loads(json.dumps(message)))
        return message

    def _chat_for_press(self, user: SandboxUser, chat_id: int) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            raise AssertionError(f"chat {chat_id} does not exist in the sandbox")
        if chat.user is not None and chat.user is not user:
            raise AssertionError(f"{user!r} cannot press buttons in another user's chat")
        if chat.user is None and user not in chat.members:
            raise AssertionError(f"{user!r} is not a member of group {chat_id}")
        return chat

    def _pressable(
        self, user: SandboxUser, message: SandboxMessage | int
    ) -> tuple[_Chat, SandboxMessage]:
        if isinstance(message, SandboxMessage):
            chat = self._chat_for_press(user, message.chat_id)
            message_id = message.message_id
        else:
            chat, message_id = user._chat, message
        current = chat.bot_messages.get(message_id)
        if current is None:
            raise AssertionError(f"the bot sent no message {message_id} in chat {chat.id}")
        if current.deleted:
            raise AssertionError(f"message {message_id} in chat {chat.id} was deleted")
        return chat, current

    async def _press(
        self,
        user: SandboxUser,
        chat: _Chat,
        message_id: int,
        data: str,
        timeout: float,  # noqa: ASYNC109 - passed through from press()
    ) -> CallbackAnswer:
        if chat.user is user:
            user.started = True
        current = chat.bot_messages.get(message_id)
        if current is not None and not current.deleted:
            message = json.loads(json.dumps(current.raw))
        else:
            # Telegram sends an InaccessibleMessage (date 0) for messages that are gone.
            message = {"chat": chat.to_dict(), "message_id": message_id, "date": 0}
        query_id = f"{user.id}{next(self._query_ids):08d}"
        pending = _PendingQuery(asyncio.get_running_loop().create_future())
        self._queries[query_id] = pending
        await self._enqueue(
            "callback_query",
            {
                "id": query_id,
                "from": user.to_dict(),
                "message": message,
                "chat_instance": chat.chat_instance,
                "data": data,
            },
        )
        try:
            async with asyncio.timeout(timeout):
                return await asyncio.shield(pending.future)
        except TimeoutError:
            # Like Telegram, an answer that comes too late is refused as "query is too old".
            pending.expired = True
            raise TimeoutError(
                f"the bot did not answer the callback query {data!r} from {user!r} "
                f"on message {message_id} within {timeout}s"
            ) from None

    # ---- webhook delivery -------------------------------------------------------------------

    def _start_webhook_delivery(self) -> None:
        if self._webhook_task is None or self._webhook_task.done():
            self._webhook_task = asyncio.get_running_loop().create_task(
                self._deliver_to_webhook(), name="sandbox-webhook-delivery"
            )

    async def _stop_webhook_delivery(self) -> None:
        # An update whose POST is cut off stays queued, so it is sent (again) later.
        task, self._webhook_task = self._webhook_task, None
        if task is None or task is asyncio.current_task():
            return
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                raise  # the caller itself is being cancelled, not just the worker

    async def _deliver_to_webhook(self) -> None:
        """POST queued updates to the webhook one at a time, in order, retrying failures."""
        failures = 0
        timeout = aiohttp.ClientTimeout(total=self._webhook_timeout)
        try:
            async with aiohttp.ClientSession(timeout=timeout) as session:
                while True:
                    update = await self._next_webhook_update()
                    delivery, retry_after = await self._post_update(session, update, failures + 1)
                    # State first, then the record: a test that saw the delivery sees its effect.
                    if delivery.ok:
                        self._confirm_webhook_update(update)
                    else:
                        self._webhook_error = (int(time.time()), delivery.error or "")
                    self.webhook_deliveries.append(delivery)
                    async with self._deliveries_changed:
                        self._deliveries_changed.notify_all()
                    if delivery.ok:
                        failures = 0
                        continue
                    failures += 1
                    delays = self._webhook_retry_delays
                    delay = delays[min(failures, len(delays)) - 1]
                    # Later updates wait behind this one: Telegram delivers in order.
                    await asyncio.sleep(retry_after if retry_after > 0 else delay)
        except Exception as exc:
            logger.exception("sandbox webhook delivery failed")
            self.errors.append(exc)

    async def _next_webhook_update(self) -> JsonDict:
        async with self._updates_changed:
            while True:
                # Updates of types the bot did not ask for are never delivered, so drop them.
                while self._updates and not self._is_allowed(self._updates[0]):
                    del self._updates[0]
                if self._updates:
                    return self._updates[0]
                await self._updates_changed.wait()

    def _confirm_webhook_update(self, update: JsonDict) -> None:
        # By identity: a redelivered copy with the same update_id may be queued meanwhile.
        for index, queued in enumerate(self._updates):
            if queued is update:
                del self._updates[index]
                break
        self._webhook_delivered[update["update_id"]] = update

    async def _post_update(
        self, session: aiohttp.ClientSession, update: JsonDict, attempt: int
    ) -> tuple[WebhookDelivery, float]:
        """POST one update and return the attempt plus the receiver's Retry-After (0 if none)."""
        url = str(self.webhook["url"])
        headers = {"Content-Type": "application/json"}
        secret = self.webhook.get("secret_token")
        if secret:
            headers["X-Telegram-Bot-Api-Secret-Token"] = str(secret)
        body = json.dumps(update, ensure_ascii=False).encode("utf-8")
        at = time.monotonic()
        status: int | None = None
        error: str | None = None
        retry_after = 0.0
        try:
            # Telegram follows no redirects: a 3xx is a wrong response like any other non-2xx.
            async with session.post(
                url, data=body, headers=headers, allow_redirects=False
            ) as response:
                status = response.status
                await response.read()
                if not 200 <= status <= 299:
                    error = f"Wrong response from the webhook: {status} {response.reason or ''}"
                    error = error.rstrip()
                    retry_after = _retry_after(response.headers.get("Retry-After"))
        except TimeoutError:
            error = "Read timeout expired"
        except aiohttp.ClientConnectorDNSError:
            error = "Failed to resolve host: Name or service not known"
        except aiohttp.ClientConnectorError as exc:
            refused = exc.os_error.errno == errno.ECONNREFUSED
            error = "Connection refused" if refused else "Can't connect to the webhook"
        except aiohttp.ClientError:
            error = "Webhook connection closed"
        delivery = WebhookDelivery(
            update_id=int(update["update_id"]),
            url=url,
            status=status,
            error=error,
            attempt=attempt,
            at=at,
        )
        return delivery, retry_after

    # ---- helpers for the method handlers ----------------------------------------------------

    def _bot_user(self) -> JsonDict:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_name,
            "username": self.bot_username,
        }

    def _find_chat(self, params: JsonDict) -> _Chat:
        chat_id = _required(params, "chat_id")
        if isinstance(chat_id, str):
            try:
                chat_id = int(chat_id)
            except ValueError:
                raise _bad("chat not found") from None  # @usernames are never registered here
        if not isinstance(chat_id, int) or isinstance(chat_id, bool):
            raise _bad("chat not found")
        chat = self._chats.get(chat_id)
        if chat is None:
            raise _bad("chat not found")
        return chat

    def _writable_chat(self, params: JsonDict) -> _Chat:
        chat = self._find_chat(params)
        if chat.user is not None:
            if not chat.user.started:
                raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
            if chat.user.blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat

    def _formatted(self, params: JsonDict, name: str) -> tuple[str, str, list[JsonDict]]:
        """Return (raw, visible, entities) of the text or caption parameter."""
        raw = params.get(name)
        if raw is None:
            raw = ""
        if not isinstance(raw, str):
            raw = str(raw)
        parse_mode = params.get("parse_mode")
        mode = parse_mode.lower() if isinstance(parse_mode, str) else ""
        if mode == "html":
            try:
                visible, entities = parse_html(raw)
            except ValueError as exc:
                raise _bad(f"can't parse entities: {exc}") from None
        elif mode in ("", "markdown", "markdownv2"):
            # Markdown is not modelled: the text is shown as sent.
            visible = raw
            given = params.get("entities") if name == "text" else params.get("caption_entities")
            entities = list(given) if isinstance(given, list) else []
        else:
            raise _bad("unsupported parse_mode")
        return raw, visible, entities

    def _new_message(
        self,
        chat: _Chat,
        params: JsonDict,
        *,
        raw_text: str,
        visible: str,
        entities: list[JsonDict],
        caption: bool = False,
    ) -> SandboxMessage:
        markup = _inline_markup(params.get("reply_markup"))
        message_id = chat.next_message_id()
        date = int(time.time())
        raw: JsonDict = {
            "message_id": message_id,
            "from": self._bot_user(),
            "chat": chat.to_dict(),
            "date": date,
        }
        text_key = "caption" if caption else "text"
        if visible or not caption:
            raw[text_key] = visible
        if entities:
            raw[f"{text_key}_entities" if caption else "entities"] = entities
        if markup is not None:
            raw["reply_markup"] = markup
        parse_mode = params.get("parse_mode")
        message = SandboxMessage(
            message_id=message_id,
            chat_id=chat.id,
            text=visible,
            html=raw_text,
            buttons=_buttons(markup),
            date=date,
            parse_mode=parse_mode if isinstance(parse_mode, str) else None,
            entities=entities,
            raw=raw,
        )
        chat.bot_messages[message_id] = message
        chat.ordered.append(message)
        return message

    def _editable(self, params: JsonDict) -> tuple[_Chat, SandboxMessage]:
        chat = self._find_chat(params)
        message_id = _required(params, "message_id")
        message = chat.bot_messages.get(message_id) if isinstance(message_id, int) else None
        if message is None and message_id in chat.user_messages:
            raise _bad("message can't be edited")
        if message is None or message.deleted:
            raise _bad("message to edit not found")
        return chat, message

    def _store_file(self, upload: _Upload | str, kind: str) -> SandboxFile:
        if isinstance(upload, str):
            known = self._files.get(upload)
            if known is not None:
                return known
            if not upload.startswith(("http://", "https://")):
                raise _bad("wrong file identifier/HTTP URL specified")
            # A URL Telegram would download; the sandbox keeps the name only.
            upload = _Upload(upload.rsplit("/", 1)[-1] or None, b"", None)
        number = next(self._file_counter)
        suffix = Path(upload.filename).suffix if upload.filename else ""
        prefix = "AgAC" if kind == "photos" else "BQAC"
        stored = SandboxFile(
            file_id=f"{prefix}{secrets.token_urlsafe(30)}",
            file_unique_id=f"AQAD{secrets.token_urlsafe(9)}",
            filename=upload.filename,
            data=upload.data,
            mime_type=upload.content_type,
            file_path=f"{kind}/file_{number}{suffix}",
        )
        self._files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

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

    async def _get_updates(self, params: JsonDict) -> list[JsonDict]:
        if self.webhook.get("url"):
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = _int(params.get("offset"), 0)
        limit = min(max(_int(params.get("limit"), 100), 1), 100)
        timeout = max(_int(params.get("timeout"), 0), 0)
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(kind) for kind in allowed]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        async with self._updates_changed:
            # An offset confirms (forgets) every update below it; a negative one keeps the tail.
            if offset > 0:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            elif offset < 0:
                self._updates = self._updates[offset:]
            while True:
                if self.webhook.get("url"):
                    raise ApiError(409, "Conflict: terminated by setWebhook request")
                # Updates of types the bot did not ask for are never delivered, so drop them.
                self._updates = [u for u in self._updates if self._is_allowed(u)]
                if self._updates or self._closing:
                    break
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                self.long_polls += 1
                try:
                    async with asyncio.timeout(remaining):
                        await self._updates_changed.wait()
                except TimeoutError:
                    break
                finally:
                    self.long_polls -= 1
            return [json.loads(json.dumps(u)) for u in self._updates[:limit]]

    async def _set_webhook(self, params: JsonDict) -> bool:
        url = _required(params, "url")
        if not isinstance(url, str):
            raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
        if not url:
            return await self._delete_webhook(params)  # an empty url removes the webhook
        _check_webhook_url(url)
        secret = params.get("secret_token")
        if secret is not None and not isinstance(secret, str):
            secret = str(secret)
        if secret and len(secret) > _MAX_SECRET_TOKEN:
            raise _bad("secret token is too long")
        if secret and not _SECRET_TOKEN_RE.match(secret):
            raise _bad("secret token contains unallowed characters")
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            # One setting for the bot, shared with getUpdates, as in Telegram.
            self._allowed_updates = [str(kind) for kind in allowed]
        max_connections = _int(params.get("max_connections"), _WEBHOOK_MAX_CONNECTIONS)
        webhook: JsonDict = {
            "url": url,
            "max_connections": min(max(max_connections, 1), 100),
            "has_custom_certificate": isinstance(params.get("certificate"), _Upload),
        }
        if secret:
            webhook["secret_token"] = secret
        ip_address = params.get("ip_address")
        if isinstance(ip_address, str) and ip_address:
            webhook["ip_address"] = ip_address
        await self._stop_webhook_delivery()
        if url != self.webhook.get("url"):
            self._webhook_error = None
        self.webhook = webhook
        async with self._updates_changed:
            if params.get("drop_pending_updates"):
                self._updates.clear()
            self._updates_changed.notify_all()  # a running long poll ends with 409
        if self._runner is not None:
            self._start_webhook_delivery()
        return True

    async def _delete_webhook(self, params: JsonDict) -> bool:
        await self._stop_webhook_delivery()
        self.webhook = {}
        self._webhook_error = None
        self._webhook_delivered.clear()
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _get_webhook_info(self, params: JsonDict) -> JsonDict:
        info: JsonDict = {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": bool(self.webhook.get("has_custom_certificate", False)),
            "pending_update_count": len(self._updates),
        }
        if not self.webhook.get("url"):
            return info
        if "ip_address" in self.webhook:
            info["ip_address"] = self.webhook["ip_address"]
        if self._webhook_error is not None:
            info["last_error_date"], info["last_error_message"] = self._webhook_error
        info["max_connections"] = self.webhook["max_connections"]
        if self._allowed_updates:
            info["allowed_updates"] = list(self._allowed_updates)
        return info

    async def _set_my_commands(self, params: JsonDict) -> bool:
        commands = _required(params, "commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise _bad("BOT_COMMANDS_TOO_MUCH" if isinstance(commands, list) else "commands")
        for command in commands:
            name = command.get("command") if isinstance(command, dict) else None
            description = command.get("description") if isinstance(command, dict) else None
            if not isinstance(name, str) or not _BOT_COMMAND_RE.match(name):
                raise _bad("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
        key = _command_key(params.get("scope"), params.get("language_code") or "")
        self._commands[key] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    async def _get_my_commands(self, params: JsonDict) -> list[JsonDict]:
        return self.commands(params.get("scope"), params.get("language_code") or "")

    async def _delete_my_commands(self, params: JsonDict) -> bool:
        key = _command_key(params.get("scope"), params.get("language_code") or "")
        self._commands.pop(key, None)
        return True

    async def _send_message(self, params: JsonDict) -> JsonDict:
        _required(params, "text")
        chat = self._writable_chat(params)
        raw, visible, entities = self._formatted(params, "text")
        _check_text(visible)
        message = self._new_message(
            chat, params, raw_text=raw, visible=visible, entities=entities
        )
        await chat.notify()
        return message.raw

    async def _edit_message_text(self, params: JsonDict) -> JsonDict | bool:
        if params.get("inline_message_id") is not None:
            return True  # inline messages are not modelled
        chat, message = self._editable(params)
        raw, visible, entities = self._formatted(params, "text")
        _check_text(visible)
        # Editing the text without reply_markup removes the inline keyboard, as in Telegram.
        markup = _inline_markup(params.get("reply_markup"))
        if (
            message.document is None
            and message.photo is None
            and visible == message.text
            and entities == message.entities
            and markup == message.raw.get("reply_markup")
        ):
            raise _bad(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        if message.document is not None or message.photo is not None:
            raise _bad("there is no text in the message to edit")
        message.text, message.html, message.entities = visible, raw, entities
        parse_mode = params.get("parse_mode")
        message.parse_mode = parse_mode if isinstance(parse_mode, str) else None
        message.raw["text"] = visible
        message.raw.pop("entities", None)
        if entities:
            message.raw["entities"] = entities
        self._apply_markup(message, markup)
        await chat.notify()
        return message.raw

    async def _edit_message_reply_markup(self, params: JsonDict) -> JsonDict | bool:
        if params.get("inline_message_id") is not None:
            return True
        chat, message = self._editable(params)
        markup = _inline_markup(params.get("reply_markup"))
        if markup == message.raw.get("reply_markup"):
            raise _bad(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        self._apply_markup(message, markup)
        await chat.notify()
        return message.raw

    def _apply_markup(self, message: SandboxMessage, markup: JsonDict | None) -> None:
        message.raw.pop("reply_markup", None)
        if markup is not None:
            message.raw["reply_markup"] = markup
        message.buttons = _buttons(markup)
        message.edits += 1
        message.raw["edit_date"] = int(time.time())

    async def _delete_message(self, params: JsonDict) -> bool:
        chat = self._find_chat(params)
        message_id = _required(params, "message_id")
        message = chat.bot_messages.get(message_id) if isinstance(message_id, int) else None
        if message is not None and not message.deleted:
            message.deleted = True
            await chat.notify()
            return True
        if message_id in chat.user_messages and message_id not in chat.deleted_user_messages:
            chat.deleted_user_messages.add(message_id)
            return True
        raise _bad("message to delete not found")

    async def _answer_callback_query(self, params: JsonDict) -> bool:
        query_id = str(_required(params, "callback_query_id"))
        pending = self._queries.get(query_id)
        if pending is None or pending.answered or pending.expired:
            raise _bad("query is too old and response timeout expired or query ID is invalid")
        text = params.get("text")
        if text is not None and not isinstance(text, str):
            text = str(text)
        if text is not None and len(text) > _MAX_CALLBACK_ANSWER:
            raise _bad("MESSAGE_TOO_LONG")
        answer = CallbackAnswer(
            text=text or None,
            show_alert=bool(params.get("show_alert", False)),
            url=params.get("url"),
            callback_query_id=query_id,
            cache_time=_int(params.get("cache_time"), 0),
        )
        pending.answered = True
        self.answers.append(answer)
        if not pending.future.done():
            pending.future.set_result(answer)
        return True

    async def _send_chat_action(self, params: JsonDict) -> bool:
        chat = self._writable_chat(params)
        action = _required(params, "action")
        if action not in _CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        chat.actions.append(str(action))
        return True

    async def _send_document(self, params: JsonDict) -> JsonDict:
        return await self._send_file(params, "document", "documents")

    async def _send_photo(self, params: JsonDict) -> JsonDict:
        return await self._send_file(params, "photo", "photos")

    async def _send_file(self, params: JsonDict, name: str, kind: str) -> JsonDict:
        chat = self._writable_chat(params)
        content = _required(params, name)
        if not isinstance(content, _Upload | str):
            raise _bad(f"wrong type of the web page content for {name}")
        if isinstance(content, _Upload) and not content.data:
            raise _bad("file must be non-empty")
        raw, visible, entities = self._formatted(params, "caption")
        if len(visible) > _MAX_CAPTION:
            raise _bad("message caption is too long")
        stored = self._store_file(content, kind)
        message = self._new_message(
            chat, params, raw_text=raw, visible=visible, entities=entities, caption=True
        )
        if name == "document":
            document: JsonDict = {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_size": stored.size,
            }
            if stored.filename:
                document["file_name"] = stored.filename
            if stored.mime_type:
                document["mime_type"] = stored.mime_type
            message.raw["document"] = document
            message.document = stored
        else:
            width, height = _image_size(stored.data)
            message.raw["photo"] = [
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "file_size": stored.size,
                    "width": width,
                    "height": height,
                }
            ]
            message.photo = stored
        await chat.notify()
        return message.raw

    async def _get_file(self, params: JsonDict) -> JsonDict:
        stored = self._files.get(str(_required(params, "file_id")))
        if stored is None:
            raise _bad("invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
            "file_path": stored.file_path,
        }


# --------------------------------------------------------------------------------------------
# Small pure helpers
# --------------------------------------------------------------------------------------------


def _decode(name: str, value: str, types: list[str] | None) -> Any:
    """Turn one form/query value back into JSON the way Telegram reads it (see PTB json_value)."""
    if types is not None:
        if all(t == "String" for t in types):
            return value
        try:
            loaded = json.loads(value)
        except ValueError:
            return value
        if any(_shallow_match(loaded, t) for t in types if t != "String"):
            return loaded
        return value if "String" in types else loaded
    if name in _STRING_FIELDS:
        return value
    try:
        loaded = json.loads(value)
    except ValueError:
        return value
    return loaded if isinstance(loaded, dict | list | bool | int | float) else value


def _check_webhook_url(url: str) -> None:
    """Refuse webhook URLs Telegram refuses; plain HTTP is allowed to loopback receivers only."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise _bad("bad webhook: An HTTPS URL must be provided for webhook") from None
    host = parts.hostname or ""
    if not host or parts.scheme not in ("http", "https"):
        raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
    if _is_loopback(host):
        return  # a test's local receiver, like the Bot API server's --local mode
    if parts.scheme != "https":
        raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
    if port is not None and port not in _WEBHOOK_PORTS:
        raise _bad("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _retry_after(value: str | None) -> float:
    """Return the seconds of a Retry-After header, as Telegram honours it (0 when absent)."""
    try:
        seconds = int(value) if value is not None else 0
    except ValueError:
        return 0.0
    return float(min(max(seconds, 0), _MAX_RETRY_AFTER))


def _required(params: JsonDict, name: str) -> Any:
    value = params.get(name)
    if value is None:
        raise _bad(f"parameter {name} is required")
    return value


def _int(value: Any, default: int) -> int:
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return default
    return default


def _sends_a_message(key: str) -> bool:
    """Return whether a method (lower-cased) sends or edits a message, i.e. is flood-limited."""
    if key.startswith("send"):
        return key != "sendchataction"
    return key.startswith("editmessage") or key in _MESSAGE_METHODS


def _chat_key(chat_id: Any) -> int | str | None:
    """Return chat_id as the key of its flood-limit bucket (numeric strings become ints)."""
    if isinstance(chat_id, bool) or chat_id is None:
        return None
    if isinstance(chat_id, int):
        return chat_id
    text = str(chat_id)
    try:
        return int(text)
    except ValueError:
        return text  # an @username of a channel or supergroup


def _check_text(visible: str) -> None:
    if not visible.strip():
        raise _bad("message text is empty")
    if len(visible) > _MAX_TEXT:
        raise _bad("message is too long")


def _check_inline_keyboard(markup: Any) -> None:
    """Refuse inline keyboards Telegram refuses, whatever the method."""
    if not isinstance(markup, dict) or "inline_keyboard" not in markup:
        return
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise _bad("can't parse inline keyboard button: InlineKeyboardMarkup must be an Array")
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise _bad("can't parse inline keyboard button: Text must be a String")
            actions = set(button) - {"text", "icon_custom_emoji_id", "style"}
            if not actions:
                raise _bad("text buttons are unallowed in the inline keyboard")
            if "callback_data" in button:
                data = button["callback_data"]
                size = len(data.encode("utf-8")) if isinstance(data, str) else 0
                if not 1 <= size <= _MAX_CALLBACK_DATA_BYTES:
                    raise _bad("BUTTON_DATA_INVALID")
            if "url" in button:
                url = button["url"]
                if not isinstance(url, str) or not url.startswith(("http://", "https://", "tg://")):
                    raise _bad("BUTTON_URL_INVALID")


def _inline_markup(markup: Any) -> JsonDict | None:
    """Return the inline keyboard as Telegram echoes it in Message.reply_markup, if any."""
    if not isinstance(markup, dict):
        return None
    rows = markup.get("inline_keyboard")
    if not isinstance(rows, list) or not any(rows):
        return None  # reply keyboards never appear on the sent Message
    return {"inline_keyboard": json.loads(json.dumps(rows))}


def _buttons(markup: JsonDict | None) -> list[list[Button]]:
    if markup is None:
        return []
    return [
        [
            Button(
                text=str(button.get("text", "")),
                callback_data=button.get("callback_data"),
                url=button.get("url"),
            )
            for button in row
        ]
        for row in markup["inline_keyboard"]
    ]


def _command_key(scope: Any, language_code: str) -> tuple[str, str]:
    if not isinstance(scope, dict) or not scope:
        scope = {"type": "default"}
    return json.dumps(scope, sort_keys=True), language_code


def _image_size(data: bytes) -> tuple[int, int]:
    """Read a PNG's dimensions; other formats get a plausible default."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return 640, 480
