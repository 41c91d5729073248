"""Personal data on request (KVKK, GDPR): a person's data exported, or forgotten everywhere
while the office's figures stay; closed leads' personal data erased by age."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import stat
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from core.app import App
from core.clock import ManualClock
from core.errors import InvalidInput
from core.lifecycle.answers import accept_offer
from core.lifecycle.entry import entry_answer, start_entry
from core.lifecycle.working import record_stage
from core.model import LeadStatus, Stage
from core.privacy import export_person, forget_expired_leads, forget_person
from core.queries import office_stats
from leadrelay.bootstrap import bootstrap, sql_uow_factory
from leadrelay.cli import main
from storage.db import create_engine
from storage.migrate import upgrade
from storage.tables import contacts, lead_events, leads, outbox, prompts
from tests.office import AYSE, HOT, MEHMET, SELIN, TOKEN, linked, office, office_data

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DENIZ = {**HOT, "email": "deniz@example.com", "message": "Call me after 6, my son Efe answers"}
OTHER = {**HOT, "phone": "+905551112233", "name": "Ece Yılmaz", "email": "ece@example.com"}
PERSONAL = ("Deniz", "+905321234567", "deniz@example.com", "Efe")


@pytest.fixture
async def app(engine: AsyncEngine) -> AsyncIterator[App]:
    clock = ManualClock(START)
    relay = bootstrap(config=office(retention={"closed_leads_months": 6}), clock=clock,
                      uow_factory=sql_uow_factory(engine))
    yield await linked(relay)
    await relay.stop()


async def won_lead(app: App, payload: dict[str, object], *, note: str) -> int:
    """A lead its agent accepted and won, with a note naming someone."""
    lead_id = (await app.receive_lead(source_token=TOKEN, payload=payload)).lead_id
    async with app.uow() as uow:
        [offer] = await uow.offers.for_lead(lead_id)
    await app.run(accept_offer, agent_id=offer.agent_id, offer_id=offer.id, token=offer.token)
    await app.run(record_stage, agent_id=offer.agent_id, lead_id=lead_id, stage=Stage.WON,
                  note=note)
    return lead_id


async def everything_stored(engine: AsyncEngine) -> str:
    """Every row of every table that can hold personal data, as one text to search."""
    async with engine.connect() as conn:
        rows = [list(r) for table in (contacts, leads, lead_events, outbox, prompts)
                for r in await conn.execute(select(table))]
    return json.dumps(rows, default=str, ensure_ascii=False)


async def test_an_export_holds_the_contact_their_leads_history_and_every_message(
    app: App,
) -> None:
    lead_id = await won_lead(app, DENIZ, note="spoke with Efe")
    await won_lead(app, OTHER, note="someone else")
    held = await app.run(export_person, who="0532 123 45 67")
    data = held.to_json()
    assert [c["email"] for c in data["contacts"]] == ["deniz@example.com"]
    assert [lead["id"] for lead in data["leads"]] == [lead_id]
    assert {e["kind"] for e in data["history"]} >= {"received", "offered", "accepted",
                                                    "stage"}
    assert any(e["data"].get("note") == "spoke with Efe" for e in data["history"])
    assert {m["template"] for m in data["messages"]} >= {"offer", "card"}
    assert "ece@example.com" not in json.dumps(data), "nobody else's data"
    assert (await app.run(export_person, who="DENIZ@example.com")).leads == held.leads


async def test_forgetting_a_person_erases_them_everywhere_and_keeps_the_figures(
    app: App, engine: AsyncEngine,
) -> None:
    lead_id = await won_lead(app, DENIZ, note="spoke with Efe")
    await won_lead(app, OTHER, note="called Ece")
    before = await app.run(office_stats, manager_id=SELIN, period="7d")
    held = await everything_stored(engine)
    assert all(part in held for part in PERSONAL)
    gone = await app.run(forget_person, who="deniz@example.com")
    assert gone.lead_ids == [lead_id]
    stored = await everything_stored(engine)
    for part in PERSONAL:
        assert part not in stored, f"{part!r} is still held"
    assert "ece@example.com" in stored, "only that person"
    assert "called Ece" in stored
    assert await app.run(office_stats, manager_id=SELIN, period="7d") == before
    async with app.uow() as uow:
        lead = await uow.leads.get(lead_id)
    assert lead is not None
    assert (lead.status, lead.stage, lead.product) == (LeadStatus.CLOSED, Stage.WON,
                                                      "residential")
    assert (await app.run(export_person, who="deniz@example.com")).contacts == []


async def test_forgetting_a_person_drops_a_lead_of_theirs_someone_is_entering_with_new(
    app: App, engine: AsyncEngine,
) -> None:
    await won_lead(app, DENIZ, note="spoke with Efe")
    for agent, name, phone in ((AYSE, "Deniz Kaya", "0532 123 45 67"),
                               (MEHMET, "Ece Yılmaz", "+905551112233")):
        await app.run(start_entry, agent_id=agent)
        for answer in (name, phone):
            await app.run(entry_answer, agent_id=agent, text=answer)
    await app.run(forget_person, who="deniz@example.com")
    stored = await everything_stored(engine)
    assert "+905321234567" not in stored
    assert "Deniz" not in stored
    assert await app.run(entry_answer, agent_id=AYSE, text="residential") is None
    step = await app.run(entry_answer, agent_id=MEHMET, text="residential")
    assert step is not None, "someone else's entry goes on"
    assert step.question == "region"


async def test_a_lead_arriving_after_forgetting_starts_a_new_contact(app: App) -> None:
    first = await won_lead(app, DENIZ, note="n")
    await app.run(forget_person, who="deniz@example.com")
    again = (await app.receive_lead(source_token=TOKEN, payload=DENIZ)).lead_id
    async with app.uow() as uow:
        old, new = await uow.leads.get(first), await uow.leads.get(again)
    assert old is not None
    assert new is not None
    assert new.contact_id != old.contact_id
    assert not new.returning, "nothing is left to recognise them by"


async def test_a_request_names_a_phone_or_an_e_mail_or_is_refused(app: App) -> None:
    with pytest.raises(InvalidInput):
        await app.run(export_person, who="not a number")


async def test_closed_leads_lose_their_personal_data_once_the_retention_period_passed(
    engine: AsyncEngine,
) -> None:
    clock = ManualClock(START)
    app = await linked(bootstrap(config=office(retention={"closed_leads_months": 6}),
                                 clock=clock, uow_factory=sql_uow_factory(engine)))
    old = await won_lead(app, DENIZ, note="spoke with Efe")
    clock.advance(timedelta(days=120))
    recent = await won_lead(app, OTHER, note="called Ece")
    open_ = (await app.receive_lead(source_token=TOKEN, payload={
        **HOT, "phone": "+905557778899", "name": "Open Lead"})).lead_id
    clock.advance(timedelta(days=70))  # `old` closed ~6.3 months ago, `recent` ~2.3
    assert await app.run_in_turns(forget_expired_leads) == [old]
    assert await app.run_in_turns(forget_expired_leads) == [], "erased once"
    stored = await everything_stored(engine)
    assert not any(part in stored for part in PERSONAL)
    assert "Ece Yılmaz" in stored
    assert "Open Lead" in stored
    async with app.uow() as uow:
        kept = [await uow.leads.get(i) for i in (recent, open_)]
    assert all(lead is not None and lead.phone for lead in kept)
    await app.stop()


async def test_without_a_retention_policy_nothing_is_erased_by_age(engine: AsyncEngine) -> None:
    clock = ManualClock(START)
    app = await linked(bootstrap(config=office(), clock=clock,
                                 uow_factory=sql_uow_factory(engine)))
    await won_lead(app, DENIZ, note="n")
    clock.advance(timedelta(days=3650))
    assert await app.run_in_turns(forget_expired_leads) == []
    await app.stop()


# --- the command line -----------------------------------------------------------------------


@pytest.fixture
def office_files(tmp_path: Path, database_url: str,
                 monkeypatch: pytest.MonkeyPatch) -> Path:
    config = tmp_path / "leadrelay.yaml"
    config.write_text(yaml.safe_dump(office_data(), allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("LEADRELAY_CONFIG", str(config))
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def cli(*args: str) -> int:
    """Run the command line in this process, then put back the root logger it configures.

    Left at INFO with a handler on this test's stderr, it would log into later tests of the
    same worker (test_delivery counts the dispatcher's records).
    """
    root = logging.getLogger()
    level, handlers = root.level, root.handlers[:]
    try:
        with pytest.raises(SystemExit) as done:
            main(list(args))
    finally:
        for handler in set(root.handlers) - set(handlers):
            handler.close()
        root.setLevel(level)
        root.handlers[:] = handlers
    return int(done.value.code or 0)


async def test_the_command_line_exports_to_a_private_file_and_forgets_only_with_yes(
    office_files: Path, database_url: str, capsys: pytest.CaptureFixture[str],
) -> None:
    engine = create_engine(database_url)
    await upgrade(engine)
    app = await linked(bootstrap(config=office(), clock=ManualClock(START),
                                 uow_factory=sql_uow_factory(engine)))
    await won_lead(app, DENIZ, note="spoke with Efe")
    await app.stop()
    await engine.dispose()
    out = office_files / "deniz.json"
    assert await _in_thread(cli, "contact", "export", "deniz@example.com", "--out", str(out)) == 0
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    assert json.loads(out.read_text(encoding="utf-8"))["contacts"][0]["phone"] == "+905321234567"
    assert await _in_thread(cli, "contact", "forget", "deniz@example.com") == 1
    assert "add --yes" in capsys.readouterr().err
    assert await _in_thread(cli, "contact", "forget", "deniz@example.com", "--yes") == 0
    said = capsys.readouterr()
    assert "erased 1 contact record(s)" in said.out
    logged = said.err  # the CLI logs to standard error
    assert "a person's data was forgotten" in logged
    assert not any(part in logged for part in PERSONAL), "the log names no one"
    assert await _in_thread(cli, "contact", "export", "deniz@example.com") == 0
    assert json.loads(capsys.readouterr().out)["contacts"] == []


async def _in_thread(call: Callable[..., int], *args: str) -> int:
    """The CLI runs its own event loop: run it beside the test's."""
    return await asyncio.to_thread(call, *args)
