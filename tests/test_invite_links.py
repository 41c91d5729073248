"""Invitations end to end through the Bot API sandbox, in both languages and on each database:
a manager's /invite gets a QR code with the link as its caption, a stranger who opens the link
joins the roster and is welcomed, the manager is told, and a reused or expired link is
refused."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from core.clock import ManualClock
from core.model import Role
from core.roster import whoami
from integrations.qr import SegnoQrCodes
from sandbox import SandboxMessage
from tests.harness import BRISK, running_office, text_has
from tests.office import AYSE, SELIN, office

pytestmark = pytest.mark.slow  # a whole leadrelay runs: see README, Tests

START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
NEWCOMER, LATECOMER = 2001, 2002
LINK = re.compile(r"https://t\.me/leadrelay_bot\?start=([A-Za-z0-9_-]{22,64})")
TEXTS = {
    "en": {"invite": "/invite agent", "joined": "Deniz Kaya joined as an agent with your invite.",
           "welcome": "Welcome to Test Realty, Deniz Kaya! Selin added you to the team.",
           "used": "this invitation was already used", "expired": "this invitation has expired",
           "managers_only": "Only managers can do that.", "caption": "as an agent"},
    "tr": {"invite": "/invite danışman",
           "joined": "Deniz Kaya davetinizle ekibe danışman olarak katıldı.",
           "welcome": "Test Realty'ye hoş geldiniz, Deniz Kaya! Selin sizi ekibe ekledi.",
           "used": "bu davet zaten kullanıldı", "expired": "bu davetin süresi doldu",
           "managers_only": "Bunu yalnızca yöneticiler yapabilir.",
           "caption": "danışman olarak"},
}


def with_photo(message: SandboxMessage) -> bool:
    return message.photo is not None


def code_in(message: SandboxMessage) -> str:
    found = LINK.search(message.text)
    assert found is not None, message.text
    return found.group(1)


@pytest.mark.parametrize("lang", ["en", "tr"])
async def test_an_invitation_link_used_reused_and_expired(database_url: str, lang: str) -> None:
    said, clock = TEXTS[lang], ManualClock(START)
    async with running_office(office(language=lang), database_url, clock=clock,
                              limits=BRISK) as running:
        await running.start_chats(SELIN, AYSE)
        selin, ayse = running[SELIN], running[AYSE]

        await ayse.send(said["invite"])
        await ayse.wait_for(text_has(said["managers_only"]))

        await selin.send(said["invite"])
        invitation = await selin.wait_for(with_photo)
        assert said["caption"] in invitation.text
        code = code_in(invitation)
        link = f"https://t.me/leadrelay_bot?start={code}"
        assert invitation.photo is not None
        assert invitation.photo.data == SegnoQrCodes().png(link), "the QR code of the link"

        deniz = running.sandbox.user(NEWCOMER, "Deniz", last_name="Kaya", language_code=lang)
        await deniz.send(f"/start {code}")
        welcome = await deniz.wait_for(text_has(said["welcome"]))
        assert len(welcome.text.splitlines()) == 3
        assert "/help" in welcome.text
        await selin.wait_for(text_has(said["joined"]))
        joined = await running.runtime.app.run(whoami, telegram_id=NEWCOMER)
        assert joined is not None
        assert (joined.name, joined.role, joined.language, joined.chat_id) == (
            "Deniz Kaya", Role.AGENT, lang, NEWCOMER)

        ece = running.sandbox.user(LATECOMER, "Ece", language_code=lang)
        await ece.send(f"/start {code}")
        await ece.wait_for(text_has(said["used"]))

        await selin.send("/invite manager")
        second = code_in(await selin.wait_for(
            lambda m: with_photo(m) and m.message_id != invitation.message_id))
        clock.advance(timedelta(days=7))
        await ece.send(f"/start {second}")
        await ece.wait_for(text_has(said["expired"]))
        assert await running.runtime.app.run(whoami, telegram_id=LATECOMER) is None
