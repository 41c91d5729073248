"""sendDocument, sendPhoto and getFile: the files the bot uploads, kept with their bytes."""

from __future__ import annotations

import secrets
from pathlib import Path

from sandbox.methods.messages import _MessagesMixin
from sandbox.values import JsonDict, SandboxFile, _bad, _required, _Upload

# Telegram's own limits, see https://core.telegram.org/bots/api
_MAX_CAPTION = 1024
MAX_DOWNLOAD = 20 * 1024 * 1024  # getFile: "You can download files of up to 20MB in size"


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
        if stored.size > MAX_DOWNLOAD:
            raise _bad("file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
            "file_path": stored.file_path,
        }


def _image_size(data: bytes) -> tuple[int, int]:
    """Read a PNG's dimensions; other formats get a plausible default."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return 640, 480
