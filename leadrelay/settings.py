"""Process settings from the environment and `.env`; a bad one stops start-up with one line."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

from storage.db import server_settings, sqlite_synchronous

_S = TypeVar("_S", bound="StorageSettings")
_TOKEN = re.compile(r"^\d{3,12}:[A-Za-z0-9_-]{30,}$")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{16,256}$")


class SettingsError(Exception):
    """A missing or invalid setting, named."""


class StorageSettings(BaseSettings):
    """Where the data and the office config are: enough for the offline commands."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    database_url: str = "sqlite+aiosqlite:///./leadrelay.db"
    leadrelay_config: Path = Path("./leadrelay.yaml")
    # Where Meta Lead Ads' fields are fetched (and `leadrelay intake replay` fetches them
    # anew); tests point it at sandbox/graph.py.
    meta_graph_url: str = "https://graph.facebook.com/v21.0"

    @field_validator("meta_graph_url")
    @classmethod
    def _graph_url(cls, url: str) -> str:
        if not url.startswith(("http://", "https://")):
            raise ValueError("must start with https:// (like https://graph.facebook.com/v21.0)")
        return url.rstrip("/")

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, url: str) -> str:
        if not url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        # A bad `options=` or `synchronous=` fails here, naming the key.
        if url.startswith("postgresql"):
            server_settings(make_url(url))
        else:
            sqlite_synchronous(make_url(url))
        return url


class Settings(StorageSettings):
    """Everything that differs between one installation and another, except the office."""

    telegram_bot_token: SecretStr
    telegram_api_url: str = "https://api.telegram.org"
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8080, ge=0, le=65535)
    sweep_seconds: float = Field(default=5.0, gt=0, le=3600)
    # Telegram allows about 30 messages/s per bot, shared by every instance of it; the
    # pacer counts each from when its send ends, so 30 is never more at Telegram's end.
    telegram_messages_per_second: float = Field(default=30.0, gt=0, le=30)
    # For `leadrelay run --webhook`: Telegram posts updates to <url>/telegram/webhook with
    # the secret in a header, so several instances can sit behind one load balancer.
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: SecretStr | None = None
    audit_seconds: float = Field(default=60.0, gt=0, le=86400)
    outbox_stale_seconds: float = Field(default=300.0, gt=0)
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"
    # For debugging only: log phone numbers and e-mail addresses in full, even at INFO.
    log_pii: bool = False
    # For bench/trace.py: a file each lead's stage marks (core/trace.py) are appended to.
    log_trace: Path | None = None

    @field_validator("log_format", mode="before")
    @classmethod
    def _lower_case(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value

    @field_validator("telegram_bot_token")
    @classmethod
    def _looks_like_a_token(cls, token: SecretStr) -> SecretStr:
        if not _TOKEN.match(token.get_secret_value()):
            raise ValueError("does not look like a bot token from @BotFather (digits:letters)")
        return token

    @field_validator("telegram_webhook_url")
    @classmethod
    def _webhook_url(cls, url: str | None) -> str | None:
        if url is not None and not url.startswith(("http://", "https://")):
            raise ValueError("must start with https:// (Telegram posts only to HTTPS)")
        return url.rstrip("/") if url else None

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _webhook_secret(cls, secret: SecretStr | None) -> SecretStr | None:
        if secret is not None and not _SECRET.match(secret.get_secret_value()):
            raise ValueError("must be 16 to 256 characters of A-Z, a-z, 0-9, _ and -")
        return secret

    def require_webhook(self) -> tuple[str, str]:
        """The webhook URL and secret, or SettingsError naming the one missing."""
        if not self.telegram_webhook_url:
            raise SettingsError("setting TELEGRAM_WEBHOOK_URL is not set (run --webhook "
                                "needs it)")
        if self.telegram_webhook_secret is None:
            raise SettingsError("setting TELEGRAM_WEBHOOK_SECRET is not set (run --webhook "
                                "needs it)")
        return self.telegram_webhook_url, self.telegram_webhook_secret.get_secret_value()

    @field_validator("telegram_api_url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        if not url.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return url.rstrip("/")


def load_settings(**overrides: object) -> Settings:
    """Read settings, turning validation errors into one line that names the setting."""
    return _load(Settings, overrides)


def load_storage_settings() -> StorageSettings:
    """Read only the database and config locations (no bot token needed)."""
    return _load(StorageSettings, {})


def _load(kind: type[_S], overrides: dict[str, object]) -> _S:
    try:
        return kind.model_validate(overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "settings"
        problem = "is not set" if first["type"] == "missing" else first["msg"].removeprefix(
            "Value error, ")
        raise SettingsError(f"setting {name} {problem}") from None
