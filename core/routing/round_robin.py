"""Round robin: A, B, C, A... in roster order, continuing after whoever was picked last."""

from __future__ import annotations

from collections.abc import Sequence

from core.config import Rule
from core.model import Agent
from core.routing.base import Candidate, Pick, RuleState, Shares, equal_shares


def next_after(candidates: Sequence[Candidate], last_agent_id: int | None,
               roster: Sequence[Agent]) -> Candidate:
    """The first candidate after *last_agent_id* in roster order, wrapping around."""
    last = -1
    if last_agent_id is not None:
        last = next((a.position for a in roster if a.telegram_id == last_agent_id), -1)
    ordered = sorted(candidates, key=lambda c: c.agent.position)  # already ordered: linear
    return next((c for c in ordered if c.agent.position > last), ordered[0])


class RoundRobin:
    """Give each lead to the next eligible agent after the one picked last."""

    name = "round_robin"

    def pick(self, candidates: Sequence[Candidate], state: RuleState, *, rule: Rule,
             roster: Sequence[Agent]) -> Pick:
        """Return the next candidate in rotation."""
        previous = state.last_agent_id
        chosen = next_after(candidates, previous, roster)
        state.last_agent_id = chosen.id
        names = {a.telegram_id: a.name for a in roster}
        return Pick(chosen, "rotation", {"after": names.get(previous) if previous else None})

    def shares(self, candidates: Sequence[Candidate], *, rule: Rule) -> Shares:
        """Everyone in the rotation alike."""
        return equal_shares(candidates)
