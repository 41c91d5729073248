"""`leadrelay policy check` and `leadrelay policy try`: read a routing policy before it runs."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from bot.i18n import t_raw
from core.config import OfficeConfig, Pool, RampStep, When
from core.errors import ConfigError, DomainError, InvalidInput
from core.model import Role
from leadrelay.clock import SystemClock
from leadrelay.logs import complain
from leadrelay.office import load_office

_TAG = re.compile(r"<[^>]+>")


def _plain(text: str) -> str:
    return html.unescape(_TAG.sub("", text))


def describe_when(when: When) -> str:
    """A rule's conditions in a few words."""
    parts = []
    for field, value in when.model_dump(exclude_defaults=True).items():
        if isinstance(value, list):
            parts.append(f"{field} {' / '.join(str(v) for v in value)}")
        elif isinstance(value, dict):
            low, high = (_number(value.get("min")), _number(value.get("max")))
            parts.append(f"{field} {low}..{high}")
        else:
            parts.append(f"{field} {value}")
    return ", ".join(parts) or "(every lead)"


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:,.0f}".replace(",", " ")


def describe_pool(pool: Pool) -> str:
    """Who a rule chooses from, in a few words."""
    parts = [f"{field} {' / '.join(str(v) for v in values)}"
             for field, values in pool.model_dump(exclude_defaults=True).items()]
    return ", ".join(parts) or "(all agents)"


def describe_ramp(ramp: list[RampStep]) -> str:
    """How new agents (those with a start date) ramp up, step by step, in English."""
    if not ramp:
        return "no ramp-up for new agents"
    steps = [t_raw("en", "ramp.step.leads" if step.leads is not None else "ramp.step.days",
                   every=step.every, days=step.days, leads=step.leads) for step in ramp]
    return "new agents (with a start date) get " + ", then ".join(steps)


def _strategy(name: str, claim_chat: int | None) -> str:
    """The strategy, and for a claim pool posted to a group, which group."""
    return name if claim_chat is None else f"{name} in group {claim_chat}"


def check(config: OfficeConfig, path: Path) -> str:
    """The summary `policy check` prints for a valid config."""
    agents = [a for a in config.agents if a.role is Role.AGENT]
    managers = [a for a in config.agents if a.role is Role.MANAGER]
    lines = [f"{path}: office {config.name!r}, {len(agents)} agent(s), {len(managers)} "
             "manager(s), "
             f"time zone {config.timezone}", ""]
    rows = [("#", "rule", "when", "pool", "strategy", "fallback")]
    rows += [(str(n), r.name,
              "(only via fallback / matrix)" if r.target_only else describe_when(r.when),
              "B2B matrix (below)" if r.matrix else
              describe_pool(r.pool) if r.route_to == "agents" else f"→ {r.route_to}",
              _strategy(r.strategy.value, r.claim_chat)
              if r.route_to == "agents" and not r.matrix else "-",
              "-" if r.matrix else r.fallback)
             for n, r in enumerate(config.routing.rules, 1)]
    widths = [min(40, max(len(row[i]) for row in rows)) for i in range(6)]
    for row in rows:
        lines.append("  ".join(cell[:40].ljust(width) for cell, width in zip(
            row, widths, strict=True)).rstrip())
    for rule in config.routing.rules:
        if rule.matrix is not None:
            lines += ["", f"B2B matrix of {rule.name!r} (intent × fit; unknown intent counts "
                      "as low, unknown fit as weak):"]
            lines += [f"  {level:<6}  strong → {getattr(rule.matrix, level).strong:<20}  "
                      f"weak → {getattr(rule.matrix, level).weak}"
                      for level in ("high", "medium", "low")]
    if config.routing.accounts:
        lines += ["", "Named accounts (their leads go to the owner, then the owner's backup):"]
        lines += [f"  {a.name} → {a.owner}"
                  + (f" (e-mail {', '.join(a.domains)})" if a.domains else "")
                  for a in config.routing.accounts]
    penalty = config.routing.penalty
    lines += ["", f"Filters: away / outside hours / at capacity; {penalty.misses} missed accept "
              f"SLAs within {penalty.within.days} days → no hot leads for "
              f"{penalty.length.days} days; " + describe_ramp(config.routing.ramp)
              + ".", "Policy OK: every lead has a rule, and every fallback ends with the "
              "managers or nurture."]
    return "\n".join(lines)


async def try_lead(config: OfficeConfig, database_url: str, payload: dict[str, Any],
                   source: str | None) -> str:
    """Route *payload* against current data and say where it would go."""
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from bot.render import Renderer
    from core.queries import preview_route
    from leadrelay.bootstrap import bootstrap, sql_uow_factory
    from storage.db import create_engine

    source_name = source or str(payload.pop("source", "") or config.sources[0].name)
    payload.pop("source", None)
    clock = SystemClock()
    engine = create_engine(database_url)
    try:
        relay = bootstrap(config=config, clock=clock, uow_factory=sql_uow_factory(engine))
        decision = await relay.run(preview_route, source_name=source_name, payload=payload)
    except (OperationalError, ProgrammingError) as exc:
        raise ValueError(f"cannot read the database ({exc.orig}); run `leadrelay migrate` "
                         "first") from None
    finally:
        await engine.dispose()
    names = {a.telegram_id: a.name for a in config.agents}
    renderer = Renderer(zone=config.zone, office=config.name, clock=clock,
                        currency=config.currency)
    lines = renderer.decision_lines("en", clock.now(), decision.as_trace(), names)
    return "\n".join(_plain(line) for line in lines) + "\n(dry run: nothing was changed)"


def run(args: Any) -> int:
    """Carry out `leadrelay policy ...`; return the exit code."""
    import asyncio

    from leadrelay.agents_cli import stored_roster
    from leadrelay.settings import SettingsError, load_storage_settings

    try:
        settings = load_storage_settings()
    except SettingsError as exc:
        complain(exc)
        return 2
    path = Path(args.config) if args.config else settings.leadrelay_config
    try:
        # The roster edited in chat is the one in force: read it as start-up does.
        stored = stored_roster(settings.database_url)
        config = load_office(path, roster=stored)
    except ConfigError as exc:
        # YAML's errors quote the line they stopped at, which may hold a source's token.
        complain(f"bad office config:\n{exc}")
        return 2
    if args.policy_command == "check":
        print(check(config, path))
        if stored is not None:
            print(f"(the roster is the one edited in chat, {len(stored)} people; "
                  "`leadrelay agents export` writes it out)")
        return 0
    try:
        payload = json.loads(Path(args.lead).read_text(encoding="utf-8"))
        if not isinstance(payload, dict):
            raise ValueError(f"{args.lead}: expected a JSON object of lead fields")
        print(asyncio.run(try_lead(config, settings.database_url, payload, args.source)))
    except InvalidInput as exc:
        complain(f"{args.lead}: {exc.detail}")
        return 2
    except (DomainError, ValueError, OSError) as exc:  # json errors are ValueErrors
        complain(exc)
        return 2
    return 0
