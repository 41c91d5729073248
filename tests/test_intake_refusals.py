"""Whatever a sender sends, the intake answers a 4xx naming the problem and stores nothing.

Each case was a 500 once (found by fuzzing); they run over real HTTP, on SQLite and on
PostgreSQL, with requests written byte for byte where aiohttp's client would not send them.
"""

from __future__ import annotations

import asyncio
import gzip
import logging
import zlib
from typing import Any

import pytest

from bench.kit.hostile import Probe
from tests.harness import until
from tests.intake import AUTH, Stored, running_intake
from tests.office import HOT, TOKEN

JSON = b"application/json"
FORM = b"application/x-www-form-urlencoded"
PHONE = HOT["phone"]
NOTHING = Stored(leads=0, contacts=0)


def with_token(content_type: bytes,
               token: bytes = TOKEN.encode()) -> tuple[tuple[bytes, bytes], ...]:
    """Headers for a post of *content_type* with *token* as its bearer token."""
    return ((b"Content-Type", content_type), (b"Authorization", b"Bearer " + token))


def fields(answer: dict[str, Any]) -> list[str]:
    """The fields an error answer names."""
    return [problem["field"] for problem in answer["fields"]]


# --- 1. numbers that are not numbers -----------------------------------------------------------

@pytest.mark.parametrize("budget", ["NaN", "nan", "-NaN", "Infinity", "1e999", "-inf"])
async def test_a_budget_that_is_not_a_finite_number_keeps_the_lead_with_the_budget_flagged(
    database_url: str, budget: str,
) -> None:
    async with running_intake(database_url) as intake:
        as_json = await intake.post(json={"phone": PHONE, "budget_min": budget}, headers=AUTH)
        as_form = await intake.post(data={"token": TOKEN, "phone": PHONE, "budget_min": budget})
        for status, answer in (as_json, as_form):
            assert (status, answer["flags"]) == (201, {"budget_min": "unreadable"})
            row = await intake.lead(answer["lead_id"])
            assert (row["budget_min"], row["extras"]) == (None, {"budget_min": budget})
        assert await intake.stored() == Stored(leads=2, contacts=1)


@pytest.mark.parametrize("literal", [b"NaN", b"Infinity", b"-Infinity"])
async def test_nan_and_infinity_literals_are_not_json_and_are_400_naming_the_body(
    database_url: str, literal: bytes,
) -> None:
    body = b'{"phone": "%s", "budget_min": %s}' % (PHONE.encode(), literal)
    async with running_intake(database_url) as intake:
        reply = await intake.send(Probe(body, with_token(JSON)))
        assert (reply.status, fields(reply.json())) == (400, ["body"])
        assert await intake.stored() == NOTHING


# --- 2. deep JSON, and the token checked before the body ---------------------------------------

def nested(levels: int) -> bytes:
    """A lead whose tags are nested so that the whole body is *levels* deep."""
    inner = levels - 1
    return b'{"phone": "%s", "tags": %s"x"%s}' % (PHONE.encode(), b"[" * inner, b"]" * inner)


@pytest.mark.parametrize("levels", [33, 1_000, 20_000])
async def test_json_nested_deeper_than_32_levels_is_400_naming_the_body(
    database_url: str, levels: int,
) -> None:
    async with running_intake(database_url) as intake:
        reply = await intake.send(Probe(nested(levels), with_token(JSON)))
        assert (reply.status, fields(reply.json())) == (400, ["body"])
        assert "32" in reply.json()["fields"][0]["problem"]
        assert await intake.stored() == NOTHING
        # 32 levels are parsed, and judged as a lead: these tags are not a list of strings.
        reply = await intake.send(Probe(nested(32), with_token(JSON)))
        assert (reply.status, reply.json()["flags"]) == (201, {"tags": "unreadable"})


@pytest.mark.parametrize("content_type", [JSON, FORM])
async def test_an_unknown_bearer_token_is_401_without_reading_the_body(
    database_url: str, content_type: bytes,
) -> None:
    headers = with_token(content_type, b"not-a-token-of-this-office")
    async with running_intake(database_url) as intake:
        # The body is never sent: the answer must come from the headers alone.
        reply = await intake.send(Probe(b"", headers, declared_length=60_000, send_body=False),
                                  within=5)
        assert reply.status == 401
        deep = await intake.send(Probe(nested(50_000)[:60_000], headers))
        assert deep.status == 401
        assert await intake.stored() == NOTHING


# --- 3 and 4. text that is not valid Unicode, control characters ------------------------------

@pytest.mark.parametrize(("body", "content_type", "field", "kept"), [
    (b'{"phone": "%s", "name": "\\ud800"}', JSON, "name", None),
    (b'{"phone": "%s", "name": "Deniz \xed\xa0\x80"}', JSON, "name", "Deniz \ufffd"),
    (b'{"phone": "%s", "message": "ok \\udfff ok"}', JSON, "message", "ok \ufffd ok"),
    (b'{"phone": "%s", "tags": ["fine", "\\udc00"]}', JSON, "tags", ["fine", "\ufffd"]),
    (b"phone=%s&region=%%ED%%A0%%80", FORM, "region", None),
    (b"phone=%s&timing=%%FF%%FE", FORM, "timing", None),
])
async def test_text_that_is_not_valid_unicode_is_kept_cleaned_with_its_field_flagged(
    database_url: str, body: bytes, content_type: bytes, field: str, kept: object,
) -> None:
    async with running_intake(database_url) as intake:
        reply = await intake.send(Probe(body % PHONE.encode(), with_token(content_type)))
        assert (reply.status, reply.json()["flags"]) == (201, {field: "cleaned"})
        row = await intake.lead(reply.json()["lead_id"])
        if kept is not None:
            assert row[field] == kept
        assert "\ufffd" in str(row[field])  # where a surrogate was


async def test_a_field_name_that_is_not_valid_unicode_is_kept_escaped_among_the_extras(
    database_url: str,
) -> None:
    body = b'{"phone": "%s", "\\ud800": "x"}' % PHONE.encode()
    async with running_intake(database_url) as intake:
        reply = await intake.send(Probe(body, with_token(JSON)))
        assert reply.status == 201
        assert (await intake.lead(reply.json()["lead_id"]))["extras"] == {"\\ud800": "x"}


@pytest.mark.parametrize(("field", "value", "kept"), [
    ("name", "Deniz\x00Kaya", "DenizKaya"), ("message", "hi\x00", "hi"),
    ("region", "Istanbul\x1b[31m", "Istanbul[31m"), ("timing", "soon\x7f", "soon"),
    ("product", "land\x85", "land"), ("tags", ["fine", "bad\x00"], ["fine", "bad"]),
])
async def test_control_characters_in_text_are_taken_out_and_the_field_flagged(
    database_url: str, field: str, value: object, kept: object,
) -> None:
    payload = {"email": "deniz@example.com", field: value}
    async with running_intake(database_url) as intake:
        status, answer = await intake.post(json=payload, headers=AUTH)
        assert (status, answer["flags"]) == (201, {field: "cleaned"})
        assert (await intake.lead(answer["lead_id"]))[field] == kept


@pytest.mark.parametrize(("field", "value"), [
    ("external_id", "form\x00-1"), ("phone", "+90532\x001234567"),
])
async def test_an_identifier_with_a_control_character_is_left_out_and_flagged(
    database_url: str, field: str, value: str,
) -> None:
    payload = {"email": "deniz@example.com", field: value}
    async with running_intake(database_url) as intake:
        status, answer = await intake.post(json=payload, headers=AUTH)
        assert (status, answer["flags"]) == (201, {field: "unreadable"})
        row = await intake.lead(answer["lead_id"])
        assert row[field] is None
        assert row["extras"] == {field: value.replace("\x00", "")}


async def test_an_e_mail_with_a_control_character_and_no_phone_is_still_422(
    database_url: str,
) -> None:
    async with running_intake(database_url) as intake:
        status, answer = await intake.post(json={"email": "a\x00@b.co"}, headers=AUTH)
        assert (status, fields(answer)) == (422, ["email"])
        assert await intake.stored() == NOTHING


async def test_tabs_and_line_breaks_are_kept_with_a_form_s_crlf_stored_as_newlines(
    database_url: str,
) -> None:
    form = {"token": TOKEN, "phone": PHONE, "message": "first line\r\nsecond\tline\rthird"}
    async with running_intake(database_url) as intake:
        status, answer = await intake.post(data=form)
        assert status == 201
        assert (await intake.lead(answer["lead_id"]))["message"] == \
            "first line\nsecond\tline\nthird"


# --- 5. form bodies that are not UTF-8 ---------------------------------------------------------

async def test_a_form_body_that_is_not_utf8_is_400_naming_the_body(database_url: str) -> None:
    async with running_intake(database_url) as intake:
        for headers in (((b"Content-Type", FORM),), with_token(FORM)):
            reply = await intake.send(Probe(b"name=\xff\xfe&phone=%s" % PHONE.encode(), headers))
            assert (reply.status, fields(reply.json())) == (400, ["body"])
        assert await intake.stored() == NOTHING


@pytest.mark.parametrize("charset", [b"foo", b"latin-1", b"utf-16"])
async def test_a_form_in_another_charset_than_utf8_is_415_naming_the_content_type(
    database_url: str, charset: bytes,
) -> None:
    headers = ((b"Content-Type", FORM + b"; charset=" + charset),)
    async with running_intake(database_url) as intake:
        reply = await intake.send(Probe(b"token=%s&phone=%s" % (TOKEN.encode(), PHONE.encode()),
                                        headers))
        assert (reply.status, fields(reply.json())) == (415, ["Content-Type"])
        assert await intake.stored() == NOTHING


@pytest.mark.parametrize("encoding", [b"gzip", b"deflate"])
async def test_a_body_whose_content_encoding_does_not_decode_is_400_naming_the_body(
    database_url: str, encoding: bytes,
) -> None:
    body = b'{"phone": "%s"}' % PHONE.encode()
    async with running_intake(database_url) as intake:
        encoded = (*with_token(JSON), (b"Content-Encoding", encoding))
        broken = await intake.send(Probe(body, encoded))
        assert (broken.status, fields(broken.json())) == (400, ["body"])
        assert await intake.stored() == NOTHING
        packed = gzip.compress(body) if encoding == b"gzip" else zlib.compress(body)
        whole = await intake.send(Probe(packed, encoded))
        assert whole.status == 201


async def test_what_the_http_parser_refuses_is_an_info_line_without_a_traceback(
    database_url: str, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    body = b'{"phone": "%s"}' % PHONE.encode()
    probes = [Probe(body, (*with_token(JSON), (b"X-Note", b"a\x01b"))),  # a byte not allowed
              Probe(body, (*with_token(JSON), (b"Content-Encoding", b"gzip"))),  # not gzip
              Probe(b"zz\r\n{}\r\n0\r\n\r\n", (*with_token(JSON),
                                                (b"Transfer-Encoding", b"chunked")),
                    framed=False)]
    async with running_intake(database_url) as intake:
        for probe in probes:
            assert (await intake.send(probe, within=5)).status == 400
        await until(lambda: sum(r.name == "webhooks.server" for r in caplog.records) >= 2)
        assert await intake.stored() == NOTHING
    said = [r for r in caplog.records if r.name.startswith(("aiohttp", "webhooks"))]
    assert [r for r in said if r.levelno >= logging.WARNING or r.exc_info] == []
    assert all(r.getMessage().startswith("a request the HTTP parser refused: ")
               for r in said if r.name == "webhooks.server")


async def test_broken_chunks_are_a_4xx(database_url: str) -> None:
    framing = ((b"Content-Type", JSON), (b"Authorization", b"Bearer " + TOKEN.encode()),
               (b"Transfer-Encoding", b"chunked"))
    async with running_intake(database_url) as intake:
        for body in (b"zz\r\n{}\r\n0\r\n\r\n", b"5\r\n{}\r\n0\r\n\r\n"):
            reply = await intake.send(Probe(body, framing, framed=False), within=5)
            assert 400 <= reply.status < 500
        assert await intake.stored() == NOTHING


# --- 6. an Authorization header that is not UTF-8 ----------------------------------------------

@pytest.mark.parametrize("content_type", [JSON, FORM])
async def test_an_authorization_header_that_is_not_utf8_is_401(
    database_url: str, content_type: bytes,
) -> None:
    async with running_intake(database_url) as intake:
        reply = await intake.send(Probe(b'{"phone": "%s"}' % PHONE.encode(),
                                        with_token(content_type, b"\xff\xfe\xed\xa0\x80")))
        assert reply.status == 401
        assert await intake.stored() == NOTHING


# --- 7. bodies too long to take, or too slow to arrive -----------------------------------------

@pytest.mark.parametrize("expect", [True, False])
async def test_a_declared_length_over_64_kib_is_413_at_once(database_url: str,
                                                            expect: bool) -> None:
    headers = with_token(JSON) + (((b"Expect", b"100-continue"),) if expect else ())
    async with running_intake(database_url) as intake:
        reply = await intake.send(Probe(b"", headers, declared_length=10 * 2**30,
                                        send_body=False), within=5)
        assert (reply.status, reply.continued) == (413, False)
        assert "65536" in reply.json()["error"]
        assert await intake.stored() == NOTHING


async def test_a_sender_that_asks_to_continue_gets_its_continue_and_its_lead_stored(
    database_url: str,
) -> None:
    body = b'{"phone": "%s"}' % PHONE.encode()
    async with running_intake(database_url) as intake:
        reply = await intake.send(Probe(body, (*with_token(JSON), (b"Expect", b"100-continue"))),
                                  within=5)
        assert (reply.status, reply.continued) == (201, True)
        assert await intake.whole(reply.json()["lead_id"])


@pytest.mark.parametrize("expect", [b"\x80\xff", b"200-ok"])
async def test_an_expect_other_than_100_continue_is_417_naming_it(database_url: str,
                                                                  expect: bytes) -> None:
    body = b'{"phone": "%s"}' % PHONE.encode()
    async with running_intake(database_url) as intake:
        reply = await intake.send(Probe(body, (*with_token(JSON), (b"Expect", expect))))
        assert (reply.status, fields(reply.json())) == (417, ["Expect"])
        assert await intake.stored() == NOTHING


@pytest.mark.parametrize("content_type", [JSON, FORM])
async def test_a_body_that_does_not_arrive_in_time_is_408(database_url: str,
                                                          content_type: bytes) -> None:
    body = b"token=%s&phone=%s" % (TOKEN.encode(), PHONE.encode())
    async with running_intake(database_url, body_timeout=0.5) as intake:
        # Half the body, then nothing: the sender keeps the connection open.
        reply = await intake.send(Probe(body[:10], with_token(content_type),
                                        declared_length=len(body)), within=5)
        assert reply.status == 408
        assert await intake.stored() == NOTHING


# --- 8. phone numbers that cannot exist, senders that go away ----------------------------------

@pytest.mark.parametrize("phone", ["0000000000", "+900000000000", "+90 999 123 45 67",
                                   "+1 555 000 0000"])
async def test_a_phone_number_that_cannot_exist_is_422_and_joins_nobody(
    database_url: str, phone: str,
) -> None:
    async with running_intake(database_url) as intake:
        for name in ("Deniz", "Ayla"):
            status, answer = await intake.post(json={"name": name, "phone": phone}, headers=AUTH)
            assert (status, answer["fields"]) == (
                422, [{"field": "phone", "problem": "is not a valid phone number"}])
        assert await intake.stored() == NOTHING


async def test_a_sender_that_goes_away_mid_body_is_an_info_line_not_an_error(
    database_url: str, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="webhooks")
    async with running_intake(database_url) as intake:
        _, writer = await asyncio.open_connection("127.0.0.1", intake.port)
        writer.write(Probe(b"", with_token(JSON), declared_length=1_000).head() + b'{"pho')
        await writer.drain()
        writer.close()
        await until(lambda: any(r.name.startswith("webhooks") for r in caplog.records))
        said = [r for r in caplog.records if r.name.startswith("webhooks")]
        assert [(r.levelno, r.exc_info) for r in said] == [(logging.INFO, None)]
        assert await intake.stored() == NOTHING


# --- 9. the token comes from the header or the form, never the URL -----------------------------

async def test_a_token_in_the_url_is_not_accepted(database_url: str) -> None:
    async with running_intake(database_url) as intake:
        for probe in (Probe(b"phone=%s" % PHONE.encode(), ((b"Content-Type", FORM),),
                            path=b"/webhooks/leads?token=" + TOKEN.encode()),
                      Probe(b'{"phone": "%s"}' % PHONE.encode(), ((b"Content-Type", JSON),),
                            path=b"/webhooks/leads?token=" + TOKEN.encode())):
            assert (await intake.send(probe)).status == 401
        assert await intake.stored() == NOTHING
