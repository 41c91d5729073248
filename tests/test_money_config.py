"""Commission rates per product and each source's monthly cost, as an office writes them."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from leadrelay.office import load_office
from tests.test_settings_and_config import EXAMPLE, config_error, example, write


def test_rates_read_as_percentages_or_fractions_and_unlisted_products_earn_the_default(
        tmp_path: Path) -> None:
    data = example()
    data["money"] = {"commission": {"Sale": "2,5%", "rental": 1, "land": "0.03"},
                     "default_commission": "1%"}
    money = load_office(write(tmp_path, data)).money
    assert money.rate("sale") == Decimal("0.025"), "a product's case does not matter"
    assert money.rate("rental") == 1
    assert money.rate("land") == Decimal("0.03")
    assert money.rate("office lease") == Decimal("0.01")
    assert money.rate(None) == Decimal("0.01")


def test_the_shipped_example_prices_its_paid_sources() -> None:
    config = load_office(EXAMPLE)
    costs = {s.name: s.monthly_cost for s in config.sources}
    assert costs["meta-lead-ads"] == 12000
    assert costs["website"] is None
    assert config.money.rate("rental") == 1


def test_a_rate_that_cannot_be_read_names_the_file_the_key_and_the_problem(
        tmp_path: Path) -> None:
    data = example()
    data["money"] = {"commission": {"sale": "two percent"}}
    error = config_error(write(tmp_path, data))
    assert "office.yaml" in error
    assert "money" in error
    assert "sale" in error
    assert "write 2% or 0.02" in error
    data["money"] = {"commission": {"sale": "1500%"}}
    assert "between 0 and 10" in config_error(write(tmp_path, data))


def test_a_negative_monthly_cost_is_refused_with_its_source(tmp_path: Path) -> None:
    data = example()
    data["sources"][0]["monthly_cost"] = -5
    error = config_error(write(tmp_path, data))
    assert "monthly_cost" in error
    assert "sources" in error
