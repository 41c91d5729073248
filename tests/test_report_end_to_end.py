"""/report end to end through the Bot API sandbox, on each database and in both languages: a
manager gets one album of five charts a phone shows whole, with the period as its caption;
an agent is refused and a period the bot cannot read gets the usage."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from core.clock import ManualClock
from core.lifecycle.report import report_data
from sandbox import SandboxMessage
from tests.harness import BRISK, running_office, text_has, until
from tests.office import AYSE, HOT, SELIN, office

pytestmark = pytest.mark.slow  # a whole leadrelay runs: see README, Tests

START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # 12:00 in Istanbul
TEXTS = {
    "en": {"caption": "Report: last 30 days · 26 Oct 12:05 – 25 Nov 12:05 (Europe/Istanbul)",
           "managers_only": "Only managers can do that.", "usage": "Usage: /report [period]"},
    "tr": {"caption": "Rapor: son 30 gün · 26 Eki 12:05 – 25 Kas 12:05 (Europe/Istanbul)",
           "managers_only": "Bunu yalnızca yöneticiler yapabilir.",
           "usage": "Kullanım: /report [dönem]"},
}


def photos(messages: list[SandboxMessage]) -> list[SandboxMessage]:
    return [m for m in messages if m.photo is not None]


@pytest.mark.parametrize("lang", ["en", "tr"])
async def test_a_manager_gets_the_charts_as_one_album_and_an_agent_is_refused(
        database_url: str, lang: str) -> None:
    said, clock = TEXTS[lang], ManualClock(START)
    async with running_office(office(language=lang), database_url, clock=clock,
                              limits=BRISK) as running:
        await running.start_chats(SELIN, AYSE)
        selin, ayse = running[SELIN], running[AYSE]
        await running.post_lead(HOT)
        clock.advance(timedelta(minutes=5))  # the lead arrived inside the period

        await selin.send("/report 30d")
        await until(lambda: len(photos(selin.messages)) == 5, within=60)

        album = photos(selin.messages)
        assert album[0].media_group_id is not None
        assert {m.media_group_id for m in album} == {album[0].media_group_id}
        assert said["caption"] in album[0].text
        assert [m.text for m in album[1:]] == ["", "", "", ""]
        for message in album:
            assert message.photo is not None
            with Image.open(io.BytesIO(message.photo.data)) as image:
                assert (image.format, image.size) == ("PNG", (1080, 1350))
        assert "upload_photo" in selin.chat_actions
        assert running.sandbox.violations == []
        # What the charts showed: the lead in the funnel and the speed chart, not yet
        # contacted, and its routing decision shared out among the agents it could go to.
        data = await running.runtime.app.run(report_data, manager_id=SELIN, period="30d")
        assert (data.funnel[0].count, data.speed[-1], sum(data.speed)) == (1, 1, 1)
        assert [(row.label, row.leads) for row in data.sources] == [("website", 1)]
        assert data.agents, "the fairness audit's agents"
        assert {a.label for a in data.agents} <= {"Ayşe", "Mehmet", "Zeynep", "Can"}
        assert sum(a.fair_share for a in data.agents) == pytest.approx(1), "one decision"

        await ayse.send("/report 30d")
        await ayse.wait_for(text_has(said["managers_only"]))
        await selin.send("/report fortnight")
        await selin.wait_for(text_has(said["usage"]))
        assert photos(ayse.messages) == []
        assert len(photos(selin.messages)) == 5
