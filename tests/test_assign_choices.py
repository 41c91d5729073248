"""A manager's assign buttons show who is available first, the rest marked behind Show all,
and /pending names each waiting lead and gives the ones waiting for a manager Assign buttons."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.i18n import t_raw
from bot.keyboards import (
    MAX_CALLBACK_BYTES,
    AssignAction,
    AssignListAction,
    UnreadableButton,
    assign_keyboard,
    decode,
    encode,
    pending_keyboard,
)
from bot.render import Renderer
from bot.render.replies import to_assign
from core.app import App
from core.clock import ManualClock
from core.config import OfficeConfig
from core.errors import LeadAlreadyHandled
from core.lifecycle.answers import accept_offer, assign_lead, decline_offer
from core.lifecycle.roster_import import sync_roster
from core.model import DeclineReason, OfferStatus, OutgoingMessage
from core.queries import assign_options, waiting_leads
from core.roster import link_chat
from leadrelay.bootstrap import bootstrap
from sandbox import SandboxMessage
from tests.fakes import FakeDatabase, fake_uow_factory
from tests.harness import BRISK, RunningOffice, offer_for, running_office, text_has, until
from tests.office import AYSE, CAN, HOT, MEHMET, SELIN, TOKEN, ZEYNEP, office, office_data

# A Wednesday, 09:00 in Istanbul.
START = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)
BIG = 2**63 - 1
LANGUAGES = ["en", "tr"]


def busy_office() -> dict[str, object]:
    """Ayşe takes one lead at a time, Zeynep works Sundays, Can is on holiday until December
    (by date, not by the away flag), Mehmet is free, Selin manages."""
    data = office_data()
    data["agents"] = [
        {"telegram_id": AYSE, "name": "Ayşe", "capacity": 1},
        {"telegram_id": MEHMET, "name": "Mehmet"},
        {"telegram_id": ZEYNEP, "name": "Zeynep",
         "hours": {"days": ["sun"], "start": "09:00", "end": "19:00"}},
        {"telegram_id": CAN, "name": "Can", "away_until": "2026-12-01"},
        {"telegram_id": SELIN, "name": "Selin", "role": "manager"},
    ]
    return data


async def escalated_office() -> tuple[App, FakeDatabase, int]:
    """Ayşe owns a lead (so is at capacity); the next lead goes to Mehmet, who declines it,
    and nobody else may take it: it waits for a manager."""
    db, clock, tokens = FakeDatabase(), ManualClock(START), (f"t{i}" for i in itertools.count())
    app = bootstrap(config=OfficeConfig.model_validate(busy_office()), clock=clock,
                    uow_factory=fake_uow_factory(db), token_factory=lambda: next(tokens))
    await app.run(sync_roster)
    for person in (AYSE, MEHMET, ZEYNEP, CAN, SELIN):
        await app.run(link_chat, telegram_id=person, chat_id=person)
    first = (await app.receive_lead(source_token=TOKEN, payload=HOT)).lead_id
    [offer] = [o for o in db.offers.values() if o.lead_id == first]
    assert offer.agent_id == AYSE
    await app.run(accept_offer, agent_id=AYSE, offer_id=offer.id, token=offer.token)
    second = (await app.receive_lead(source_token=TOKEN, payload={
        **HOT, "phone": "+905329876543", "name": "Ece <b>&amp; Co", "product": "3+1 <villa>"},
    )).lead_id
    [offer] = [o for o in db.offers.values() if o.lead_id == second]
    assert offer.agent_id == MEHMET
    await app.run(decline_offer, agent_id=MEHMET, offer_id=offer.id, token=offer.token,
                  reason=DeclineReason.BUSY)
    return app, db, second


def escalation(db: FakeDatabase, lead_id: int) -> OutgoingMessage:
    return next(m for m in db.outbox
                if m.template == "escalated" and m.params["lead_id"] == lead_id)


def renderer() -> Renderer:
    return Renderer(zone=ZoneInfo("Europe/Istanbul"), office="Test Realty",
                    clock=ManualClock(START))


def texts(keyboard: object) -> list[str]:
    rows = getattr(keyboard, "inline_keyboard", ())
    return [b.text for row in rows for b in row]


async def test_the_escalation_lists_the_available_first_and_marks_the_rest_as_routing_judges()\
        -> None:
    _, db, lead_id = await escalated_office()
    params = escalation(db, lead_id).params
    assert params["choices"] == [[MEHMET, "Mehmet"], [AYSE, "Ayşe"], [ZEYNEP, "Zeynep"],
                                 [CAN, "Can"], [SELIN, "Selin"]]
    assert params["marks"] == {str(AYSE): "at_capacity", str(ZEYNEP): "outside_hours",
                               str(CAN): "away", str(SELIN): "manager"}


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_the_escalation_shows_the_available_and_a_show_all_button(lang: str) -> None:
    _, db, lead_id = await escalated_office()
    rendered = renderer().outgoing("escalated", {**escalation(db, lead_id).params, "lang": lang})
    assert texts(rendered.keyboard) == ["👤 Mehmet", t_raw(lang, "button.show_all", count=4)]
    show_all = rendered.keyboard.inline_keyboard[-1][0].callback_data  # type: ignore[union-attr]
    assert decode(show_all) == AssignListAction(lead_id, everyone=True)


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_show_all_lists_everyone_each_unavailable_one_saying_why(lang: str) -> None:
    app, _, lead_id = await escalated_office()
    options = await app.run(assign_options, manager_id=SELIN, lead_id=lead_id)
    keyboard = assign_keyboard(lead_id, [(int(i), str(n)) for i, n in options.choices],
                               lang=lang, marks=options.marks, everyone=True)

    def marked(name: str, mark: str) -> str:
        return f"👤 {name} · {t_raw(lang, f'assign.mark.{mark}')}"

    assert texts(keyboard) == [
        "👤 Mehmet", marked("Ayşe", "at_capacity"), marked("Zeynep", "outside_hours"),
        marked("Can", "away"), marked("Selin", "manager"),
        t_raw(lang, "button.show_available")]
    assert [decode(b.callback_data) for row in keyboard.inline_keyboard[:-1]  # type: ignore[arg-type]
            for b in row] == [AssignAction(lead_id, agent_id) for agent_id in
                              (MEHMET, AYSE, ZEYNEP, CAN, SELIN)]


def test_the_turkish_markers_read_naturally() -> None:
    assert [t_raw("tr", f"assign.mark.{m}") for m in
            ("away", "at_capacity", "outside_hours", "manager")] == [
        "izinde", "kapasitesi dolu", "mesai dışında", "yönetici"]


async def test_a_lead_someone_assigned_has_no_choices_left_to_open() -> None:
    app, _, lead_id = await escalated_office()
    await app.run(assign_lead, manager_id=SELIN, lead_id=lead_id, agent_id=MEHMET)
    with pytest.raises(LeadAlreadyHandled):
        await app.run(assign_options, manager_id=SELIN, lead_id=lead_id)


def test_an_escalation_written_before_the_markers_shows_everyone_as_it_did() -> None:
    keyboard = assign_keyboard(7, [(AYSE, "Ayşe"), (SELIN, "Selin")], lang="tr")
    assert texts(keyboard) == ["👤 Ayşe", "👤 Selin"]


def test_the_show_all_and_show_available_buttons_fit_and_read_back() -> None:
    for everyone in (True, False):
        data = encode(AssignListAction(BIG, everyone))
        assert len(data.encode()) <= MAX_CALLBACK_BYTES
        assert decode(data) == AssignListAction(BIG, everyone)
    for forged in ("s:1:z", "s:1", "s:x:a", "s:1:a:b", "s:٢:a"):
        with pytest.raises(UnreadableButton):
            decode(forged)


def test_a_hundred_agents_never_pass_telegrams_keyboard_size() -> None:
    choices = [(1000 + i, f"Agent {i}") for i in range(150)]
    marks = {str(1000 + i): "away" for i in range(0, 150, 2)}
    for everyone in (True, False):
        keyboard = assign_keyboard(1, choices, marks=marks, everyone=everyone)
        assert len(texts(keyboard)) <= 100


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_pending_names_the_lead_its_product_and_temperature_and_offers_assign(
    lang: str,
) -> None:
    app, _, lead_id = await escalated_office()
    items = await app.run(waiting_leads, manager_id=SELIN)
    text = renderer().waiting(lang, items, total=items.total)
    assert f"#{lead_id} · Ece · 3+1 &lt;villa&gt; · " in text
    assert t_raw(lang, "temperature.hot") in text
    keyboard = pending_keyboard(to_assign(items))
    assert texts(keyboard) == [f"👤 #{lead_id}"]
    assert decode(keyboard.inline_keyboard[0][0].callback_data) == (  # type: ignore[union-attr,arg-type]
        AssignListAction(lead_id, everyone=False))


def test_pending_gives_at_most_two_dozen_assign_buttons_three_to_a_row() -> None:
    keyboard = pending_keyboard(list(range(1, 40)))
    assert keyboard is not None
    assert len(texts(keyboard)) == 24
    assert {len(row) for row in keyboard.inline_keyboard} == {3}
    assert pending_keyboard([]) is None


async def test_pending_with_nothing_for_a_manager_has_no_buttons() -> None:
    app, db, lead_id = await escalated_office()
    await app.run(assign_lead, manager_id=SELIN, lead_id=lead_id, agent_id=MEHMET)
    items = await app.run(waiting_leads, manager_id=SELIN)
    assert to_assign(items) == []
    assert all(o.status is not OfferStatus.PENDING for o in db.offers.values()
               if o.lead_id == lead_id)


# --- through the Telegram sandbox ---------------------------------------------------------

SLOW = {"hot": {"accept_within": "10m", "offers_before_managers": 2}}


@pytest.fixture
async def running(database_url: str) -> AsyncIterator[RunningOffice]:
    async with running_office(office(sla=SLOW), database_url, clock=ManualClock(START),
                              limits=BRISK) as running:
        await running.start_chats(AYSE, MEHMET, ZEYNEP, SELIN)
        yield running


def live(running: RunningOffice, person: int, message: SandboxMessage) -> SandboxMessage:
    """The message as it is in the chat now (after edits)."""
    return next(m for m in running[person].messages if m.message_id == message.message_id)


async def declined_by(running: RunningOffice, lead_id: int, person: int) -> None:
    user = running[person]
    await user.press(await user.wait_for(offer_for(lead_id)), "✖️ Decline")
    asking = await user.wait_for(lambda m: "busy right now" in m.button_texts())
    await user.press(asking, "busy right now")


@pytest.mark.slow
async def test_a_manager_opens_everyone_with_show_all_and_assigns_from_pending(
    running: RunningOffice,
) -> None:
    lead_id = await running.post_lead(HOT)
    await declined_by(running, lead_id, AYSE)
    await declined_by(running, lead_id, MEHMET)
    selin = running[SELIN]
    alert = await selin.wait_for(text_has(f"Lead #{lead_id}", "needs a manager"))
    # Selin, a manager, waits behind Show all (Can never pressed Start: no button at all).
    assert alert.button_texts() == ["👤 Ayşe", "👤 Mehmet", "👤 Zeynep",
                                    "➕ Show all (1 more)"]
    answer = await selin.press(alert, "➕ Show all (1 more)")
    assert answer.text == "Everyone, the unavailable marked."
    await until(lambda: "👤 Selin · manager" in live(running, SELIN, alert).button_texts())
    assert live(running, SELIN, alert).button_texts() == [
        "👤 Ayşe", "👤 Mehmet", "👤 Zeynep", "👤 Selin · manager", "➖ Only those available"]
    await selin.send("/pending")
    listing = await selin.wait_for(text_has("Waiting leads", f"#{lead_id} · Deniz · residential"))
    assert "HOT" in listing.text
    assert listing.button_texts() == [f"👤 #{lead_id}"]
    await selin.press(listing, f"👤 #{lead_id}")
    await until(lambda: "👤 Zeynep" in live(running, SELIN, listing).button_texts())
    answer = await selin.press(live(running, SELIN, listing), "👤 Zeynep")
    assert answer.text == "Assigned to Zeynep."
    await running[ZEYNEP].wait_for(text_has("Selin assigned lead", "+90 532 123 45 67"))
