"""Changing the roster from chat: a manager sets a field of someone's profile (team,
territories, capacity, tier, role…), anyone their own working hours and language.

Every edit takes the roster's row first (edits take turns, so two managers editing one
profile never undo each other), reads the person again, checks the new value with the same
model leadrelay.yaml is checked with, saves it and marks the roster as edited in chat, in one
transaction: the next routing read sees it, and start-up and /reload keep it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.deps import Deps
from core.errors import (
    BadProfileValue,
    LastManager,
    NameInRules,
    NameTaken,
    NotAManager,
    UnknownAgent,
)
from core.lifecycle.away_handover import strip_manager_view
from core.lifecycle.common import person
from core.model import Agent, Prompt, PromptKind, Role
from core.ports import UnitOfWork
from core.profile_input import (
    SELF_SERVICE,
    TYPED,
    ProfileField,
    read_choice,
    read_typed,
    with_field,
)
from core.roster import lock_roster, mark_roster_edited
from core.spelling import fold


@dataclass(frozen=True)
class ProfileEdited:
    """What a typed answer to a profile question did: the field and the person as saved,
    and the profile message to show it in (None for a question asked without one)."""

    field: ProfileField
    agent: Agent
    message_id: int | None
    view: str = ""  # what the face showed the profile as (its own word), given back as is


async def _editor(uow: UnitOfWork, by: int, agent_id: int, field: ProfileField) -> Agent:
    """The person making the edit, if they may: a manager, or anyone for their own hours
    and language."""
    editor = await person(uow, by)
    if not editor.active:
        raise UnknownAgent()
    if not editor.is_manager and not (by == agent_id and field in SELF_SERVICE):
        raise NotAManager()
    return editor


def named_in_rules(deps: Deps, name: str) -> str | None:
    """The routing rule or account of leadrelay.yaml that names *name*, if one does: a new
    name would drop its person from it (and the file would then name nobody)."""
    routing = deps.config.routing
    rule = next((r.name for r in routing.rules if name in r.pool.agents), None)
    return rule or next((a.name for a in routing.accounts if a.owner == name), None)


async def set_in(uow: UnitOfWork, deps: Deps, *, by: int, agent_id: int, field: ProfileField,
                 value: Any, now: datetime) -> Agent:
    """Set *field* of *agent_id*'s profile to *value* (already read) in the caller's
    transaction; raises, having written nothing, when the value or the editor may not."""
    await lock_roster(uow)
    await _editor(uow, by, agent_id, field)
    roster = await uow.agents.list()
    target = next((a for a in roster if a.telegram_id == agent_id), None)
    if target is None:
        raise UnknownAgent()
    if field is ProfileField.NAME:
        if any(fold(a.name) == fold(value) for a in roster if a.telegram_id != agent_id):
            raise NameTaken(name=value)
        if (named := named_in_rules(deps, target.name)) is not None and value != target.name:
            raise NameInRules(name=target.name, rule=named)
        target.name = value
    elif field is ProfileField.LANGUAGE:
        target.language = value
    elif field is ProfileField.ROLE:
        if target.is_manager and value is Role.AGENT and not any(
                a.is_manager for a in roster if a.telegram_id != agent_id):
            raise LastManager(name=target.name)
        if target.role is Role.MANAGER and value is Role.AGENT:
            await strip_manager_view(uow, deps, target, now)  # what only a manager may see
        target.role = value
    elif field is ProfileField.TIER:
        # A tier set here holds until the next review; "auto" leaves it to the results.
        target.profile = with_field(target.profile, field, value,
                                    tier_set_at=None if value is None else
                                    now.astimezone(deps.config.zone).date())
    elif field is ProfileField.BACKUP:
        if value is not None and (value == agent_id or not any(
                a.telegram_id == value and a.active for a in roster)):
            raise BadProfileValue(field.value, str(value))
        target.profile = with_field(target.profile, field, value)
    else:
        target.profile = with_field(target.profile, field, value)
    await uow.agents.save(target)
    await mark_roster_edited(uow, by=by, now=now)
    return target


async def set_profile_field(uow: UnitOfWork, deps: Deps, /, *, by: int, agent_id: int,
                            field: ProfileField, text: str) -> Agent:
    """Set one field of someone's profile from what was typed or picked (*text*); the person
    as saved. A value the field does not take raises why and changes nothing."""
    value = read_typed(field, text) if field in TYPED else read_choice(field, text)
    async with uow:
        saved = await set_in(uow, deps, by=by, agent_id=agent_id, field=field, value=value,
                             now=deps.clock.now())
        await uow.commit()
    return saved


async def ask_profile_field(uow: UnitOfWork, deps: Deps, /, *, by: int, agent_id: int,
                            field: ProfileField, message_id: int | None = None,
                            view: str = "") -> Agent:
    """Wait for *by* to type the new value of *field* of *agent_id*'s profile (shown in
    *message_id* as *view*, to show again once it is set); the person whose field it is."""
    if field not in TYPED:
        raise BadProfileValue(field.value)
    now = deps.clock.now()
    async with uow:
        editor = await _editor(uow, by, agent_id, field)
        target = await person(uow, agent_id)
        if editor.chat_id is None:
            raise UnknownAgent()
        await uow.prompts.ask(Prompt(editor.chat_id, PromptKind.PROFILE_FIELD, now, data={
            "agent_id": agent_id, "field": field.value, "message_id": message_id,
            "view": view}))
        await uow.commit()
    return target


async def answer_profile_in(uow: UnitOfWork, deps: Deps, *, by: int, prompt: Prompt,
                            text: str, now: datetime) -> ProfileEdited:
    """Carry out the typed answer to a profile question, in the caller's transaction (which
    holds the question); raises why when the value does not do, the question still waiting."""
    field = ProfileField(prompt.data["field"])
    edited = await set_in(uow, deps, by=by, agent_id=int(prompt.data["agent_id"]), field=field,
                          value=read_typed(field, text), now=now)
    message_id = prompt.data.get("message_id")
    return ProfileEdited(field, edited, int(message_id) if message_id is not None else None,
                         str(prompt.data.get("view", "")))
