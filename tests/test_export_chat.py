"""/export through the real python-telegram-bot against the Bot API sandbox, in both
languages and on each database: a manager gets the CSV as a document and the export is
logged; an agent, a stranger and a wrong period are answered without one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.clock import ManualClock
from core.lifecycle.export import export_log
from core.model import LeadStatus, Stage
from core.numbers.export import COLUMNS
from core.ports.exports import ExportChannel
from sandbox import SandboxMessage
from tests.harness import BRISK, running_office, text_has
from tests.office import AYSE, SELIN, office
from tests.test_export import HYPERLINK, NOW, T1, made, read_back, store

pytestmark = pytest.mark.slow  # a whole leadrelay runs: see README, Tests

STRANGER = 3001
SAID = {
    "en": {"delimiter": ",", "caption": "2 leads received 2026-11-01 00:00 – 2026-12-01 00:00",
           "header": "Lead", "won": "won", "managers_only": "Only managers can do that.",
           "stranger": "You are not on this office's roster.", "usage": "Usage: /export",
           "empty": "No leads were received 2026-10-01 00:00 – 2026-10-06 00:00"},
    "tr": {"delimiter": ";", "caption": "2026-11-01 00:00 – 2026-12-01 00:00 arasında gelen "
           "2 talep", "header": "Talep No", "won": "kazanıldı",
           "managers_only": "Bunu yalnızca yöneticiler yapabilir.",
           "stranger": "Bu ofisin listesinde değilsiniz.", "usage": "Kullanım: /export",
           "empty": "2026-10-01 00:00 – 2026-10-06 00:00 arasında gelen talep yok"},
}


def with_document(message: SandboxMessage) -> bool:
    return message.document is not None


@pytest.mark.parametrize("lang", ["en", "tr"])
async def test_a_manager_gets_the_periods_leads_as_a_csv_and_nobody_else_does(
        database_url: str, lang: str) -> None:
    said = SAID[lang]
    async with running_office(office(language=lang), database_url, clock=ManualClock(NOW),
                              limits=BRISK) as running:
        app = running.runtime.app
        # Closed leads: nothing for the timers to do with them while the test runs.
        won, hostile = await store(app.uow(), [
            (made(T1, name="Deniz Kaya", owner_id=AYSE, status=LeadStatus.CLOSED,
                  stage=Stage.WON, accepted_at=T1 + timedelta(minutes=3), amount=900), []),
            (made(T1 + timedelta(hours=1), name=HYPERLINK, status=LeadStatus.CLOSED), [])],
            agents=[])
        await running.start_chats(SELIN, AYSE)
        selin, ayse = running[SELIN], running[AYSE]

        await ayse.send("/export")
        await ayse.wait_for(text_has(said["managers_only"]))
        eve = running.sandbox.user(STRANGER, "Eve", language_code=lang)
        await eve.send("/export")
        await eve.wait_for(text_has(said["stranger"]))
        await selin.send("/export forever")
        await selin.wait_for(text_has(said["usage"]))
        await selin.send("/export 2026-10-01..2026-10-05")
        await selin.wait_for(text_has(said["empty"]))
        assert await app.run(export_log) == []

        await selin.send("/export 2026-11-01..2026-11-30")
        sent = await selin.wait_for(with_document)
        assert said["caption"] in sent.text
        assert sent.document is not None
        assert sent.document.filename == "leads_2026-11-01_2026-11-30.csv"
        rows = read_back(sent.document.data, said["delimiter"])
        assert rows[0][0] == said["header"]
        assert [(r[0], r[COLUMNS.index("name")]) for r in rows[1:]] == [
            (str(won), "Deniz Kaya"), (str(hostile), "'" + HYPERLINK)]
        assert rows[1][COLUMNS.index("stage")] == said["won"]
        assert rows[1][COLUMNS.index("owner")] == "Ayşe"
        assert rows[1][COLUMNS.index("received")] == "2026-11-03 12:00"
        [logged] = await app.run(export_log)
        assert (logged.by, logged.entry.by_id, logged.entry.channel, logged.entry.rows) == (
            "Selin", SELIN, ExportChannel.CHAT, 2)
        assert logged.entry.size == len(sent.document.data)
        assert logged.entry.period_start == datetime(2026, 10, 31, 21, 0, tzinfo=UTC)
        assert not any(m.document for person in (ayse, eve) for m in person.messages)
