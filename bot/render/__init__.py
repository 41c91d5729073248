"""Turning outbox rows and query results into Telegram text and keyboards.

`templates` renders what the outbox sends, `replies` what a command answers, `formatting`
what both share; Renderer is the one object the bot and the dispatcher hold.
"""

from bot.render.audits import AuditViews
from bot.render.formatting import duration
from bot.render.numbers import NumbersViews
from bot.render.replies import Replies
from bot.render.roster import RosterReplies
from bot.render.rules import RulesReplies
from bot.render.shapes import Rendered
from bot.render.templates import Templates
from bot.render.worklist import WorkReplies


class Renderer(Templates, Replies, WorkReplies, RulesReplies, RosterReplies, NumbersViews,
               AuditViews):
    """Renders outbox rows and command replies, in the office's time zone."""


__all__ = ["Rendered", "Renderer", "duration"]
