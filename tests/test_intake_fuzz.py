"""Fuzzing the intake over real HTTP, on both databases: never a 5xx, never half a lead.

A few thousand requests in all (LEADRELAY_FUZZ_EXAMPLES per test, 750 by default), drawn by
bench/kit/fuzz.py; bench/fuzz_intake.py runs many more against a real `leadrelay run`.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

from bench.kit.fuzz import FORM, FUZZ_SETTINGS, JSON, Judge, fuzz, probes
from bench.kit.office import UNLIMITED
from core.config import OfficeConfig
from tests.intake import running_intake
from tests.office import TOKEN, office

# 750 x 2 kinds x 2 databases: about a minute of the suite's time on 2 cores.
CONFIG = settings(FUZZ_SETTINGS, max_examples=int(os.environ.get("LEADRELAY_FUZZ_EXAMPLES",
                                                                 "750")))


def fuzz_office() -> OfficeConfig:
    """The test office, its source without a rate limit the fuzz would run into."""
    return office(sources=[{"name": "website", "token": TOKEN, "channel": "web_form",
                            "requests_per_minute": UNLIMITED}])


@pytest.mark.slow
@pytest.mark.parametrize("kind", [JSON, FORM], ids=["json", "form"])
async def test_no_request_is_answered_5xx_and_every_answer_matches_what_was_stored(
    database_url: str, kind: bytes,
) -> None:
    async with running_intake(database_url, config=fuzz_office(), body_timeout=2) as intake:
        judge = Judge(intake.engine)
        await fuzz(intake.port, judge, probes(TOKEN, kinds=(kind,)), config=CONFIG)
        assert await judge.torn() == []
        # The fuzz got past the refusals to the store, and was refused for what it sent too
        # (rarely for its fields: a lead with a usable contact is kept, flagged).
        assert judge.statuses[201] > 0
        assert sum(judge.statuses[status] for status in (400, 413, 415, 422)) > 0
