"""Least loaded: the agent with the fewest open leads; ties go to whoever waited longest."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from core.config import Rule
from core.model import Agent
from core.routing.base import Candidate, Pick, RuleState, Shares, equal_shares

_NEVER = datetime.min.replace(tzinfo=UTC)


class LeastLoaded:
    """Balance open work rather than counts of leads."""

    name = "least_loaded"

    def pick(self, candidates: Sequence[Candidate], state: RuleState, *, rule: Rule,
             roster: Sequence[Agent]) -> Pick:
        """Return the candidate with the fewest open leads, longest idle first on a tie."""
        chosen = min(candidates, key=lambda c: (
            c.stats.open_leads, c.stats.last_offered_at or _NEVER, c.agent.position))
        state.last_agent_id = chosen.id
        return Pick(chosen, "least_loaded", {"open": chosen.stats.open_leads})

    def shares(self, candidates: Sequence[Candidate], *, rule: Rule) -> Shares:
        """Everyone alike: load decides the order of leads, not how many each is owed."""
        return equal_shares(candidates)
