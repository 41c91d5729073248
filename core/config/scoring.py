"""How a lead is scored: the weights of its factors, the bands, each channel's warmth."""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from core.model import Channel, Strict


def _default_warmth() -> dict[Channel, float]:
    return {
        Channel.REFERRAL: 1.0,
        Channel.WHATSAPP: 0.9,
        Channel.FAIR: 0.8,
        Channel.WEB_FORM: 0.7,
        Channel.GOOGLE_ADS: 0.7,
        Channel.META: 0.6,
        Channel.ORGANIC: 0.5,
        Channel.DATABASE: 0.3,
        Channel.OTHER: 0.5,
        # Someone who called or walked in has already reached out in person.
        Channel.MANUAL: 0.8,
    }


class ScoringWeights(Strict):
    """Points each factor can contribute; they add up to 100."""

    budget: int = Field(default=40, ge=0)
    timing: int = Field(default=30, ge=0)
    region: int = Field(default=20, ge=0)
    channel: int = Field(default=10, ge=0)

    @model_validator(mode="after")
    def _sum_to_100(self) -> ScoringWeights:
        total = self.budget + self.timing + self.region + self.channel
        if total != 100:
            raise ValueError(f"weights must add up to 100, they add up to {total}")
        return self


class ScoringBands(Strict):
    """The lowest score of each band; anything below warm is cold."""

    hot: int = Field(default=70, ge=0, le=100)
    warm: int = Field(default=40, ge=0, le=100)

    @model_validator(mode="after")
    def _ordered(self) -> ScoringBands:
        if self.warm > self.hot:
            raise ValueError("the warm band must start below the hot band")
        return self


class ScoringConfig(Strict):
    """The score formula's weights, bands and channel warmth."""

    weights: ScoringWeights = ScoringWeights()
    bands: ScoringBands = ScoringBands()
    channel_warmth: dict[Channel, float] = Field(default_factory=_default_warmth)

    @field_validator("channel_warmth")
    @classmethod
    def _complete(cls, warmth: dict[Channel, float]) -> dict[Channel, float]:
        for channel, value in warmth.items():
            if not 0 <= value <= 1:
                raise ValueError(f"warmth of {channel.value} must be between 0 and 1")
        return {**_default_warmth(), **warmth}
