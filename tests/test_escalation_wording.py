"""An escalation tells the managers what became of each offer — declined and why, not
answered in time, unreachable, withdrawn — in offer order and in both languages; `/why`
shows the same outcomes, decline reasons included (issue 16)."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.render import Renderer
from core.app import App
from core.clock import ManualClock
from core.config import OfficeConfig
from core.lifecycle.answers import decline_offer
from core.lifecycle.deadlines import chat_unreachable, escalate_expired_offers, round_unreachable
from core.lifecycle.roster_import import sync_roster
from core.messages import PARAMS, Template
from core.model import DeclineReason, Offer, OfferStatus, OutgoingMessage
from core.queries import explain_lead
from core.roster import link_chat
from leadrelay.bootstrap import bootstrap
from tests.fakes import FakeDatabase, fake_uow_factory
from tests.harness import BRISK, RunningOffice, offer_for, running_office, text_has
from tests.office import AYSE, HOT, MEHMET, SELIN, TOKEN, ZEYNEP, office

START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
GROUP = -1001234567890
SLA = {"hot": {"accept_within": "5m", "offers_before_managers": 2}}


class Office:
    """The real bootstrap on the fake database, everyone's chat linked, a manual clock."""

    def __init__(self, config: OfficeConfig) -> None:
        self.db, self.clock = FakeDatabase(), ManualClock(START)
        tokens = (f"tok{i}" for i in itertools.count())
        self.config = config
        self.app: App = bootstrap(config=config, clock=self.clock,
                                  uow_factory=fake_uow_factory(self.db),
                                  token_factory=lambda: next(tokens))
        self.renderer = Renderer(zone=ZoneInfo("UTC"), office="Test Realty", clock=self.clock)

    async def start(self) -> Office:
        await self.app.run(sync_roster)
        for person in self.config.agents:
            await self.app.run(link_chat, telegram_id=person.telegram_id,
                               chat_id=person.telegram_id)
        return self

    async def post(self, **changes: object) -> int:
        return (await self.app.receive_lead(source_token=TOKEN,
                                            payload={**HOT, **changes})).lead_id

    def pending(self, lead_id: int) -> list[Offer]:
        return [o for o in self.db.offers.values()
                if o.lead_id == lead_id and o.status is OfferStatus.PENDING]

    async def decline(self, lead_id: int, reason: DeclineReason) -> int:
        [offer] = self.pending(lead_id)
        await self.app.run(decline_offer, agent_id=offer.agent_id, offer_id=offer.id,
                           token=offer.token, reason=reason)
        return offer.agent_id

    async def let_expire(self) -> None:
        self.clock.advance(timedelta(minutes=5, seconds=1))
        await self.app.run_in_turns(escalate_expired_offers)

    def escalation(self, lead_id: int, lang: str = "en") -> str:
        """The text of the escalation the manager Selin was sent, as the bot renders it."""
        [row] = [m for m in self.db.outbox if m.template is Template.ESCALATED
                 and m.chat_id == SELIN and m.params["lead_id"] == lead_id]
        return self.rendered(row, lang)

    def rendered(self, row: OutgoingMessage, lang: str) -> str:
        return self.renderer.outgoing(str(row.template), {**row.params, "lang": lang}).text

    async def why(self, lead_id: int, lang: str = "en") -> str:
        explanation = await self.app.run(explain_lead, person_id=SELIN, lead_id=lead_id)
        return self.renderer.why(lang, explanation)


@pytest.fixture
async def desk() -> Office:
    return await Office(office(sla=SLA)).start()


async def test_the_manager_reads_who_declined_and_why_and_who_did_not_answer_in_time(
    desk: Office,
) -> None:
    lead_id = await desk.post()
    assert await desk.decline(lead_id, DeclineReason.NOT_MY_AREA) == AYSE
    assert [o.agent_id for o in desk.pending(lead_id)] == [MEHMET]
    await desk.let_expire()
    text = desk.escalation(lead_id)
    assert text.startswith(f"🚨 Lead <b>#{lead_id}</b> needs a manager: declined by Ayşe "
                           "(not my area), not answered by Mehmet in 5 min.\n")
    assert "nobody accepted it in time" not in text
    assert "Offered to" not in text, "the outcomes say who it was offered to"


async def test_the_same_escalation_reads_in_turkish_with_the_reason_in_turkish(
    desk: Office,
) -> None:
    lead_id = await desk.post()
    await desk.decline(lead_id, DeclineReason.NOT_MY_AREA)
    await desk.let_expire()
    text = desk.escalation(lead_id, "tr")
    assert (f"<b>#{lead_id}</b> numaralı talep yönetici bekliyor: Ayşe reddetti (benim bölgem "
            "değil), Mehmet 5 dk içinde yanıt vermedi.") in text


async def test_the_escalation_names_the_fields_the_lead_was_kept_despite(desk: Office) -> None:
    lead_id = await desk.post(email="deniz@example.com", phone="0532 12", budget="a lot")
    for _ in range(2):
        await desk.decline(lead_id, DeclineReason.BUSY)
    english, turkish = desk.escalation(lead_id), desk.escalation(lead_id, "tr")
    assert "⚠ Phone could not be read: 0532 12" in english
    assert "⚠ Budget could not be read: a lot" in english
    assert "⚠ Telefon okunamadı: 0532 12" in turkish


async def test_an_agent_telegram_does_not_deliver_to_is_told_as_unreachable(
    desk: Office,
) -> None:
    lead_id = await desk.post()
    [offer] = desk.pending(lead_id)
    await desk.app.run(chat_unreachable, chat_id=offer.agent_id, offer_id=offer.id,
                       error="Forbidden: bot was blocked by the user")
    await desk.decline(lead_id, DeclineReason.BUSY)
    assert "needs a manager: Ayşe unreachable on Telegram, declined by Mehmet (busy right now)." \
        in desk.escalation(lead_id)
    assert "Ayşe'ye Telegram'dan ulaşılamadı, Mehmet reddetti (şu an meşgulüm)." \
        in desk.escalation(lead_id, "tr")


async def test_a_pool_round_never_posted_is_told_as_withdrawn_from_its_members() -> None:
    desk = await Office(office(sla=SLA, routing={"rules": [
        {"name": "pool", "strategy": "claim", "fallback": "default", "claim_chat": GROUP,
         "pool": {"agents": ["Ayşe", "Mehmet"]}},
        {"name": "default", "fallback": "managers"}]})).start()
    lead_id = await desk.post()
    sequence = desk.pending(lead_id)[0].sequence
    await desk.app.run(round_unreachable, lead_id=lead_id, sequence=sequence,
                       error="Bad Request: chat not found")
    assert [o.agent_id for o in desk.pending(lead_id)] == [ZEYNEP]
    await desk.decline(lead_id, DeclineReason.NOT_MY_PRODUCT)
    text = desk.escalation(lead_id)
    assert ("needs a manager: round withdrawn from Ayşe, Mehmet, declined by Zeynep "
            "(not my product).") in text
    assert ("Ayşe, Mehmet'e gelen tur geri çekildi, Zeynep reddetti (benim ürünüm değil)."
            in desk.escalation(lead_id, "tr"))


async def test_when_nobody_is_left_the_reason_stays_and_what_happened_follows() -> None:
    desk = await Office(office(sla={"hot": {"accept_within": "5m",
                                            "offers_before_managers": 3}})).start()
    await desk.app.run(chat_unreachable, chat_id=ZEYNEP, offer_id=None, error="gone")
    lead_id = await desk.post()
    assert await desk.decline(lead_id, DeclineReason.OTHER) == AYSE
    assert await desk.decline(lead_id, DeclineReason.BUSY) == MEHMET
    assert desk.pending(lead_id) == [], "nobody else can take it, one offer short of the limit"
    text = desk.escalation(lead_id)
    assert "needs a manager: no agent is available to take it." in text
    assert "So far: declined by Ayşe (other), declined by Mehmet (busy right now)" in text
    assert ("Şimdiye dek: Ayşe reddetti (diğer), Mehmet reddetti (şu an meşgulüm)"
            in desk.escalation(lead_id, "tr"))


async def test_an_escalation_row_written_before_outcomes_still_names_those_tried(
    desk: Office,
) -> None:
    lead_id = await desk.post()
    await desk.decline(lead_id, DeclineReason.NOT_MY_AREA)
    await desk.let_expire()
    [row] = [m for m in desk.db.outbox
             if m.template is Template.ESCALATED and m.chat_id == SELIN]
    old = {k: v for k, v in row.params.items() if k not in ("outcomes", "lang")}
    assert PARAMS[Template.ESCALATED].from_json(old).to_json() == old
    text = desk.renderer.outgoing("escalated", {**old, "lang": "en"}).text
    assert "needs a manager: nobody accepted it in time." in text
    assert "Offered to: Ayşe, Mehmet" in text


async def test_why_shows_each_offers_outcome_under_the_decision_that_made_it(
    desk: Office,
) -> None:
    lead_id = await desk.post()
    await desk.decline(lead_id, DeclineReason.NOT_MY_AREA)
    why = await desk.why(lead_id)
    assert "→ Ayşe: next in the rotation.\n✖️ Ayşe declined it: not my area" in why
    assert why.endswith("→ Mehmet: next in the rotation.\n⏳ Mehmet has not answered yet")
    await desk.let_expire()
    why = await desk.why(lead_id)
    assert "→ Mehmet: next in the rotation.\n⌛ Mehmet did not answer within 5 min" in why
    tr = await desk.why(lead_id, "tr")
    assert "✖️ Ayşe reddetti: benim bölgem değil" in tr
    assert "⌛ Mehmet 5 dk içinde yanıt vermedi" in tr


# --- through Telegram: the buttons people press, the message the manager gets ------------

@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
async def running(database_url: str, clock: ManualClock) -> AsyncIterator[RunningOffice]:
    async with running_office(office(sla={"hot": {"accept_within": "10m",
                                                  "offers_before_managers": 2}}),
                              database_url, clock=clock, limits=BRISK) as running:
        await running.start_chats(AYSE, MEHMET, ZEYNEP, SELIN)
        yield running


@pytest.mark.slow
async def test_a_manager_on_telegram_reads_the_decline_reason_and_the_missed_window(
    running: RunningOffice, clock: ManualClock,
) -> None:
    lead_id = await running.post_lead(HOT)
    ayse, mehmet, selin = running[AYSE], running[MEHMET], running[SELIN]
    await ayse.press(await ayse.wait_for(offer_for(lead_id)), "✖️ Decline")
    await ayse.press(await ayse.wait_for(lambda m: "not my area" in m.button_texts()),
                     "not my area")
    await mehmet.wait_for(offer_for(lead_id))
    await running.settled()  # the offer's clock starts on delivery: at 09:00, not later
    clock.advance(timedelta(minutes=10, seconds=1))
    alert = await selin.wait_for(text_has(f"Lead #{lead_id}", "needs a manager"))
    assert ("needs a manager: declined by Ayşe (not my area), not answered by Mehmet in "
            "10 min.") in alert.text
    await selin.send(f"/why {lead_id}")
    why = await selin.wait_for(text_has(f"Why lead #{lead_id} went where it went"))
    assert "✖️ Ayşe declined it: not my area" in why.text
    assert "⌛ Mehmet did not answer within 10 min" in why.text
