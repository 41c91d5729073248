"""The users and groups tests act as, and the server-side state of their chats."""

from __future__ import annotations

import asyncio
import itertools
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING

from sandbox.values import CallbackAnswer, JsonDict, SandboxMessage

if TYPE_CHECKING:
    from sandbox.server import BotApiSandbox


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
            if self.user.last_name:
                chat["last_name"] = self.user.last_name
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
        last_name: str | None = None,
    ) -> None:
        """Create the user and their private chat (whose id equals the user id)."""
        self.id = user_id
        self.first_name = first_name
        self.last_name = last_name
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
        if self.last_name:
            user["last_name"] = self.last_name
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

    async def send_document(
        self, data: bytes, file_name: str | None, *, mime_type: str | None = None,
        file_size: int | None = None, caption: str | None = None,
    ) -> JsonDict:
        """Send a file to the bot in the private chat and return the Message dict.

        The bot can getFile it and download it from the file URL, as a file a user sent to
        Telegram; *file_size* claims a size past the bytes given (getFile refuses a file over
        20 MB, as Telegram does).
        """
        self.started = True
        self.blocked = False
        return await self._sandbox._user_document(
            self, self._chat, data, file_name, mime_type, file_size, caption
        )

    async def reply(self, message: SandboxMessage | int, text: str) -> JsonDict:
        """Reply with text to one of the bot's messages in the private chat; return the Message.

        The update's Message carries the bot's message, as it is now, in reply_to_message. A
        message the bot never sent here, or deleted, cannot be replied to (AssertionError).
        """
        replied = self._sandbox._repliable(self, message)
        self.started = True
        self.blocked = False
        return await self._sandbox._user_message(self, self._chat, text, replied)

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
