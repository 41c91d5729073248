"""Loading the office config file; an error names the file, the key path and the problem."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from babel.numbers import is_currency
from pydantic import ValidationError

from core.config import AgentConfig, OfficeConfig
from core.errors import ConfigError
from core.model import Agent
from core.roster import as_config, config_with_roster
from integrations.holidays import problem_with


def load_office(path: Path, *, roster: Sequence[Agent] | None = None) -> OfficeConfig:
    """Read and validate the YAML office config at *path*; with *roster* (the one edited in
    chat), that roster in place of the file's agents."""
    data = _read(path)
    where = f"{path}"
    if roster is not None:
        data = {**data, "agents": [as_config(a).model_dump() for a in roster]}
        where = f"{path} (with the roster edited in chat)"
    try:
        config = OfficeConfig.model_validate(data)
    except ValidationError as exc:
        raise _problems(where, exc) from None
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


def with_roster(config: OfficeConfig, people: Sequence[Agent], path: Path) -> OfficeConfig:
    """*config* with the roster edited in chat in place of its agents; ConfigError naming
    the file and key when the rest of the config names someone that roster lacks."""
    try:
        return config_with_roster(config, people)
    except ValidationError as exc:
        raise _problems(f"{path} (with the roster edited in chat)", exc) from None


def _problems(where: str, exc: ValidationError) -> ConfigError:
    return ConfigError("\n".join(
        f"{where}: {key_path(err['loc']) or '(top level)'}: "
        f"{err['msg'].removeprefix('Value error, ')}" for err in exc.errors()))


def _read(path: Path) -> dict[str, Any]:
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
    return data


def roster_differences(path: Path, people: Sequence[Agent]) -> list[str]:
    """The names of people the file at *path* lists otherwise than the roster edited in
    chat (whose edits stand)."""
    listed = _read(path).get("agents")
    written = {}
    for entry in listed if isinstance(listed, list) else []:
        with contextlib.suppress(ValidationError):
            person = AgentConfig.model_validate(entry)
            written[person.telegram_id] = person
    stored = {a.telegram_id: as_config(a) for a in people}
    return sorted((stored.get(key) or written[key]).name
                  for key in stored.keys() | written.keys()
                  if stored.get(key) != written.get(key)
                  and not (key not in written and not stored[key].active))


def key_path(loc: tuple[int | str, ...]) -> str:
    """Pydantic's error location as the key path a person reads in the file."""
    parts: list[str] = []
    for part in loc:
        if part == "[key]":  # pydantic's marker for "the key itself is wrong"
            continue
        if isinstance(part, int):
            parts.append(f"[{part}]")
        else:
            parts.append(("." if parts else "") + part)
    return "".join(parts)
