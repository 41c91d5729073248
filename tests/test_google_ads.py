"""Google Ads lead forms end to end: Google's own JSON over real HTTP, on SQLite and
PostgreSQL; test leads never offered, a wrong key refused and kept as a wrong-token post, a
lead refused for want of a contact replayed by `leadrelay intake replay` once fixed."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from storage.tables import failed_intake, leads, outbox
from tests.intake import RunningIntake, running_intake
from tests.office import AYSE, office, office_data
from tests.test_platform_sources import GOOGLE, WEBSITE
from tests.test_policy_cli import leadrelay

KEY = GOOGLE["google_key"]


def google_lead(lead_id: str = "TeSter-123-ABCDEFGHIJKLMNOPQRSTUVWXYZ", *,
                key: str = KEY, is_test: bool = False) -> dict[str, Any]:
    """What Google Ads posts for one lead form submission."""
    return {
        "lead_id": lead_id, "api_version": "1.0", "form_id": 40000000, "campaign_id": 123456,
        "google_key": key, "is_test": is_test, "gcl_id": "EAIaIQobChMI-gclid",
        "adgroup_id": 20000000, "creative_id": 30000000,
        "user_column_data": [
            {"column_name": "Full Name", "string_value": "Deniz Kaya", "column_id": "FULL_NAME"},
            {"column_name": "User Phone", "string_value": "+905321234567",
             "column_id": "PHONE_NUMBER"},
            {"column_name": "User Email", "string_value": "deniz@example.com",
             "column_id": "EMAIL"},
            {"column_name": "Postal Code", "string_value": "34710", "column_id": "POSTAL_CODE"},
            {"column_name": "City", "string_value": "Istanbul", "column_id": "CITY"},
            {"column_name": "How many rooms?", "string_value": "3+1",
             "column_id": "rooms_question"}]}


async def post(intake: RunningIntake, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """POST *body* as JSON to /webhooks/google-ads."""
    async with intake.session.post(intake.url("/webhooks/google-ads"), json=body) as answer:
        return answer.status, await answer.json()


async def rows(intake: RunningIntake, table: Any) -> list[dict[str, Any]]:
    """Every row of *table*, oldest first."""
    async with intake.engine.connect() as conn:
        found = await conn.execute(select(table).order_by(table.c.id))
        return [dict(row._mapping) for row in found]


async def test_a_google_lead_is_stored_once_with_its_extras_and_campaign(
    database_url: str,
) -> None:
    async with running_intake(database_url,
                              config=office(sources=[WEBSITE, GOOGLE])) as intake:
        status, answer = await post(intake, google_lead())
        assert status == 200
        assert (await post(intake, google_lead()))[1] == answer  # Google's retry
        lead = await intake.lead(answer["lead_id"])
        assert (lead["source"], lead["name"], lead["phone"], lead["email"]) == (
            "google", "Deniz Kaya", "+905321234567", "deniz@example.com")
        assert (lead["region"], lead["postal_code"]) == ("Istanbul", "34710")
        assert lead["external_id"] == "TeSter-123-ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        assert lead["extras"] == {"How many rooms?": "3+1"}
        assert lead["campaign"] == {"campaign_id": "123456", "form_id": "40000000",
                                    "gcl_id": "EAIaIQobChMI-gclid", "adgroup_id": "20000000",
                                    "creative_id": "30000000"}
        assert len(await rows(intake, leads)) == 1


async def test_a_google_test_lead_is_kept_and_never_offered(database_url: str) -> None:
    async with running_intake(database_url,
                              config=office(sources=[WEBSITE, GOOGLE])) as intake:
        status, answer = await post(intake, google_lead(is_test=True))
        assert (status, answer) == (200, {"lead_id": None, "test": True})
        await intake.relay.route_new_leads()
        assert await rows(intake, leads) == []
        assert [m for m in await rows(intake, outbox) if m["chat_id"] == AYSE] == []
        [kept] = await rows(intake, failed_intake)
        assert (kept["reason"], kept["source"]) == ("test", "google")
        assert KEY.encode() not in kept["body"]


async def test_a_wrong_google_key_is_refused_and_kept_as_a_wrong_token_post(
    database_url: str,
) -> None:
    async with running_intake(database_url,
                              config=office(sources=[WEBSITE, GOOGLE])) as intake:
        status, _answer = await post(intake, google_lead(key="google-key-012345678X"))
        assert status == 403
        assert (await post(intake, {k: v for k, v in google_lead().items()
                                    if k != "google_key"}))[0] == 403
        assert await rows(intake, leads) == []
        kept = await rows(intake, failed_intake)
        assert [(k["reason"], k["authenticated"]) for k in kept] == [
            ("unauthenticated", False)] * 2
        assert all(b"google-key-0123456789" not in k["body"] for k in kept)


async def test_a_google_lead_without_a_usable_contact_is_kept_and_replayed_once_its_source_is_fixed(
    database_url: str, tmp_path: Path,
) -> None:
    # The form asks for the phone as a custom question, which nothing maps to the phone yet.
    whatsapp = {"column_name": "WhatsApp number", "string_value": "+905321234567",
                "column_id": "whatsapp_question"}
    form = google_lead("TeSter-777-ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    form["user_column_data"] = [form["user_column_data"][0], whatsapp]
    async with running_intake(database_url,
                              config=office(sources=[WEBSITE, GOOGLE])) as intake:
        status, answer = await post(intake, form)
        assert status == 422, answer
        assert await rows(intake, leads) == []
        [kept] = await rows(intake, failed_intake)
        assert (kept["reason"], kept["source"], kept["authenticated"]) == (
            "invalid", "google", True)
        assert KEY.encode() not in kept["body"]

        data = office_data()
        env = {"DATABASE_URL": database_url, "LEADRELAY_CONFIG": str(tmp_path / "leadrelay.yaml")}
        for sources, outcome in (([WEBSITE, GOOGLE], 1), ([WEBSITE, {
                **GOOGLE, "mapping": {"fields": {"phone": "WhatsApp number"}}}], 0)):
            data["sources"] = sources
            (tmp_path / "leadrelay.yaml").write_text(yaml.safe_dump(data, allow_unicode=True),
                                                     encoding="utf-8")
            replayed = await asyncio.to_thread(leadrelay, "intake", "replay", str(kept["id"]),
                                               cwd=tmp_path, env=env)
            assert replayed.returncode == outcome, replayed.stdout + replayed.stderr
        assert "lead #" in replayed.stdout
        [lead] = await rows(intake, leads)
        assert (lead["name"], lead["phone"], lead["source"]) == (
            "Deniz Kaya", "+905321234567", "google")
        assert lead["external_id"] == "TeSter-777-ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        assert lead["campaign"]["gcl_id"] == "EAIaIQobChMI-gclid"
        assert lead["received_at"] == kept["received_at"]
