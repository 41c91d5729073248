"""A lead source as configured: a bearer token's, or an ad platform's (Meta Lead Ads, the
WhatsApp Cloud API, Google Ads lead forms) with the credentials its console names."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

from pydantic import Field, HttpUrl, SecretStr, field_validator, model_validator

from core.config.durations import Duration
from core.config.lead_types import LEAD_TYPE_NAME
from core.config.mapping import SourceMapping
from core.model import Channel, Strict

# The credentials each platform's source carries, under the names its console uses; the
# first group is required once any of them is given (`access_token` is WhatsApp's optional).
PLATFORM_KEYS: dict[Channel, tuple[tuple[str, ...], tuple[str, ...]]] = {
    Channel.META: (("app_secret", "verify_token", "page_access_token", "page_ids"),
                   ("fetch_retry_for",)),
    Channel.WHATSAPP: (("app_secret", "verify_token", "phone_number_ids"), ("access_token",)),
    Channel.GOOGLE_ADS: (("google_key",), ()),
}
_PLATFORM_ONLY = ("app_secret", "verify_token", "page_access_token", "page_ids",
                  "phone_number_ids", "access_token", "google_key", "fetch_retry_for")
_SECRETS = ("token", "app_secret", "verify_token", "page_access_token", "access_token",
            "google_key")
_FETCH_RETRY_FOR = timedelta(hours=24)
_ID = r"^[0-9]{1,40}$"


class SourceConfig(Strict):
    """A source allowed to post leads: by its bearer token at /webhooks/leads, or, given its
    platform's credentials, at that platform's own webhook."""

    name: str = Field(min_length=1, max_length=64)
    # Required for a source posting to /webhooks/leads; a platform source may leave it out.
    token: SecretStr | None = None
    channel: Channel = Channel.OTHER
    warmth: float | None = Field(default=None, ge=0, le=1)
    # Counted by each instance on its own; over it the intake answers 429 with Retry-After.
    # Not for the platforms' webhooks: Meta disables a subscription that keeps failing.
    requests_per_minute: int = Field(default=120, ge=1, le=1_000_000)
    # Its leads' type (one of the office's `lead_types`), unless a routing rule names another.
    lead_type: str | None = Field(default=None, min_length=1, max_length=40,
                                  pattern=LEAD_TYPE_NAME)
    # How its payloads read as leads, when the sender posts a shape of its own.
    mapping: SourceMapping | None = None
    # Where a browser goes after posting one of its forms (303), instead of a JSON answer:
    # the first, or the one a form's `redirect` field names; none that is not listed here.
    thank_you_urls: list[HttpUrl] = Field(default_factory=list, max_length=20)
    # A web form's hidden field that people never see or fill (say `website_url`): a post
    # that fills it is answered 200, kept as spam and never routed. None: no honeypot.
    honeypot: str | None = Field(default=None, min_length=1, max_length=64)
    # What the source costs a month in the office's currency (ads, portal fees), for its ROI.
    monthly_cost: Decimal | None = Field(default=None, ge=0, le=10**12)
    # Meta and WhatsApp: the app's secret (signs each post), the token the GET handshake
    # echoes; Meta: the page access token the Graph API is asked with, the pages it serves.
    app_secret: SecretStr | None = None
    verify_token: SecretStr | None = None
    page_access_token: SecretStr | None = None
    page_ids: list[str] = Field(default_factory=list, max_length=500)
    # How long a Meta lead's fields are asked of the Graph API before it goes to failed intake.
    fetch_retry_for: Duration = _FETCH_RETRY_FOR
    # WhatsApp: the business numbers (by Meta's id) whose messages it takes.
    access_token: SecretStr | None = None
    phone_number_ids: list[str] = Field(default_factory=list, max_length=500)
    # Google Ads lead forms: the key typed into the form's webhook settings.
    google_key: SecretStr | None = None

    @property
    def platform(self) -> Channel | None:
        """The ad platform whose webhook this source takes leads at; None for a token
        source (whatever its channel: a Zapier relay of Meta leads is a token source)."""
        required, optional = PLATFORM_KEYS.get(self.channel, ((), ()))
        given = self._given() & {*required, *optional} - {"fetch_retry_for"}
        return self.channel if given else None

    def _given(self) -> set[str]:
        """The platform keys given a value (a config dumped and read again has them all,
        empty)."""
        return {key for key in _PLATFORM_ONLY if getattr(self, key) not in (None, [])
                and (key != "fetch_retry_for" or self.fetch_retry_for != _FETCH_RETRY_FOR)}

    @property
    def secrets(self) -> dict[str, str]:
        """Every secret it carries, by its key: for the log's redaction and start-up's check
        of the example's published values."""
        named = {key: getattr(self, key) for key in _SECRETS}
        return {key: value.get_secret_value() for key, value in named.items()
                if value is not None}

    def thank_you(self, asked: str | None) -> str | None:
        """The thank-you page for a form post that asked for *asked*: that one when listed,
        else the first; None when the source lists none (a JSON answer then)."""
        listed = [str(url) for url in self.thank_you_urls]
        if not listed:
            return None
        return asked if asked in listed else listed[0]

    @field_validator("page_ids", "phone_number_ids", mode="before")
    @classmethod
    def _ids_as_text(cls, ids: object) -> object:
        # Meta's ids are long numbers: YAML reads them unquoted as ints.
        if isinstance(ids, list):
            return [str(i) if isinstance(i, int) and not isinstance(i, bool) else i
                    for i in ids]
        return ids

    @field_validator("page_ids", "phone_number_ids")
    @classmethod
    def _numeric_ids(cls, ids: list[str]) -> list[str]:
        for value in ids:
            if not re.fullmatch(_ID, value):
                raise ValueError(f"{value!r} is not an id as Meta shows it (digits only)")
        if len(set(ids)) != len(ids):
            raise ValueError("an id is listed twice")
        return ids

    @field_validator("token")
    @classmethod
    def _long_enough(cls, token: SecretStr | None) -> SecretStr | None:
        if token is not None and len(token.get_secret_value()) < 16:
            raise ValueError("a source token must be at least 16 characters long")
        return token

    @field_validator("app_secret", "verify_token", "page_access_token", "access_token",
                     "google_key")
    @classmethod
    def _secret_given(cls, secret: SecretStr | None) -> SecretStr | None:
        if secret is not None and len(secret.get_secret_value().strip()) < 8:
            raise ValueError("must be at least 8 characters (copy it whole from the "
                             "platform's console)")
        return secret

    @model_validator(mode="after")
    def _credentials_of_its_channel(self) -> SourceConfig:
        required, optional = PLATFORM_KEYS.get(self.channel, ((), ()))
        own = {*required, *optional}
        for key in sorted(self._given() - own):
            users = [c.value for c, (r, o) in PLATFORM_KEYS.items() if key in (*r, *o)]
            raise ValueError(f"{key} is for sources with channel: {' or '.join(users)}; "
                             f"source {self.name!r} has channel: {self.channel.value}")
        if self.platform is not None:
            missing = [key for key in required if not getattr(self, key)]
            if missing:
                raise ValueError(f"a {self.channel.value} source needs {', '.join(missing)} "
                                 f"(source {self.name!r})")
        elif self.token is None:
            raise ValueError(f"token: source {self.name!r} needs a token (at least 16 "
                             "characters), or its platform's credentials")
        return self
