"""The office of a year of leads (bench/stats.py): 60 agents in 6 teams, 8 sources with their
monthly cost, commission rates and the routing rules whose names the seeded leads carry."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bench.kit.office import UNLIMITED

FIRST_ID = 8_300_001
TEAMS = ("kadikoy", "besiktas", "atasehir", "land", "commercial", "rentals")
RESIDENTIAL = TEAMS[:3]
PER_TEAM = 10
AGENT_IDS = [FIRST_ID + n for n in range(len(TEAMS) * PER_TEAM)]
MANAGER_IDS = [8_300_901, 8_300_902]
NAMES = ["Ayşe", "Mehmet", "Zeynep", "Can", "Elif", "Emre", "Selin", "Burak", "Ece", "Mert",
         "Derya", "Kerem", "Naz", "Oğuz", "Pınar", "Deniz", "İpek", "Şükrü", "Gül", "Ömer"]
DISTRICT = {"kadikoy": "Istanbul / Kadıköy", "besiktas": "Istanbul / Beşiktaş",
            "atasehir": "Istanbul / Ataşehir"}

# name, channel, monthly cost (TRY), share of the leads, lead type, campaign fields kind.
SOURCES: list[tuple[str, str, int | None, float, str | None, str | None]] = [
    ("website", "web_form", 15_000, 0.22, None, "web"),
    ("meta-lead-ads", "meta", 120_000, 0.28, "high_intent", "meta"),
    ("google-ads", "google_ads", 90_000, 0.18, "high_intent", "google"),
    ("sahibinden", "other", 60_000, 0.15, None, None),
    ("referrals", "referral", None, 0.05, None, None),
    ("whatsapp", "whatsapp", 10_000, 0.05, None, "whatsapp"),
    ("fair", "fair", 40_000, 0.04, "event", None),
    ("manual", "manual", None, 0.03, None, None),  # entered by their owner with /new
]
CAMPAIGNS = {"web": ["organic", "newsletter", "blog"],
             "meta": ["kadikoy-3+1", "sea-view-2026", "retarget-30d", "land-investors"],
             "google": ["search-brand", "search-kadikoy", "pmax-luxury"],
             "whatsapp": ["ctwa-sea-view", "ctwa-rentals"]}
COMMISSION = {"residential": "2%", "luxury": "2%", "commercial": "3%", "land": "3%",
              "rental": "100%"}  # a rental earns one month's rent


@dataclass(frozen=True)
class Member:
    """An agent as the seeder uses them: team, tier weight, and their year's time away."""

    telegram_id: int
    name: str
    team: str
    weight: float
    away: tuple[tuple[float, float], ...]  # [start, end) epoch seconds of each absence

    def is_away(self, moment: float) -> bool:
        """Whether the agent was away at *moment* (epoch seconds)."""
        return any(start <= moment < end for start, end in self.away)


def members(*, start: float, days: int, seed: int) -> list[Member]:
    """The 60 agents, each away one or two weeks of the year (a vacation and, for some,
    a second one), tier A (weight 2) the first two of each residential team."""
    rng = random.Random(seed)
    found: list[Member] = []
    for n, telegram_id in enumerate(AGENT_IDS):
        team = TEAMS[n // PER_TEAM]
        away: list[tuple[float, float]] = []
        for _ in range(1 if rng.random() < 0.6 else 2):
            first = start + rng.randrange(max(1, days - 14)) * 86400.0
            away.append((first, first + rng.choice((5, 7, 10, 14)) * 86400.0))
        found.append(Member(telegram_id, f"{NAMES[n % len(NAMES)]} {team[:3].title()}{n + 1}",
                            team, 2.0 if team in RESIDENTIAL and n % PER_TEAM < 2 else 1.0,
                            tuple(sorted(away))))
    return found


def year_office(people: list[Member]) -> dict[str, Any]:
    """leadrelay.yaml of the office, as its managers would write it."""
    agents: list[dict[str, Any]] = []
    for m in people:
        entry: dict[str, Any] = {"telegram_id": m.telegram_id, "name": m.name, "team": m.team}
        if m.team in DISTRICT:
            entry.update(territories=[DISTRICT[m.team].lower()],
                         specialties=["residential", "luxury"])
        else:
            entry.update(specialties=[m.team.removesuffix("s")])
        if m.weight != 1.0:
            entry.update(weight=m.weight, tier="A")
        agents.append(entry)
    agents += [{"telegram_id": tid, "name": f"Müdür {k + 1}", "role": "manager"}
               for k, tid in enumerate(MANAGER_IDS)]
    sources: list[dict[str, Any]] = []
    for name, channel, cost, _, lead_type, _ in SOURCES:
        if name == "manual":
            continue  # /new's own source, never posted
        source: dict[str, Any] = {"name": name, "channel": channel,
                                  "token": f"year-{name}-token-0123456789",
                                  "requests_per_minute": UNLIMITED}
        if cost is not None:
            source["monthly_cost"] = cost
        if lead_type is not None:
            source["lead_type"] = lead_type
        sources.append(source)
    return {
        "name": "Year Realty", "timezone": "Europe/Istanbul", "default_region": "TR",
        "currency": "TRY", "agents": agents, "sources": sources,
        "money": {"commission": COMMISSION},
        "lead_types": {"high_intent": {"accept_within": "30m", "first_contact_within": "4h"},
                       "event": {"accept_within": "2h", "first_contact_within": "48h"}},
        "routing": {"rules": [
            {"name": "land", "when": {"product": ["land"]}, "pool": {"teams": ["land"]},
             "strategy": "round_robin", "fallback": "default"},
            {"name": "commercial", "when": {"product": ["commercial"]},
             "pool": {"teams": ["commercial"]}, "strategy": "least_loaded",
             "fallback": "default"},
            {"name": "rentals", "when": {"product": ["rental"]}, "pool": {"teams": ["rentals"]},
             "strategy": "round_robin", "fallback": "default"},
            {"name": "luxury", "when": {"budget": {"min": 20_000_000}}, "pool": {"tiers": ["A"]},
             "strategy": "weighted", "fallback": "default"},
            {"name": "local-hot", "when": {"temperature": ["hot"]},
             "pool": {"territories": ["$region"]}, "strategy": "least_loaded",
             "fallback": "default"},
            {"name": "default", "pool": {"teams": list(RESIDENTIAL)},
             "strategy": "round_robin", "fallback": "managers"},
        ]},
    }


def absences(people: list[Member]) -> list[tuple[int, float, bool, date | None]]:
    """The availability history the absences leave: (agent, at, away, until) in time order."""
    rows = []
    for m in people:
        for start, end in m.away:
            back = datetime.fromtimestamp(end, UTC).date() - timedelta(days=1)
            rows += [(m.telegram_id, start, True, back), (m.telegram_id, end, False, None)]
    return sorted(rows, key=lambda r: r[1])
