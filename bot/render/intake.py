"""What intake's refusals send: the managers' alert, at most once an hour per source."""

from __future__ import annotations

from bot.i18n import t
from bot.render.formatting import Localized
from bot.render.shapes import Rendered
from core.messages import IntakeFailedParams


class IntakeViews(Localized):
    """The renderers of intake's refusals."""

    def _intake_failed(self, lang: str, p: IntakeFailedParams) -> Rendered:
        reason = t(lang, f"intake_reason.{p.reason}")
        return Rendered("\n".join([
            t(lang, "intake_failed.title", source=p.source, reason=reason, detail=p.detail),
            t(lang, "intake_failed.more", failure_id=p.failure_id, source=p.source)]))
