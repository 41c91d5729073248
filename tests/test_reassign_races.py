"""Two managers reassigning the same lead at once, from two leadrelay instances on one
database: the first wins, the other is told it changed hands, and nothing of theirs is done."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

import pytest

from core.clock import ManualClock
from core.errors import ChangedHands
from core.lifecycle.answers import accept_offer
from core.lifecycle.handover import reassign_lead
from core.model import LeadStatus, ReassignReason
from tests.office import AYSE, MEHMET, SELIN, ZEYNEP
from tests.test_races import (
    OKAN,
    START,
    at_once,
    race_office,
    receive,
    trail_of,
    two_instances,
    won,
)

pytestmark = pytest.mark.slow  # two whole instances on one database
ROUNDS = 30


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


async def test_two_managers_reassigning_at_once_have_one_winner(
    database_url: str, clock: ManualClock,
) -> None:
    office = race_office(sla={"hot": {"accept_within": "5m", "first_contact_within": None,
                                      "reclaim_within": None}})
    async with two_instances(office, database_url, clock) as pair:
        lead_ids = await receive(pair.first, range(ROUNDS))
        for n, lead_id in enumerate(lead_ids):
            [offer] = (await trail_of(pair.engine, lead_id)).pending
            await pair.first.run(accept_offer, agent_id=offer.agent_id, offer_id=offer.id,
                                 token=offer.token)
            owner = offer.agent_id
            to_selins, to_okans = [a for a in (AYSE, MEHMET, ZEYNEP) if a != owner]
            by_selin, by_okan = await at_once(
                partial(pair.first.run, reassign_lead, manager_id=SELIN, lead_id=lead_id,
                        agent_id=to_selins, reason=ReassignReason.WORKLOAD,
                        expected_owner=owner),
                partial(pair.second.run, reassign_lead, manager_id=OKAN, lead_id=lead_id,
                        agent_id=to_okans, reason=ReassignReason.BETTER_FIT,
                        expected_owner=owner),
                flip=n % 2 == 1)
            assert won(by_selin, ChangedHands) != won(by_okan, ChangedHands), n
            manager, agent, reason = ((SELIN, to_selins, "workload")
                                      if won(by_selin, ChangedHands)
                                      else (OKAN, to_okans, "fit"))
            trail = await trail_of(pair.engine, lead_id)
            assert (trail.lead.status, trail.lead.owner_id) == (LeadStatus.OWNED, agent)
            assert [e for e in trail.events if e[0] == "reassigned"] == [
                ("reassigned", agent, {"from": owner, "by": manager, "to": agent,
                                       "reason": reason})]
            assert agent in trail.sent("card")
            assert owner in trail.sent("reclaimed")
            loser = to_okans if agent == to_selins else to_selins
            assert loser not in trail.sent("card"), "nothing of the loser's choice was done"
            clock.advance(timedelta(seconds=1))
