"""Invitations: a manager's one-time code, stored only as its hash, that puts the person who
opens its link on the roster; through the use cases on fakes and on each real database."""

from __future__ import annotations

import asyncio
import hashlib
import itertools
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from core.app import App
from core.clock import ManualClock
from core.errors import (
    InviteExpired,
    InviteRevoked,
    InviteUnknown,
    InviteUsed,
    NotAManager,
    NotAPrivateChat,
)
from core.lifecycle.invites import create_invite, join_by_invite, unique_name
from core.lifecycle.roster_import import sync_roster
from core.messages import Template
from core.model import Agent, OfferStatus, Role
from core.ports import ROSTER_EDITED
from core.roster import link_chat, roster
from leadrelay.bootstrap import bootstrap, new_invite_code, sql_uow_factory
from tests.fakes import FakeDatabase, fake_uow_factory
from tests.office import AYSE, HOT, SELIN, TOKEN, office

START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
NEWCOMER, OTHER = 2001, 2002


def relay_on(db: FakeDatabase, clock: ManualClock, **changes: object) -> App:
    codes = (f"code-{n:04d}-abcdefghijklmnopqrstuvwxyz" for n in itertools.count())
    return bootstrap(config=office(**changes), clock=clock, uow_factory=fake_uow_factory(db),
                     invite_codes=lambda: next(codes))


@pytest.fixture
def db() -> FakeDatabase:
    return FakeDatabase()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
async def relay(db: FakeDatabase, clock: ManualClock) -> App:
    app = relay_on(db, clock)
    await app.run(sync_roster)
    await app.run(link_chat, telegram_id=SELIN, chat_id=SELIN)
    return app


async def join(relay: App, code: str, who: int = NEWCOMER, *, first: str = "Deniz",
               last: str | None = "Kaya", lang: str | None = "en") -> Agent:
    joined = await relay.run(join_by_invite, code=code, telegram_id=who, chat_id=who,
                             first_name=first, last_name=last, language_code=lang)
    return joined.agent


async def test_an_invitation_is_stored_only_as_the_hash_of_its_code(
    relay: App, db: FakeDatabase,
) -> None:
    invite = await relay.run(create_invite, manager_id=SELIN, role=Role.AGENT)
    assert list(db.invites) == [hashlib.sha256(invite.code.encode()).hexdigest()]
    stored = db.invites[hashlib.sha256(invite.code.encode()).hexdigest()]
    assert invite.code not in repr(stored)
    assert (stored.role, stored.invited_by, stored.used_by) == (Role.AGENT, SELIN, None)
    assert stored.expires_at == invite.expires_at == START + timedelta(days=7)


def test_the_codes_of_the_running_bot_carry_at_least_128_bits_in_deep_link_letters() -> None:
    codes = {new_invite_code() for _ in range(100)}
    assert len(codes) == 100
    for code in codes:
        assert 22 <= len(code) <= 64
        assert code.replace("-", "").replace("_", "").isalnum()
        assert code.isascii()


async def test_only_a_manager_can_invite(relay: App, db: FakeDatabase) -> None:
    with pytest.raises(NotAManager):
        await relay.run(create_invite, manager_id=AYSE, role=Role.MANAGER)
    assert db.invites == {}


async def test_opening_the_link_puts_the_person_on_the_roster_and_tells_the_manager(
    relay: App, db: FakeDatabase,
) -> None:
    invite = await relay.run(create_invite, manager_id=SELIN, role=Role.MANAGER)
    before = len(db.agents)
    agent = await join(relay, invite.code, lang="tr-TR")
    stored = db.agents[NEWCOMER]
    assert (stored.name, stored.role, stored.language, stored.chat_id, stored.active) == (
        "Deniz Kaya", Role.MANAGER, "tr", NEWCOMER, True)
    assert stored.position == max(a.position for a in db.agents.values()
                                  if a.telegram_id != NEWCOMER) + 1
    assert len(db.agents) == before + 1
    assert agent.name == "Deniz Kaya"
    assert db.settings[ROSTER_EDITED]["by"] == SELIN, "the stored roster wins from now on"
    told = [m for m in db.outbox if m.template == Template.INVITE_ACCEPTED]
    assert [(m.chat_id, m.params["name"], m.params["role"]) for m in told] == [
        (SELIN, "Deniz Kaya", "manager")]
    used = next(iter(db.invites.values()))
    assert (used.used_by, used.used_at) == (NEWCOMER, START)
    assert [(c.agent_id, c.away, c.by, c.reason) for c in db.availability] == [
        (NEWCOMER, False, SELIN, "joined")]


async def test_a_language_the_bot_does_not_speak_gets_the_office_language(
    relay: App, db: FakeDatabase,
) -> None:
    invite = await relay.run(create_invite, manager_id=SELIN, role=Role.AGENT)
    await join(relay, invite.code, lang="de")
    assert db.agents[NEWCOMER].language == "en"


async def test_an_invitation_works_once_and_a_second_person_changes_nothing(
    relay: App, db: FakeDatabase,
) -> None:
    invite = await relay.run(create_invite, manager_id=SELIN, role=Role.AGENT)
    await join(relay, invite.code)
    roster, outbox = dict(db.agents), list(db.outbox)
    with pytest.raises(InviteUsed):
        await join(relay, invite.code, OTHER, first="Ece")
    assert OTHER not in db.agents
    assert len(db.agents) == len(roster)
    assert len(db.outbox) == len(outbox)


async def test_two_people_opening_one_link_at_once_leave_one_of_them_on_the_roster(
    relay: App, db: FakeDatabase,
) -> None:
    invite = await relay.run(create_invite, manager_id=SELIN, role=Role.AGENT)
    results = await asyncio.gather(join(relay, invite.code, NEWCOMER),
                                   join(relay, invite.code, OTHER, first="Ece"),
                                   return_exceptions=True)
    assert sum(isinstance(r, Agent) for r in results) == 1
    assert sum(isinstance(r, InviteUsed) for r in results) == 1
    assert len({NEWCOMER, OTHER} & set(db.agents)) == 1


async def test_an_expired_invitation_is_refused_and_stays_unused(
    relay: App, db: FakeDatabase, clock: ManualClock,
) -> None:
    invite = await relay.run(create_invite, manager_id=SELIN, role=Role.AGENT)
    clock.advance(timedelta(days=7))
    with pytest.raises(InviteExpired):
        await join(relay, invite.code)
    assert NEWCOMER not in db.agents
    assert ROSTER_EDITED not in db.settings
    assert next(iter(db.invites.values())).used_by is None


async def test_how_long_an_invitation_stays_open_is_the_office_s_choice(
    db: FakeDatabase, clock: ManualClock,
) -> None:
    relay = relay_on(db, clock, work={"invite_valid_for": "2d"})
    await relay.run(sync_roster)
    invite = await relay.run(create_invite, manager_id=SELIN, role=Role.AGENT)
    assert invite.expires_at == START + timedelta(days=2)
    clock.advance(timedelta(days=2, seconds=-1))
    await join(relay, invite.code)
    assert NEWCOMER in db.agents


async def test_an_unknown_or_malformed_code_is_refused(relay: App, db: FakeDatabase) -> None:
    with pytest.raises(InviteUnknown):
        await join(relay, "no-such-code-abcdefghijklmnop")
    with pytest.raises(InviteUnknown):
        await join(relay, "<script>")
    assert NEWCOMER not in db.agents


async def test_a_link_opened_in_a_group_is_refused(relay: App, db: FakeDatabase) -> None:
    invite = await relay.run(create_invite, manager_id=SELIN, role=Role.AGENT)
    with pytest.raises(NotAPrivateChat):
        await relay.run(join_by_invite, code=invite.code, telegram_id=NEWCOMER, chat_id=-100,
                        first_name="Deniz")
    assert next(iter(db.invites.values())).used_by is None


async def test_an_invitation_of_someone_no_longer_a_manager_no_longer_works(
    relay: App, db: FakeDatabase,
) -> None:
    invite = await relay.run(create_invite, manager_id=SELIN, role=Role.MANAGER)
    db.agents[SELIN].role = Role.AGENT
    with pytest.raises(InviteRevoked):
        await join(relay, invite.code)
    assert NEWCOMER not in db.agents


async def test_someone_on_the_roster_opening_a_link_has_their_chat_linked_and_the_code_kept(
    relay: App, db: FakeDatabase,
) -> None:
    invite = await relay.run(create_invite, manager_id=SELIN, role=Role.MANAGER)
    joined = await relay.run(join_by_invite, code=invite.code, telegram_id=AYSE, chat_id=AYSE,
                             first_name="Ayşe")
    assert (joined.invited_by, db.agents[AYSE].chat_id, db.agents[AYSE].role) == (
        None, AYSE, Role.AGENT)
    assert next(iter(db.invites.values())).used_by is None


def test_names_are_made_unique_in_the_office() -> None:
    roster = [Agent(1, "Ayşe"), Agent(2, "Deniz Kaya"), Agent(3, "Deniz Kaya 2")]
    assert unique_name("Deniz", "Kaya", roster) == "Deniz Kaya 3"
    assert unique_name("AYSE", None, roster) == "AYSE 2", "the same name, however typed"
    assert unique_name("  Ece ", " Yıldız  Er ", roster) == "Ece Yıldız Er"
    assert unique_name("   ", None, roster) == "?"
    assert len(unique_name("x" * 80, "y" * 80, roster)) <= 64


async def test_a_newcomer_is_offered_the_next_lead_at_once(
    db: FakeDatabase, clock: ManualClock,
) -> None:
    # An office of one manager: until someone joins, every lead goes to her.
    relay = relay_on(db, clock, agents=[{"telegram_id": SELIN, "name": "Selin",
                                         "role": "manager"}])
    await relay.run(sync_roster)
    await relay.run(link_chat, telegram_id=SELIN, chat_id=SELIN)
    invite = await relay.run(create_invite, manager_id=SELIN, role=Role.AGENT)
    await join(relay, invite.code)
    lead_id = (await relay.receive_lead(source_token=TOKEN, payload=HOT)).lead_id
    offers = [o for o in db.offers.values() if o.lead_id == lead_id]
    assert [(o.agent_id, o.status) for o in offers] == [(NEWCOMER, OfferStatus.PENDING)]


async def test_on_each_database_one_link_opened_twice_at_once_adds_one_person(
    engine: AsyncEngine,
) -> None:
    codes = iter(["c" * 32])
    relay = bootstrap(config=office(), clock=ManualClock(START),
                      uow_factory=sql_uow_factory(engine), invite_codes=lambda: next(codes))
    await relay.run(sync_roster)
    await relay.run(link_chat, telegram_id=SELIN, chat_id=SELIN)
    invite = await relay.run(create_invite, manager_id=SELIN, role=Role.AGENT)
    results = await asyncio.gather(join(relay, invite.code, NEWCOMER),
                                   join(relay, invite.code, OTHER, first="Ece"),
                                   return_exceptions=True)
    assert sorted(type(r).__name__ for r in results) == ["Agent", "InviteUsed"]
    people = {a.telegram_id for a in await relay.run(roster)}
    assert len({NEWCOMER, OTHER} & people) == 1
