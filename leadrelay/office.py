"""Loading the office config file; an error names the file, the key path and the problem."""

from __future__ import annotations

from pathlib import Path

import yaml
from babel.numbers import is_currency
from pydantic import ValidationError

from core.config import OfficeConfig
from core.errors import ConfigError
from integrations.holidays import problem_with


def load_office(path: Path) -> OfficeConfig:
    """Read and validate the YAML office config at *path*."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found (copy leadrelay.example.yaml)") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}:{where} is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of settings at the top level")
    try:
        config = OfficeConfig.model_validate(data)
    except ValidationError as exc:
        problems = [
            f"{path}: {_key_path(err['loc']) or '(top level)'}: "
            f"{err['msg'].removeprefix('Value error, ')}"
            for err in exc.errors()
        ]
        raise ConfigError("\n".join(problems)) from None
    # core checks the code's shape; whether it names a currency is the locale data's to say.
    if config.currency is not None and not is_currency(config.currency):
        raise ConfigError(f"{path}: currency: {config.currency!r} is not a currency ISO 4217 "
                          "knows (like TRY, EUR or USD)")
    # Likewise the country code: whether it has public holidays is the package's to say.
    if config.work.holidays is not None:
        problem = problem_with(config.work.holidays)
        if problem is not None:
            written = isinstance(data.get("work"), dict) and "holidays" in data["work"]
            hint = "" if written else (" (taken from default_region; set work.holidays to a "
                                       "country code, or to null for none)")
            raise ConfigError(f"{path}: work.holidays: {problem}{hint}")
    return config


def _key_path(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for part in loc:
        if part == "[key]":  # pydantic's marker for "the key itself is wrong"
            continue
        if isinstance(part, int):
            parts.append(f"[{part}]")
        else:
            parts.append(("." if parts else "") + part)
    return "".join(parts)
