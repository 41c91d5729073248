"""The team's group (issue 16): set by a manager with /setgroup or in the config, escalations
announced there without contact details, Assign in the group for managers only, and the
post edited to say who has the lead."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.render import Renderer
from core.app import App
from core.clock import ManualClock
from core.errors import NotAGroup, NotAManager
from core.lifecycle.answers import assign_lead, decline_offer
from core.lifecycle.team_group import current_team_group, set_team_group
from core.messages import Template
from core.model import DeclineReason, LeadStatus, OfferStatus, OutgoingMessage
from core.ports import TEAM_GROUP
from tests.fakes import FakeDatabase
from tests.office import AYSE, HOT, SELIN, TOKEN, ZEYNEP, office, on_fakes

START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
GROUP = -1001234567890
OTHER_GROUP = -1009876543210
SLA = {"hot": {"accept_within": "5m", "offers_before_managers": 2}}
DETAILS = ("+905321234567", "532", "deniz.kaya@example.com", "Deniz", "Kaya")


async def desk(**work: object) -> tuple[App, FakeDatabase]:
    db = FakeDatabase()
    return await on_fakes(office(sla=SLA, work=work), ManualClock(START), db), db


async def escalated(relay: App, db: FakeDatabase) -> int:
    """A hot lead both its offers were declined on: with the managers now."""
    lead_id = (await relay.receive_lead(
        source_token=TOKEN, payload={**HOT, "email": "deniz.kaya@example.com"})).lead_id
    for _ in range(2):
        [offer] = [o for o in db.offers.values()
                   if o.lead_id == lead_id and o.status is OfferStatus.PENDING]
        await relay.run(decline_offer, agent_id=offer.agent_id, offer_id=offer.id,
                        token=offer.token, reason=DeclineReason.NOT_MY_AREA)
    assert db.leads[lead_id].status is LeadStatus.WITH_MANAGERS
    return lead_id


def to_chat(db: FakeDatabase, chat: int) -> list[OutgoingMessage]:
    return [m for m in db.outbox if m.chat_id == chat]


def rendered(row: OutgoingMessage, lang: str) -> str:
    renderer = Renderer(zone=ZoneInfo("Europe/Istanbul"), office="Test Realty",
                        clock=ManualClock(START))
    return renderer.outgoing(str(row.template), {**row.params, "lang": lang}).text


async def test_a_manager_sets_the_group_and_an_escalation_is_announced_there_without_contact(
) -> None:
    relay, db = await desk()
    await relay.run(set_team_group, manager_id=SELIN, chat_id=GROUP)
    assert db.settings[TEAM_GROUP] == {"chat_id": GROUP, "by": SELIN}
    lead_id = await escalated(relay, db)
    [post] = to_chat(db, GROUP)
    assert post.template is Template.TEAM_ESCALATED
    assert (post.ref, post.params["lead_id"]) == (f"team:{lead_id}:1", lead_id)
    for detail in DETAILS:
        assert detail not in str(post.params), f"{detail} went to the group"
    [private] = [m for m in db.outbox if m.template is Template.ESCALATED]
    assert private.chat_id == SELIN
    assert private.params["phone"] == "+905321234567", "the managers get the whole lead"
    text = rendered(post, "en")
    assert text.startswith(f"🚨 Lead <b>#{lead_id}</b> needs an owner: declined by Ayşe, "
                           "Mehmet (not my area).\n"
                           "🔥 HOT · residential · Istanbul / Kadıköy")
    tr = rendered(post, "tr")
    assert tr.startswith(f"🚨 <b>#{lead_id}</b> numaralı talep sahip bekliyor: ")
    assert "Bir yönetici atayabilir:" in tr


async def test_without_a_group_nothing_is_posted_and_the_config_group_is_used_until_one_is_set(
) -> None:
    relay, db = await desk()
    await escalated(relay, db)
    assert not [m for m in db.outbox if m.chat_id < 0], "no group: nothing announced"

    relay, db = await desk(team_group=OTHER_GROUP)
    assert await relay.run(current_team_group) == OTHER_GROUP
    await escalated(relay, db)
    assert [m.template for m in to_chat(db, OTHER_GROUP)] == [Template.TEAM_ESCALATED]
    await relay.run(set_team_group, manager_id=SELIN, chat_id=GROUP)
    assert await relay.run(current_team_group) == GROUP, "the chat's group wins"
    await relay.run(set_team_group, manager_id=SELIN, chat_id=None)
    assert await relay.run(current_team_group) is None, "off in chat wins over the config"


async def test_only_a_manager_sets_the_group_and_only_a_group_can_be_it() -> None:
    relay, db = await desk()
    with pytest.raises(NotAManager):
        await relay.run(set_team_group, manager_id=AYSE, chat_id=GROUP)
    with pytest.raises(NotAGroup):
        await relay.run(set_team_group, manager_id=SELIN, chat_id=SELIN)
    assert TEAM_GROUP not in db.settings


async def test_an_agent_cannot_assign_from_the_group_and_a_manager_assigns_and_the_post_says_so(
) -> None:
    relay, db = await desk()
    await relay.run(set_team_group, manager_id=SELIN, chat_id=GROUP)
    lead_id = await escalated(relay, db)
    with pytest.raises(NotAManager):
        await relay.run(assign_lead, manager_id=AYSE, lead_id=lead_id, agent_id=AYSE)
    assert db.leads[lead_id].status is LeadStatus.WITH_MANAGERS
    assert len(to_chat(db, GROUP)) == 1, "a refused press changes nothing"
    await relay.run(assign_lead, manager_id=SELIN, lead_id=lead_id, agent_id=ZEYNEP)
    assert db.leads[lead_id].owner_id == ZEYNEP
    edit = to_chat(db, GROUP)[-1]
    assert (edit.template, edit.edit_ref) == (Template.ESCALATION_CLOSED, f"team:{lead_id}:1")
    assert rendered(edit, "en") == f"✅ Lead #{lead_id} was assigned to Zeynep by Selin."
    assert "Deniz" not in str(edit.params)
