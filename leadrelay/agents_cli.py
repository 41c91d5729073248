"""`leadrelay agents export` and `leadrelay agents import`: the roster in force, as YAML."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, ProgrammingError

from core.config import AgentConfig, OfficeConfig
from core.errors import ConfigError
from core.lifecycle.roster_import import replace_roster
from core.model import Agent
from core.ports import ROSTER_EDITED
from core.roster import as_config, roster_in_force
from leadrelay.logs import complain
from leadrelay.office import key_path, load_office

if TYPE_CHECKING:
    from leadrelay.settings import StorageSettings


def office_in_force(database_url: str, path: Path) -> OfficeConfig:
    """*path* read as start-up reads it: with the roster edited in chat, once there is one,
    in place of its agents (ConfigError names what is wrong)."""
    return load_office(path, roster=stored_roster(database_url))


def command_line_office(config: str | None) -> tuple[StorageSettings, OfficeConfig]:
    """The database settings and the office a command line works with: *config* (its
    `--config`) or the settings' leadrelay.yaml, read by office_in_force (SettingsError or
    ConfigError says what is wrong)."""
    from leadrelay.settings import load_storage_settings

    settings = load_storage_settings()
    path = Path(config) if config else settings.leadrelay_config
    return settings, office_in_force(settings.database_url, path)


def stored_roster(database_url: str, *, within: float | None = None) -> list[Agent] | None:
    """The roster edited in chat, from the database; None while leadrelay.yaml's agents are
    the roster, or before the first start made a database. TimeoutError after *within*
    seconds."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file():
        return None  # never started: nothing was edited, and reading must not make a file
    return asyncio.run(asyncio.wait_for(_read_roster(database_url), within))


async def _read_roster(database_url: str) -> list[Agent] | None:
    from storage.db import create_engine
    from storage.uow import SqlUnitOfWork

    engine = create_engine(database_url)
    try:
        async with SqlUnitOfWork(engine).reading() as uow:
            if await uow.team.setting(ROSTER_EDITED) is None:
                return None
            return await uow.agents.list()
    except (OperationalError, ProgrammingError):
        return None  # not migrated this far: no roster was edited in chat
    finally:
        await engine.dispose()


def roster_yaml(people: Sequence[AgentConfig], *, edited: bool) -> str:
    """*people* as the `agents:` section of leadrelay.yaml."""
    listed = [{"telegram_id": p.telegram_id, "name": p.name, "role": p.role.value,
               **p.model_dump(mode="json", exclude_defaults=True,
                              exclude={"telegram_id", "name", "role"})} for p in people]
    where = ("the roster edited in chat (the database's)" if edited
             else "leadrelay.yaml's agents (the roster has not been edited in chat)")
    return (f"# The roster in force: {where}.\n"
            + yaml.safe_dump({"agents": listed}, sort_keys=False, allow_unicode=True))


def read_listed(path: Path, config: OfficeConfig) -> list[AgentConfig]:
    """The people a YAML file lists (an `agents:` section, or a bare list), checked with the
    rest of the office config; ConfigError naming the file, the key and the problem."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: is not valid YAML: {exc}") from None
    listed = data.get("agents") if isinstance(data, dict) else data
    if not isinstance(listed, list):
        raise ConfigError(f"{path}: expected an `agents:` list of people")
    try:
        merged = OfficeConfig.model_validate({**config.model_dump(), "agents": listed})
    except ValidationError as exc:
        raise ConfigError("\n".join(
            f"{path}: {key_path(err['loc']) or 'agents'}: "
            f"{err['msg'].removeprefix('Value error, ')}" for err in exc.errors())) from None
    return merged.agents


def differences(before: Sequence[AgentConfig], after: Sequence[AgentConfig]) -> list[str]:
    """What replacing *before* with *after* changes, a line a person."""
    old = {p.telegram_id: p for p in before}
    new = {p.telegram_id: p for p in after}
    lines = []
    for person in after:
        was = old.get(person.telegram_id)
        if was is None:
            lines.append(f"+ {person.name} ({person.role.value}, {person.telegram_id})")
            continue
        changed = [f"{key} {_shown(getattr(was, key))} → {_shown(getattr(person, key))}"
                   for key in AgentConfig.model_fields
                   if getattr(was, key) != getattr(person, key)]
        if changed:
            lines.append(f"~ {person.name}: " + "; ".join(changed))
    lines += [f"- {p.name} (becomes inactive)" for p in before
              if p.telegram_id not in new and p.active]
    return lines


def _shown(value: Any) -> str:
    if hasattr(value, "model_dump"):
        value = value.model_dump(mode="json")
    return "none" if value is None else str(getattr(value, "value", value))


def _confirmed(yes: bool) -> bool | None:
    """True to go on; False when the person said no; None when nobody can be asked."""
    if yes:
        return True
    if not sys.stdin.isatty():
        return None
    return input("Replace the roster with these changes? [y/N] ").strip().lower() in {"y", "yes"}


async def _import(database_url: str, config: OfficeConfig, path: Path, yes: bool) -> int:
    from leadrelay.bootstrap import migrated_app

    listed = read_listed(path, config)
    async with migrated_app(database_url, config) as relay:
        stored = await relay.run(roster_in_force)
        before = [as_config(a) for a in stored] if stored is not None else config.agents
        lines = differences(before, listed)
        if not lines and stored is not None:
            print(f"{path}: the roster already reads so; nothing changed")
            return 0
        print(f"Replacing the roster with {path}:")
        print("\n".join(f"  {line}" for line in lines) or "  (no one changes; the roster "
              "will be kept in the database from now on)")
        answer = _confirmed(yes)
        if answer is None:
            complain("no terminal to confirm on: run again with --yes to replace the roster")
            return 2
        if not answer:
            print("nothing changed")
            return 1
        await relay.run(replace_roster, people=listed)
    print(f"roster replaced ({len(listed)} people); a running leadrelay routes with it at "
          "once, and its other settings follow at /reload")
    return 0


def run(args: Any) -> int:
    """Carry out `leadrelay agents ...`; return the exit code."""
    from leadrelay.settings import SettingsError, load_storage_settings

    try:
        settings = load_storage_settings()
        path = Path(args.config) if args.config else settings.leadrelay_config
        stored = stored_roster(settings.database_url)
        config = load_office(path, roster=stored)
        if args.agents_command == "export":
            people = [as_config(a) for a in stored] if stored is not None else config.agents
            text = roster_yaml(people, edited=stored is not None)
            if args.output:
                Path(args.output).write_text(text, encoding="utf-8")
                print(f"wrote {len(people)} people to {args.output}")
            else:
                print(text, end="")
            return 0
        return asyncio.run(_import(settings.database_url, config, Path(args.file), args.yes))
    except (SettingsError, ConfigError, OSError) as exc:
        complain(exc)
        return 2
