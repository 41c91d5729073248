"""What routing works with: the situation it decides in, each candidate, and the decision."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo

from core.config import Rule
from core.model import Agent, RouteOutcome, Tier

if TYPE_CHECKING:
    from core.routing.filters import Standing


@dataclass
class AgentStats:
    """What the database says about one agent's recent work."""

    open_leads: int = 0  # owned and not closed, plus offers waiting for their answer
    last_offered_at: datetime | None = None
    misses: list[datetime] = field(default_factory=list)  # accept SLAs missed lately
    reviewed_leads: int = 0  # leads owned that arrived in the tier review period
    reviewed_won: int = 0
    # Leads taken since the start date; read only when the policy ramps up by leads.
    received: int = 0


@dataclass
class RuleState:
    """What a rule remembers between decisions; stored in the database as JSON."""

    last_agent_id: int | None = None
    current: dict[str, float] = field(default_factory=dict)  # smooth weighted round robin
    tier_current: dict[str, float] = field(default_factory=dict)
    tier_last: dict[str, int] = field(default_factory=dict)
    ramp: dict[str, int] = field(default_factory=dict)  # leads a ramping agent sat out

    def to_json(self) -> dict[str, Any]:
        """Plain data for storage."""
        return {"last_agent_id": self.last_agent_id, "current": self.current,
                "tier_current": self.tier_current, "tier_last": self.tier_last,
                "ramp": self.ramp}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> RuleState:
        """Rebuild from storage; unknown or missing keys start fresh."""
        data = data or {}
        return cls(last_agent_id=data.get("last_agent_id"),
                   current=dict(data.get("current", {})),
                   tier_current=dict(data.get("tier_current", {})),
                   tier_last=dict(data.get("tier_last", {})), ramp=dict(data.get("ramp", {})))


@dataclass(frozen=True)
class Candidate:
    """An agent who passed every filter for this lead."""

    agent: Agent
    stats: AgentStats
    tier: Tier

    @property
    def id(self) -> int:
        """The agent's Telegram id."""
        return self.agent.telegram_id


@dataclass(frozen=True)
class Pick:
    """Whom a strategy chose and, in a few words, why (a catalog key and its values)."""

    candidate: Candidate
    why: str
    detail: dict[str, Any] = field(default_factory=dict)


# Each eligible candidate's entitled share of one decision, as (agent id, share) pairs that
# add up to 1; empty when the method promises nobody a share (the fairness audit skips it).
Shares = tuple[tuple[int, float], ...]


class Strategy(Protocol):
    """One distribution method: picks one of the candidates a rule left."""

    name: str

    def pick(self, candidates: Sequence[Candidate], state: RuleState, *, rule: Rule,
             roster: Sequence[Agent]) -> Pick:
        """Return one of *candidates* (never empty), updating *state* for next time."""
        ...

    def shares(self, candidates: Sequence[Candidate], *, rule: Rule) -> Shares:
        """What each of *candidates* (never empty) is entitled to of this decision."""
        ...


def equal_shares(candidates: Sequence[Candidate]) -> Shares:
    """The same share for every candidate."""
    each = 1 / len(candidates)
    return tuple((c.id, each) for c in candidates)


@dataclass(frozen=True)
class Skip:
    """An agent left out of a decision, and why (a catalog key suffix and its values)."""

    agent_id: int
    reason: str
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Step:
    """One rule tried for a lead: who it could choose from and who it left out."""

    rule: str
    candidates: tuple[int, ...]
    skipped: tuple[Skip, ...]


@dataclass(frozen=True)
class Decision:
    """Where a lead goes and why; agent_id None means managers, nurture or disqualified."""

    agent_id: int | None
    outcome: RouteOutcome
    rule: str
    strategy: str
    reason: str
    matched: tuple[tuple[str, str], ...] = ()
    steps: tuple[Step, ...] = ()
    detail: dict[str, Any] = field(default_factory=dict)
    pool: tuple[int, ...] = ()  # outcome "pool": everyone the lead is posted to
    matrix: dict[str, Any] | None = None  # the B2B matrix cell that chose the rule, if any
    # What the deciding strategy entitled each candidate to (core/numbers/fairness.py);
    # empty for a claim pool, a returning contact's owner, an account's owner or backup.
    shares: Shares = ()

    @property
    def candidates(self) -> tuple[int, ...]:
        """Who the deciding rule could choose from."""
        return self.steps[-1].candidates if self.steps else ()

    def as_trace(self) -> dict[str, Any]:
        """The decision as plain data, stored with the lead for `/why`."""
        return {
            "agent_id": self.agent_id, "outcome": self.outcome, "rule": self.rule,
            "strategy": self.strategy, "reason": self.reason,
            "matched": [list(pair) for pair in self.matched],
            "detail": self.detail, "pool": list(self.pool), "matrix": self.matrix,
            "steps": [{"rule": s.rule, "candidates": list(s.candidates),
                       "skipped": [[k.agent_id, k.reason, k.detail] for k in s.skipped]}
                      for s in self.steps],
        }


# A roster member as routing sees them in one read: tier, standing and stats worked out once.
Entry = tuple[Agent, Tier, "Standing", AgentStats]
# A rule's pool members who can be reached at all, and the reasons of those who cannot.
Reachable = tuple[list[Entry], list[Skip]]


@dataclass
class Memo:
    """Work one read of the office does once and every decision in that read reuses.

    It depends on the roster and the load as read, so a new read starts a new Memo.
    """

    local: dict[str | None, datetime] = field(default_factory=dict)  # now, per time zone
    standing: dict[int, Standing] = field(default_factory=dict)
    tiers: dict[int, Tier] = field(default_factory=dict)
    entries: list[Entry] | None = None
    reachable: dict[str, Reachable] = field(default_factory=dict)  # by rule, static pools
    signature: int | None = None  # who is on the roster, for the pools RoutingRules keeps
    by_id: dict[int, Agent] | None = None


@dataclass
class Situation:
    """Everything a decision may look at, read once per transaction.

    A snapshot: work that depends only on the roster (who is away, pools) is kept in its
    memo, so a changed roster needs a new Situation, as the next transaction gets anyway.
    """

    roster: list[Agent]
    stats: dict[int, AgentStats]
    states: dict[str, RuleState]
    now: datetime
    zone: ZoneInfo
    memo: Memo = field(default_factory=Memo)

    today: date = field(init=False)  # the office's date, worked out once

    def __post_init__(self) -> None:
        self.today = self.now.astimezone(self.zone).date()

    def local(self, zone_name: str | None) -> datetime:
        """The time now in a named zone, or the office's when None."""
        moment = self.memo.local.get(zone_name)
        if moment is None:
            moment = self.memo.local[zone_name] = self.now.astimezone(
                ZoneInfo(zone_name) if zone_name else self.zone)
        return moment

    def agent(self, agent_id: int) -> Agent:
        """One roster entry by Telegram id."""
        by_id = self.memo.by_id
        if by_id is None:
            by_id = self.memo.by_id = {a.telegram_id: a for a in self.roster}
        return by_id[agent_id]

    def stats_of(self, agent_id: int) -> AgentStats:
        """Stats for one agent (empty for someone new)."""
        stats = self.stats.get(agent_id)
        if stats is None:
            stats = self.stats[agent_id] = AgentStats()
        return stats

    def state_of(self, rule: str) -> RuleState:
        """The remembered state of one rule."""
        return self.states.setdefault(rule, RuleState())

    def record_offer(self, agent_id: int) -> None:
        """Count an offer just made, so later leads in the same batch see the new load."""
        stats = self.stats_of(agent_id)
        stats.open_leads += 1
        stats.last_offered_at = self.now
