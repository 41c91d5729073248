"""What the intake server's handlers share, as typed aiohttp application keys."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from core.app import App
from core.ports import BotApiHealth, OfficeFigures

CurrentApp = Callable[[], App]
"""The app in force: a reload of the office config puts a new one in place."""

APP: web.AppKey[CurrentApp] = web.AppKey("app")
FIGURES: web.AppKey[OfficeFigures] = web.AppKey("figures")
TELEGRAM: web.AppKey[BotApiHealth] = web.AppKey("telegram")
DROPPED: web.AppKey[list[int]] = web.AppKey("dropped")
"""How many wrong-token posts this instance did not keep, over the hour's cap (one counter)."""
REFUSED_SIGNATURES: web.AppKey[dict[str, int]] = web.AppKey("refused_signatures")
"""How many platform posts this instance refused for a wrong signature or key, by channel."""
