"""WhatsApp Cloud API webhooks as Meta sends them, signed, over real HTTP on SQLite and
PostgreSQL: the first message from a number becomes a lead, later ones join its history and
reach its owner, each message is taken once, what cannot be taken is kept, and a
Click-to-WhatsApp ad's referral becomes its lead's campaign."""

from __future__ import annotations

import json
import logging
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.render import Renderer
from core.lifecycle.answers import accept_offer
from core.lifecycle.whatsapp import MESSAGE_EVENT
from core.lifecycle.working import record_stage
from core.model import Stage
from core.roster import link_chat
from core.whatsapp_payload import messages_in
from storage.tables import failed_intake, lead_events, offers, outbox
from tests.intake import RunningIntake, running_intake
from tests.office import AYSE, MEHMET, SELIN, ZEYNEP, office
from tests.test_platform_sources import WEBSITE, WHATSAPP
from webhooks.meta_platform import signature_of

PATH = "/webhooks/whatsapp"
NUMBER_ID = WHATSAPP["phone_number_ids"][0]
SECRET = WHATSAPP["app_secret"]
WA_ID = "905321234567"
CONFIG = office(sources=[WEBSITE, WHATSAPP])
CLICK = {"source_url": "https://fb.me/3cr4Wqqkm", "source_id": "120211111111110123",
         "source_type": "ad", "headline": "2+1 flats in Moda", "body": "Sea view, new build",
         "media_type": "image", "image_url": "https://scontent.xx.fbcdn.net/v/t45.1-6/a.jpg",
         "ctwa_clid": "ARAkLkA8rmlFeiCktEJQ-QTwRiyYHAFDLMNDBH0CD3qpjd0HR4irJ6LEkR7JwFF4X"}


def change(*messages: dict[str, Any], number_id: str = NUMBER_ID, name: str = "Deniz Kaya",
           wa_id: str = WA_ID, field: str = "messages",
           statuses: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A webhook post as the Cloud API sends it, with *messages* from *wa_id*."""
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "902161234567", "phone_number_id": number_id}}
    if messages:
        value["contacts"] = [{"profile": {"name": name}, "wa_id": wa_id}]
        value["messages"] = list(messages)
    if statuses is not None:
        value["statuses"] = statuses
    return {"object": "whatsapp_business_account", "entry": [
        {"id": "102290129340398", "changes": [{"value": value, "field": field}]}]}


def text(body: str, message_id: str, *, wa_id: str = WA_ID) -> dict[str, Any]:
    """A text message."""
    return {"from": wa_id, "id": message_id, "timestamp": "1772611200", "type": "text",
            "text": {"body": body}}


def photo(caption: str | None, message_id: str) -> dict[str, Any]:
    """An image, with *caption* if given."""
    image: dict[str, Any] = {"mime_type": "image/jpeg", "sha256": "aGVsbG8=",
                             "id": "1479537139650973"}
    if caption is not None:
        image["caption"] = caption
    return {"from": WA_ID, "id": message_id, "timestamp": "1772611200", "type": "image",
            "image": image}


def from_ad(body: str, message_id: str, referral: dict[str, Any],
            *, wa_id: str = WA_ID) -> dict[str, Any]:
    """A first message sent by tapping a Click-to-WhatsApp ad: a text with its referral."""
    return {**text(body, message_id, wa_id=wa_id), "referral": referral}


async def post(intake: RunningIntake, payload: dict[str, Any], *,
               secret: str = SECRET) -> tuple[int, dict[str, Any]]:
    """POST *payload* signed by *secret*; the status and the JSON answer."""
    raw = json.dumps(payload).encode()
    headers = {"Content-Type": "application/json",
               "X-Hub-Signature-256": signature_of(raw, secret)}
    async with intake.session.post(intake.url(PATH), data=raw, headers=headers) as answer:
        return answer.status, await answer.json()


async def rows(intake: RunningIntake, table: Any, *where: Any) -> list[dict[str, Any]]:
    """The rows of *table* (that match *where*), oldest first."""
    async with intake.engine.connect() as conn:
        found = await conn.execute(select(table).where(*where).order_by(table.c.id))
        return [dict(row._mapping) for row in found]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_meta_subscribes_the_whatsapp_url_with_its_verify_token_only(
        database_url: str) -> None:
    async with running_intake(database_url, config=CONFIG) as intake:
        right = {"hub.mode": "subscribe", "hub.verify_token": WHATSAPP["verify_token"],
                 "hub.challenge": "987654321"}
        async with intake.session.get(intake.url(PATH), params=right) as answer:
            assert (answer.status, await answer.text()) == (200, "987654321")
        for wrong in ({**right, "hub.verify_token": "verify-me-0123456789"}, {}):
            async with intake.session.get(intake.url(PATH), params=wrong) as answer:
                assert answer.status == 403


async def test_a_post_with_a_wrong_signature_is_refused_counted_and_stores_nothing(
        database_url: str) -> None:
    async with running_intake(database_url, config=CONFIG) as intake:
        payload = change(text("Merhaba", "wamid.A1"))
        assert (await post(intake, payload, secret="another-secret-0123456789"))[0] == 403
        async with intake.session.post(intake.url(PATH), json=payload) as answer:
            assert answer.status == 403  # no signature at all
        assert (await intake.stored()).leads == 0
        assert await rows(intake, failed_intake) == []


async def test_a_number_no_source_claims_is_kept_as_failed_with_that_reason(
        database_url: str) -> None:
    async with running_intake(database_url, config=CONFIG) as intake:
        status, answer = await post(intake, change(text("Merhaba", "wamid.B1"),
                                                   number_id="999000111"))
        assert status == 200
        [kept] = await rows(intake, failed_intake)
        assert (kept["reason"], kept["source"], kept["authenticated"]) == (
            "unclaimed", None, True)
        assert "999000111" in kept["detail"]
        assert answer["failed_intake"] == [kept["id"]]
        assert (await intake.stored()).leads == 0


async def test_a_first_text_becomes_a_lead_with_the_profile_name_and_number(
        database_url: str, caplog: pytest.LogCaptureFixture) -> None:
    async with running_intake(database_url, config=CONFIG) as intake:
        with caplog.at_level(logging.INFO):
            status, answer = await post(intake, change(text("2+1 in Kadıköy?", "wamid.C1")))
        assert status == 200
        [lead_id] = answer["leads"]
        lead = await intake.lead(lead_id)
        assert (lead["source"], lead["name"], lead["phone"], lead["message"]) == (
            "whatsapp", "Deniz Kaya", "+" + WA_ID, "2+1 in Kadıköy?")
        assert lead["external_id"] == "wamid.C1"
        assert await intake.whole(lead_id)
        assert WA_ID not in caplog.text
        assert "Deniz" not in caplog.text


async def test_a_first_photo_with_a_caption_becomes_a_lead_showing_both(
        database_url: str) -> None:
    async with running_intake(database_url, config=CONFIG) as intake:
        [lead_id] = (await post(intake, change(photo("This one, is it free?", "wamid.D1"))))[
            1]["leads"]
        assert (await intake.lead(lead_id))["message"] == "[photo] This one, is it free?"


async def test_the_same_message_delivered_twice_is_taken_once(database_url: str) -> None:
    async with running_intake(database_url, config=CONFIG) as intake:
        first = await post(intake, change(text("Merhaba", "wamid.E1")))
        again = await post(intake, change(text("Merhaba", "wamid.E1")))
        assert again == (200, {"leads": [], "attached_to": [], "failed_intake": [],
                               "already_taken": 1})
        follow = await post(intake, change(text("Are you there?", "wamid.E2")))
        await post(intake, change(text("Are you there?", "wamid.E2")))
        assert follow[1]["attached_to"] == first[1]["leads"]
        assert (await intake.stored()).leads == 1
        assert len(await rows(intake, lead_events, lead_events.c.kind == MESSAGE_EVENT)) == 1


async def test_a_status_update_or_another_field_is_acknowledged_and_changes_nothing(
        database_url: str) -> None:
    async with running_intake(database_url, config=CONFIG) as intake:
        delivered = [{"id": "wamid.F1", "status": "delivered", "timestamp": "1772611260",
                      "recipient_id": WA_ID}]
        assert (await post(intake, change(statuses=delivered)))[0] == 200
        assert (await post(intake, change(field="account_update")))[0] == 200
        assert (await intake.stored()).leads == 0
        assert await rows(intake, failed_intake) == []


async def test_a_follow_up_joins_the_open_lead_and_reaches_its_owner_after_accept(
        database_url: str) -> None:
    async with running_intake(database_url, config=CONFIG) as intake:
        for person in (AYSE, MEHMET, ZEYNEP, SELIN):
            await intake.relay.run(link_chat, telegram_id=person, chat_id=person)
        [lead_id] = (await post(intake, change(text("Merhaba", "wamid.G1"))))[1]["leads"]
        # Before anyone owns it: kept in its history only.
        assert (await post(intake, change(text("Hello?", "wamid.G2"))))[1][
            "attached_to"] == [lead_id]
        await intake.relay.route_new_leads()
        [offer] = await rows(intake, offers, offers.c.lead_id == lead_id)
        await intake.relay.run(accept_offer, agent_id=offer["agent_id"], offer_id=offer["id"],
                               token=offer["token"])
        late = change(photo(None, "wamid.G3"))
        assert (await post(intake, late))[1]["attached_to"] == [lead_id]
        assert (await intake.stored()).leads == 1
        history = await rows(intake, lead_events, lead_events.c.lead_id == lead_id,
                             lead_events.c.kind == MESSAGE_EVENT)
        assert [e["data"]["text"] for e in history] == ["Hello?", "[photo]"]
        told = await rows(intake, outbox, outbox.c.template == "whatsapp_message")
        assert [(m["chat_id"], m["params"]["text"], m["params"]["phone"]) for m in told] == [
            (offer["agent_id"], "[photo]", "+" + WA_ID)]
        shown = Renderer(zone=ZoneInfo("Europe/Istanbul"), office="Test Realty",
                         clock=intake.clock).outgoing("whatsapp_message", told[0]["params"])
        assert shown.text == f"💬 <b>Deniz Kaya</b> wrote on WhatsApp (lead #{lead_id}):\n[photo]"
        assert shown.keyboard is not None
        [[button]] = shown.keyboard.inline_keyboard
        assert (button.text, button.url) == ("💬 Reply on WhatsApp", f"https://wa.me/{WA_ID}")
        turkish = Renderer(zone=ZoneInfo("Europe/Istanbul"), office="Test Realty",
                           clock=intake.clock).outgoing(
            "whatsapp_message", {**told[0]["params"], "lang": "tr"})
        assert "WhatsApp'tan yazdı" in turkish.text


async def test_a_message_after_the_lead_is_lost_makes_a_new_lead_for_the_returning_contact(
        database_url: str) -> None:
    async with running_intake(database_url, config=CONFIG) as intake:
        for person in (AYSE, MEHMET, ZEYNEP, SELIN):
            await intake.relay.run(link_chat, telegram_id=person, chat_id=person)
        [first] = (await post(intake, change(text("Merhaba", "wamid.J1"))))[1]["leads"]
        await intake.relay.route_new_leads()
        [offer] = await rows(intake, offers, offers.c.lead_id == first)
        await intake.relay.run(accept_offer, agent_id=offer["agent_id"], offer_id=offer["id"],
                               token=offer["token"])
        await intake.relay.run(record_stage, agent_id=offer["agent_id"], lead_id=first,
                               stage=Stage.LOST, reason="price")
        [second] = (await post(intake, change(text("Any cheaper ones?", "wamid.J2"))))[1][
            "leads"]
        assert second != first
        lead = await intake.lead(second)
        assert (lead["message"], lead["returning_contact"]) == ("Any cheaper ones?", True)
        assert (await intake.stored()).contacts == 1


async def test_a_click_to_whatsapp_ad_s_referral_becomes_the_lead_s_campaign(
        database_url: str) -> None:
    async with running_intake(database_url, config=CONFIG) as intake:
        status, answer = await post(intake, change(from_ad("Fiyat?", "wamid.T1", CLICK)))
        assert status == 200
        [lead_id] = answer["leads"]
        lead = await intake.lead(lead_id)
        assert lead["campaign"] == {
            "utm_source": "facebook", "ad_id": CLICK["source_id"], "source_type": "ad",
            "source_url": CLICK["source_url"], "headline": CLICK["headline"],
            "ctwa_clid": CLICK["ctwa_clid"]}
        post_click = {"source_url": "https://www.instagram.com/p/C4xYz12AbCd/",
                      "source_id": "17912345678901234", "source_type": "post"}
        status, answer = await post(intake, change(
            from_ad("Merhaba", "wamid.T2", post_click, wa_id="905339876543"),
            wa_id="905339876543"))
        lead = await intake.lead(answer["leads"][0])
        assert lead["campaign"] == {
            "utm_source": "instagram", "post_id": post_click["source_id"],
            "source_type": "post", "source_url": post_click["source_url"]}
        status, answer = await post(intake, change(text("Merhaba", "wamid.T3",
                                                        wa_id="905351112233"),
                                                   wa_id="905351112233"))
        assert (await intake.lead(answer["leads"][0]))["campaign"] in (None, {})


def test_each_kind_of_first_message_is_shown_by_its_placeholder() -> None:
    base = {"from": WA_ID, "id": "wamid.H"}
    cases = [
        ({"type": "audio", "audio": {"id": "1", "voice": True}}, "[voice message]"),
        ({"type": "audio", "audio": {"id": "1"}}, "[audio]"),
        ({"type": "document", "document": {"filename": "tapu.pdf", "caption": "the deed"}},
         "[document: tapu.pdf] the deed"),
        ({"type": "location", "location": {"latitude": 40.98, "longitude": 29.03,
                                           "name": "Moda", "address": "Moda Cd. 1"}},
         "[location: Moda, Moda Cd. 1 · 40.98, 29.03]"),
        ({"type": "video", "video": {"id": "1", "caption": "the view"}}, "[video] the view"),
        ({"type": "sticker", "sticker": {"id": "1"}}, "[sticker]"),
        ({"type": "contacts", "contacts": [{"name": {"formatted_name": "Ali Veli"},
                                             "phones": [{"phone": "+90 532 000 00 00"}]}]},
         "[contact: Ali Veli +90 532 000 00 00]"),
        ({"type": "interactive", "interactive": {"type": "button_reply", "button_reply": {
            "id": "yes", "title": "Yes, call me"}}}, "Yes, call me"),
    ]
    for message, shown in cases:
        [got] = messages_in(change({**base, **message}))
        assert got.text == shown
    assert messages_in(change({**base, "type": "system", "system": {"body": "x"}})) == []
