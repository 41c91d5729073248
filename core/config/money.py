"""What a won lead earns the office: commission rates per product, for the managers' numbers."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field, field_validator

from core.model import Strict

_MAX_RATE = Decimal(10)  # a rental's commission may be months of rent: 1 = one amount


def _rate(value: object) -> object:
    """`2%`, `0.02` or `2 %` as a fraction of the amount won."""
    if not isinstance(value, str):
        return value
    text = value.strip().replace(",", ".")
    try:
        return Decimal(text[:-1].strip()) / 100 if text.endswith("%") else Decimal(text)
    except ArithmeticError as exc:
        raise ValueError(f"{value!r} is not a rate (write 2% or 0.02)") from exc


class MoneyConfig(Strict):
    """Commission as a share of the amount recorded with Won, per product (a rental is not a
    sale), and the share for products not listed."""

    commission: dict[str, Decimal] = Field(default_factory=dict, max_length=200)
    default_commission: Decimal = Field(default=Decimal(0), ge=0, le=_MAX_RATE)

    @field_validator("commission", mode="before")
    @classmethod
    def _rates(cls, value: object) -> object:
        if not isinstance(value, dict):
            return value
        rates = {}
        for key, rate in value.items():
            try:
                rates[key] = _rate(rate)
            except ValueError as exc:
                raise ValueError(f"{key}: {exc}") from exc
        return rates

    @field_validator("default_commission", mode="before")
    @classmethod
    def _default_rate(cls, value: object) -> object:
        return _rate(value)

    @field_validator("commission")
    @classmethod
    def _in_range(cls, value: dict[str, Decimal]) -> dict[str, Decimal]:
        for product, rate in value.items():
            if not 0 <= rate <= _MAX_RATE:
                raise ValueError(f"{product}: {rate} is not a rate between 0 and 10 "
                                 "(write 2% or 0.02; a rental's one month's rent is 100%)")
        return value

    def rate(self, product: str | None) -> Decimal:
        """The commission rate of *product* (case as written in the config, then folded)."""
        if product is None:
            return self.default_commission
        if product in self.commission:
            return self.commission[product]
        folded = {key.casefold(): rate for key, rate in self.commission.items()}
        return folded.get(product.casefold(), self.default_commission)
