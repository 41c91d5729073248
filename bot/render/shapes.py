"""What a renderer gives back: text and its buttons."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardMarkup


@dataclass(frozen=True)
class Rendered:
    """A message ready to send or to edit into place."""

    text: str
    keyboard: InlineKeyboardMarkup | None = None
