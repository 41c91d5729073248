"""The fairness audit: each agent's leads against the share the routing decisions entitled
them to, and the likely cause where the two part by more than a fifth.

A lead's first routing decision by a rotating strategy entitles each eligible agent of its
rule's pool to a share (`Decision.shares`: equal in a round robin or least loaded, weight ÷
the eligible pool's weight when weighted, the tier's split shared within the tier); an agent
who was away, off duty, at capacity or on a penalty was not eligible, so is owed nothing of
that lead. The database stores each such decision (`SharedDecision`) in the transaction that
makes its offer, and adds them up per agent (`uow.fairness`).

Left out, as they promise nobody a share: first-to-claim pools (claiming is optional), the
availability strategy (a fixed order), a returning contact's former owner, an account's
owner or backup, and the later rounds of a lead (after a decline or a lapse: the lead
already counted once, and whoever takes it then has *received* it). Decisions made before
the table existed (migration 0021) are not stored: `FairnessAudit.since` says where the
record starts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from core.model import Lead, Temperature
from core.numbers.period import Period
from core.routing import Decision

MIN_FAIR = 5.0  # below this many leads owed, a deviation is chance: "too few to judge"
TOLERANCE = 0.20  # a deviation beyond ±20 % is flagged
POOL_KEY_LENGTH = 20  # hex digits of a pool's digest: 80 bits, no two pools alike

# A skip reason (core/routing/filters.py) as the cause it points to: a filter that keeps an
# agent out now and then, around which a rotation can pass them over. The rest (away, no
# chat linked, already offered) keep them out for long stretches or explain no deviation.
HELD_BACK = {"at_capacity": "capacity", "outside_hours": "hours", "penalty": "penalty",
             "ramping_days": "ramp", "ramping_leads": "ramp"}

# The catalog keys of the causes `cause_of` names (the renderer words them):
#   declines         the agent declined most of the leads they were short of
#   lapses           the agent let most of them run out unanswered
#   pending          most of them still wait for the agent's answer (too recent to judge)
#   capacity, hours, penalty, ramp
#                    the rotation passed the agent over around the times that filter kept
#                    them (an under) or others (an over) from leads: at capacity, outside
#                    working hours, on a hot-lead penalty, ramping up
#   others_declined  the others' declines and lapses moved the rotation on to this agent
#   rotation         none of the above: the strategy itself offered them more or less
CAUSES = ("declines", "lapses", "pending", "capacity", "hours", "penalty", "ramp",
          "others_declined", "rotation")


@dataclass(frozen=True)
class Member:
    """One member of a decision's pool: their share of the lead, or why they were left out."""

    agent_id: int
    share: float  # eligible members' shares add up to 1; 0 when skipped
    reason: str | None = None  # the skip reason (core/routing/filters.py); None if eligible


@dataclass(frozen=True)
class SharedDecision:
    """A lead's first routing decision by a rotating strategy, as the audit stores it.

    Its pool (who was eligible for what share, who was skipped and why) is the same for
    most leads in a row, so it is stored once under `pool`, a digest of its members.
    """

    decided_at: datetime
    lead_id: int
    offer_id: int  # the offer to the agent it picked
    hot: bool
    rule: str  # the deciding rule
    pool: str
    members: tuple[Member, ...]


def pool_key(members: Sequence[Member]) -> str:
    """The digest a pool is stored under: the same members, shares and reasons, the same."""
    text = repr([(m.agent_id, m.share, m.reason) for m in members])
    return hashlib.sha256(text.encode()).hexdigest()[:POOL_KEY_LENGTH]


Pool = tuple[str, tuple[Member, ...]]
# Pools worked out lately, by the decision's shares and skips: a routing turn meets the
# same pool lead after lead, and works out its members and digest once.
_POOLS: dict[tuple[object, ...], Pool] = {}


def _pool(shares: tuple[tuple[int, float], ...], skipped: tuple[tuple[int, str], ...]) -> Pool:
    """The members of a decision's pool (one reason per member skipped, the first) and its
    digest."""
    eligible = dict(shares)
    reasons: dict[int, str] = {}
    for agent_id, reason in skipped:
        if agent_id not in eligible:
            reasons.setdefault(agent_id, reason)
    members = tuple(sorted([*(Member(a, share) for a, share in shares),
                            *(Member(a, 0.0, reason) for a, reason in reasons.items())],
                           key=lambda m: m.agent_id))
    return pool_key(members), members


def shared_decision(lead: Lead, decision: Decision, *, offer_id: int,
                    at: datetime) -> SharedDecision | None:
    """What the audit stores of a lead's first routing *decision*: each candidate's share
    and each pool member's skip reason (deactivated people aside; a rule that fell back
    gives its pool's reasons too), or None when the decision entitles nobody."""
    if not decision.shares:
        return None
    skipped = tuple((skip.agent_id, skip.reason) for step in decision.steps
                    for skip in step.skipped if skip.reason != "inactive")
    memo = (decision.shares, skipped)
    pool = _POOLS.get(memo)
    if pool is None:
        if len(_POOLS) >= 256:  # the office moved on: forget the old ones
            _POOLS.clear()
        pool = _POOLS[memo] = _pool(decision.shares, skipped)
    key, members = pool
    return SharedDecision(at, lead.id, offer_id, lead.temperature is Temperature.HOT,
                          decision.rule, key, members)


@dataclass(frozen=True)
class Tally:
    """One agent's side of the audit over a period, all leads or the hot ones alone.

    Counted over the first routing decisions made in the period; `received` counts those
    leads the agent accepted or claimed, whichever round offered them, whenever they did.
    """

    decisions: int = 0  # decisions the agent was eligible for
    fair: float = 0.0  # Σ their share of each: the leads they were entitled to
    offered: int = 0  # decisions that picked them
    received: int = 0  # of the period's decided leads, those they took
    passed_on: int = 0  # of `received`, those first offered to someone else
    declined: int = 0  # of `offered`, declined (a chat the bot could not reach aside)
    lapsed: int = 0  # of `offered`, let run out unanswered
    pending: int = 0  # of `offered`, still waiting for an answer
    # (the rest of `offered`, withdrawn when the agent went away or unreachable, explains
    # itself.) Decisions of the agent's rule's pool they were left out of, by skip reason,
    # the most frequent first (a reason in HELD_BACK, `already_offered`, `no_chat`…).
    skips: tuple[tuple[str, int], ...] = ()
    cause: str | None = None  # a key of CAUSES when flagged

    @property
    def deviation(self) -> float | None:
        """received ÷ fair − 1 (+0.5: half again as many as owed); None when owed none."""
        return self.received / self.fair - 1 if self.fair > 0 else None

    @property
    def judged(self) -> bool:
        """Whether enough leads were owed to judge a deviation (else "too few to judge")."""
        return self.fair >= MIN_FAIR

    @property
    def flag(self) -> str | None:
        """"over" or "under" when judged and off by more than TOLERANCE; else None."""
        deviation = self.deviation
        if not self.judged or deviation is None or abs(deviation) <= TOLERANCE:
            return None
        return "over" if deviation > 0 else "under"


@dataclass(frozen=True)
class FairShare:
    """One agent in the audit: every lead, and the hot leads apart."""

    agent_id: int
    leads: Tally
    hot: Tally
    name: str = ""  # from the roster; the Telegram id when they left it


@dataclass(frozen=True)
class FairnessAudit:
    """The fairness audit of a period, one row per agent who was owed or took a lead."""

    period: Period
    agents: tuple[FairShare, ...]  # the largest fair share first
    since: datetime | None  # the first decision stored: none before it is audited

    @property
    def decisions(self) -> int:
        """Decisions audited in the period (each picked one agent)."""
        return sum(a.leads.offered for a in self.agents)

    @property
    def hot_decisions(self) -> int:
        """Of them, hot leads."""
        return sum(a.hot.offered for a in self.agents)


def _top_held_back(skips: Iterable[tuple[str, int]]) -> str | None:
    """The cause of the most frequent skip that points to one, if any."""
    counts: dict[str, int] = {}
    for reason, n in skips:
        if (cause := HELD_BACK.get(reason)) is not None:
            counts[cause] = counts.get(cause, 0) + n
    return max(counts, key=lambda c: (counts[c], -CAUSES.index(c))) if counts else None


def cause_of(tally: Tally, others: Sequence[Tally]) -> str | None:
    """The likely cause of a flagged deviation, by a rule of thumb on the evidence.

    Short of their share: their own declines and lapses, if they make up at least half the
    gap (whichever is more); else offers still pending, likewise; else what most often kept
    them from leads (capacity, hours…); else the rotation. Over their share: the others'
    declines and lapses, if they make up at least half the surplus (a lead one passes on
    goes to the next, and the rotation moves on from there); else what most often kept the
    *others* from leads; else the rotation.
    """
    if tally.flag is None:
        return None
    gap = tally.fair - tally.received
    if gap > 0:
        if tally.declined + tally.lapsed >= gap / 2:
            return "declines" if tally.declined >= tally.lapsed else "lapses"
        if tally.pending >= gap / 2:
            return "pending"
        return _top_held_back(tally.skips) or "rotation"
    if sum(other.declined + other.lapsed for other in others) >= -gap / 2:
        return "others_declined"
    return _top_held_back(pair for other in others for pair in other.skips) or "rotation"


def judge(period: Period, counted: Sequence[FairShare], names: Mapping[int, str], *,
          since: datetime | None) -> FairnessAudit:
    """The audit of *counted* (the database's tallies, without causes): names and causes
    given, the largest fair share first."""
    rows = []
    for row in counted:
        others = [o for o in counted if o.agent_id != row.agent_id]
        rows.append(replace(
            row, name=names.get(row.agent_id, str(row.agent_id)),
            leads=replace(row.leads, cause=cause_of(row.leads, [o.leads for o in others])),
            hot=replace(row.hot, cause=cause_of(row.hot, [o.hot for o in others]))))
    rows.sort(key=lambda r: (-r.leads.fair, -r.leads.received, r.name, r.agent_id))
    return FairnessAudit(period, tuple(rows), since)
