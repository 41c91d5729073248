"""How the messages and button presses of sandbox users reach the bot as updates."""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import time
from pathlib import Path

from sandbox.html import _utf16_len
from sandbox.people import SandboxUser, _Chat
from sandbox.replies import _as_replied_to
from sandbox.update_queue import _UpdateQueueMixin
from sandbox.values import CallbackAnswer, JsonDict, SandboxFile, SandboxMessage, _PendingQuery

_COMMAND_RE = re.compile(r"^/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")


class _ActingMixin(_UpdateQueueMixin):
    """The sandbox's side of SandboxUser.send, reply, press and press_data."""

    async def _user_message(
        self, user: SandboxUser, chat: _Chat, text: str, reply_to: SandboxMessage | None = None
    ) -> JsonDict:
        message: JsonDict = {
            "message_id": chat.next_message_id(),
            "from": user.to_dict(),
            "chat": chat.to_dict(),
            "date": int(time.time()),
        }
        if reply_to is not None:
            # The bot's message as it is now (edited text, current keyboard), one level deep.
            message["reply_to_message"] = _as_replied_to(reply_to.raw)
        message["text"] = text
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

    async def _user_document(
        self, user: SandboxUser, chat: _Chat, data: bytes, file_name: str | None,
        mime_type: str | None, file_size: int | None, caption: str | None,
    ) -> JsonDict:
        """A document the user sends, kept so that getFile and the file URL serve it."""
        suffix = Path(file_name).suffix if file_name else ""
        stored = SandboxFile(
            file_id=f"BQAC{secrets.token_urlsafe(30)}",
            file_unique_id=f"AgAD{secrets.token_urlsafe(9)}",
            filename=file_name, data=data, mime_type=mime_type,
            file_path=f"documents/file_{next(self._file_counter)}{suffix}",
            claimed_size=file_size,
        )
        self._files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        document: JsonDict = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                              "file_size": stored.size}
        if file_name:
            document["file_name"] = file_name
        if mime_type:
            document["mime_type"] = mime_type
        message: JsonDict = {
            "message_id": chat.next_message_id(),
            "from": user.to_dict(),
            "chat": chat.to_dict(),
            "date": int(time.time()),
            "document": document,
        }
        if caption:
            message["caption"] = caption
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

    def _repliable(self, user: SandboxUser, message: SandboxMessage | int) -> SandboxMessage:
        message_id = message.message_id if isinstance(message, SandboxMessage) else message
        if isinstance(message, SandboxMessage) and message.chat_id != user.chat_id:
            raise AssertionError(
                f"{user!r} replies in their private chat; message {message_id} is in chat "
                f"{message.chat_id}"
            )
        current = user._chat.bot_messages.get(message_id)
        if current is None:
            raise AssertionError(f"the bot sent no message {message_id} in chat {user.chat_id}")
        if current.deleted:
            raise AssertionError(f"message {message_id} in chat {user.chat_id} was deleted")
        return current

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
