"""The bench office (40 agents, a manager, one source), its tokens, lead payloads and phones."""

from __future__ import annotations

import string
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

# A fake token: 7 digits before the colon so it never looks like a real bot's.
BOT_TOKEN = "7000000:" + "".join(string.ascii_letters[i % 52] for i in range(35))
SOURCE_TOKEN = "bench-source-token-0123456789"
# 40 agents: at 20 leads/s round robin gives each one a lead every 2 s, inside Telegram's
# one message per second per chat, so the pacing never holds an offer back.
AGENT_IDS = [8_100_001 + n for n in range(40)]
MANAGER_ID = 8_100_099
UNLIMITED = 1_000_000
"""The highest `requests_per_minute` a source may have: more than any bench posts."""


def office_yaml() -> dict[str, Any]:
    """An office of 40 agents and 1 manager whose SLAs outlast any bench run."""
    agents: list[dict[str, Any]] = [
        {"telegram_id": tid, "name": f"Agent{n + 1}"} for n, tid in enumerate(AGENT_IDS)]
    agents.append({"telegram_id": MANAGER_ID, "name": "Boss", "role": "manager"})
    return {
        "name": "Bench Realty", "timezone": "Europe/Istanbul", "default_region": "TR",
        "agents": agents,
        # The benches measure the intake itself: no rate limit of a source may cut it off.
        "sources": [{"name": "website", "token": SOURCE_TOKEN, "channel": "web_form",
                     "requests_per_minute": UNLIMITED}],
        "sla": {temp: {"accept_within": "30m", "offers_before_managers": 3}
                for temp in ("hot", "warm", "cold")},
    }


def write_office(path: Path, office: dict[str, Any] | None = None, *,
                 sort_keys: bool = True) -> Path:
    """Write *office* (default: office_yaml()) as the YAML leadrelay reads; return *path*."""
    data = office_yaml() if office is None else office
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=sort_keys),
                    encoding="utf-8")
    return path


def lead_payload(phone: str) -> dict[str, Any]:
    """A hot lead with the given (unique) phone, like a website form would post it."""
    return {"phone": phone, "name": "Deniz Kaya", "product": "residential",
            "region": "Istanbul / Kadıköy", "budget_min": 1_000_000, "budget_max": 2_000_000,
            "timing": "this week"}


def phones(prefix: str) -> Iterator[str]:
    """Distinct valid Turkish mobile numbers under *prefix* (e.g. 532)."""
    for n in range(10_000_000):
        yield f"+90{prefix}{n:07d}"
