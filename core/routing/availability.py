"""Availability: the first agent in roster order who is working now and has room."""

from __future__ import annotations

from collections.abc import Sequence

from core.config import Rule
from core.model import Agent
from core.routing.base import Candidate, Pick, RuleState, Shares


class Availability:
    """For high-volume teams: the next free agent, always in the same order."""

    name = "availability"

    def pick(self, candidates: Sequence[Candidate], state: RuleState, *, rule: Rule,
             roster: Sequence[Agent]) -> Pick:
        """Return the first candidate in roster order (filters already removed the busy)."""
        chosen = min(candidates, key=lambda c: c.agent.position)
        state.last_agent_id = chosen.id
        return Pick(chosen, "available", {})

    def shares(self, candidates: Sequence[Candidate], *, rule: Rule) -> Shares:
        """None: a fixed order promises nobody a share, so the fairness audit leaves it out."""
        return ()
