"""Chat input is bounded: ids and amounts typed or carried by a button get a clear answer,
whatever their size or script, never the generic error or an exception in the log."""

from __future__ import annotations

import itertools
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.keyboards import UnreadableButton, decode
from core.app import App
from core.clock import ManualClock
from core.errors import AmountTooLarge, ConfigError, NotAnAmount
from core.lifecycle.answers import accept_offer
from core.lifecycle.roster_import import sync_roster
from core.lifecycle.working import record_stage
from core.model import LeadStatus, OfferStatus, Stage
from core.roster import link_chat
from leadrelay.bootstrap import bootstrap
from leadrelay.office import load_office
from storage.uow import SqlUnitOfWork
from tests.fakes import FakeDatabase, fake_uow_factory
from tests.harness import RunningOffice, offer_for, running_office, text_has, until
from tests.office import AYSE, HOT, MEHMET, SELIN, TOKEN, ZEYNEP, office, office_data

INT64 = 2**63 - 1
START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


async def accepted_lead(**changes: object) -> tuple[App, FakeDatabase, int, int]:
    """A relay on fakes with one lead accepted: the relay, its data, the lead, its owner."""
    db = FakeDatabase()
    tokens = (f"tok{i}" for i in itertools.count())
    relay = bootstrap(config=office(**changes), clock=ManualClock(START),
                      uow_factory=fake_uow_factory(db), token_factory=lambda: next(tokens))
    await relay.run(sync_roster)
    for person in (AYSE, MEHMET, ZEYNEP, SELIN):
        await relay.run(link_chat, telegram_id=person, chat_id=person)
    lead_id = (await relay.receive_lead(source_token=TOKEN, payload=HOT)).lead_id
    offer = next(o for o in db.offers.values() if o.status is OfferStatus.PENDING)
    await relay.run(accept_offer, agent_id=offer.agent_id, offer_id=offer.id, token=offer.token)
    return relay, db, lead_id, offer.agent_id


# --- amounts -------------------------------------------------------------------------------


@pytest.mark.parametrize("note", ["²³", "٢٥٠٠", "２５００", "1²", "½", "2,5²"])
async def test_a_won_amount_in_digits_other_than_0_to_9_is_refused_and_changes_nothing(
    note: str,
) -> None:
    relay, db, lead_id, owner = await accepted_lead()
    events = len(db.events)
    with pytest.raises(NotAnAmount) as refused:
        await relay.run(record_stage, agent_id=owner, lead_id=lead_id, stage=Stage.WON,
                        note=note)
    assert refused.value.params == {"text": note}
    lead = db.leads[lead_id]
    assert (lead.stage, lead.status, lead.amount) == (Stage.NEW, LeadStatus.OWNED, None)
    assert len(db.events) == events


@pytest.mark.parametrize("note", [
    "1000000000001", "1.000.000.000.001", "9223372036854775808", "9" * 30, "9" * 5000,
])
async def test_a_won_amount_over_the_cap_is_refused_naming_the_cap(note: str) -> None:
    relay, db, lead_id, owner = await accepted_lead()
    with pytest.raises(AmountTooLarge) as refused:
        await relay.run(record_stage, agent_id=owner, lead_id=lead_id, stage=Stage.WON,
                        note=note)
    assert refused.value.params == {"cap": 10**12}
    assert (db.leads[lead_id].stage, db.leads[lead_id].amount) == (Stage.NEW, None)


async def test_a_won_amount_at_the_cap_is_recorded() -> None:
    relay, _, lead_id, owner = await accepted_lead()
    lead = await relay.run(record_stage, agent_id=owner, lead_id=lead_id, stage=Stage.WON,
                           note="1,000,000,000,000")
    assert (lead.stage, lead.amount) == (Stage.WON, 10**12)


async def test_the_cap_is_the_offices_max_amount() -> None:
    relay, _, lead_id, owner = await accepted_lead(max_amount=5_000_000)
    with pytest.raises(AmountTooLarge) as refused:
        await relay.run(record_stage, agent_id=owner, lead_id=lead_id, stage=Stage.WON,
                        note="5000001")
    assert refused.value.params == {"cap": 5_000_000}
    lead = await relay.run(record_stage, agent_id=owner, lead_id=lead_id, stage=Stage.WON,
                           note="5.000.000")
    assert lead.amount == 5_000_000


async def test_a_won_note_that_is_not_a_number_is_kept_as_a_note() -> None:
    relay, db, lead_id, owner = await accepted_lead()
    lead = await relay.run(record_stage, agent_id=owner, lead_id=lead_id, stage=Stage.WON,
                           note="cash, 2 flats")
    assert lead.amount is None
    assert db.events[-1].data["note"] == "cash, 2 flats"


def write_office(tmp_path: Path, **changes: object) -> Path:
    path = tmp_path / "office.yaml"
    path.write_text(yaml.safe_dump({**office_data(), **changes}, allow_unicode=True),
                    encoding="utf-8")
    return path


def test_max_amount_defaults_to_a_trillion_and_is_read_from_the_office_yaml(
    tmp_path: Path,
) -> None:
    assert office().max_amount == 10**12
    assert load_office(write_office(tmp_path, max_amount=50_000_000)).max_amount == 50_000_000


@pytest.mark.parametrize("cap", [0, -1, INT64 + 1, "lots"])
def test_a_max_amount_that_is_not_a_positive_64_bit_number_is_refused(
    tmp_path: Path, cap: object,
) -> None:
    with pytest.raises(ConfigError, match="max_amount"):
        load_office(write_office(tmp_path, max_amount=cap))


# --- ids -----------------------------------------------------------------------------------

BEYOND = str(INT64 + 1)  # 19 digits, one past what any id column can hold


@pytest.mark.parametrize("data", [
    f"a:{BEYOND}:tok", f"d:{BEYOND}:tok", f"r:{BEYOND}:tok:busy", f"b:{'9' * 19}:tok",
    f"m:{BEYOND}:1001", f"m:1:{BEYOND}", f"c:{BEYOND}:1:tok", f"c:1:{BEYOND}:tok",
    f"o:{BEYOND}:won", "o:²³:won", "a:١٢:tok", "o:１２:won",
])
def test_callback_data_with_an_id_no_column_can_hold_is_unreadable(data: str) -> None:
    with pytest.raises(UnreadableButton):
        decode(data)


@pytest.mark.parametrize("wanted", [2**31, INT64, INT64 + 1, 10**30])
async def test_looking_up_an_id_beyond_what_the_database_holds_finds_nothing(
    engine: AsyncEngine, wanted: int,
) -> None:
    async with SqlUnitOfWork(engine) as uow:
        assert await uow.leads.get(wanted) is None
        assert await uow.leads.lock(wanted) is None
        assert await uow.offers.get(wanted) is None
        assert await uow.offers.for_lead(wanted) == []
        assert await uow.agents.get(wanted) is None


# --- as people use it ----------------------------------------------------------------------


@pytest.fixture
async def owned(database_url: str) -> AsyncIterator[tuple[RunningOffice, int]]:
    async with running_office(office(), database_url) as running:
        await running.start_chats(AYSE, MEHMET, ZEYNEP, SELIN)
        lead_id = await running.post_lead(HOT)
        ayse = running[AYSE]
        await ayse.press(await ayse.wait_for(offer_for(lead_id)), "✅ Accept")
        await ayse.wait_for(text_has(f"Lead #{lead_id} is yours"))
        yield running, lead_id


@pytest.mark.slow
async def test_outlandish_ids_and_amounts_get_a_clear_reply_and_change_nothing(
    owned: tuple[RunningOffice, int], caplog: pytest.LogCaptureFixture,
) -> None:
    running, lead_id = owned
    ayse, selin = running[AYSE], running[SELIN]
    said = [
        (f"/outcome {lead_id} won ²³", "“²³” is not an amount"),
        (f"/outcome {lead_id} won 99999999999999999999",
         "over this office's limit of 1,000,000,000,000"),
        (f"/outcome {lead_id} won {'9' * 4000}", "over this office's limit"),
        ("/outcome 99999999999999999999 won", "“99999999999999999999” is not a lead number"),
        (f"/outcome {BEYOND} won", f"“{BEYOND}” is not a lead number"),
        ("/outcome ²³ won", "“²³” is not a lead number"),
        # /outcome answers any lead that is not the sender's so, whether it exists or not.
        ("/outcome 3000000000 won", "That lead is not yours."),
        (f"/outcome {INT64} won", "That lead is not yours."),
        (f"/why {BEYOND}", f"“{BEYOND}” is not a lead number"),
        ("/why 3000000000", "No such lead."),
        (f"/why #{INT64}", "No such lead."),
    ]
    with caplog.at_level(logging.ERROR):
        before = len(ayse.messages)
        for n, (command, reply) in enumerate(said, start=1):
            await ayse.send(command)
            # Replies come in order, one per command: the n-th new message answers this one.
            await until(lambda n=n: len(ayse.messages) >= before + n)
            assert reply in ayse.messages[before + n - 1].text, command
        opened = next(m for m in ayse.messages if f"Lead #{lead_id} is yours" in m.text)
        pressed = [
            (ayse, opened, f"o:{BEYOND}:won", "This button is no longer valid."),
            (ayse, opened, f"a:{BEYOND}:tok", "This button is no longer valid."),
            (ayse, opened, "o:3000000000:won", "That lead is not yours."),
            (ayse, opened, "a:3000000000:tok", "This offer is no longer open."),
            (selin, selin.messages[-1], f"m:3000000000:{INT64}", "No such lead."),
            (selin, selin.messages[-1], f"m:{lead_id}:{BEYOND}",
             "This button is no longer valid."),
        ]
        for who, message, data, alert in pressed:
            answer = await who.press_data(message, data)
            assert (answer.show_alert, answer.text) == (True, alert), data
        await ayse.send(f"/outcome {lead_id} won 250000")
        await ayse.wait_for(text_has(f"Lead #{lead_id} is now “won”"))
    assert not any("That did not work" in m.text for m in ayse.messages)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
