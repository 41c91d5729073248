"""End to end through the sandbox, in English and Turkish (issue 16): a manager's /setgroup
in the group, an escalation announced there without phone or e-mail, an agent's Assign
press there refused with an alert, a manager's press assigning, and the morning digest
arriving at 09:00 office time by the injected clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from core.app import App
from core.clock import ManualClock
from core.lifecycle.answers import decline_offer
from core.lifecycle.digest import send_digest_if_due
from core.model import DeclineReason, LeadStatus, OfferStatus
from sandbox import BotApiSandbox, SandboxGroup
from tests.harness import BOT_TOKEN, BRISK, RunningOffice, running_office, text_has
from tests.office import AYSE, HOT, MEHMET, SELIN, ZEYNEP, office
from tests.test_digest import local

GROUP = -1001234567890
# No clock after Accept: the lead assigned at 08:30 must not come back before the digest.
_NONE = {"first_contact_within": None, "reclaim_within": None}
SLA = {"hot": {"accept_within": "5m", "offers_before_managers": 2, **_NONE},
       "warm": _NONE, "cold": _NONE}
WORK = {"digest": {"enabled": True}, "holidays": None, "outcome_prompts": [],
        "reclaim": {"no_contact_within": None, "no_progress_within": None,
                    "owned_longer_than": None}}
WORDS = {
    "en": {"refused": "Only managers can do that.", "done": "This is now the team's group",
           "posted": "needs an owner", "zeynep": "👤 Zeynep",
           "assigned": "was assigned to Zeynep by Selin", "morning": "Good morning — Wed 25.11",
           "team": "The team's day"},
    "tr": {"refused": "Bunu yalnızca yöneticiler yapabilir.",
           "done": "Bu grup artık ekibin grubu", "posted": "sahip bekliyor",
           "zeynep": "👤 Zeynep", "assigned": "Selin tarafından Zeynep'e atandı",
           "morning": "Günaydın — Çar 25.11", "team": "Ekibin günü"},
}


async def status_of(relay: App, lead_id: int) -> LeadStatus:
    async def read(uow, deps, /):  # type: ignore[no-untyped-def]
        async with uow.reading():
            return (await uow.leads.get(lead_id)).status
    return await relay.run(read)  # type: ignore[no-any-return]


async def decline_both(relay: App, lead_id: int) -> None:
    """Both offers of the lead declined, as their agents' buttons would."""
    for _ in range(2):
        async def pending(uow, deps, /):  # type: ignore[no-untyped-def]
            async with uow.reading():
                return [o for o in await uow.offers.for_lead(lead_id)
                        if o.status is OfferStatus.PENDING]
        [offer] = await relay.run(pending)
        await relay.run(decline_offer, agent_id=offer.agent_id, offer_id=offer.id,
                        token=offer.token, reason=DeclineReason.NOT_MY_AREA)


@pytest.fixture
async def group_sandbox() -> AsyncIterator[tuple[BotApiSandbox, SandboxGroup]]:
    sandbox = BotApiSandbox(token=BOT_TOKEN)
    await sandbox.start()
    names = {AYSE: "Ayşe", MEHMET: "Mehmet", ZEYNEP: "Zeynep", SELIN: "Selin"}
    group = sandbox.group(GROUP, "Sales team", [sandbox.user(i, n) for i, n in names.items()])
    yield sandbox, group
    await sandbox.stop()


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "tr"])
async def test_the_team_group_and_the_morning_digest_end_to_end(
    database_url: str, group_sandbox: tuple[BotApiSandbox, SandboxGroup], lang: str,
) -> None:
    sandbox, group = group_sandbox
    words = WORDS[lang]
    clock = ManualClock(local(25, 8, 30))
    config = office(sla=SLA, language=lang, timezone="Europe/Istanbul",
                    work=WORK)
    async with running_office(config, database_url, sandbox=sandbox, clock=clock,
                              limits=BRISK) as running:
        await running.start_chats(AYSE, MEHMET, ZEYNEP, SELIN)
        await group.send(running[AYSE], "/setgroup")
        await group.wait_for(text_has(words["refused"]))
        await group.send(running[SELIN], "/setgroup")
        await group.wait_for(text_has(words["done"]))

        lead_id = await running.post_lead({**HOT, "email": "deniz.kaya@example.com"})
        await decline_both(running.runtime.app, lead_id)
        posted = await group.wait_for(text_has(f"#{lead_id}", words["posted"]))
        await running[SELIN].wait_for(text_has(f"#{lead_id}", "+90 532 123 45 67"))
        to_group = [str(c.params) for c in sandbox.requests
                    if str(c.params.get("chat_id")) == str(GROUP)]
        for detail in ("532", "deniz.kaya@", "Deniz", "Kaya"):
            assert not any(detail in params for params in to_group), f"{detail} in the group"

        refused = await running[AYSE].press(posted, words["zeynep"])
        assert (refused.show_alert, refused.text) == (True, words["refused"])
        assert await status_of(running.runtime.app, lead_id) is LeadStatus.WITH_MANAGERS
        assert posted.edits == 0

        answer = await running[SELIN].press(posted, words["zeynep"])
        assert answer.show_alert is not True
        await group.wait_for(text_has(f"#{lead_id}", words["assigned"]))
        await running[ZEYNEP].wait_for(text_has(f"#{lead_id}", "+90 532 123 45 67"))
        assert await status_of(running.runtime.app, lead_id) is LeadStatus.OWNED

        await running.settled()
        assert not [m for m in running[SELIN].messages if words["morning"] in m.text], (
            "not before nine")
        clock.advance(local(25, 9) - clock.now())
        digest = await running[SELIN].wait_for(text_has(words["morning"]))
        assert "532" not in digest.text
        await group.wait_for(text_has(words["team"]))
        await running.settled()
        assert await running.runtime.app.run(send_digest_if_due) == local(26, 9)
        assert len([m for m in running[SELIN].messages if words["morning"] in m.text]) == 1


_ = (UTC, datetime, RunningOffice)
