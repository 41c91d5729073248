"""Weighted round robin, smooth and deterministic (the nginx algorithm).

Each pick adds every candidate's weight to its running score, takes the highest, and
subtracts the total from the winner. Over any run of leads each agent's count stays within
one lead of its weighted share, and nobody waits long between leads.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.config import Rule
from core.model import Agent
from core.routing.base import Candidate, Pick, RuleState, Shares


class Weighted:
    """Give top performers 1.5× or 2× the leads, without bunching them."""

    name = "weighted"

    def pick(self, candidates: Sequence[Candidate], state: RuleState, *, rule: Rule,
             roster: Sequence[Agent]) -> Pick:
        """Return the candidate with the highest running score."""
        total = 0.0
        for c in candidates:
            key = str(c.id)
            state.current[key] = state.current.get(key, 0.0) + c.agent.profile.weight
            total += c.agent.profile.weight
        chosen = max(candidates, key=lambda c: (state.current[str(c.id)], -c.agent.position))
        state.current[str(chosen.id)] -= total
        state.last_agent_id = chosen.id
        share = chosen.agent.profile.weight / total
        return Pick(chosen, "weighted", {"weight": chosen.agent.profile.weight,
                                         "share": round(100 * share)})

    def shares(self, candidates: Sequence[Candidate], *, rule: Rule) -> Shares:
        """Each candidate's weight over the candidates' total weight."""
        total = sum(c.agent.profile.weight for c in candidates)
        return tuple((c.id, c.agent.profile.weight / total) for c in candidates)
