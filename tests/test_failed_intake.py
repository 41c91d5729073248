"""What intake refuses is answered with its 4xx as before and kept whole in failed_intake:
the raw bytes, the headers that matter (never Authorization), the reason; over real HTTP on
SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bench.kit.hostile import Probe
from core.lifecycle.failed_intake import forget_old_failures, record_failure
from core.model.failures import FailedIntake, FailureReason
from core.roster import link_chat
from storage.tables import failed_intake, outbox
from tests.intake import AUTH, RunningIntake, Stored, running_intake
from tests.office import HOT, SELIN, TOKEN, office, office_data

JSON = b"application/json"
FORM = b"application/x-www-form-urlencoded"
PHONE = HOT["phone"]


async def kept(intake: RunningIntake) -> list[dict[str, Any]]:
    """The failed_intake rows, oldest first."""
    async with intake.engine.connect() as conn:
        rows = await conn.execute(select(failed_intake).order_by(failed_intake.c.id))
        return [dict(row._mapping) for row in rows]


async def alerts(intake: RunningIntake) -> list[dict[str, Any]]:
    """The intake_failed messages in the outbox."""
    async with intake.engine.connect() as conn:
        rows = await conn.execute(select(outbox).where(outbox.c.template == "intake_failed"))
        return [dict(row._mapping) for row in rows]


def headers(content_type: bytes, token: bytes = TOKEN.encode()) -> tuple[tuple[bytes, bytes], ...]:
    """A post's headers with *token* as its bearer token."""
    return ((b"Content-Type", content_type), (b"Authorization", b"Bearer " + token),
            (b"User-Agent", b"form-builder/2"))


async def test_each_refusal_is_kept_with_its_reason_and_its_exact_bytes(
    database_url: str,
) -> None:
    nul_json = b'{"phone": "%s", "name": "a\x00b' % PHONE.encode()
    not_utf8 = b"phone=%s&name=Ay\xfe\xff" % PHONE.encode()
    cases = [
        (Probe(b'{"name": "Nobody to call"}', headers(JSON)), 422, "invalid"),
        (Probe(nul_json, headers(JSON)), 400, "bad_body"),
        (Probe(not_utf8, headers(FORM)), 400, "encoding"),
        (Probe(b"phone=1", ((b"Content-Type", FORM + b"; charset=latin-1"),
                            (b"Authorization", b"Bearer " + TOKEN.encode()))), 415, "encoding"),
        (Probe(b'{"phone": "1"}', headers(JSON, b"wrong-token-0123456789")), 401,
         "unauthenticated"),
        (Probe(b"<lead/>", headers(b"text/xml")), 415, "unsupported_type"),
    ]
    async with running_intake(database_url) as intake:
        for probe, status, _reason in cases:
            assert (await intake.send(probe)).status == status
        rows = await kept(intake)
        assert [(r["reason"], bytes(r["body"])) for r in rows] == [
            (reason, probe.body) for probe, _status, reason in cases]
        assert [r["authenticated"] for r in rows] == [True, True, True, True, False, True]
        assert [r["source"] for r in rows] == ["website"] * 4 + [None, "website"]
        assert rows[0]["headers"]["user-agent"] == "form-builder/2"
        assert "phone" in rows[0]["detail"]
        for row in rows:
            assert "authorization" not in {k.lower() for k in row["headers"]}
            assert TOKEN not in repr(row["headers"])
            assert TOKEN not in row["detail"]
        assert await intake.stored() == Stored(0, 0)


async def test_headers_that_are_not_utf_8_are_kept_readable_with_the_refused_post(
    database_url: str,
) -> None:
    probe = Probe(b'{"name": "Nobody to call"}', (
        (b"Content-Type", JSON + b"; x=\x9e"), (b"Authorization", b"Bearer " + TOKEN.encode()),
        (b"User-Agent", b"form\xfebuilder")))
    async with running_intake(database_url) as intake:
        assert (await intake.send(probe)).status == 422
        [row] = await kept(intake)
    assert (row["reason"], bytes(row["body"])) == ("invalid", probe.body)
    assert row["headers"]["user-agent"] == "form\ufffdbuilder"
    assert row["content_type"] == "application/json; x=\ufffd"


async def test_a_body_over_the_limit_is_413_and_kept_cut_to_the_limit(
    database_url: str,
) -> None:
    body = b'{"phone": "%s", "message": "' % PHONE.encode() + b"x" * 70_000 + b'"}'
    async with running_intake(database_url) as intake:
        reply = await intake.send(Probe(body, headers(JSON), chunked=True))
        assert reply.status == 413
        [row] = await kept(intake)
        assert (row["reason"], bytes(row["body"])) == ("too_large", body[:64 * 1024])
        assert row["headers"]["_truncated"] is True


async def test_over_the_rate_limit_is_429_and_kept(database_url: str) -> None:
    data = office_data()
    data["sources"] = [{"name": "website", "token": TOKEN, "requests_per_minute": 1}]
    async with running_intake(database_url, config=office(**data)) as intake:
        assert (await intake.post(json=HOT, headers=AUTH))[0] == 201
        status, _ = await intake.post(json={**HOT, "phone": "+905321234568"}, headers=AUTH)
        assert status == 429
        [row] = await kept(intake)
        assert row["reason"] == "rate_limited"
        assert b"+905321234568" in bytes(row["body"])


async def test_managers_are_told_once_an_hour_per_source_and_never_of_wrong_tokens(
    database_url: str,
) -> None:
    async with running_intake(database_url) as intake:
        await intake.relay.run(link_chat, telegram_id=SELIN, chat_id=SELIN)
        for _ in range(3):
            assert (await intake.post(json={"name": "x"}, headers=AUTH))[0] == 422
        assert (await intake.post(json={"name": "x"},
                                  headers={"Authorization": "Bearer nope-0123456789abc"}))[0] \
            == 401
        assert [a["chat_id"] for a in await alerts(intake)] == [SELIN]
        intake.clock.advance(timedelta(hours=1))
        assert (await intake.post(json={"name": "x"}, headers=AUTH))[0] == 422
        assert len(await alerts(intake)) == 2
        assert len(await kept(intake)) == 5


async def test_wrong_token_posts_are_purged_after_a_day_and_still_counted(
    database_url: str,
) -> None:
    async with running_intake(database_url, figures=None) as intake:
        bad = {"Authorization": "Bearer nope-0123456789abc"}
        assert (await intake.post(json={"phone": PHONE}, headers=bad))[0] == 401
        assert (await intake.post(json={"name": "x"}, headers=AUTH))[0] == 422
        intake.clock.advance(timedelta(hours=23))
        assert await intake.relay.run(forget_old_failures) == 0
        intake.clock.advance(timedelta(hours=2))
        assert await intake.relay.run(forget_old_failures) == 1
        assert [r["reason"] for r in await kept(intake)] == ["invalid"]


async def test_wrong_token_posts_over_the_hour_s_cap_are_not_kept(database_url: str) -> None:
    async with running_intake(database_url) as intake:
        ids = [await intake.relay.run(record_failure, per_hour=2, failure=FailedIntake(
            received_at=intake.clock.now(), reason=FailureReason.UNAUTHENTICATED,
            detail="unknown token", authenticated=False, body=b"x")) for _ in range(3)]
        assert ids[2] is None
        assert None not in ids[:2]
        intake.clock.advance(timedelta(hours=1))
        assert await intake.relay.run(record_failure, per_hour=2, failure=FailedIntake(
            received_at=intake.clock.now(), reason=FailureReason.UNAUTHENTICATED,
            detail="unknown token", authenticated=False, body=b"x")) is not None


async def test_each_source_s_refused_posts_over_the_hour_s_cap_are_not_kept_nor_another_s(
    database_url: str,
) -> None:
    async with running_intake(database_url) as intake:
        def failure(source: str | None) -> FailedIntake:
            return FailedIntake(received_at=intake.clock.now(), reason=FailureReason.INVALID,
                                detail="no phone or e-mail", authenticated=source is not None,
                                body=b"{}", source=source)

        async def record(source: str | None) -> int | None:
            return await intake.relay.run(record_failure, per_hour=2, failure=failure(source))

        flood = [await record("website") for _ in range(3)]
        assert (None not in flood[:2], flood[2]) == (True, None)
        assert None not in [await record("portal"), await record(None), await record(None)]
        assert await record(None) is None
        intake.clock.advance(timedelta(hours=1))
        assert await record("website") is not None
        assert [r["source"] for r in await kept(intake)] == [
            "website", "website", "portal", None, None, "website"]


async def test_a_filled_honeypot_is_answered_200_and_kept_as_spam_never_routed(
    database_url: str,
) -> None:
    data = office_data()
    data["sources"] = [{"name": "website", "token": TOKEN, "honeypot": "website_url"}]
    async with running_intake(database_url, config=office(**data)) as intake:
        await intake.relay.run(link_chat, telegram_id=SELIN, chat_id=SELIN)
        form = {"token": TOKEN, "phone": PHONE, "website_url": "http://spam.example"}
        assert (await intake.post(data=form))[0] == 200
        [row] = await kept(intake)
        assert (row["reason"], row["source"]) == ("spam", "website")
        assert await intake.stored() == Stored(0, 0)
        assert await alerts(intake) == []
        # Left empty, as people leave it, the field is no part of the lead.
        status, answer = await intake.post(data={**form, "website_url": ""})
        assert status == 201
        assert (await intake.lead(answer["lead_id"]))["phone"] == PHONE


async def test_metrics_count_the_failures_by_reason(database_url: str) -> None:
    from storage.metrics import MetricsStore

    async with running_intake(database_url) as intake:
        relay_figures = MetricsStore(intake.engine)
        assert (await intake.post(json={"name": "x"}, headers=AUTH))[0] == 422
        assert (await intake.post(json={"name": "x"},
                                  headers={"Authorization": "Bearer nope-0123456789abc"}))[0] \
            == 401
        intake.clock.advance(timedelta(days=2))
        await intake.relay.run(forget_old_failures)  # purged, and still counted
        snapshot = await relay_figures.snapshot()
        assert snapshot.intake_failures == {"invalid": 1, "unauthenticated": 1}
