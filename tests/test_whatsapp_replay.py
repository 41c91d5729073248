"""Signed WhatsApp posts kept in failed intake and taken in by `leadrelay intake replay`
once the config is fixed (a lead keeps the time the post arrived, each message is taken
once); over real HTTP on SQLite and PostgreSQL, the CLI run as an operator runs it."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml

from core.lifecycle.whatsapp import WHATSAPP_TYPE
from storage.tables import failed_intake, leads
from tests.intake import START, RunningIntake, running_intake
from tests.office import office, office_data
from tests.test_platform_sources import WEBSITE, WHATSAPP
from tests.test_policy_cli import leadrelay
from tests.test_whatsapp import CLICK, CONFIG, change, from_ad, post, rows, text

NEW_NUMBER_ID = "109876543210987"  # a second business number, not yet in the config
FIXED = {**WHATSAPP, "phone_number_ids": [*WHATSAPP["phone_number_ids"], NEW_NUMBER_ID]}


def fixed_config(tmp_path: Path, database_url: str) -> dict[str, str]:
    """leadrelay.yaml with the new number added to the WhatsApp source; the CLI's env."""
    data = office_data()
    data["sources"] = [WEBSITE, FIXED]
    config = tmp_path / "leadrelay.yaml"
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return {"DATABASE_URL": database_url, "LEADRELAY_CONFIG": str(config)}


async def replay(*args: str, cwd: Path, env: dict[str, str]) -> tuple[int, str]:
    """`leadrelay intake replay *args*` as a process; its exit code and what it printed."""
    done = await asyncio.to_thread(leadrelay, "intake", "replay", *args, cwd=cwd, env=env)
    return done.returncode, done.stdout + done.stderr


async def kept(intake: RunningIntake, payload: dict[str, Any]) -> dict[str, Any]:
    """Post *payload* (answered 200) and the failed_intake row it was kept as."""
    status, answer = await post(intake, payload)
    assert status == 200
    [failure_id] = answer["failed_intake"]
    [row] = await rows(intake, failed_intake, failed_intake.c.id == failure_id)
    return row


async def test_an_unclaimed_number_s_post_is_replayed_once_the_number_is_added(
        database_url: str, tmp_path: Path) -> None:
    async with running_intake(database_url, config=CONFIG) as intake:
        row = await kept(intake, change(from_ad("Is the flat in Moda free?", "wamid.R1", CLICK),
                                        number_id=NEW_NUMBER_ID))
        assert (row["reason"], row["source"], row["authenticated"], row["content_type"]) == (
            "unclaimed", None, True, WHATSAPP_TYPE)
        assert row["headers"]["content-type"] == "application/json"
        intake.clock.advance(timedelta(hours=5))

        # Before the fix it still fails, says why and stays.
        unfixed = tmp_path / "unfixed.yaml"
        unfixed.write_text(yaml.safe_dump({**office_data(), "sources": [WEBSITE, WHATSAPP]},
                                          allow_unicode=True), encoding="utf-8")
        code, said = await replay(str(row["id"]), cwd=tmp_path, env={
            "DATABASE_URL": database_url, "LEADRELAY_CONFIG": str(unfixed)})
        assert code == 1, said
        assert f"still fails: phone_number_id {NEW_NUMBER_ID} is claimed by no" in said
        assert await rows(intake, leads) == []

        env = fixed_config(tmp_path, database_url)
        code, said = await replay(str(row["id"]), cwd=tmp_path, env=env)
        assert code == 0, said
        [lead] = await rows(intake, leads)
        assert f"#{row['id']}: lead #{lead['id']}" in said
        assert (lead["source"], lead["name"], lead["phone"], lead["message"]) == (
            "whatsapp", "Deniz Kaya", "+905321234567", "Is the flat in Moda free?")
        assert lead["received_at"] == row["received_at"] == START
        assert lead["campaign"]["ad_id"] == CLICK["source_id"]
        assert lead["campaign"]["ctwa_clid"] == CLICK["ctwa_clid"]
        [marked] = await rows(intake, failed_intake)
        assert marked["replayed_at"] is not None
        assert marked["lead_id"] == lead["id"]

        code, said = await replay(str(row["id"]), cwd=tmp_path, env=env)
        assert code == 0, said
        assert f"already replayed into lead #{lead['id']}" in said
    # Meta's own retry, to the server restarted with the fixed config, finds it taken.
    async with running_intake(database_url, config=office(sources=[WEBSITE, FIXED])) as intake:
        status, answer = await post(intake, change(
            from_ad("Is the flat in Moda free?", "wamid.R1", CLICK), number_id=NEW_NUMBER_ID))
        assert (status, answer["already_taken"], answer["leads"]) == (200, 1, [])
        assert len(await rows(intake, leads)) == 1


async def test_replay_all_takes_every_kept_whatsapp_post_and_each_message_once(
        database_url: str, tmp_path: Path) -> None:
    async with running_intake(database_url, config=CONFIG) as intake:
        first = await kept(intake, change(text("Merhaba", "wamid.S1"),
                                          number_id=NEW_NUMBER_ID))
        intake.clock.advance(timedelta(minutes=1))
        retried = await kept(intake, change(text("Merhaba", "wamid.S1"),
                                            number_id=NEW_NUMBER_ID))  # Meta delivers again
        other = await kept(intake, change(text("Kiralık var mı?", "wamid.S2",
                                               wa_id="905339876543"),
                                          number_id=NEW_NUMBER_ID, name="Ali Veli",
                                          wa_id="905339876543"))
        unreadable = await kept(intake, change(text("?", "wamid.S3", wa_id="12"), wa_id="12"))
        assert unreadable["reason"] == "invalid"

        code, said = await replay("--all", cwd=tmp_path,
                                  env=fixed_config(tmp_path, database_url))
        assert code == 1, said  # the number that is not a phone still fails
        stored = {lead["external_id"]: lead for lead in await rows(intake, leads)}
        assert sorted(stored) == ["wamid.S1", "wamid.S2"]
        assert stored["wamid.S1"]["received_at"] == first["received_at"]
        assert stored["wamid.S2"]["name"] == "Ali Veli"
        marked = {row["id"]: row for row in await rows(intake, failed_intake)}
        assert marked[first["id"]]["lead_id"] == stored["wamid.S1"]["id"]
        assert marked[retried["id"]]["lead_id"] == stored["wamid.S1"]["id"]
        assert marked[other["id"]]["lead_id"] == stored["wamid.S2"]["id"]
        assert marked[unreadable["id"]]["replayed_at"] is None
        assert f"#{unreadable['id']}: still fails: phone:" in said
