"""Telegram's HTML parse mode: a message's visible text and entities, or Telegram's error."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from sandbox.values import JsonDict

# Formatting entities Telegram produces for each supported HTML tag.
_TAG_ENTITY = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "span": "spoiler", "tg-spoiler": "spoiler", "a": "text_link", "code": "code", "pre": "pre",
    "blockquote": "blockquote", "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


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
