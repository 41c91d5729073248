"""Contact details reach only private chats: /start links nothing but a person's private chat,
messages that carry contact details are refused for any other chat, and a migration unlinks
the group chats stored before that was checked."""

from __future__ import annotations

import itertools
import logging
import types
import typing
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import fields
from datetime import UTC, datetime
from typing import Any, TypeVar, get_type_hints

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from core.app import App
from core.clock import ManualClock
from core.errors import NotAPrivateChat, StartFirst
from core.lifecycle.answers import accept_offer, claim_round
from core.lifecycle.roster_import import sync_roster
from core.messages import (
    PARAMS,
    ContactDetails,
    ContactDetailsLeak,
    Params,
    Template,
    compose,
    to_person,
)
from core.model import Agent, OfferStatus, Stage
from core.roster import link_chat
from leadrelay.bootstrap import bootstrap
from sandbox import BotApiSandbox, SandboxGroup
from storage.db import create_engine
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWork
from tests.fakes import FakeDatabase, fake_uow_factory
from tests.harness import BOT_TOKEN, offer_for, running_office, text_has, until
from tests.office import AYSE, HOT, MEHMET, SELIN, TOKEN, ZEYNEP, office

GROUP = -1001234567890  # a supergroup
BASIC_GROUP = -4012345678  # a basic group
START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


async def fake_relay(config: Any = None) -> tuple[App, FakeDatabase]:
    db = FakeDatabase()
    tokens = (f"tok{i}" for i in itertools.count())
    relay = bootstrap(config=config or office(), clock=ManualClock(START),
                      uow_factory=fake_uow_factory(db), token_factory=lambda: next(tokens))
    await relay.run(sync_roster)
    for person in (AYSE, MEHMET, ZEYNEP, SELIN):
        await relay.run(link_chat, telegram_id=person, chat_id=person)
    return relay, db


# --- linking a chat ------------------------------------------------------------------------


@pytest.mark.parametrize("chat_id", [GROUP, BASIC_GROUP, MEHMET],
                         ids=["supergroup", "group", "someone_elses_private_chat"])
async def test_start_from_any_chat_but_the_persons_own_private_one_links_nothing(
    chat_id: int,
) -> None:
    relay, db = await fake_relay()
    with pytest.raises(NotAPrivateChat):
        await relay.run(link_chat, telegram_id=AYSE, chat_id=chat_id)
    assert db.agents[AYSE].chat_id == AYSE, "the private chat linked before stays"


async def test_a_person_who_never_started_privately_stays_unlinked_after_start_in_a_group(
) -> None:
    relay, db = await fake_relay()
    db.agents[AYSE].chat_id = None
    with pytest.raises(NotAPrivateChat):
        await relay.run(link_chat, telegram_id=AYSE, chat_id=GROUP)
    assert db.agents[AYSE].chat_id is None


# --- contact details never go to a group -----------------------------------------------------


def sample(record: type[Params]) -> Params:
    """A record of *record*'s type with a plain value in every field, nested records too."""
    hints = get_type_hints(record)
    values: dict[str, Any] = {}
    for f in fields(record):
        kind = hints[f.name]
        if isinstance(kind, types.UnionType) or typing.get_origin(kind) is typing.Union:
            kind = next(k for k in typing.get_args(kind) if k is not type(None))
        origin = typing.get_origin(kind) or kind
        if isinstance(origin, type) and issubclass(origin, Params):
            values[f.name] = sample(origin)
        elif origin is list:
            values[f.name] = []
        elif origin is bool:
            values[f.name] = False
        elif origin is int:
            values[f.name] = 1
        else:
            values[f.name] = "x"
    return record(**values)


def carries_contact(record: type[Params]) -> bool:
    return ContactDetails in get_type_hints(record).values()


CONTACT_TEMPLATES = [t for t, record in PARAMS.items() if carries_contact(record)]


def test_the_templates_that_carry_contact_details_are_the_ones_that_open_a_lead() -> None:
    # Pinned, so the checks below cannot silently run over nothing.
    assert set(CONTACT_TEMPLATES) == {Template.OFFER_ACCEPTED, Template.LEAD_ASSIGNED,
                                      Template.ESCALATED, Template.CARD,
                                      Template.WHATSAPP_MESSAGE}


@pytest.mark.parametrize("template", CONTACT_TEMPLATES)
@pytest.mark.parametrize("chat_id", [GROUP, BASIC_GROUP, 0])
def test_a_message_with_contact_details_is_refused_for_a_chat_that_is_not_private(
    template: Template, chat_id: int,
) -> None:
    with pytest.raises(ContactDetailsLeak, match=str(chat_id)):
        compose(chat_id, template, sample(PARAMS[template]), lang="en", at=START)


@pytest.mark.parametrize("template", CONTACT_TEMPLATES)
def test_a_message_with_contact_details_goes_to_a_private_chat(template: Template) -> None:
    row = compose(AYSE, template, sample(PARAMS[template]), lang="en", at=START)
    assert (row.chat_id, row.template) == (AYSE, template)


@pytest.mark.parametrize("template", [t for t in PARAMS if t not in CONTACT_TEMPLATES])
def test_a_message_without_contact_details_may_go_to_a_group(template: Template) -> None:
    row = compose(GROUP, template, sample(PARAMS[template]), lang="en", at=START)
    assert row.chat_id == GROUP


def test_a_person_whose_stored_chat_is_a_group_gets_no_contact_details_there() -> None:
    linked_to_group = Agent(AYSE, "Ayşe", chat_id=GROUP)
    with pytest.raises(ContactDetailsLeak):
        to_person(linked_to_group, Template.OFFER_ACCEPTED,
                  sample(PARAMS[Template.OFFER_ACCEPTED]), office_language="en", at=START)


async def test_accept_by_someone_unlinked_since_the_offer_asks_them_to_start_privately(
) -> None:
    relay, db = await fake_relay()
    lead_id = (await relay.receive_lead(source_token=TOKEN, payload=HOT)).lead_id
    offer = next(o for o in db.offers.values() if o.lead_id == lead_id)
    db.agents[offer.agent_id].chat_id = None  # as the migration leaves a group-linked agent
    with pytest.raises(StartFirst):
        await relay.run(accept_offer, agent_id=offer.agent_id, offer_id=offer.id,
                        token=offer.token)
    assert db.offers[offer.id].status is OfferStatus.PENDING
    assert db.leads[lead_id].owner_id is None


async def test_a_claim_by_a_pool_member_unlinked_since_the_round_asks_them_to_start_privately(
) -> None:
    rules = [{"name": "pool", "strategy": "claim", "claim_chat": GROUP,
              "pool": {"agents": ["Ayşe", "Mehmet"]}}, {"name": "default"}]
    relay, db = await fake_relay(office(routing={"rules": rules}))
    lead_id = (await relay.receive_lead(source_token=TOKEN, payload=HOT)).lead_id
    mine = next(o for o in db.offers.values() if o.agent_id == MEHMET)
    db.agents[MEHMET].chat_id = None
    with pytest.raises(StartFirst):
        await relay.run(claim_round, agent_id=MEHMET, lead_id=lead_id, sequence=mine.sequence,
                        token=str(mine.trace["round"]))
    assert {o.status for o in db.offers.values()} == {OfferStatus.PENDING}


# --- the migration -------------------------------------------------------------------------

BEFORE = "0009"  # the last revision before private chats were checked
agents_0008 = sa.table(
    "agents", sa.column("telegram_id", sa.BigInteger), sa.column("name", sa.String),
    sa.column("role", sa.String), sa.column("active", sa.Boolean),
    sa.column("away", sa.Boolean), sa.column("position", sa.Integer),
    sa.column("chat_id", sa.BigInteger))
outbox_0008 = sa.table(
    "outbox", sa.column("id", sa.Integer), sa.column("chat_id", sa.BigInteger),
    sa.column("template", sa.String), sa.column("params", sa.JSON),
    sa.column("created_at", sa.DateTime(timezone=True)), sa.column("attempts", sa.Integer),
    sa.column("sent_at", sa.DateTime(timezone=True)),
    sa.column("failed_at", sa.DateTime(timezone=True)), sa.column("last_error", sa.String))


@pytest.fixture
async def engine_before(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    await upgrade(engine, BEFORE)
    yield engine
    await engine.dispose()


async def test_the_migration_unlinks_everyone_whose_stored_chat_is_not_their_private_chat(
    engine_before: AsyncEngine, caplog: pytest.LogCaptureFixture,
) -> None:
    stored = {AYSE: AYSE, MEHMET: GROUP, ZEYNEP: BASIC_GROUP, SELIN: None, 1005: 1006}
    async with engine_before.begin() as conn:
        await conn.execute(sa.insert(agents_0008), [
            {"telegram_id": person, "name": f"P{person}", "role": "agent", "active": True,
             "away": False, "position": n, "chat_id": chat}
            for n, (person, chat) in enumerate(stored.items())])
    with caplog.at_level(logging.WARNING):
        await upgrade(engine_before)
    async with engine_before.connect() as conn:
        rows = dict((await conn.execute(
            sa.select(agents_0008.c.telegram_id, agents_0008.c.chat_id))).all())
    assert rows == {AYSE: AYSE, MEHMET: None, ZEYNEP: None, SELIN: None, 1005: None}
    said = " ".join(r.getMessage() for r in caplog.records)
    assert all(str(person) in said for person in (MEHMET, ZEYNEP, 1005)), (
        "the operator learns who must press Start again")


async def test_the_migration_withholds_unsent_contact_details_queued_for_a_group(
    engine_before: AsyncEngine,
) -> None:
    queued = [(GROUP, "offer_accepted", None), (GROUP, "lead_assigned", None),
              (BASIC_GROUP, "escalated", None), (GROUP, "claim_group", None),
              (AYSE, "offer_accepted", None), (GROUP, "offer_accepted", START)]
    async with engine_before.begin() as conn:
        await conn.execute(sa.insert(outbox_0008), [
            {"id": n, "chat_id": chat, "template": template, "created_at": START, "attempts": 0,
             "params": {"lead_id": 1, "phone": "+905321234567"}, "sent_at": sent}
            for n, (chat, template, sent) in enumerate(queued, start=1)])
    await upgrade(engine_before)
    async with engine_before.connect() as conn:
        rows = (await conn.execute(sa.select(
            outbox_0008.c.id, outbox_0008.c.failed_at.is_not(None), outbox_0008.c.last_error)
            .order_by(outbox_0008.c.id))).all()
    withheld = [row[0] for row in rows if row[1]]
    assert withheld == [1, 2, 3], "only unsent contact details for a group are held back"
    assert all("not a private chat" in (row[2] or "") for row in rows if row[1])


# --- as people use it ----------------------------------------------------------------------


@pytest.fixture
async def team_group() -> AsyncIterator[tuple[BotApiSandbox, SandboxGroup]]:
    sandbox = BotApiSandbox(token=BOT_TOKEN)
    await sandbox.start()
    members = [sandbox.user(AYSE, "Ayşe"), sandbox.user(MEHMET, "Mehmet"),
               sandbox.user(SELIN, "Selin")]
    group = sandbox.group(GROUP, "Sales team", members)
    yield sandbox, group
    await sandbox.stop()


T = TypeVar("T")


async def stored(database_url: str, read: Callable[[SqlUnitOfWork], Awaitable[T]]) -> T:
    """What *read* finds in the database at *database_url* now."""
    engine = create_engine(database_url)
    try:
        async with SqlUnitOfWork(engine) as uow:
            return await read(uow)
    finally:
        await engine.dispose()


async def stored_chat(database_url: str, person: int) -> int | None:
    agent = await stored(database_url, lambda uow: uow.agents.get(person))
    assert agent is not None
    return agent.chat_id


async def stored_stage(database_url: str, lead_id: int) -> Stage:
    lead = await stored(database_url, lambda uow: uow.leads.get(lead_id))
    assert lead is not None
    return lead.stage


@pytest.mark.slow
async def test_start_and_commands_in_a_group_ask_for_a_private_chat_and_leads_never_reach_it(
    database_url: str, team_group: tuple[BotApiSandbox, SandboxGroup],
    caplog: pytest.LogCaptureFixture,
) -> None:
    sandbox, group = team_group
    solo = office(agents=[{"telegram_id": AYSE, "name": "Ayşe"},
                          {"telegram_id": MEHMET, "name": "Mehmet"},
                          {"telegram_id": SELIN, "name": "Selin", "role": "manager"}])
    with caplog.at_level(logging.ERROR):
        async with running_office(solo, database_url, sandbox=sandbox) as running:
            ayse, mehmet = running[AYSE], running[MEHMET]
            await running.start_chats(AYSE, SELIN)
            await group.send(ayse, "/start")
            await group.wait_for(text_has("write to me in a private chat"))
            await group.send(mehmet, "/start")  # he never pressed Start privately
            await until(lambda: len(group.messages) == 2)
            assert all("write to me in a private chat" in m.text for m in group.messages)
            assert all("Hi " not in m.text for m in group.messages), "nobody was connected"
            assert await stored_chat(database_url, AYSE) == AYSE
            assert await stored_chat(database_url, MEHMET) is None

            lead_id = await running.post_lead({**HOT, "email": "deniz@example.com"})
            offer = await ayse.wait_for(offer_for(lead_id))
            await ayse.press(offer, "✅ Accept")
            await ayse.wait_for(text_has(f"Lead #{lead_id} is yours", "+90 532 123 45 67",
                                         "deniz@example.com"))
            # What the commands show (leads, reasons, figures) stays out of the group too.
            selin = running[SELIN]
            for person, command in [(ayse, "/leads"), (ayse, f"/why {lead_id}"),
                                    (ayse, f"/outcome {lead_id} won 250000"),
                                    (selin, "/pending"), (selin, "/stats"),
                                    (selin, f"/why {lead_id}")]:
                await group.send(person, command)
            await until(lambda: len(group.messages) == 8)
            assert all("write to me in a private chat" in m.text for m in group.messages)
            await running.settled(sweeps=0)
            to_group = [str(c.params) for c in sandbox.requests
                        if str(c.params.get("chat_id")) == str(GROUP)]
            assert len(to_group) == 8, "the replies to /start and to the commands, nothing else"
            assert not any("532" in call or "deniz@" in call or "Deniz" in call
                           or "250" in call for call in to_group)
            assert await stored_stage(database_url, lead_id) is Stage.NEW, (
                "the outcome sent in the group was not recorded")
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
