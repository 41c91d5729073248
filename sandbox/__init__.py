"""A local stand-in for the Telegram Bot API that the real python-telegram-bot client talks to.

The sandbox is an aiohttp server speaking the Bot API over HTTP (``/bot<token>/<method>`` and
``/file/bot<token>/<path>``) plus a Python API with which tests, the demo and benchmarks act as
Telegram users: they send messages and files, reply to the bot's, press inline buttons and wait
for what the bot answers.
When the Bot API spec (``../shared/telegram-bot-api/api.min.json``) is available, every request
is validated against it the way Telegram would refuse it. Telegram's flood limits can be switched
on (``limits=TelegramLimits()``), answering 429 "Too Many Requests: retry after N" like Telegram.
Updates reach the bot by long polling (``getUpdates``) or, after ``setWebhook``, as POSTs to the
webhook URL, one at a time in update_id order, retried with back-off until answered 2xx.
"""

from sandbox.html import parse_html
from sandbox.limits import RateLimitHit, TelegramLimits
from sandbox.people import SandboxGroup, SandboxUser
from sandbox.server import BotApiSandbox
from sandbox.spec import find_spec
from sandbox.values import (
    ApiCall,
    ApiError,
    Button,
    CallbackAnswer,
    SandboxFile,
    SandboxMessage,
    WebhookDelivery,
)

__all__ = [
    "ApiCall",
    "ApiError",
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
    "parse_html",
]
