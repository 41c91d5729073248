"""The Bot API methods that send, edit and delete messages, answer presses, show chat actions."""

from __future__ import annotations

import time

from sandbox.base import _SandboxState
from sandbox.html import parse_html
from sandbox.keyboards import _buttons, _force_reply, _inline_markup
from sandbox.people import _Chat
from sandbox.replies import _as_replied_to, _reply_request
from sandbox.values import (
    ApiError,
    CallbackAnswer,
    JsonDict,
    SandboxMessage,
    _bad,
    _int,
    _required,
)

# Telegram's own limits, see https://core.telegram.org/bots/api
_MAX_TEXT = 4096
_MAX_CALLBACK_ANSWER = 200

_CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
        "upload_document", "choose_sticker", "find_location", "record_video_note",
        "upload_video_note",
    }
)


class _MessagesMixin(_SandboxState):
    """sendMessage, editMessageText, editMessageReplyMarkup, deleteMessage, answerCallbackQuery,
    sendChatAction, and the helpers every method that sends a message uses."""

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
        force_reply, placeholder = _force_reply(params.get("reply_markup"))
        replied = self._replied(chat, params)
        message_id = chat.next_message_id()
        date = int(time.time())
        raw: JsonDict = {
            "message_id": message_id,
            "from": self._bot_user(),
            "chat": chat.to_dict(),
            "date": date,
        }
        if replied is not None:
            raw["reply_to_message"] = _as_replied_to(replied)
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
            reply_to=None if replied is None else replied["message_id"],
            force_reply=force_reply,
            input_field_placeholder=placeholder,
        )
        chat.bot_messages[message_id] = message
        chat.ordered.append(message)
        return message

    def _replied(self, chat: _Chat, params: JsonDict) -> JsonDict | None:
        """Return the message (as Telegram holds it) the new one replies to, if it replies."""
        request = _reply_request(params)
        if request is None:
            return None
        if request.chat_id is not None and str(request.chat_id) != str(chat.id):
            # Telegram shows such a reply as external_reply; nothing here needs it yet.
            raise NotImplementedError("the sandbox does not model replies to another chat")
        bot_message = chat.bot_messages.get(request.message_id)
        if bot_message is not None and not bot_message.deleted:
            return bot_message.raw
        if request.message_id not in chat.deleted_user_messages:
            user_message = chat.user_messages.get(request.message_id)
            if user_message is not None:
                return user_message
        if request.allow_sending_without_reply:
            return None
        raise _bad("message to be replied not found")

    def _editable(self, params: JsonDict) -> tuple[_Chat, SandboxMessage]:
        chat = self._find_chat(params)
        message_id = _required(params, "message_id")
        message = chat.bot_messages.get(message_id) if isinstance(message_id, int) else None
        if message is None and message_id in chat.user_messages:
            raise _bad("message can't be edited")
        if message is None or message.deleted:
            raise _bad("message to edit not found")
        return chat, message

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
        _check_text(visible, too_long="MESSAGE_TOO_LONG")
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


def _check_text(visible: str, *, too_long: str = "message is too long") -> None:
    """Refuse text that is empty or over 4096 characters once its entities are parsed.

    Characters are code points: Telegram takes 4096 emoji (8192 UTF-16 code units). An edit
    that is too long is refused in the server's own words, MESSAGE_TOO_LONG.
    """
    if not visible.strip():
        raise _bad("message text is empty")
    if len(visible) > _MAX_TEXT:
        raise _bad(too_long)
