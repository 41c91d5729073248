"""Nothing personal reaches the log: not through a database error, not even at DEBUG."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text

from leadrelay.logs import Redactor
from storage.db import create_engine
from tests.harness import running_office
from tests.office import HOT, TOKEN, office
from tests.test_logs import Captured, capture, no_phone

EMAIL = "deniz.kaya@example.com"
MESSAGE = "please call after six, about the flat"
LEAD = {**HOT, "email": EMAIL, "message": MESSAGE}


@pytest.fixture
def json_logs() -> Iterator[Captured]:
    yield from capture("json")


async def refuse_new_leads(database_url: str) -> None:
    """Make PostgreSQL refuse every new lead row, as a full disk would."""
    engine = create_engine(database_url)
    try:
        async with engine.begin() as conn:
            # With the row in the DETAIL, as PostgreSQL's own constraint errors give it.
            await conn.execute(text(
                "CREATE FUNCTION refuse_new() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                "RAISE EXCEPTION 'could not extend file: No space left on device' USING "
                "ERRCODE = 'disk_full', DETAIL = format('Failing row contains %s.', NEW); "
                "END $$"))
            await conn.execute(text("CREATE TRIGGER refuse_new BEFORE INSERT ON leads "
                                    "FOR EACH ROW EXECUTE FUNCTION refuse_new()"))
    finally:
        await engine.dispose()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_a_failed_insert_logs_the_error_without_the_leads_email_phone_name_or_message(
    json_logs: Captured, database_url: str,
) -> None:
    async with running_office(office(), database_url) as running:
        await refuse_new_leads(database_url)
        url = f"http://127.0.0.1:{running.runtime.http_port}/webhooks/leads"
        async with running.session.post(url, json=LEAD,
                                        headers={"Authorization": f"Bearer {TOKEN}"}) as r:
            assert r.status == 500

    [failed] = json_logs.with_message("intake failed on POST /webhooks/leads")
    assert failed["level"] == "ERROR"
    assert "DiskFullError" in failed["traceback"], "the kind of failure is kept"
    for personal in (EMAIL, "Deniz", "Kaya", MESSAGE):
        assert personal not in json_logs.text
    assert no_phone(json_logs.text)


def test_the_values_in_a_postgresql_error_detail_are_masked_and_the_columns_kept() -> None:
    redactor = Redactor()
    masked = redactor.redact(
        'duplicate key value violates unique constraint "uq_contacts_email"\n'
        "DETAIL:  Key (email, source)=(deniz.kaya@example.com, web (form)) already exists.\n"
        'new row for relation "leads" violates check constraint "ck_budget"\n'
        "DETAIL:  Failing row contains (7, Deniz Kaya, +905321234567, call me (after six)).")
    assert "Key (email, source)=(<redacted>) already exists." in masked
    assert "Failing row contains (<redacted>)." in masked
    for personal in ("deniz.kaya", "web (form)", "Deniz Kaya", "call me"):
        assert personal not in masked
    assert no_phone(masked)


def test_an_email_address_keeps_its_first_character_and_its_domain() -> None:
    masked = Redactor().redact(
        "from Deniz.Kaya+ev@Example.com.tr, email='a@b.io' and <ümit@örnek.com.tr>; "
        "not a@localhost, pip@23.1 or @mentions")
    assert masked == ("from D***@Example.com.tr, email='a***@b.io' and <ü***@örnek.com.tr>; "
                      "not a@localhost, pip@23.1 or @mentions")


def test_with_log_pii_phones_emails_and_row_details_are_kept_and_secrets_still_masked() -> None:
    redactor = Redactor(region="TR", secrets=[TOKEN], pii=True)
    line = (f"lead from deniz.kaya@example.com, 0532 123 45 67, source {TOKEN}\n"
            "DETAIL:  Key (email)=(deniz.kaya@example.com) already exists.")
    assert redactor.redact(line) == line.replace(TOKEN, "<redacted>")
