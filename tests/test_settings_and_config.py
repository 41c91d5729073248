"""Process settings and the office config file: defaults, and errors that say what is wrong."""

from __future__ import annotations

import copy
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from core.config import parse_duration
from core.errors import ConfigError
from core.model import Channel, Role, Temperature
from leadrelay.office import load_office
from leadrelay.settings import Settings, SettingsError, load_settings

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "leadrelay.example.yaml"
BOT_TOKEN = "123456789:" + "A" * 35

# --------------------------------------------------------------------------------------------
# Settings
# --------------------------------------------------------------------------------------------


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """A clean environment (no setting of ours set) in an empty directory without a `.env`."""
    fields = set(Settings.model_fields)
    for name in list(os.environ):
        if name.lower() in fields or name.upper().startswith("TELEGRAM_"):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return monkeypatch


def settings_error() -> str:
    """The one-line message load_settings() stops with in the current environment."""
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert "\n" not in message, "a settings error is one line"
    return message


def test_only_the_bot_token_is_required_and_everything_else_has_a_default(
    env: pytest.MonkeyPatch,
) -> None:
    env.setenv("TELEGRAM_BOT_TOKEN", BOT_TOKEN)
    settings = load_settings()
    assert settings.telegram_bot_token.get_secret_value() == BOT_TOKEN
    assert settings.telegram_api_url == "https://api.telegram.org"
    assert settings.database_url == "sqlite+aiosqlite:///./leadrelay.db"
    assert settings.http_host == "127.0.0.1"
    assert settings.http_port == 8080
    assert settings.leadrelay_config == Path("./leadrelay.yaml")
    assert settings.sweep_seconds == 5.0
    assert settings.log_level == "INFO"
    assert settings.log_format == "text"
    assert settings.log_pii is False


def test_the_bot_token_is_not_shown_when_settings_are_printed(env: pytest.MonkeyPatch) -> None:
    env.setenv("TELEGRAM_BOT_TOKEN", BOT_TOKEN)
    settings = load_settings()
    assert BOT_TOKEN not in repr(settings)
    assert BOT_TOKEN not in str(settings)


def test_every_setting_is_read_from_the_environment(env: pytest.MonkeyPatch) -> None:
    env.setenv("TELEGRAM_BOT_TOKEN", BOT_TOKEN)
    env.setenv("TELEGRAM_API_URL", "http://127.0.0.1:8081")
    env.setenv("DATABASE_URL", "postgresql+asyncpg://u:p@db:5432/leads")
    env.setenv("HTTP_HOST", "0.0.0.0")
    env.setenv("HTTP_PORT", "9090")
    env.setenv("LEADRELAY_CONFIG", "/etc/leadrelay/office.yaml")
    env.setenv("SWEEP_SECONDS", "0.5")
    env.setenv("LOG_LEVEL", "DEBUG")
    settings = load_settings()
    assert settings.telegram_api_url == "http://127.0.0.1:8081"
    assert settings.database_url == "postgresql+asyncpg://u:p@db:5432/leads"
    assert (settings.http_host, settings.http_port) == ("0.0.0.0", 9090)
    assert settings.leadrelay_config == Path("/etc/leadrelay/office.yaml")
    assert settings.sweep_seconds == 0.5
    assert settings.log_level == "DEBUG"


@pytest.mark.parametrize(("given", "read"), [("json", "json"), ("JSON", "json"),
                                            ("text", "text")])
def test_log_format_takes_text_or_json_in_any_case(
    env: pytest.MonkeyPatch, given: str, read: str,
) -> None:
    env.setenv("TELEGRAM_BOT_TOKEN", BOT_TOKEN)
    env.setenv("LOG_FORMAT", given)
    assert load_settings().log_format == read


def test_an_unknown_log_format_stops_start_up_naming_the_setting(
    env: pytest.MonkeyPatch,
) -> None:
    env.setenv("TELEGRAM_BOT_TOKEN", BOT_TOKEN)
    env.setenv("LOG_FORMAT", "xml")
    message = settings_error()
    assert message.startswith("setting LOG_FORMAT ")
    assert "json" in message


def test_log_pii_must_be_said_as_a_yes_or_no_and_a_bad_value_names_the_setting(
    env: pytest.MonkeyPatch,
) -> None:
    env.setenv("TELEGRAM_BOT_TOKEN", BOT_TOKEN)
    env.setenv("LOG_PII", "true")
    assert load_settings().log_pii is True
    env.setenv("LOG_PII", "sometimes")
    assert settings_error().startswith("setting LOG_PII ")


def test_a_dot_env_file_in_the_working_directory_is_read_and_the_environment_wins_over_it(
    env: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    (tmp_path / ".env").write_text(
        f"TELEGRAM_BOT_TOKEN={BOT_TOKEN}\nHTTP_PORT=7000\nHTTP_HOST=10.0.0.1\n", encoding="utf-8")
    env.setenv("HTTP_PORT", "7001")
    settings = load_settings()
    assert settings.telegram_bot_token.get_secret_value() == BOT_TOKEN
    assert settings.http_host == "10.0.0.1"
    assert settings.http_port == 7001


def test_a_missing_bot_token_stops_start_up_with_one_line_naming_it(
    env: pytest.MonkeyPatch,
) -> None:
    message = settings_error()
    assert message == "setting TELEGRAM_BOT_TOKEN is not set"


@pytest.mark.parametrize("token", [
    "",
    "not-a-token",
    "123456789",
    "123456789:short",
    "bot123456789:" + "A" * 35,
    "12:" + "A" * 35,
    "123456789:" + "A" * 34 + "!",
])
def test_a_malformed_bot_token_is_named_without_repeating_its_value(
    env: pytest.MonkeyPatch, token: str,
) -> None:
    env.setenv("TELEGRAM_BOT_TOKEN", token)
    message = settings_error()
    assert message.startswith("setting TELEGRAM_BOT_TOKEN ")
    assert "does not look like a bot token" in message
    if token:
        assert token not in message, "the secret must not end up in logs"


@pytest.mark.parametrize("url", [
    "sqlite:///./leadrelay.db",
    "postgresql://postgres@localhost/leads",
    "postgresql+psycopg2://postgres@localhost/leads",
    "mysql+aiomysql://root@localhost/leads",
    "leadrelay.db",
])
def test_a_database_url_without_an_async_driver_is_refused_by_name(
    env: pytest.MonkeyPatch, url: str,
) -> None:
    env.setenv("TELEGRAM_BOT_TOKEN", BOT_TOKEN)
    env.setenv("DATABASE_URL", url)
    message = settings_error()
    assert message.startswith("setting DATABASE_URL ")
    assert "sqlite+aiosqlite://" in message
    assert "postgresql+asyncpg://" in message


@pytest.mark.parametrize("url", [
    "sqlite+aiosqlite:////var/lib/leadrelay/leadrelay.db",
    "postgresql+asyncpg://postgres@localhost:5432/leads",
])
def test_a_database_url_with_an_async_driver_is_taken_as_given(
    env: pytest.MonkeyPatch, url: str,
) -> None:
    env.setenv("TELEGRAM_BOT_TOKEN", BOT_TOKEN)
    env.setenv("DATABASE_URL", url)
    assert load_settings().database_url == url


@pytest.mark.parametrize(("given", "kept"), [
    ("https://api.telegram.org/", "https://api.telegram.org"),
    ("http://127.0.0.1:8081//", "http://127.0.0.1:8081"),
    ("http://bot-api.internal/tg/", "http://bot-api.internal/tg"),
])
def test_trailing_slashes_are_stripped_from_the_bot_api_url(
    env: pytest.MonkeyPatch, given: str, kept: str,
) -> None:
    env.setenv("TELEGRAM_BOT_TOKEN", BOT_TOKEN)
    env.setenv("TELEGRAM_API_URL", given)
    assert load_settings().telegram_api_url == kept


def test_a_bot_api_url_that_is_not_http_is_refused_by_name(env: pytest.MonkeyPatch) -> None:
    env.setenv("TELEGRAM_BOT_TOKEN", BOT_TOKEN)
    env.setenv("TELEGRAM_API_URL", "api.telegram.org")
    message = settings_error()
    assert message.startswith("setting TELEGRAM_API_URL ")
    assert "http://" in message


@pytest.mark.parametrize(("name", "value"), [
    ("HTTP_PORT", "65536"), ("HTTP_PORT", "-1"), ("HTTP_PORT", "eighty"),
    ("SWEEP_SECONDS", "0"), ("SWEEP_SECONDS", "7200"),
])
def test_an_out_of_range_number_is_refused_by_the_name_of_its_setting(
    env: pytest.MonkeyPatch, name: str, value: str,
) -> None:
    env.setenv("TELEGRAM_BOT_TOKEN", BOT_TOKEN)
    env.setenv(name, value)
    assert settings_error().startswith(f"setting {name} ")


def test_overrides_passed_in_code_beat_the_environment(env: pytest.MonkeyPatch) -> None:
    env.setenv("TELEGRAM_BOT_TOKEN", BOT_TOKEN)
    env.setenv("HTTP_PORT", "9090")
    assert load_settings(http_port=0).http_port == 0


# --------------------------------------------------------------------------------------------
# Durations
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("given", "seconds"), [
    ("90s", 90), ("5m", 300), ("2h", 7200), ("1d", 86400), ("1.5h", 5400), ("500ms", 0.5),
    (" 30m ", 1800), ("30 m", 1800), (45, 45), (2.5, 2.5), (timedelta(minutes=3), 180),
])
def test_a_duration_is_a_number_with_a_unit_or_plain_seconds(given: object, seconds: float) -> None:
    assert parse_duration(given) == timedelta(seconds=seconds)


@pytest.mark.parametrize("given", [
    "soon", "5", "5 minutes", "5M", "m", "-5m", "0s", 0, -1, True, None, "", [5],
])
def test_anything_else_is_not_a_duration(given: object) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(given)


# --------------------------------------------------------------------------------------------
# The office config file
# --------------------------------------------------------------------------------------------


def example() -> dict[str, Any]:
    """The shipped example, as data to change for one test."""
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return copy.deepcopy(data)


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "office.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def config_error(path: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        load_office(path)
    return str(caught.value)


def test_the_shipped_example_config_loads_with_its_slas_and_weights() -> None:
    config = load_office(EXAMPLE)
    assert config.name == "Example Realty"
    assert config.timezone == "Europe/Istanbul"
    assert config.zone.key == "Europe/Istanbul"
    assert config.default_region == "TR"
    assert config.currency == "TRY"
    assert config.sla[Temperature.HOT].accept_within == timedelta(minutes=5)
    assert config.sla[Temperature.WARM].accept_within == timedelta(minutes=30)
    assert config.sla[Temperature.COLD].accept_within == timedelta(hours=2)
    assert [config.sla[t].offers_before_managers for t in Temperature] == [3, 3, 2]
    weights = config.scoring.weights
    assert (weights.budget, weights.timing, weights.region, weights.channel) == (40, 30, 20, 10)
    assert (config.scoring.bands.hot, config.scoring.bands.warm) == (70, 40)
    assert [a.name for a in config.agents if a.role is Role.MANAGER] == ["Selin"]
    assert [a.name for a in config.agents if a.away or a.away_until] == ["Can"]
    assert next(a for a in config.agents if a.name == "Zeynep").language == "tr"
    website = config.source_by_token("change-me-website-0123456789")
    assert website is not None
    assert website.name == "website"
    assert config.warmth_of(website) == 0.7
    assert config.source_by_token("change-me-website-012345678") is None


def test_a_minimal_config_gets_the_default_slas_weights_and_warmth(tmp_path: Path) -> None:
    path = write(tmp_path, {
        "name": "Tiny", "agents": [{"telegram_id": 1, "name": "Boss", "role": "manager"}],
        "sources": [{"name": "web", "token": "x" * 16}],
    })
    config = load_office(path)
    assert config.timezone == "UTC"
    assert config.language == "en"
    assert config.currency is None
    assert config.sla[Temperature.HOT].accept_within == timedelta(minutes=5)
    assert config.sla[Temperature.WARM].accept_within == timedelta(minutes=30)
    assert config.sla[Temperature.COLD].accept_within == timedelta(hours=2)
    assert config.scoring.weights.budget == 40
    assert set(config.scoring.channel_warmth) == set(Channel)


def test_an_sla_given_for_one_temperature_keeps_the_defaults_of_the_others(
    tmp_path: Path,
) -> None:
    data = example()
    data["sla"] = {"hot": {"accept_within": "90s"}}
    data["scoring"]["channel_warmth"] = {"meta": 0.2}
    config = load_office(write(tmp_path, data))
    assert config.sla[Temperature.HOT].accept_within == timedelta(seconds=90)
    assert config.sla[Temperature.WARM].accept_within == timedelta(minutes=30)
    assert config.sla[Temperature.COLD].offers_before_managers == 2
    assert config.scoring.channel_warmth[Channel.META] == 0.2
    assert config.scoring.channel_warmth[Channel.REFERRAL] == 1.0


def test_a_lower_case_phone_region_is_accepted_in_upper_case(tmp_path: Path) -> None:
    data = example()
    data["default_region"] = "de"
    assert load_office(write(tmp_path, data)).default_region == "DE"


def _set(path: str, value: object) -> Any:
    """A change to the example at a dotted path like `agents.1.telegram_id`."""
    def change(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    return change


@pytest.mark.parametrize(("change", "key_path", "problem"), [
    (_set("agents.1.telegram_id", -5), "agents[1].telegram_id", "greater than 0"),
    (_set("agents.1.telegram_id", "abc"), "agents[1].telegram_id", "valid integer"),
    (_set("agents.0.role", "boss"), "agents[0].role", "'agent' or 'manager'"),
    (_set("agents.2.nickname", "Z"), "agents[2].nickname", "Extra inputs are not permitted"),
    (_set("colour", "blue"), "colour", "Extra inputs are not permitted"),
    (_set("sla.hot.accept_within", "soon"), "sla.hot.accept_within",
     "expected a duration such as 90s, 5m or 2h, got 'soon'"),
    (_set("sla.warm.accept_within", "0s"), "sla.warm.accept_within",
     "a duration must be longer than zero"),
    (_set("sla.cold.offers_before_managers", 0), "sla.cold.offers_before_managers",
     "greater than or equal to 1"),
    (_set("timezone", "Mars/Olympus_Mons"), "timezone",
     "unknown time zone 'Mars/Olympus_Mons' (use a name like Europe/Istanbul)"),
    (_set("timezone", "../../etc/passwd"), "timezone", "unknown time zone"),
    (_set("default_region", "XX"), "default_region", "unknown phone region 'XX'"),
    (_set("language", "de"), "language", "'en' or 'tr'"),
    (_set("currency", "try"), "currency",
     "'try' is not a currency code (use three capital letters from ISO 4217"),
    (_set("currency", "TL"), "currency", "'TL' is not a currency code"),
    (_set("currency", "XYZ"), "currency", "'XYZ' is not a currency ISO 4217 knows"),
    (_set("agents", []), "agents", "at least 1 item"),
    (_set("sources", []), "sources", "at least 1 item"),
    (_set("sources.2.token", "short-token"), "sources[2].token",
     "a source token must be at least 16 characters long"),
    (_set("sources.0.warmth", 1.5), "sources[0].warmth", "less than or equal to 1"),
    (_set("sources.1.requests_per_minute", 0), "sources[1].requests_per_minute",
     "greater than or equal to 1"),
    (_set("scoring.weights.budget", 50), "scoring.weights",
     "weights must add up to 100, they add up to 110"),
    (_set("scoring.bands.warm", 80), "scoring.bands",
     "the warm band must start below the hot band"),
    (_set("scoring.channel_warmth.meta", 1.5), "scoring.channel_warmth",
     "warmth of meta must be between 0 and 1"),
    (_set("routing.ramp", [{"days": 30, "leads": 10, "every": 3}]), "routing.ramp[0]",
     "a ramp step takes exactly one of `days` or `leads`, got both `days` and `leads`"),
    (_set("routing.ramp", [{"every": 3}]), "routing.ramp[0]",
     "a ramp step takes exactly one of `days` or `leads`, got neither"),
    (_set("routing.ramp", [{"leads": 0, "every": 3}]), "routing.ramp[0].leads",
     "greater than 0"),
    (_set("routing.ramp", [{"leads": 10, "every": 1}]), "routing.ramp[0].every",
     "greater than or equal to 2"),
    (_set("routing.ramp", [{"leads": 10, "every": 3}, {"days": 60, "every": 2}]), "routing.ramp",
     "ramp steps are measured either all in `days` or all in `leads`, not both"),
])
def test_a_bad_value_is_reported_with_the_file_its_key_path_and_the_problem(
    tmp_path: Path, change: Any, key_path: str, problem: str,
) -> None:
    data = example()
    change(data)
    path = write(tmp_path, data)
    message = config_error(path)
    assert message.startswith(f"{path}: {key_path}: "), message
    assert problem in message
    assert len(message.splitlines()) == 1


def test_a_missing_required_key_is_named(tmp_path: Path) -> None:
    data = example()
    del data["name"]
    path = write(tmp_path, data)
    assert config_error(path) == f"{path}: name: Field required"


def test_each_mistake_in_a_file_gets_its_own_line(tmp_path: Path) -> None:
    data = example()
    data["timezone"] = "Nowhere/Town"
    data["agents"][1]["telegram_id"] = -1
    path = write(tmp_path, data)
    lines = config_error(path).splitlines()
    assert len(lines) == 2
    assert all(line.startswith(f"{path}: ") for line in lines)
    assert {line.split(": ")[1] for line in lines} == {"timezone", "agents[1].telegram_id"}


def test_an_unknown_key_in_a_mapping_of_fixed_keys_is_named_without_internal_markers(
    tmp_path: Path,
) -> None:
    data = example()
    data["sla"]["tepid"] = {"accept_within": "5m"}
    path = write(tmp_path, data)
    message = config_error(path)
    assert message.startswith(f"{path}: sla.tepid: "), message
    assert "'hot', 'warm' or 'cold'" in message


@pytest.mark.parametrize(("change", "problem"), [
    (lambda d: d["agents"][1].update(telegram_id=d["agents"][0]["telegram_id"]),
     "agents: two agents share telegram_id 100000001"),
    (lambda d: d["agents"][1].update(name=d["agents"][0]["name"].upper()),
     "agents: two people are called 'Ayşe': names must differ, as routing rules name people"),
    (lambda d: d.update(agents=[a for a in d["agents"] if a.get("role") != "manager"]),
     "at least one active manager is needed"),
    (lambda d: next(a for a in d["agents"] if a.get("role") == "manager").update(active=False),
     "at least one active manager is needed"),
    (lambda d: d["sources"][1].update(name=d["sources"][0]["name"]),
     "sources: two sources share the name 'website'"),
    (lambda d: d["sources"][1].update(token=d["sources"][0]["token"]),
     "sources: two sources share a token"),
])
def test_a_roster_or_source_list_that_cannot_work_is_refused_with_the_reason(
    tmp_path: Path, change: Any, problem: str,
) -> None:
    data = example()
    change(data)
    path = write(tmp_path, data)
    message = config_error(path)
    assert message.startswith(f"{path}: "), message
    assert problem in message
    assert len(message.splitlines()) == 1


def test_invalid_yaml_is_reported_with_the_file_and_the_line(tmp_path: Path) -> None:
    path = tmp_path / "office.yaml"
    path.write_text("name: Broken\nagents:\n  - {telegram_id: 1, name: A\nsources: []\n",
                    encoding="utf-8")
    message = config_error(path)
    assert message.startswith(f"{path}: line ")
    assert "is not valid YAML" in message
    line = int(message.split("line ", 1)[1].split()[0])
    assert line in (3, 4)


def test_a_badly_indented_yaml_key_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "office.yaml"
    path.write_text("name: Broken\ntimezone: UTC\n  language: en\n", encoding="utf-8")
    assert config_error(path).startswith(f"{path}: line 3 is not valid YAML")


def test_a_missing_config_file_is_named_and_the_example_is_suggested(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "leadrelay.yaml"
    assert config_error(path) == f"{path}: file not found (copy leadrelay.example.yaml)"


def test_a_directory_instead_of_a_config_file_is_reported_as_unreadable(tmp_path: Path) -> None:
    message = config_error(tmp_path)
    assert message.startswith(f"{tmp_path}: cannot read")


@pytest.mark.parametrize("text", ["", "# only a comment\n", "- a\n- b\n", "just words\n"])
def test_a_file_that_is_not_a_mapping_at_the_top_is_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / "office.yaml"
    path.write_text(text, encoding="utf-8")
    assert config_error(path) == f"{path}: expected a mapping of settings at the top level"


def test_a_source_token_is_not_repeated_in_the_error_about_it(tmp_path: Path) -> None:
    data = example()
    data["sources"][0]["token"] = "secret-but-short"[:15]
    path = write(tmp_path, data)
    message = config_error(path)
    assert "sources[0].token" in message
    assert "secret-but-shor" not in message


def test_every_setting_is_listed_in_env_example() -> None:
    from pathlib import Path

    from leadrelay.settings import Settings

    example = (Path(__file__).resolve().parent.parent / ".env.example").read_text("utf-8")
    listed = {line.lstrip("# ").split("=", 1)[0] for line in example.splitlines()
              if "=" in line and line.lstrip("# ").split("=", 1)[0].isupper()}
    assert {name.upper() for name in Settings.model_fields} <= listed


def test_a_temperature_given_in_part_keeps_its_own_defaults_for_the_rest(
    tmp_path: Path,
) -> None:
    data = example()
    data["sla"] = {"warm": {"first_contact_within": "1h"}, "hot": {"reclaim_within": None}}
    config = load_office(write(tmp_path, data))
    warm, hot = config.sla[Temperature.WARM], config.sla[Temperature.HOT]
    assert (warm.accept_within, warm.first_contact_within) == (timedelta(minutes=30),
                                                               timedelta(hours=1))
    assert (hot.first_contact_within, hot.reclaim_within) == (timedelta(minutes=15), None)
    assert config.sla[Temperature.COLD].first_contact_within == timedelta(hours=24)


def test_a_reclaim_before_the_first_call_is_due_is_refused_by_name(tmp_path: Path) -> None:
    data = example()
    data["sla"] = {"hot": {"first_contact_within": "30m", "reclaim_within": "20m"}}
    error = config_error(write(tmp_path, data))
    assert "office.yaml" in error
    assert "sla.hot: reclaim_within must be longer than first_contact_within" in error


def test_an_unknown_reclaim_destination_is_refused_by_name(tmp_path: Path) -> None:
    data = example()
    data["work"]["reclaim"]["to"] = "nobody"
    error = config_error(write(tmp_path, data))
    assert "work.reclaim.to" in error
