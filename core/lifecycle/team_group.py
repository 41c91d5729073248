"""The team's group chat: which group it is (set in chat by a manager, else the config's),
and escalations announced there without contact details, edited once a manager assigns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from core.deps import Deps
from core.errors import NotAGroup
from core.lifecycle.common import manager
from core.messages import (
    EscalatedParams,
    EscalationClosedParams,
    LeadSummary,
    TeamEscalatedParams,
    TeamPostRef,
    Template,
    compose,
    is_private_chat,
)
from core.model import Lead, LeadEvent
from core.ports import TEAM_GROUP, UnitOfWork

ANNOUNCED = "announced"  # the history entry of a lead posted to the team's group


async def team_group(uow: UnitOfWork, deps: Deps) -> int | None:
    """The team's group in this transaction: one set in chat (or turned off there) wins over
    the config's `work.team_group`."""
    stored = await uow.team.setting(TEAM_GROUP)
    if stored is not None:
        chat = stored.get("chat_id")
        return int(chat) if chat is not None else None
    return deps.config.work.team_group


async def set_team_group(uow: UnitOfWork, deps: Deps, /, *, manager_id: int,
                         chat_id: int | None) -> None:
    """A manager makes *chat_id* the team's group (None: the office has none, whatever the
    config says); only a group can be one, since everyone in it reads what is posted."""
    if chat_id is not None and is_private_chat(chat_id):
        raise NotAGroup()
    now = deps.clock.now()
    async with uow:
        await manager(uow, manager_id)
        await uow.team.put_setting(TEAM_GROUP, {"chat_id": chat_id, "by": manager_id}, at=now)
        await uow.commit()


async def current_team_group(uow: UnitOfWork, deps: Deps, /) -> int | None:
    """The team's group now, if any."""
    async with uow.reading():
        return await team_group(uow, deps)


async def announce_escalations(uow: UnitOfWork, deps: Deps,
                               escalations: Sequence[EscalatedParams], now: datetime) -> None:
    """Post each lead just handed to the managers to the team's group, if there is one, in
    the caller's transaction: what it is and what became of its offers, never how to reach
    the person (compose refuses contact details for a group), with the Assign buttons."""
    if not escalations:
        return
    group = await team_group(uow, deps)
    if group is None:
        return
    for p in escalations:
        lead_id = p.summary.lead_id
        number = len(await uow.events.recent(lead_id, kinds=[ANNOUNCED], limit=1000)) + 1
        params = TeamEscalatedParams(
            summary=replace(p.summary, first_name=None), reason=p.reason, choices=p.choices,
            marks=p.marks, outcomes=p.outcomes)
        await uow.outbox.add(compose(group, Template.TEAM_ESCALATED, params,
                                     lang=deps.config.language, at=now,
                                     ref=TeamPostRef(lead_id, number)))
        await uow.events.add(LeadEvent(lead_id, now, ANNOUNCED,
                                       data={"chat": group, "number": number}))


async def settle_announcement(uow: UnitOfWork, deps: Deps, lead: Lead, *, agent: str,
                              by: str, now: datetime) -> None:
    """Edit the group's post of *lead*'s latest escalation to say who has it now, if that
    escalation was posted there (in the chat it went to, whatever the group is now)."""
    newest = await uow.events.recent(lead.id, kinds=[ANNOUNCED, "escalated"], limit=1)
    if not newest or newest[0].kind != ANNOUNCED:
        return
    latest = newest[0]
    await uow.outbox.add(compose(
        int(latest.data["chat"]), Template.ESCALATION_CLOSED,
        EscalationClosedParams(summary=replace(LeadSummary.of(lead), first_name=None),
                               agent=agent, by=by),
        lang=deps.config.language, at=now,
        edit_ref=TeamPostRef(lead.id, int(latest.data["number"]))))
