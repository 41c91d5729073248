"""The `leadrelay` command: run the bot and the intake server, and look after them."""

from __future__ import annotations

import argparse
import asyncio
import gc
import signal
from collections.abc import Callable, Coroutine
from importlib import metadata
from typing import TYPE_CHECKING, Any

from core.errors import ConfigError
from leadrelay.export_cli import add_command as add_export_command
from leadrelay.import_cli import add_command as add_import_command
from leadrelay.intake_cli import add_commands as add_intake_commands
from leadrelay.logs import complain, configure_logging, guard_stderr
from leadrelay.office import load_office
from leadrelay.privacy_cli import add_commands as add_contact_commands
from leadrelay.settings import Settings, SettingsError, load_settings
from leadrelay.startup import StartupError, refuse_example_tokens

if TYPE_CHECKING:
    from core.model import Agent


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        complain(exc)
        raise SystemExit(2) from None


async def _run(settings: Settings, *, webhook: bool) -> None:
    # The import makes ~140,000 objects (modules, classes, functions) that live as long as
    # the process: collecting while it runs finds nothing, and a full collection that walks
    # them all again takes 55-140 ms, four or five times while a restart's sweep runs.
    gc.disable()
    try:
        from leadrelay.runtime import serve
    finally:
        gc.freeze()
        gc.enable()

    edited = await asyncio.to_thread(_roster_edited_in_chat, settings)
    try:
        config = load_office(settings.leadrelay_config, roster=edited)
        refuse_example_tokens(config, settings.leadrelay_config)
    except ConfigError as exc:
        # YAML's errors quote the line they stopped at, which may hold a source's token.
        complain(f"bad office config:\n{exc}")
        raise SystemExit(2) from None
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await serve(settings, config, stop, webhook=webhook)
    except StartupError as exc:
        complain(exc)
        raise SystemExit(2) from None


def _roster_edited_in_chat(settings: Settings) -> list[Agent] | None:
    """The roster edited in chat, which stands over the file's agents; None when there is
    none, or the database cannot say yet (start-up then reports the database's problem)."""
    from leadrelay.agents_cli import stored_roster

    try:
        return stored_roster(settings.database_url, within=10)
    except Exception:  # drivers raise many unrelated types for one cause
        return None


async def _migrate(database_url: str) -> None:
    from storage.db import create_engine
    from storage.migrate import upgrade
    from storage.problems import database_problem

    engine = create_engine(database_url)
    try:
        await upgrade(engine)
    except Exception as exc:  # drivers raise many unrelated types for one cause
        problem = database_problem(exc, database_url)
        if problem is None:
            raise
        complain(problem)
        raise SystemExit(2) from None
    finally:
        await engine.dispose()


def _version() -> str:
    """The installed package's version."""
    try:
        return metadata.version("leadrelay")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "(not installed)"


def _event_loop_runner() -> Callable[[Coroutine[Any, Any, None]], None]:
    """uvloop where it is installed (Linux, macOS): the same asyncio, a faster loop."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run
    return uvloop.run


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script."""
    guard_stderr()  # first: whatever fails from here on reaches stderr masked
    parser = argparse.ArgumentParser(
        prog="leadrelay", description="Routes every incoming lead to one agent on Telegram, "
        "escalates when nobody answers, and tells managers how fast the team responds.",
        epilog="Settings come from the environment or .env (see .env.example), the office from "
        "leadrelay.yaml (see leadrelay.example.yaml). `leadrelay demo` needs neither.")
    parser.add_argument("--version", action="version",
                        version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run_command = commands.add_parser("run", help="run the bot, the intake server and the timers")
    run_command.add_argument("--webhook", action="store_true",
                     help="take Telegram updates by webhook (TELEGRAM_WEBHOOK_URL and _SECRET) "
                          "instead of long polling, e.g. for several instances")
    commands.add_parser("migrate", help="bring the database schema up to date and exit")
    demo = commands.add_parser("demo", help="watch the whole loop offline, in about a minute")
    demo.add_argument("--speed", type=float, default=1.0,
                      help="make the simulated office act faster (2 = twice as fast)")
    policy = commands.add_parser("policy", help="check or try the routing policy")
    policy_commands = policy.add_subparsers(dest="policy_command", required=True)
    check = policy_commands.add_parser("check", help="validate the config and list the rules")
    check.add_argument("--config", help="the office config (default: LEADRELAY_CONFIG)")
    dry = policy_commands.add_parser("try", help="route one lead from a JSON file, changing "
                                     "nothing")
    dry.add_argument("lead", help="a JSON file with the lead's fields (and `source`)")
    dry.add_argument("--source", help="the source it comes from (default: the file's `source`)")
    dry.add_argument("--config", help="the office config (default: LEADRELAY_CONFIG)")
    agents = commands.add_parser("agents", help="write out or replace the roster")
    agents_commands = agents.add_subparsers(dest="agents_command", required=True)
    export = agents_commands.add_parser("export", help="write the roster in force as YAML")
    export.add_argument("-o", "--output", help="the file to write (default: standard output)")
    export.add_argument("--config", help="the office config (default: LEADRELAY_CONFIG)")
    replace = agents_commands.add_parser(
        "import", help="replace the roster with a YAML file's agents, after a diff and a yes")
    replace.add_argument("file", help="a YAML file with an `agents:` list (such as an export)")
    replace.add_argument("--yes", action="store_true",
                         help="replace without asking (needed without a terminal)")
    replace.add_argument("--config", help="the office config (default: LEADRELAY_CONFIG)")
    backup = commands.add_parser("backup", help="copy the SQLite database, safely while it "
                                 "runs (PostgreSQL: prints the pg_dump command)")
    backup.add_argument("dest", help="the file to write the copy to")
    backup.add_argument("--force", action="store_true", help="overwrite DEST if it exists")
    add_contact_commands(commands)
    add_intake_commands(commands)
    add_import_command(commands)
    add_export_command(commands)
    args = parser.parse_args(argv)
    if args.command == "import":
        from leadrelay.import_cli import run as run_import

        raise SystemExit(run_import(args))
    if args.command == "export":
        from leadrelay.export_cli import run as run_export

        configure_logging("INFO")  # the record of who exported what
        raise SystemExit(run_export(args))
    if args.command == "backup":
        from leadrelay.backup import run as run_backup

        raise SystemExit(run_backup(args.dest, force=args.force))
    if args.command == "agents":
        from leadrelay.agents_cli import run as run_agents

        raise SystemExit(run_agents(args))
    if args.command == "policy":
        from leadrelay.policy_cli import run

        raise SystemExit(run(args))
    if args.command == "intake":
        from leadrelay.intake_cli import run as run_intake

        raise SystemExit(run_intake(args))
    if args.command == "contact":
        from leadrelay.privacy_cli import run as run_contact

        configure_logging("INFO")  # the record of what was exported or forgotten
        raise SystemExit(run_contact(args))
    if args.command == "demo":
        from leadrelay.demo import run_demo

        configure_logging("WARNING")
        asyncio.run(run_demo(speed=args.speed))
        return
    settings = _settings()
    configure_logging(settings.log_level, settings.log_format, pii=settings.log_pii,
                      trace=settings.log_trace)
    if args.command == "migrate":
        asyncio.run(_migrate(settings.database_url))
        print("leadrelay: database is up to date")
    else:
        if args.webhook:
            try:
                settings.require_webhook()
            except SettingsError as exc:
                complain(exc)
                raise SystemExit(2) from None
        _event_loop_runner()(_run(settings, webhook=args.webhook))


if __name__ == "__main__":
    main()
