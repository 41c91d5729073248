"""What one routing outcome causes besides the lead's new state: new offers, the history
entry for `/why`, and the messages to agents, a pool's group or the managers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.deps import Deps
from core.lifecycle.common import message
from core.lifecycle.router import Router
from core.messages import (
    ClaimGroupParams,
    ContactDetails,
    EscalatedParams,
    EscalationRef,
    LeadSummary,
    OfferParams,
    OfferRef,
    Params,
    RoundRef,
    Template,
    compose,
    offer_outcomes,
)
from core.model import (
    Agent,
    Lead,
    LeadEvent,
    Offer,
    OfferKind,
    OfferStatus,
    OutgoingMessage,
    RouteOutcome,
)
from core.routing import Decision, Situation
from core.routing.filters import assign_mark
from core.sla import window_end, windows_of


@dataclass(frozen=True)
class Notice:
    """The history entry and the messages one routing outcome causes."""

    events: list[LeadEvent]
    messages: list[OutgoingMessage]
    # Leads handed to the managers, for the team's group (team_group.announce_escalations).
    escalated: list[EscalatedParams] = field(default_factory=list)


def claim_chat(deps: Deps, decision: Decision) -> int | None:
    """The group a claim pool's round is posted to, or None for one message per member."""
    if decision.outcome is not RouteOutcome.POOL:
        return None
    rule = next((r for r in deps.config.routing.rules if r.name == decision.rule), None)
    return rule.claim_chat if rule is not None else None


def new_offers(deps: Deps, lead: Lead, decision: Decision, *, sequence: int,
               now: datetime) -> list[Offer]:
    """The offer a decision makes, or one per member of a claim pool (same round)."""
    windows = windows_of(lead, deps)
    deadline = window_end(now, windows.accept_within, deps,
                          business_hours=windows.business_hours)
    # The full trace goes once into the lead's history; each offer keeps only its headline.
    trace: dict[str, Any] = {"rule": decision.rule, "strategy": decision.strategy,
                             "reason": decision.reason}
    if windows.business_hours:
        # Kept on the offer, so that delivery counts the same window through the calendar.
        trace["business_s"] = windows.accept_within.total_seconds()
    if decision.outcome is RouteOutcome.POOL:
        agents, kind = list(decision.pool), OfferKind.CLAIM
        chat = claim_chat(deps, decision)
        if chat is not None:
            # Kept on the offers, not looked up again: a reload must not move a live round.
            trace |= {"chat": chat, "round": deps.new_token()}
    elif decision.agent_id is not None:
        agents, kind = [decision.agent_id], OfferKind.OFFER
    else:
        return []
    return [Offer(lead_id=lead.id, agent_id=agent_id, token=deps.new_token(), created_at=now,
                  deadline=deadline, sequence=sequence, trace=trace,
                  kind=kind) for agent_id in agents]


def offered_event(lead: Lead, offers: Sequence[Offer], decision: Decision, *,
                  chat: int | None = None) -> LeadEvent:
    """The history entry of one round: one offer, or a whole claim pool (however wide)."""
    first = offers[0]
    if len(offers) == 1 and first.kind is not OfferKind.CLAIM:
        return LeadEvent(lead.id, first.created_at, "offered", first.agent_id,
                         {"offer_id": first.id, "why": decision.reason})
    data: dict[str, Any] = {"offer_ids": [o.id for o in offers],
                            "agents": [o.agent_id for o in offers], "why": decision.reason}
    if chat is not None:
        data["chat"] = chat
    return LeadEvent(lead.id, first.created_at, "offered", None, data)


def group_notice(deps: Deps, lead: Lead, offers: Sequence[Offer], decision: Decision, *,
                 chat: int) -> Notice:
    """One message in the pool's group for the whole round; each member still has an offer."""
    first = offers[0]
    post = compose(chat, Template.CLAIM_GROUP, ClaimGroupParams(
        summary=LeadSummary.of(lead), sequence=first.sequence, token=first.trace["round"],
        deadline=first.deadline.isoformat(), window_s=int(first.window.total_seconds()),
        pool_size=len(offers), business_hours=first.business_window is not None,
    ), lang=deps.config.language, at=first.created_at, ref=RoundRef(lead.id, first.sequence))
    return Notice([offered_event(lead, offers, decision, chat=chat)], [post])


def group_message(deps: Deps, chat: int, lead: Lead, sequence: int, template: Template,
                  params: Params, now: datetime) -> OutgoingMessage:
    """An edit of a round's group message: who claimed it, or that nobody did."""
    return compose(chat, template, params, lang=deps.config.language, at=now,
                   edit_ref=RoundRef(lead.id, sequence))


def offer_message(deps: Deps, lead: Lead, agent: Agent, offer: Offer,
                  decision: Decision) -> OutgoingMessage:
    """The offer in the agent's private chat, with Accept and Decline (or Claim)."""
    template = Template.CLAIM_OFFER if offer.kind is OfferKind.CLAIM else Template.OFFER
    return message(
        deps, agent, template, offer.created_at, ref=OfferRef(offer.id),
        params=OfferParams(
            summary=LeadSummary.of(lead), offer_id=offer.id, token=offer.token,
            deadline=offer.deadline.isoformat(), window_s=int(offer.window.total_seconds()),
            sequence=offer.sequence, why=decision.reason, pool_size=len(decision.pool),
            business_hours=offer.business_window is not None),
    )


def assign_choices(deps: Deps, lead: Lead, roster: Sequence[Agent], *,
                   situation: Situation) -> tuple[list[list[Any]], dict[str, str]]:
    """Whom a manager can give *lead* to, [telegram_id, name] with the available first, and
    the marker of each one routing would pass over now (by the routing filters' judgement)."""
    available: list[list[Any]] = []
    others: list[list[Any]] = []
    marks: dict[str, str] = {}
    for person in roster:
        if not person.active or person.chat_id is None:
            continue  # nobody can give a lead to them at all
        mark = assign_mark(person, lead, policy=deps.config.routing, situation=situation)
        if mark is None:
            available.append([person.telegram_id, person.name])
        else:
            others.append([person.telegram_id, person.name])
            marks[str(person.telegram_id)] = mark
    return available + others, marks


def manager_notice(deps: Deps, lead: Lead, roster: Sequence[Agent], *, tried: Sequence[int],
                   reason: str, now: datetime, situation: Situation | None = None,
                   offers: Sequence[Offer] = (), returned: Mapping[int, str] | None = None,
                   ) -> Notice:
    """The lead for every manager, with a button per agent they can assign it to (those
    available first), and what became of each of its *offers* (declined and why, not
    answered in time…). Without the routing *situation*, nobody's load is known: capacity is
    then judged when a manager opens the full list."""
    names = {a.telegram_id: a.name for a in roster}
    if situation is None:
        situation = Situation(list(roster), {}, {}, now, deps.config.zone)
    choices, marks = assign_choices(deps, lead, roster, situation=situation)
    settled = [o for o in offers if o.status is not OfferStatus.PENDING]
    params = EscalatedParams(summary=LeadSummary.of(lead), contact=ContactDetails.of(lead),
                             reason=reason, tried=[names.get(t, str(t)) for t in tried],
                             choices=choices, marks=marks or None,
                             outcomes=offer_outcomes(settled, names, returned=returned)
                             if settled else None)
    messages = [message(deps, person, Template.ESCALATED, now,
                        ref=EscalationRef(lead.id, person.telegram_id), params=params)
                for person in roster if person.is_manager and person.chat_id is not None]
    return Notice([LeadEvent(lead.id, now, "escalated", data={"reason": reason})], messages,
                  [params])


def notice(deps: Deps, lead: Lead, decision: Decision, router: Router, *,
           offers: Sequence[Offer], tried: Sequence[int], now: datetime,
           history: Sequence[Offer] = (), returned: Mapping[int, str] | None = None,
           ) -> Notice:
    """The history and messages of one routing decision, with its trace for `/why`;
    *history* is every offer the lead had before it, *returned* who of them handed it
    back, and why."""
    routed = LeadEvent(lead.id, now, "routed", decision.agent_id, decision.as_trace())
    group = offers[0].group if offers else None
    if group is not None:
        told = group_notice(deps, lead, offers, decision, chat=group)
    elif offers:
        # One history entry for the round: a pool of 27 is one row to write, not 27.
        told = Notice([offered_event(lead, offers, decision)], [
            offer_message(deps, lead, router.agent_by_id(o.agent_id), o, decision)
            for o in offers])
    elif decision.outcome in (RouteOutcome.NURTURE, RouteOutcome.DISQUALIFIED):
        kind = "nurtured" if decision.outcome is RouteOutcome.NURTURE else "disqualified"
        told = Notice([LeadEvent(lead.id, now, kind, data={"rule": decision.rule})], [])
    else:
        reason = "no_accept" if decision.reason == "limit" else "no_agent"
        told = manager_notice(deps, lead, router.roster, tried=tried, reason=reason, now=now,
                              situation=router.situation, offers=history,
                              returned=returned)
    return Notice([routed, *told.events], told.messages, told.escalated)
