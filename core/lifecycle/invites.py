"""Joining the team by invitation: a manager's one-time link, and the person who opens it put
on the roster with their Telegram name and language.

A code is shown once, in the link, and stored only as its SHA-256: whoever reads the
database cannot join with it. It is good for one person: `use_invite` is a conditional
update, so two people opening one link at once end with one of them on the roster.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import get_args

from core.config.office import Language
from core.deps import Deps
from core.errors import (
    InviteExpired,
    InviteRevoked,
    InviteUnknown,
    InviteUsed,
    NotAPrivateChat,
)
from core.lifecycle.common import manager, message
from core.messages import InviteAcceptedParams, Template
from core.model import Agent, AvailabilityChange, Invite, Role
from core.ports import UnitOfWork
from core.roster import lock_roster, mark_roster_edited
from core.spelling import fold

# What a Telegram deep link's start parameter may hold; anything else is no code of ours.
_CODE = re.compile(r"[A-Za-z0-9_-]{1,64}")
_NAME_LENGTH = 64  # the roster's name column


def code_hash(code: str) -> str:
    """How an invitation's code is stored: its SHA-256, in hex."""
    return hashlib.sha256(code.encode("ascii")).hexdigest()


@dataclass(frozen=True)
class NewInvite:
    """An invitation just made: the code to put in the link (never stored) and its end."""

    code: str
    role: Role
    expires_at: datetime


@dataclass(frozen=True)
class Joined:
    """Someone who opened an invitation's link and is on the roster now."""

    agent: Agent
    invited_by: str | None  # the manager who invited them; None: they were on the roster


async def create_invite(uow: UnitOfWork, deps: Deps, /, *, manager_id: int,
                        role: Role) -> NewInvite:
    """Managers: a new invitation for one person to join as *role*, open for the office's
    `work.invite_valid_for`."""
    async with uow:
        await manager(uow, manager_id)
        code, now = deps.new_invite_code(), deps.clock.now()
        if not _CODE.fullmatch(code) or len(code) < 22:  # 22 letters carry 128 bits
            raise ValueError("an invitation code must be 22 to 64 of A-Z a-z 0-9 _ -")
        expires_at = now + deps.config.work.invite_valid_for
        await uow.team.add_invite(Invite(code_hash=code_hash(code), role=role,
                                         invited_by=manager_id, created_at=now,
                                         expires_at=expires_at))
        await uow.commit()
    return NewInvite(code, role, expires_at)


async def join_by_invite(uow: UnitOfWork, deps: Deps, /, *, code: str, telegram_id: int,
                         chat_id: int, first_name: str, last_name: str | None = None,
                         language_code: str | None = None) -> Joined:
    """Put the person who opened an invitation's link on the roster, their chat linked, and
    tell the manager who invited them; InviteUnknown, InviteUsed or InviteExpired (and
    nothing changed) when the code cannot be used. Someone active on the roster already
    only has their chat linked, and the code stays unused.

    Someone the roster keeps inactive (deactivated, or dropped from the config) comes back
    under their old name; anyone else gets their Telegram name, made unique in the office.
    """
    if chat_id != telegram_id:  # offers and contact details go to the chat stored here
        raise NotAPrivateChat()
    if not _CODE.fullmatch(code):
        raise InviteUnknown()
    hashed, now = code_hash(code), deps.clock.now()
    async with uow:
        await lock_roster(uow)  # names stay unique: two joins at once take turns
        roster = await uow.agents.list()
        agent = next((a for a in roster if a.telegram_id == telegram_id), None)
        if agent is not None and agent.active:  # on the roster already: the code stays unused
            if agent.chat_id != chat_id or agent.blocked_at is not None:
                agent.chat_id, agent.blocked_at = chat_id, None
                await uow.agents.save(agent)
                await uow.commit()
            return Joined(agent, None)
        if not await uow.team.use_invite(hashed, by=telegram_id, at=now):
            raise await _why_not(uow, hashed)
        invite = await uow.team.invite(hashed)
        inviter = await uow.agents.get(invite.invited_by) if invite is not None else None
        if invite is None or inviter is None or not inviter.is_manager:
            raise InviteRevoked()  # the code goes back unused with the rollback
        if agent is None:
            agent = Agent(telegram_id, unique_name(first_name, last_name, roster))
        agent.role, agent.active, agent.chat_id, agent.blocked_at = invite.role, True, chat_id, None
        agent.language = _language(language_code, deps.config.language)
        agent.position = max((a.position for a in roster), default=-1) + 1
        await uow.agents.save(agent)
        await uow.team.record_availability(AvailabilityChange(
            telegram_id, now, away=False, by=invite.invited_by, reason="joined"))
        await mark_roster_edited(uow, by=invite.invited_by, now=now)
        if inviter.chat_id is not None:
            await uow.outbox.add(message(deps, inviter, Template.INVITE_ACCEPTED, now,
                                         params=InviteAcceptedParams(name=agent.name,
                                                                     role=agent.role.value)))
        await uow.commit()
    return Joined(agent, inviter.name)


async def _why_not(uow: UnitOfWork, hashed: str) -> Exception:
    """Why an invitation could not be used: unknown, used already, or past its time."""
    invite = await uow.team.invite(hashed)
    if invite is None:
        return InviteUnknown()
    if invite.used_by is not None:
        return InviteUsed()
    return InviteExpired()


def unique_name(first_name: str, last_name: str | None, roster: list[Agent]) -> str:
    """The person's Telegram name as the roster's name for them, unique in the office
    (routing pools name people): "Ayşe Kaya", or "Ayşe Kaya 2" when taken."""
    full = " ".join(" ".join(part.split()) for part in (first_name, last_name or "") if part)
    full = full.strip()[:_NAME_LENGTH - 3].strip() or "?"
    taken = {fold(a.name) for a in roster}
    name, number = full, 1
    while fold(name) in taken:
        number += 1
        name = f"{full} {number}"
    return name


def _language(code: str | None, office_language: str) -> str:
    """The catalog language of a Telegram language code (`tr`, `en-GB`), else the office's."""
    short = (code or "").split("-")[0].lower()
    return short if short in get_args(Language) else office_language
