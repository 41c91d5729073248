"""Sources for the ad platforms (Meta, WhatsApp, Google Ads) configured with their consoles'
credentials; token sources as before; Meta's handshake and signature as Meta sends them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from core.config import OfficeConfig
from core.errors import ConfigError
from core.model import Channel
from leadrelay.office import load_office
from tests.intake import running_intake
from tests.office import TOKEN, office, office_data
from webhooks.meta_platform import check_signature, signature_of, signed_by

META: dict[str, Any] = {
    "name": "facebook", "channel": "meta", "app_secret": "meta-app-secret-0123456789abcdef",
    "verify_token": "verify-me-0123456789", "page_access_token": "EAAB-page-token-0123456789",
    "page_ids": [111222333444555]}
WHATSAPP: dict[str, Any] = {
    "name": "whatsapp", "channel": "whatsapp", "app_secret": "meta-app-secret-0123456789abcdef",
    "verify_token": "verify-wa-0123456789", "phone_number_ids": ["106540352242922"]}
GOOGLE: dict[str, Any] = {"name": "google", "channel": "google_ads",
                          "google_key": "google-key-0123456789"}
WEBSITE = {"name": "website", "token": TOKEN, "channel": "web_form"}


def with_sources(*sources: dict[str, Any]) -> OfficeConfig:
    """The test office with these sources."""
    return office(sources=list(sources))


def problem_of(tmp_path: Path, *sources: dict[str, Any]) -> str:
    """The one-line ConfigError a leadrelay.yaml with these sources is refused with."""
    path = tmp_path / "leadrelay.yaml"
    path.write_text(yaml.safe_dump({**office_data(), "sources": list(sources)}))
    with pytest.raises(ConfigError) as refused:
        load_office(path)
    return str(refused.value)


def test_each_platform_source_is_matched_by_what_its_platform_sends() -> None:
    config = with_sources(WEBSITE, META, WHATSAPP, GOOGLE)
    assert config.source_by_token(TOKEN) == config.sources[0]
    assert config.source_for_page("111222333444555") is config.sources[1]
    assert config.source_for_phone_number("106540352242922") is config.sources[2]
    assert config.source_by_google_key("google-key-0123456789") is config.sources[3]
    assert config.source_by_google_key("google-key-012345678") is None
    assert config.source_for_page("999") is None
    assert [s.platform for s in config.sources] == [None, Channel.META, Channel.WHATSAPP,
                                                     Channel.GOOGLE_ADS]
    assert config.platform_sources(Channel.META) == [config.sources[1]]


def test_a_yaml_from_before_reads_as_it_did_token_sources_whatever_their_channel() -> None:
    zapier = {"name": "fb-zapier", "token": "zapier-token-0123456789", "channel": "meta"}
    config = with_sources(WEBSITE, zapier)
    assert config.sources[1].platform is None
    assert config.source_by_token("zapier-token-0123456789") is config.sources[1]
    assert config.platform_sources(Channel.META) == []


def test_a_platform_source_missing_a_credential_is_refused_naming_it(tmp_path: Path) -> None:
    partial = {k: v for k, v in META.items() if k != "page_access_token"}
    assert "page_access_token" in problem_of(tmp_path, WEBSITE, partial)
    assert "sources[0]" in problem_of(tmp_path, {"name": "no-token", "channel": "web_form"})
    assert "token" in problem_of(tmp_path, {"name": "no-token", "channel": "web_form"})


def test_a_credential_of_another_platform_is_refused_naming_it(tmp_path: Path) -> None:
    problem = problem_of(tmp_path, {**GOOGLE, "page_ids": ["1"]})
    assert "page_ids is for sources with channel: meta" in problem


def test_a_page_two_sources_claim_is_refused(tmp_path: Path) -> None:
    other = {**META, "name": "facebook-2", "page_ids": ["111222333444555", "7"]}
    problem = problem_of(tmp_path, META, other)
    assert "page_ids: 111222333444555 is claimed by both 'facebook' and 'facebook-2'" in problem


def test_a_number_two_sources_claim_or_a_shared_google_key_is_refused(tmp_path: Path) -> None:
    assert "phone_number_ids" in problem_of(tmp_path, WHATSAPP, {**WHATSAPP, "name": "wa-2"})
    assert "google_key" in problem_of(tmp_path, GOOGLE, {**GOOGLE, "name": "google-2"})


def test_an_id_that_is_not_digits_is_refused(tmp_path: Path) -> None:
    assert "digits only" in problem_of(tmp_path, {**META, "page_ids": ["my-page"]})


def test_a_signature_is_the_hmac_of_the_raw_bytes_under_the_app_secret() -> None:
    body = b'{"object":"page","entry":[]}'
    header = signature_of(body, "secret-one-0123456789")
    assert check_signature(body, header, "secret-one-0123456789")
    assert check_signature(body, header.upper().replace("SHA256=", "sha256="),
                           "secret-one-0123456789")
    assert not check_signature(body + b" ", header, "secret-one-0123456789")
    assert not check_signature(body, header, "secret-two-0123456789")
    assert not check_signature(body, None, "secret-one-0123456789")
    assert not check_signature(body, "sha256=ÿ", "secret-one-0123456789")
    config = with_sources(META, {**WHATSAPP, "app_secret": "another-app-0123456789"})
    assert signed_by(body, signature_of(body, META["app_secret"]), config.sources) == [
        config.sources[0]]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_meta_subscribes_with_the_right_verify_token_only(database_url: str) -> None:
    async with running_intake(database_url, config=with_sources(WEBSITE, META)) as intake:
        right = {"hub.mode": "subscribe", "hub.verify_token": META["verify_token"],
                 "hub.challenge": "1158201444"}
        async with intake.session.get(intake.url("/webhooks/meta"), params=right) as answer:
            assert (answer.status, await answer.text()) == (200, "1158201444")
            assert answer.content_type == "text/plain"
        for wrong in ({**right, "hub.verify_token": "verify-me-012345678"},
                      {**right, "hub.mode": "unsubscribe"}, {}):
            async with intake.session.get(intake.url("/webhooks/meta"),
                                          params=wrong) as answer:
                assert answer.status == 403
