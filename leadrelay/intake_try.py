"""`leadrelay intake try SOURCE payload.json`: what a payload becomes, stored nowhere."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from core.config import OfficeConfig
from core.deps import Deps
from core.errors import ConfigError, DomainError, InvalidInput
from core.intake_mapping import apply_mapping
from core.lifecycle.intake import admit_named, new_lead
from leadrelay.clock import SystemClock
from leadrelay.logs import complain

# What the reader of a preview wants of the lead, in this order.
_SHOWN = ("name", "phone", "email", "company", "product", "region", "postal_code",
          "budget_min", "budget_max", "timing", "message", "language", "tags", "intent", "fit",
          "external_id")


def preview(config: OfficeConfig, source: str, payload: dict[str, Any]) -> str:
    """The payload after the source's mapping, and the lead it makes, as the operator reads
    them; InvalidInput when it makes none."""
    clock = SystemClock()
    deps = Deps(clock=clock, config=config, new_token=lambda: "")
    configured = config.source_named(source)
    mapped = apply_mapping(configured.mapping if configured else None, payload)
    incoming = admit_named(deps, source_name=source, payload=payload)
    lead = new_lead(deps, incoming.data, incoming.source, incoming.warmth, False, clock.now())
    fields = {name: value for name in _SHOWN
              if (value := getattr(lead, name)) not in (None, [], "")}
    lines = [f"source {lead.source}: after its mapping the payload reads",
             json.dumps(mapped, ensure_ascii=False, indent=2, default=str), "",
             f"and makes a {lead.temperature.value} lead, score {lead.score}/100"
             + (f", of lead type {lead.lead_type}" if lead.lead_type else "") + ":"]
    lines += [f"  {name}: {value}" for name, value in fields.items()]
    if lead.missing:
        lines.append(f"  (routing would miss: {', '.join(lead.missing)})")
    lines.append("(a try: nothing was stored)")
    return "\n".join(lines)


def run(args: Any) -> int:
    """Carry out `leadrelay intake try`; return the exit code."""
    from leadrelay.agents_cli import office_in_force
    from leadrelay.settings import SettingsError, load_storage_settings

    try:
        settings = load_storage_settings()
        path = Path(args.config) if args.config else settings.leadrelay_config
        config = office_in_force(settings.database_url, path)
        payload = json.loads(Path(args.payload).read_text(encoding="utf-8"))
        if not isinstance(payload, dict):
            raise ValueError(f"{args.payload}: expected a JSON object, as a source posts")
        print(preview(config, args.source, payload))
    except InvalidInput as exc:
        complain(f"{args.payload}: would be refused: " + "; ".join(
            f"{p.field}: {p.problem}" for p in exc.problems))
        return 2
    except (SettingsError, ConfigError, DomainError, ValueError, OSError) as exc:
        complain(exc)
        return 2
    return 0
