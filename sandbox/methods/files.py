"""sendDocument, sendPhoto, sendMediaGroup and getFile: the files the bot uploads, kept with
their bytes."""

from __future__ import annotations

import itertools
import secrets
from pathlib import Path
from typing import Any

from sandbox.methods.messages import _MessagesMixin
from sandbox.values import JsonDict, SandboxFile, SandboxMessage, _bad, _required, _Upload

# Telegram's own limits, see https://core.telegram.org/bots/api
_MAX_CAPTION = 1024
MAX_DOWNLOAD = 20 * 1024 * 1024  # getFile: "You can download files of up to 20MB in size"
_ALBUM = range(2, 11)  # sendMediaGroup: "must include 2-10 items"
_ALBUM_KINDS = {"photo": "photos", "document": "documents"}  # what the sandbox models
_MEDIA_GROUP_IDS = itertools.count(13_000_000_000_000_000)


class _FilesMixin(_MessagesMixin):
    """Sending documents and photos, and getFile for what was sent."""

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
        _attach(message, name, stored)
        await chat.notify()
        return message.raw

    async def _send_media_group(self, params: JsonDict) -> list[JsonDict]:
        """An album: 2–10 photos, or 2–10 documents, each its own message sharing one
        media_group_id; a file uploaded is named by "attach://<part>" (server.attach_parts)."""
        chat = self._writable_chat(params)
        media = _required(params, "media")
        if not isinstance(media, list) or len(media) < _ALBUM.start:
            raise _bad("media must include 2-10 items")
        if len(media) >= _ALBUM.stop:
            raise _bad("too much messages to send as an album")
        kinds = {item.get("type") for item in media if isinstance(item, dict)}
        if not kinds <= set(_ALBUM_KINDS) or len(kinds) != 1:
            raise _bad("the sandbox sends albums of photos or of documents, not of "
                       + ", ".join(sorted(str(k) for k in kinds)))
        files = []
        for item in media:
            content = item.get("media")
            if isinstance(content, str) and content.startswith("attach://"):
                raise _bad("can't parse InputMedia: media not found")
            if isinstance(content, _Upload) and not content.data:
                raise _bad("file must be non-empty")
            raw, visible, entities = self._formatted(item, "caption")
            if len(visible) > _MAX_CAPTION:
                raise _bad("message caption is too long")
            files.append((item["type"], content, raw, visible, entities))
        group_id = str(next(_MEDIA_GROUP_IDS))
        sent: list[JsonDict] = []
        for name, content, raw, visible, entities in files:
            stored = self._store_file(content, _ALBUM_KINDS[name])
            message = self._new_message(
                chat, {"reply_parameters": params.get("reply_parameters"),
                       "parse_mode": _item_parse_mode(media, len(sent))},
                raw_text=raw, visible=visible, entities=entities, caption=True)
            message.raw["media_group_id"] = message.media_group_id = group_id
            _attach(message, name, stored)
            sent.append(message.raw)
        await chat.notify()
        return sent

    async def _get_file(self, params: JsonDict) -> JsonDict:
        stored = self._files.get(str(_required(params, "file_id")))
        if stored is None:
            raise _bad("invalid file_id")
        if stored.size > MAX_DOWNLOAD:
            raise _bad("file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
            "file_path": stored.file_path,
        }


def _item_parse_mode(media: list[Any], index: int) -> str | None:
    mode = media[index].get("parse_mode")
    return mode if isinstance(mode, str) else None


def attach_parts(value: Any, parts: dict[str, _Upload]) -> Any:
    """*value* with each "attach://<part>" inside its lists and objects replaced by the part
    uploaded under that name (an album's files), once the spec has checked the strings."""
    if isinstance(value, str) and value.startswith("attach://"):
        return parts.get(value[len("attach://"):], value)
    if isinstance(value, list):
        return [attach_parts(item, parts) for item in value]
    if isinstance(value, dict):
        return {key: attach_parts(item, parts) for key, item in value.items()}
    return value


def _attach(message: SandboxMessage, name: str, stored: SandboxFile) -> None:
    """Put the stored document or photo on *message*, as Telegram describes it."""
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
        return
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


def _image_size(data: bytes) -> tuple[int, int]:
    """Read a PNG's dimensions; other formats get a plausible default."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return 640, 480
