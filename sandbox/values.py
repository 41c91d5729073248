"""The value objects the sandbox records and hands to tests, and the errors it answers with."""

from __future__ import annotations

import asyncio
import builtins
import time
from dataclasses import dataclass, field
from typing import Any

JsonDict = dict[str, Any]


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


@dataclass
class SandboxFile:
    """A file the bot uploaded (document or photo), kept with its bytes."""

    file_id: str
    file_unique_id: str
    filename: str | None
    data: builtins.bytes
    mime_type: str | None
    file_path: str
    # A size a user's document claims past what a test uploads (a 30 MB file, say): Telegram
    # tells it in the message's file_size, and getFile refuses a file over 20 MB.
    claimed_size: int | None = None

    @property
    def bytes(self) -> builtins.bytes:
        """Return the uploaded content."""
        return self.data

    @property
    def size(self) -> int:
        """Return the size of the content in bytes (or the size claimed for it)."""
        return self.claimed_size if self.claimed_size is not None else len(self.data)


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
    # The message it replies to (reply_parameters), in the same chat.
    reply_to: int | None = None
    # Sent with a ForceReply: the user's client opened the reply field on it, showing the
    # placeholder (if any) in the empty field. Edits do not change how it was sent.
    force_reply: bool = False
    input_field_placeholder: str | None = None
    media_group_id: str | None = None  # one of an album's messages (sendMediaGroup)

    def button_texts(self) -> list[str]:
        """Return the visible texts of all inline buttons, row by row."""
        return [button.text for row in self.buttons for button in row]

    def button_url(self, text: str) -> str | None:
        """Return the URL the button labelled text opens (None: it is not a URL button).

        The URL is the one Telegram echoes, normalized (https://example.com/ for
        https://example.com). A label on no button is an AssertionError, as press() has it.
        """
        for row in self.buttons:
            for button in row:
                if button.text == text:
                    return button.url
        raise AssertionError(
            f"no button {text!r} on message {self.message_id} ({self.text[:80]!r}); "
            f"buttons: {self.button_texts()!r}"
        )


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
class _PendingQuery:
    future: asyncio.Future[CallbackAnswer]
    answered: bool = False
    expired: bool = False


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
