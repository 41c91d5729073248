"""What every routing strategy shares: the filters before it and the decision it explains."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from core.config import Role
from core.model import Agent


@dataclass(frozen=True)
class Skip:
    """An agent left out of a decision, and why (a catalog key suffix)."""

    agent_id: int
    reason: str


@dataclass(frozen=True)
class Decision:
    """Who gets the lead and why; agent_id None means nobody could take it."""

    agent_id: int | None
    strategy: str
    reason: str
    candidates: tuple[int, ...] = ()
    skipped: tuple[Skip, ...] = field(default_factory=tuple)

    def as_trace(self) -> dict[str, Any]:
        """The decision as plain data, stored with the offer for `/why`."""
        return {
            "agent_id": self.agent_id,
            "strategy": self.strategy,
            "reason": self.reason,
            "candidates": list(self.candidates),
            "skipped": [[s.agent_id, s.reason] for s in self.skipped],
        }


class Strategy(Protocol):
    """Picks one of the eligible candidates."""

    name: str

    def pick(
        self, candidates: Sequence[Agent], *, roster: Sequence[Agent], last_agent_id: int | None
    ) -> Agent:
        """Return one of *candidates* (never empty); *roster* gives the rotation order."""
        ...


def eligible(
    agents: Sequence[Agent], *, exclude: Collection[int] = ()
) -> tuple[list[Agent], list[Skip]]:
    """Split the roster into agents who can take a lead now and those skipped, with reasons."""
    candidates: list[Agent] = []
    skipped: list[Skip] = []
    for agent in agents:
        reason = _skip_reason(agent, exclude)
        if reason is None:
            candidates.append(agent)
        elif reason != "manager":
            skipped.append(Skip(agent.telegram_id, reason))
    return candidates, skipped


def _skip_reason(agent: Agent, exclude: Collection[int]) -> str | None:
    if agent.role is Role.MANAGER:
        return "manager"
    if not agent.active:
        return "inactive"
    if agent.away:
        return "away"
    if agent.chat_id is None:
        return "no_chat"
    if agent.telegram_id in exclude:
        return "already_offered"
    return None
