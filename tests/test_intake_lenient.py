"""Intake keeps every lead with a usable contact (issue 17): over real HTTP, on SQLite and
PostgreSQL, what it keeps, flags and still refuses, and what the card shows of it after
Accept."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.render import Renderer
from core.lead_input import validate_lead
from core.lifecycle.answers import accept_offer
from core.model import OfferStatus
from core.privacy import forget_person
from storage.tables import outbox
from storage.uow import SqlUnitOfWork
from tests.intake import AUTH, RunningIntake, Stored, running_intake
from tests.office import HOT, TOKEN, linked, office

EMAIL = "deniz.kaya@example.com"
CAMPAIGN = {"utm_source": "google", "utm_medium": "cpc", "utm_campaign": "spring-homes",
            "gclid": "Cj0KCQ-abc", "fbclid": "IwAR-xyz"}
CONSENT = {"given": True, "at": "2026-03-04T06:58:00Z", "form": "spring-landing"}


async def templates_of(intake: RunningIntake, lead_id: int) -> list[tuple[str, dict[str, Any]]]:
    """The outbox rows written about lead *lead_id*: template and parameters, oldest first."""
    async with intake.engine.connect() as conn:
        rows = await conn.execute(select(outbox.c.template, outbox.c.params).order_by(outbox.c.id))
        return [(row.template, row.params) for row in rows if row.params.get("lead_id") == lead_id]


async def card_after_accept(intake: RunningIntake, lead_id: int, lang: str) -> str:
    """Accept lead *lead_id*'s offer; the text of the card that opens, in *lang*."""
    await intake.relay.route_new_leads()
    async with SqlUnitOfWork(intake.engine) as uow:
        [offer] = [o for o in await uow.offers.for_lead(lead_id)
                   if o.status is OfferStatus.PENDING]
    await intake.relay.run(accept_offer, agent_id=offer.agent_id, offer_id=offer.id,
                           token=offer.token)
    [card] = [params for template, params in await templates_of(intake, lead_id)
              if template == "card"]
    renderer = Renderer(zone=ZoneInfo("Europe/Istanbul"), office="Test Realty",
                        clock=intake.clock)
    return renderer.outgoing("card", {**card, "lang": lang}).text


@pytest.mark.parametrize(("lang", "more", "consent"), [
    ("en", "More", "Agreed to be contacted: yes · form spring-landing · 04.03.2026 09:58"),
    ("tr", "Diğer", "İletişim izni: verdi · form: spring-landing · 04.03.2026 09:58")])
async def test_extras_campaign_fields_and_consent_are_kept_and_shown_under_more_after_accept(
    database_url: str, lang: str, more: str, consent: str,
) -> None:
    payload = {**HOT, **CAMPAIGN, "consent": CONSENT, "Preferred floor": "high ",
               "answers": {"rooms": 3, "garden": True}}
    async with running_intake(database_url) as intake:
        await linked(intake.relay)
        status, answer = await intake.post(json=payload, headers=AUTH)
        assert (status, set(answer)) == (201, {"lead_id"})  # nothing flagged
        row = await intake.lead(answer["lead_id"])
        assert row["extras"] == {"Preferred floor": "high",
                                 "answers": '{"rooms":3,"garden":true}'}
        assert (row["campaign"], row["consent"], row["flags"]) == (CAMPAIGN, CONSENT, None)
        # Offered without them: extras may name the person, like the message.
        [(template, offer)] = await templates_of(intake, answer["lead_id"])
        assert template == "offer"
        assert "extras" not in offer
        assert "consent" not in offer
        card = await card_after_accept(intake, answer["lead_id"], lang)
    assert f"<b>{more}</b>" in card
    assert "Preferred floor: high" in card
    assert 'answers: {"rooms":3,"garden":true}' in card
    assert consent in card
    assert "gclid" not in card  # campaign fields are for reporting


async def test_a_form_s_consent_checkbox_and_campaign_fields_are_kept(database_url: str) -> None:
    form = {"token": TOKEN, "phone": HOT["phone"], "consent": "on", "utm_source": "facebook",
            "utm_content": "carousel-2"}
    async with running_intake(database_url) as intake:
        status, answer = await intake.post(data=form)
        assert status == 201
        row = await intake.lead(answer["lead_id"])
    assert (row["consent"], row["campaign"]) == ({"given": True}, {"utm_source": "facebook"})
    assert row["extras"] == {"utm_content": "carousel-2"}


async def test_a_long_message_is_kept_whole_and_cut_on_the_card(database_url: str) -> None:
    message = "I would like a flat with a sea view. " * 270  # about 10,000 characters
    async with running_intake(database_url) as intake:
        await linked(intake.relay)
        status, answer = await intake.post(json={**HOT, "message": message}, headers=AUTH)
        assert (status, set(answer)) == (201, {"lead_id"})
        assert (await intake.lead(answer["lead_id"]))["message"] == message.strip()
        card = await card_after_accept(intake, answer["lead_id"], "en")
    shown = card.split("Message: <i>")[1].split("</i>")[0]
    assert shown.endswith("…")
    assert len(shown) <= 600


@pytest.mark.parametrize(("lang", "line"), [
    ("en", "⚠ Phone could not be read: 0532 12"), ("tr", "⚠ Telefon okunamadı: 0532 12")])
async def test_a_bad_phone_next_to_a_good_e_mail_is_kept_flagged_and_the_card_says_so(
    database_url: str, lang: str, line: str,
) -> None:
    payload = {**HOT, "phone": "0532 12", "email": EMAIL}
    async with running_intake(database_url) as intake:
        await linked(intake.relay)
        status, answer = await intake.post(json=payload, headers=AUTH)
        assert (status, answer["flags"]) == (201, {"phone": "unreadable"})
        row = await intake.lead(answer["lead_id"])
        assert (row["phone"], row["email"]) == (None, EMAIL)
        assert (row["flags"], row["extras"]) == ({"phone": "unreadable"}, {"phone": "0532 12"})
        card = await card_after_accept(intake, answer["lead_id"], lang)
    assert line in card
    assert "0532 12" not in card.split(line)[1]  # not again under More


async def test_a_bad_e_mail_next_to_a_good_phone_is_kept_flagged(database_url: str) -> None:
    async with running_intake(database_url) as intake:
        status, answer = await intake.post(json={**HOT, "email": "deniz at home"}, headers=AUTH)
        assert (status, answer["flags"]) == (201, {"email": "unreadable"})
        assert (await intake.lead(answer["lead_id"]))["phone"] == HOT["phone"]


@pytest.mark.parametrize(("given", "bounds"), [
    ({"budget": 4500000}, (4_500_000, 4_500_000)),
    ({"budget": "4500000"}, (4_500_000, 4_500_000)),
    ({"budget": "4.500.000"}, (4_500_000, 4_500_000)),
    ({"budget": "4,5 milyon"}, (4_500_000, 4_500_000)),
    ({"budget": "4.5m"}, (4_500_000, 4_500_000)),
    ({"budget": "4,5 M TL"}, (4_500_000, 4_500_000)),
    ({"budget": "3-5 milyon"}, (3_000_000, 5_000_000)),
    ({"budget_min": "4.500.000", "budget_max": "6 milyon"}, (4_500_000, 6_000_000)),
    ({"budget_min": "3-5 milyon"}, (3_000_000, None)),
    ({"budget": "3-5 milyon", "budget_max": "4,5 milyon"}, (3_000_000, 4_500_000)),
], ids=lambda value: str(value))
async def test_each_way_of_writing_an_amount_gives_the_budget(
    database_url: str, given: dict[str, object], bounds: tuple[int | None, int | None],
) -> None:
    payload = {"phone": HOT["phone"], **given}
    async with running_intake(database_url) as intake:
        status, answer = await intake.post(json=payload, headers=AUTH)
        assert (status, set(answer)) == (201, {"lead_id"})
        form_status, form_answer = await intake.post(
            data={"token": TOKEN, **{k: str(v) for k, v in payload.items()}})
        assert form_status == 201
        for lead_id in (answer["lead_id"], form_answer["lead_id"]):
            row = await intake.lead(lead_id)
            assert (row["budget_min"], row["budget_max"]) == bounds


async def test_an_amount_that_is_not_one_is_flagged_and_kept_as_sent(database_url: str) -> None:
    payload = {"phone": HOT["phone"], "budget": "depends on the view"}
    async with running_intake(database_url) as intake:
        status, answer = await intake.post(json=payload, headers=AUTH)
        assert (status, answer["flags"]) == (201, {"budget": "unreadable"})
        row = await intake.lead(answer["lead_id"])
    assert (row["budget_min"], row["extras"]) == (None, {"budget": "depends on the view"})


async def test_a_product_the_office_does_not_name_is_kept_and_flagged(database_url: str) -> None:
    config = office(routing={"rules": [
        {"name": "homes", "when": {"product": ["residential", "land"]}, "fallback": "default"},
        {"name": "default", "fallback": "managers"}]})
    async with running_intake(database_url, config=config) as intake:
        known = await intake.post(json={**HOT, "product": "Residential"}, headers=AUTH)
        unknown = await intake.post(json={**HOT, "product": "spaceship"}, headers=AUTH)
        assert (known[0], set(known[1])) == (201, {"lead_id"})
        assert (unknown[0], unknown[1]["flags"]) == (201, {"product": "unknown"})
        assert (await intake.lead(unknown[1]["lead_id"]))["product"] == "spaceship"


async def test_more_than_fifty_other_fields_keep_the_first_fifty_flagged(
    database_url: str,
) -> None:
    form = {"token": TOKEN, "phone": HOT["phone"], **{f"q{i:02}": f"a{i}" for i in range(60)}}
    async with running_intake(database_url) as intake:
        status, answer = await intake.post(data=form)
        assert (status, answer["flags"]) == (201, {"extras": "too_many"})
        row = await intake.lead(answer["lead_id"])
    assert list(row["extras"]) == [f"q{i:02}" for i in range(50)]


async def test_a_lead_without_any_usable_contact_is_still_422_and_not_stored(
    database_url: str,
) -> None:
    payload = {"name": "Deniz", "colour": "blue", **CAMPAIGN, "consent": True,
               "phone": "call me", "email": "not an address"}
    async with running_intake(database_url) as intake:
        status, answer = await intake.post(json=payload, headers=AUTH)
        assert status == 422
        assert answer["fields"] == [
            {"field": "phone", "problem": "is not a phone number"},
            {"field": "email", "problem": "is not an e-mail address"}]
        status, answer = await intake.post(json={"name": "Deniz", "colour": "blue"},
                                           headers=AUTH)
        assert (status, answer["fields"]) == (
            422, [{"field": "phone", "problem": "phone or email is required"}])
        assert await intake.stored() == Stored(leads=0, contacts=0)


def test_a_message_beyond_64_kib_is_cut_and_flagged() -> None:
    kept = validate_lead({"phone": HOT["phone"], "message": "x" * (64 * 1024)},
                         default_region="TR")
    assert (len(kept.message or ""), kept.flags) == (64 * 1024, {})
    cut = validate_lead({"phone": HOT["phone"], "message": "x" * (64 * 1024 + 1)},
                        default_region="TR")
    assert (len(cut.message or ""), cut.flags) == (64 * 1024, {"message": "cut"})
    assert (cut.message or "").endswith("…")


async def test_forgetting_the_person_erases_their_extras_and_consent(database_url: str) -> None:
    payload = {**HOT, "consent": CONSENT, "home address": "Moda Cd. 12, Kadıköy",
               **CAMPAIGN}
    async with running_intake(database_url) as intake:
        status, answer = await intake.post(json=payload, headers=AUTH)
        assert status == 201
        await intake.relay.run(forget_person, who=HOT["phone"])
        row = await intake.lead(answer["lead_id"])
    assert (row["extras"], row["consent"]) == (None, None)
    assert row["campaign"] == CAMPAIGN  # what it was about, not who
