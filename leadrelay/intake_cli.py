"""`leadrelay intake failures|replay`: what intake could not take, listed and taken in again.

A listing shows no more of a payload than the reason and its detail say (phones masked as
the log masks them). A replay runs a kept body through intake's own parsing and validation
(`webhooks.bodies`, `admit_lead`) with the config as it is now: a lead it makes keeps the
time the post first arrived, and the row is marked replayed with the lead's id. A Meta
lead is fetched anew from the Graph API; a WhatsApp post's messages are taken as the webhook
takes them (once each, by id), its signature not checked again: only signed posts are kept.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import TYPE_CHECKING, Any

from core.errors import ConfigError
from leadrelay.agents_cli import office_in_force
from leadrelay.logs import complain, redact
from leadrelay.settings import SettingsError, load_storage_settings

if TYPE_CHECKING:
    from core.app import App
    from core.config import OfficeConfig
    from core.model.failures import FailedIntake
    from core.ports.fetches import LeadAdsGraph

_ALL = 100_000


def add_commands(commands: Any) -> None:
    """Register `intake try`, `intake failures` and `intake replay` on the CLI's
    subcommands."""
    intake = commands.add_parser("intake", help="what a payload becomes; what intake refused: "
                                 "list it, replay it")
    actions = intake.add_subparsers(dest="intake_command", required=True)
    attempt = actions.add_parser("try", help="show what a source's payload becomes (its "
                                 "mapping, fields, score), storing nothing")
    attempt.add_argument("source", help="the source it comes from, by name")
    attempt.add_argument("payload", help="a JSON file with the payload as the source posts it")
    attempt.add_argument("--config", help="the office config (default: LEADRELAY_CONFIG)")
    failures = actions.add_parser("failures", help="list the posts that did not become leads")
    failures.add_argument("--source", help="only this source's")
    failures.add_argument("--limit", type=int, default=50, help="how many, newest first")
    replay = actions.add_parser("replay", help="take refused posts in again, after the config "
                                "is fixed; a lead keeps its original arrival time")
    replay.add_argument("id", nargs="?", type=int, help="the failure to replay")
    replay.add_argument("--all", action="store_true", help="every one not yet replayed "
                        "(spam aside)")
    replay.add_argument("--source", help="with --all: only this source's; with ID: the "
                        "source a post whose token was unknown came from")


def run(args: argparse.Namespace) -> int:
    """Carry out `leadrelay intake ...`; return the exit code."""
    if args.intake_command == "try":
        from leadrelay.intake_try import run as run_try

        return run_try(args)
    if args.intake_command == "replay" and (args.id is None) == (not args.all):
        complain("name one failure by its id, or --all")
        return 2
    try:
        settings = load_storage_settings()
        config = office_in_force(settings.database_url, settings.leadrelay_config)
    except (SettingsError, ConfigError) as exc:
        complain(exc)
        return 2
    args.graph_url = settings.meta_graph_url  # a Meta lead's replay fetches it anew
    return asyncio.run(_carry_out(args, settings.database_url, config))


async def _carry_out(args: argparse.Namespace, database_url: str, config: OfficeConfig) -> int:
    # Imported here: the rest of the CLI should not pay for the database on every start.
    from leadrelay.bootstrap import migrated_app

    async with migrated_app(database_url, config) as app:
        if args.intake_command == "failures":
            return await _list(app, source=args.source, limit=args.limit)
        code = await _replay(app, args)
        await app.route_new_leads()  # the replayed leads, offered as intake's would be
        await app.stop()
        return code


async def _list(app: App, *, source: str | None, limit: int) -> int:
    from core.lifecycle.failed_intake import list_failures

    rows = await app.run(list_failures, source=source, limit=limit)
    if not rows:
        print("leadrelay: no refused posts kept")
        return 0
    zone = app.config.zone
    for row in rows:
        state = f"replayed → lead #{row.lead_id}" if row.replayed_at else ""
        size = f"{len(row.body)} B" + (" (cut)" if row.truncated else "")
        print("\t".join([f"#{row.id}", row.received_at.astimezone(zone).strftime(
            "%Y-%m-%d %H:%M:%S"), row.source or "-", row.reason.value, redact(row.detail),
            size, state]).rstrip())
    return 0


async def _replay(app: App, args: argparse.Namespace) -> int:
    from core.lifecycle.failed_intake import failure, list_failures
    from core.model.failures import FailureReason

    if args.id is not None:
        row = await app.run(failure, failure_id=args.id)
        if row is None:
            complain(f"no failure #{args.id}")
            return 2
        rows = [row]
    else:
        rows = [row for row in await app.run(list_failures, source=args.source, limit=_ALL,
                                             unreplayed=True)
                if row.reason not in (FailureReason.SPAM, FailureReason.TEST)]
    from integrations.meta_graph import MetaGraph

    failed = 0
    graph = MetaGraph(args.graph_url)
    try:
        for row in reversed(rows):  # oldest first, as they arrived
            outcome = await _replay_one(app, row, source=args.source if args.id else None,
                                        graph=graph)
            failed += outcome.startswith("still fails")
            print(f"#{row.id}: {redact(outcome)}")
    finally:
        await graph.close()
    return 1 if failed else 0


async def _replay_one(app: App, row: FailedIntake, *, source: str | None,
                      graph: LeadAdsGraph) -> str:
    from core.errors import Conflict, InvalidInput
    from core.lifecycle.failed_intake import replay_failure
    from core.lifecycle.intake import admit_lead
    from core.lifecycle.lead_ads import LEADGEN_TYPE, admit_google
    from core.lifecycle.whatsapp import WHATSAPP_TYPE
    from core.model import Channel
    from webhooks.bodies import BadBody, parse_payload

    if row.replayed_at is not None:
        return f"already replayed into lead #{row.lead_id}"
    if row.content_type == LEADGEN_TYPE:
        return await _refetch(app, row, graph)
    if row.content_type == WHATSAPP_TYPE:
        return await _whatsapp(app, row)
    if row.truncated:
        return "still fails: its body was cut to the size limit"
    content_type = (row.content_type or "").partition(";")[0].strip().lower()
    if content_type not in ("application/json", "application/x-www-form-urlencoded"):
        return f"still fails: content type {content_type or 'none'!r} is not taken"
    try:
        payload, field_token = parse_payload(content_type, row.body)
    except BadBody as exc:
        return f"still fails: the body {exc.problem}"
    platform = app.config.source_named(row.source or source or "")
    if platform is not None and platform.platform is Channel.GOOGLE_ADS:
        try:  # kept without its key: the source it named is known
            lead_id = await app.run(replay_failure, failure_id=row.id, incoming=admit_google(
                app.deps, source_name=platform.name, post=payload,
                received_at=row.received_at))
        except InvalidInput as exc:
            return "still fails: " + "; ".join(f"{p.field}: {p.problem}" for p in exc.problems)
        except Conflict:
            return "already replayed (just now, by someone else)"
        return f"lead #{lead_id}, received at {row.received_at.isoformat()}"
    token = _token(app.config, row.source or source, field_token)
    if token is None:
        return ("still fails: no source of this config matches it; name the source with "
                "--source NAME")
    named = app.config.source_by_token(token)
    if named is not None and named.honeypot and payload.pop(named.honeypot, None):
        return "still fails: its honeypot field is filled (spam)"
    try:
        incoming = admit_lead(app.deps, source_token=token, payload=payload,
                              received_at=row.received_at)
        lead_id = await app.run(replay_failure, failure_id=row.id, incoming=incoming)
    except InvalidInput as exc:
        return "still fails: " + "; ".join(f"{p.field}: {p.problem}" for p in exc.problems)
    except Conflict:
        return "already replayed (just now, by someone else)"
    return f"lead #{lead_id}, received at {row.received_at.isoformat()}"


async def _refetch(app: App, row: FailedIntake, graph: LeadAdsGraph) -> str:
    """A Meta lead that failed (a page no source claimed, a Graph API that never gave it),
    fetched anew with the config in force and stored."""
    from core.errors import Conflict, InvalidInput
    from core.lifecycle.failed_intake import replay_failure
    from core.lifecycle.lead_ads import refetch_failed
    from core.ports.fetches import GraphError

    try:
        incoming = await refetch_failed(app.deps, graph, row)
        lead_id = await app.run(replay_failure, failure_id=row.id, incoming=incoming)
    except (GraphError, ValueError) as exc:
        return f"still fails: {exc}"
    except InvalidInput as exc:
        return "still fails: " + "; ".join(f"{p.field}: {p.problem}" for p in exc.problems)
    except Conflict:
        return "already replayed (just now, by someone else)"
    return f"lead #{lead_id}, received at {row.received_at.isoformat()}"


async def _whatsapp(app: App, row: FailedIntake) -> str:
    """A signed WhatsApp post that was kept (a number no source claimed, a number intake
    could not read), its messages taken with the config in force."""
    from core.errors import Conflict, InvalidInput
    from core.lifecycle.whatsapp_replay import replay_whatsapp_post
    from webhooks.bodies import BadBody, parse_json

    try:
        lead_id = await app.run_in_turns(replay_whatsapp_post, failure=row,
                                         payload=parse_json(row.body))
    except BadBody as exc:
        return f"still fails: the body {exc.problem}"
    except InvalidInput as exc:
        return "still fails: " + "; ".join(f"{p.field}: {p.problem}" for p in exc.problems)
    except ValueError as exc:
        return f"still fails: {exc}"
    except Conflict:
        return "already replayed (just now, by someone else)"
    return f"lead #{lead_id}, received at {row.received_at.isoformat()}"


def _token(config: OfficeConfig, source: str | None, field_token: str | None) -> str | None:
    """The token to take a replayed post in with: its source's as the config has it now, or
    the token a form carried if the config knows it now."""
    named = config.source_named(source) if source else None
    if named is not None:
        return named.token.get_secret_value() if named.token is not None else None
    if field_token and config.source_by_token(field_token) is not None:
        return field_token
    return None
