"""The office's business calendar on the real `holidays` package, built from the office
config as leadrelay builds it (leadrelay/calendar.py), and the config keys that shape it."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from core.errors import ConfigError
from leadrelay.calendar import business_calendar
from leadrelay.office import load_office
from tests.office import office, office_data

ISTANBUL = ZoneInfo("Europe/Istanbul")


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ISTANBUL)


def test_turkish_public_holidays_of_2026_close_the_office_from_the_package() -> None:
    # The default hours, Mon–Sat 09:00–19:00; 2026's Ramazan Bayramı falls on Fri 20 – Sun 22
    # March, Kurban Bayramı on Wed 27 – Sat 30 May, Cumhuriyet Bayramı on Thu 29 October.
    cal = business_calendar(office(language="tr"))
    assert cal.add(at(2026, 3, 19, 18, 50), timedelta(minutes=30)) == at(2026, 3, 23, 9, 20)
    assert cal.add(at(2026, 5, 26, 18, 30), timedelta(hours=1)) == at(2026, 6, 1, 9, 30)
    assert cal.add(at(2026, 10, 28, 18, 45), timedelta(minutes=30)) == at(2026, 10, 30, 9, 15)
    assert cal.holidays.names(date(2026, 10, 29)) == ["Cumhuriyet Bayramı"]
    assert cal.holidays.names(date(2026, 10, 30)) == []


def test_holidays_follow_default_region_unless_set_and_null_turns_them_off() -> None:
    assert office().work.holidays == "TR"
    assert office(default_region="de").work.holidays == "DE"
    assert office(work={"holidays": "de-by"}).work.holidays == "DE-BY"
    plain = business_calendar(office(work={"holidays": None}))
    assert plain.is_open(at(2026, 10, 29, 12))


def test_a_closed_date_from_the_config_closes_the_office() -> None:
    cal = business_calendar(office(work={"closed_dates": ["2026-03-11"]}))
    assert cal.closed == {date(2026, 3, 11)}
    assert cal.add(at(2026, 3, 10, 18, 55), timedelta(minutes=15)) == at(2026, 3, 12, 9, 10)


def write(tmp_path: Path, data: dict[str, object]) -> Path:
    path = tmp_path / "office.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def config_error(path: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        load_office(path)
    return str(caught.value)


def test_a_country_code_of_the_wrong_shape_is_named_with_the_file_and_key(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, {**office_data(), "work": {"holidays": "Turkey"}})
    assert config_error(path).startswith(
        f"{path}: work.holidays: 'TURKEY' is not a country code (use two letters from ISO 3166")


def test_a_country_or_region_the_package_does_not_know_is_a_config_error(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, {**office_data(), "work": {"holidays": "XX"}})
    assert config_error(path) == (f"{path}: work.holidays: 'XX' is not a country the holidays "
                                  "package knows (like TR, DE or US)")
    path = write(tmp_path, {**office_data(), "work": {"holidays": "DE-ZZ"}})
    assert config_error(path).startswith(
        f"{path}: work.holidays: 'ZZ' is not a region of DE the holidays package knows")


def test_a_phone_region_without_public_holidays_asks_for_the_key_to_be_set(
    tmp_path: Path,
) -> None:
    # Ascension Island has phone numbers of its own, and no calendar in the package.
    path = write(tmp_path, {**office_data(), "default_region": "AC"})
    assert "(taken from default_region; set work.holidays" in config_error(path)
    path = write(tmp_path, {**office_data(), "default_region": "AC", "work": {"holidays": None}})
    assert load_office(path).work.holidays is None


def test_the_shipped_example_closes_on_turkish_holidays_and_new_years_eve() -> None:
    config = load_office(Path(__file__).resolve().parent.parent / "leadrelay.example.yaml")
    assert (config.work.holidays, config.work.closed_dates) == ("TR", [date(2026, 12, 31)])
    assert not business_calendar(config).is_working_day(date(2026, 12, 31))
