"""Hand-overs in words: who moved a lead by hand and why, for `/why`, and the reason
labels the hand-over messages share."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.i18n import CATALOGS, DEFAULT_LANGUAGE, Markup, t
from bot.render.formatting import Localized

# The catalog prefix of each kind of reason: a manager's (reassigned) or an owner's (returned).
_REASONS = {"reassigned": "reassign_reason", "returned": "return_reason"}


def reason_label(lang: str, kind: str, value: str | None) -> Markup | None:
    """The words for a hand-over's reason (None without one); one a newer version stored
    that this one has no words for reads as "other"."""
    prefix = _REASONS.get(kind)
    if prefix is None or not value:
        return None
    if f"{prefix}.{value}" not in CATALOGS[DEFAULT_LANGUAGE]:
        value = "other"
    return Markup(t(lang, f"{prefix}.{value}"))


class HandoverViews(Localized):
    """Renders hand-overs."""

    def handover_line(self, lang: str, move: tuple[datetime, str, int | None, dict[str, Any]],
                      names: dict[int, str]) -> str:
        """One hand-over of `/why`: when, who did it, to whom, and why."""
        at, kind, agent_id, data = move

        def name(key: object) -> str:
            if isinstance(key, int) and not isinstance(key, bool):
                return names.get(key, str(key))
            return "?"

        values = {"time": self.local_datetime(at), "agent": name(agent_id),
                  "by": name(data.get("by")), "former": name(data.get("from"))}
        why = reason_label(lang, kind, data.get("reason"))
        if kind == "reclaimed":
            return t(lang, "why.handover.reclaimed", **values)
        key = f"why.handover.{kind}" + ("_why" if why is not None else "")
        return t(lang, key, **values, reason=why) if why is not None else t(lang, key, **values)
