"""`leadrelay contact export|forget <phone|e-mail>`: a person's data on request (KVKK, GDPR).

Both are logged with counts and ids, never with the data itself.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
from pathlib import Path
from typing import Any

from core.errors import ConfigError, InvalidInput
from leadrelay.agents_cli import office_in_force
from leadrelay.logs import complain
from leadrelay.settings import SettingsError, load_storage_settings

log = logging.getLogger(__name__)


def add_commands(commands: Any) -> None:
    """Register `contact export` and `contact forget` on the CLI's subcommands."""
    contact = commands.add_parser("contact", help="a person's data on request: export it, or "
                                  "forget it (KVKK/GDPR)")
    actions = contact.add_subparsers(dest="contact_command", required=True)
    export = actions.add_parser("export", help="write everything held about a person as JSON")
    export.add_argument("who", help="their phone number or e-mail address")
    export.add_argument("--out", help="a file to write to (default: standard output); it is "
                        "created readable by its owner only")
    forget = actions.add_parser("forget", help="erase a person's personal data everywhere, "
                                "keeping the anonymous figures")
    forget.add_argument("who", help="their phone number or e-mail address")
    forget.add_argument("--yes", action="store_true", help="really erase (it cannot be undone)")


def run(args: argparse.Namespace) -> int:
    """Carry out `leadrelay contact ...`; return the exit code."""
    try:
        settings = load_storage_settings()
        config = office_in_force(settings.database_url, settings.leadrelay_config)
    except (SettingsError, ConfigError) as exc:
        complain(exc)
        return 2
    try:
        return asyncio.run(_carry_out(args, settings.database_url, config))
    except InvalidInput as exc:
        complain(f"{args.who!r} {exc.problems[0].problem}")
        return 2
    except OSError as exc:
        complain(f"cannot write {args.out}: {exc.strerror}")
        return 2


async def _carry_out(args: argparse.Namespace, database_url: str, config: Any) -> int:
    # Imported here: the rest of the CLI should not pay for the database on every start.
    from core.privacy import export_person, forget_person
    from leadrelay.bootstrap import migrated_app

    async with migrated_app(database_url, config) as app:
        if args.contact_command == "export":
            held = await app.run(export_person, who=args.who)
            _write(json.dumps(held.to_json(), ensure_ascii=False, indent=2), args.out)
            log.info("a person's data was exported", extra={
                "contact_ids": [c.id for c in held.contacts], "leads": len(held.leads)})
            return 0
        if not args.yes:
            held = await app.run(export_person, who=args.who)
            complain(f"this would erase {len(held.contacts)} contact record(s) and the "
                     f"personal fields of {len(held.leads)} lead(s); add --yes to do it")
            return 1
        gone = await app.run(forget_person, who=args.who)
        log.info("a person's data was forgotten", extra={
            "contact_ids": gone.contact_ids, "lead_ids": gone.lead_ids})
        print(f"leadrelay: erased {len(gone.contact_ids)} contact record(s) and the personal "
              f"fields of {len(gone.lead_ids)} lead(s)")
        return 0


def _write(text: str, out: str | None) -> None:
    """*text* to standard output, or to a new file only its owner can read."""
    if out is None:
        print(text)
        return
    descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(text + "\n")
    Path(out).chmod(0o600)  # an existing file keeps its old mode through O_CREAT
