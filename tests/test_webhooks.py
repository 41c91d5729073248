"""The intake server over real HTTP: 201 only once stored, clear 4xx for anything wrong."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import func, select

from core.lifecycle.roster_import import sync_roster
from leadrelay.bootstrap import bootstrap, sql_uow_factory
from leadrelay.clock import SystemClock
from storage.db import create_engine
from storage.migrate import upgrade
from storage.tables import leads
from tests.office import HOT, TOKEN, office
from webhooks.app import build_intake_app

AUTH = {"Authorization": f"Bearer {TOKEN}"}


class Intake:
    """A running intake server and a way to count stored leads."""

    def __init__(self, server: TestServer, session: aiohttp.ClientSession, engine: object):
        self.server, self.session, self.engine = server, session, engine

    def url(self, path: str = "/webhooks/leads") -> str:
        return str(self.server.make_url(path))

    async def stored(self) -> int:
        async with self.engine.connect() as conn:  # type: ignore[attr-defined]
            return int((await conn.execute(select(func.count()).select_from(leads))).scalar())


@pytest.fixture
async def intake(tmp_path: Path) -> AsyncIterator[Intake]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'intake.db'}")
    await upgrade(engine)
    relay = bootstrap(config=office(), clock=SystemClock(), uow_factory=sql_uow_factory(engine))
    await relay.run(sync_roster)
    server = TestServer(build_intake_app(lambda: relay))
    await server.start_server()
    async with aiohttp.ClientSession() as session:
        yield Intake(server, session, engine)
    await server.close()
    await engine.dispose()


async def test_a_valid_lead_is_stored_and_answered_201_with_its_id(intake: Intake) -> None:
    async with intake.session.post(intake.url(), json=HOT, headers=AUTH) as response:
        assert response.status == 201
        body = await response.json()
    assert isinstance(body["lead_id"], int)
    assert await intake.stored() == 1


async def test_a_retried_webhook_answers_200_with_the_same_lead(intake: Intake) -> None:
    payload = {**HOT, "external_id": "meta-123"}
    async with intake.session.post(intake.url(), json=payload, headers=AUTH) as first:
        first_id = (await first.json())["lead_id"]
    async with intake.session.post(intake.url(), json=payload, headers=AUTH) as again:
        assert again.status == 200
        assert (await again.json())["lead_id"] == first_id
    assert await intake.stored() == 1


async def test_a_plain_html_form_can_post_a_lead_with_its_token_as_a_field(intake: Intake) -> None:
    form = {"token": TOKEN, "name": "Deniz", "phone": "0532 123 45 67", "budget_min": ""}
    async with intake.session.post(intake.url(), data=form) as response:
        assert response.status == 201
    assert await intake.stored() == 1


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong-token-000000000"},
                                     {"Authorization": f"Basic {TOKEN}"}])
async def test_a_missing_or_wrong_token_is_401(intake: Intake, headers: dict[str, str]) -> None:
    async with intake.session.post(intake.url(), json=HOT, headers=headers) as response:
        assert response.status == 401
        assert "token" in (await response.json())["error"]
    assert await intake.stored() == 0


async def test_a_lead_without_phone_or_email_is_422_naming_the_field(intake: Intake) -> None:
    async with intake.session.post(intake.url(), json={"name": "Deniz"}, headers=AUTH) as r:
        assert r.status == 422
        assert (await r.json())["fields"] == [
            {"field": "phone", "problem": "phone or email is required"}]
    assert await intake.stored() == 0


async def test_broken_json_is_400_naming_the_body(intake: Intake) -> None:
    headers = {**AUTH, "Content-Type": "application/json"}
    async with intake.session.post(intake.url(), data=b"{not json", headers=headers) as r:
        assert r.status == 400
        assert (await r.json())["fields"][0]["field"] == "body"


async def test_a_json_list_is_400(intake: Intake) -> None:
    async with intake.session.post(intake.url(), json=[HOT], headers=AUTH) as r:
        assert r.status == 400


async def test_an_unsupported_content_type_is_415(intake: Intake) -> None:
    headers = {**AUTH, "Content-Type": "text/plain"}
    async with intake.session.post(intake.url(), data=b"phone=1", headers=headers) as r:
        assert r.status == 415
        assert (await r.json())["fields"][0]["field"] == "Content-Type"


async def test_an_oversized_body_is_413(intake: Intake) -> None:
    payload = {**HOT, "message": "x" * 70_000}
    async with intake.session.post(intake.url(), json=payload, headers=AUTH) as r:
        assert r.status == 413
    assert await intake.stored() == 0


async def test_wrong_types_are_flagged_and_kept_as_sent(intake: Intake) -> None:
    payload = {"phone": "+905321234567", "budget_min": [1], "name": {"first": "x"}}
    async with intake.session.post(intake.url(), json=payload, headers=AUTH) as r:
        assert r.status == 201
        assert (await r.json())["flags"] == {"budget_min": "unreadable", "name": "unreadable"}
    assert await intake.stored() == 1


async def test_healthz_answers(intake: Intake) -> None:
    async with intake.session.get(intake.url("/healthz")) as response:
        assert response.status == 200
