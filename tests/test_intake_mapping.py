"""A source's mapping reads a payload of the sender's own shape as a lead: nested paths,
constants and tags, through the real intake over HTTP; a bad mapping is refused on load."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from core.config import OfficeConfig
from core.config.mapping import parse_path
from core.errors import ConfigError
from core.intake_mapping import apply_mapping
from leadrelay.office import load_office
from tests.intake import AUTH, running_intake
from tests.office import TOKEN, office_data
from tests.test_policy_cli import leadrelay

PORTAL = {"fields": {"phone": "contact.phones[0]", "name": "contact.full_name",
                     "email": "contact.emails[1]", "region": "listing.location.city"},
          "constants": {"product": "land"}, "tags": ["portal"]}


def portal_office() -> OfficeConfig:
    data = office_data()
    data["sources"] = [{"name": "portal", "token": TOKEN, "channel": "web_form",
                        "mapping": PORTAL}]
    return OfficeConfig.model_validate(data)


@pytest.mark.parametrize(("path", "steps"), [
    ("contact.phones[0]", ("contact", "phones", 0)),
    ("items[2].x", ("items", 2, "x")),
    ("a[0][1]", ("a", 0, 1)),
    ("phone", ("phone",)),
])
def test_a_path_reads_as_keys_and_list_positions(path: str, steps: tuple[object, ...]) -> None:
    assert parse_path(path) == steps


@pytest.mark.parametrize("path", ["", "a..b", "a[0]b", "a.", ".a", "a[x]", "[0]", "a[-1]"])
def test_a_path_that_is_none_is_refused(path: str) -> None:
    with pytest.raises(ValueError, match="is not a path into the payload"):
        parse_path(path)


def test_mapped_fields_are_taken_from_their_paths_and_the_rest_kept_as_posted() -> None:
    mapping = portal_office().sources[0].mapping
    payload = {"contact": {"full_name": "Deniz Kaya", "phones": ["0532 123 45 67"],
                           "emails": ["x"]},
               "listing": {"location": {"city": "Bursa"}}, "utm_source": "portal",
               "tags": ["vip"]}
    assert apply_mapping(mapping, payload) == {
        "phone": "0532 123 45 67", "name": "Deniz Kaya", "region": "Bursa",
        "product": "land", "tags": ["vip", "portal"], "utm_source": "portal"}


def test_no_mapping_leaves_the_payload_as_posted() -> None:
    assert apply_mapping(None, {"phone": "1", "x": {"y": 2}}) == {"phone": "1", "x": {"y": 2}}


async def test_a_portal_posting_its_own_shape_becomes_a_lead(tmp_path: Path) -> None:
    database = f"sqlite+aiosqlite:///{tmp_path / 'intake.db'}"
    async with running_intake(database, config=portal_office()) as intake:
        status, answer = await intake.post(headers=AUTH, json={
            "contact": {"full_name": "Deniz Kaya", "phones": ["0532 123 45 67"]},
            "listing": {"location": {"city": "Bursa"}}})
        assert status == 201, answer
        lead = await intake.lead(answer["lead_id"])
    assert (lead["phone"], lead["name"], lead["region"], lead["product"], lead["tags"]) == (
        "+905321234567", "Deniz Kaya", "Bursa", "land", ["portal"])


def test_a_mapping_naming_a_bad_path_is_refused_with_its_file_and_key(tmp_path: Path) -> None:
    data = office_data()
    data["sources"] = [{"name": "portal", "token": TOKEN,
                        "mapping": {"fields": {"phone": "contact..phones"}}}]
    path = tmp_path / "office.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load_office(path)
    assert str(refused.value) == (
        f"{path}: sources[0].mapping.fields: 'contact..phones' is not a path into the payload "
        "(write keys with dots and list positions in brackets, such as contact.phones[0])")


def test_intake_try_shows_what_a_payload_becomes_and_stores_nothing(tmp_path: Path) -> None:
    data = office_data()
    data["sources"] = [{"name": "portal", "token": TOKEN, "channel": "web_form",
                        "mapping": PORTAL}]
    path = tmp_path / "office.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    payload = tmp_path / "payload.json"
    payload.write_text(json.dumps({"contact": {"full_name": "Deniz Kaya",
                                               "phones": ["0532 123 45 67"]},
                                   "listing": {"location": {"city": "Bursa"}}}),
                       encoding="utf-8")
    database = tmp_path / "none.db"
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{database}"}
    result = leadrelay("intake", "try", "portal", str(payload), "--config", str(path),
                       cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "  phone: +905321234567" in lines
    assert "  product: land" in lines
    assert "  tags: ['portal']" in lines
    assert lines[-1] == "(a try: nothing was stored)"
    assert not database.exists()
    payload.write_text(json.dumps({"contact": {"full_name": "No Phone"}}), encoding="utf-8")
    refused = leadrelay("intake", "try", "portal", str(payload), "--config", str(path),
                        cwd=tmp_path, env=env)
    assert refused.returncode == 2
    assert refused.stderr.strip() == (
        f"leadrelay: {payload}: would be refused: phone: phone or email is required")
