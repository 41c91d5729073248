"""Each source may post so many requests a minute to an instance; over that, 429, nothing stored."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from core.config import OfficeConfig
from tests.intake import RunningIntake, running_intake
from tests.office import HOT, TOKEN, office

ADS_TOKEN = "meta-ads-token-0123456789"


def slow_office(per_minute: int) -> OfficeConfig:
    """The test office, its website source allowed *per_minute*, with an ads source beside it."""
    return office(sources=[
        {"name": "website", "token": TOKEN, "channel": "web_form",
         "requests_per_minute": per_minute},
        {"name": "ads", "token": ADS_TOKEN, "channel": "meta"}])


@dataclass(frozen=True)
class Answer:
    """A status, the Retry-After header if any, and the JSON body."""

    status: int
    retry_after: str | None
    body: dict[str, Any]


async def post(intake: RunningIntake, n: int, *, token: str = TOKEN,
               as_form: bool = False) -> Answer:
    """Post lead number *n* (a phone of its own) with *token*, as JSON or as a form."""
    lead = {**HOT, "phone": f"+90532123{n:04d}"}
    how: dict[str, Any] = ({"data": {**lead, "token": token}} if as_form else
                           {"json": lead, "headers": {"Authorization": f"Bearer {token}"}})
    async with intake.session.post(intake.url(), **how) as response:
        return Answer(response.status, response.headers.get("Retry-After"),
                      await response.json())


async def test_a_source_over_its_rate_is_429_with_retry_after_and_nothing_stored(
    database_url: str,
) -> None:
    async with running_intake(database_url, config=slow_office(3)) as intake:
        assert [(await post(intake, n)).status for n in range(3)] == [201] * 3
        refused = await post(intake, 3)
        assert (refused.status, refused.retry_after) == (429, "20")  # 3 a minute: 1 every 20 s
        assert "3 requests a minute" in refused.body["error"]
        # A form's token counts for its source just as the header's does.
        assert (await post(intake, 4, as_form=True)).status == 429
        assert (await intake.stored()).leads == 3
        intake.clock.advance(timedelta(seconds=19))
        assert (await post(intake, 5)).retry_after == "1"
        intake.clock.advance(timedelta(seconds=1))
        assert (await post(intake, 6, as_form=True)).status == 201
        assert (await intake.stored()).leads == 4


async def test_one_source_over_its_rate_holds_up_no_other(database_url: str) -> None:
    async with running_intake(database_url, config=slow_office(1)) as intake:
        assert (await post(intake, 0)).status == 201
        assert (await post(intake, 1)).status == 429
        assert (await post(intake, 2, token=ADS_TOKEN)).status == 201


async def test_a_source_may_post_120_requests_a_minute_by_default(database_url: str) -> None:
    async with running_intake(database_url) as intake:
        statuses = [(await post(intake, n)).status for n in range(121)]
        assert statuses == [201] * 120 + [429]
        intake.clock.advance(timedelta(seconds=0.5))  # 120 a minute: one more every 0.5 s
        assert (await post(intake, 121)).status == 201
        assert (await intake.stored()).leads == 121


async def test_an_unknown_token_is_401_and_uses_up_no_source_s_rate(database_url: str) -> None:
    async with running_intake(database_url, config=slow_office(1)) as intake:
        assert [(await post(intake, n, token="x" * 20)).status for n in range(3)] == [401] * 3
        assert (await post(intake, 3)).status == 201
