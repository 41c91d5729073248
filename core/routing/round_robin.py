"""Round robin: A, B, C, A... in roster order, continuing after whoever was picked last."""

from __future__ import annotations

from collections.abc import Sequence

from core.model import Agent


class RoundRobin:
    """Give each lead to the next eligible agent after the one picked last."""

    name = "round_robin"

    def pick(
        self, candidates: Sequence[Agent], *, roster: Sequence[Agent], last_agent_id: int | None
    ) -> Agent:
        """Return the first candidate after the last pick in roster order, wrapping around."""
        positions = {a.telegram_id: a.position for a in roster}
        last = positions.get(last_agent_id, -1) if last_agent_id is not None else -1
        ordered = sorted(candidates, key=lambda a: a.position)
        return next((a for a in ordered if a.position > last), ordered[0])
