"""The big office of routing.py (500 agents, 100 rules), its load in core/ and its leads."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

from bench.kit.office import UNLIMITED
from core.config import OfficeConfig, StrategyName
from core.model import Agent, Lead, Role, Temperature
from core.routing import AgentStats, Situation

SEED = 20261125
N_AGENTS = 500
N_RULES = 100
AGENT_BASE_ID = 9_000_001
MANAGER_ID = 8_999_999
# --claim-groups: claim rule rNN posts to supergroup GROUP_BASE - NN (the -100… id form)
GROUP_BASE = -1_000_000_000_000
TEAMS = ["north", "south", "east", "west", "central", "coast", "valley", "metro"]
PRODUCTS = ["residential", "commercial", "land", "rental", "luxury", "new_build", "farm",
            "office"]
CITIES: dict[str, list[str]] = {
    "Istanbul": ["Kadıköy", "Beşiktaş", "Üsküdar", "Şişli", "Sarıyer", "Ataşehir"],
    "Ankara": ["Çankaya", "Keçiören", "Yenimahalle", "Etimesgut"],
    "İzmir": ["Karşıyaka", "Bornova", "Konak", "Çeşme"],
    "Bursa": ["Nilüfer", "Osmangazi", "Mudanya"],
    "Antalya": ["Muratpaşa", "Konyaaltı", "Alanya", "Kaş"],
    "Muğla": ["Bodrum", "Fethiye", "Marmaris"],
    "Adana": ["Seyhan", "Çukurova"],
    "Eskişehir": ["Tepebaşı", "Odunpazarı"],
}
STREETS = ["Moda", "Merkez", "Sahil", "Çarşı", "Yalı", "Bahçelievler"]
TAGS = ["vip", "investor", "foreign", "cash", "mortgage", "relocation", "first_home", "urgent"]
SOURCES = {  # name -> (channel, token)
    "website": ("web_form", "bench-routing-website-0001"),
    "meta_ads": ("meta", "bench-routing-meta-ads-0002"),
    "google_ads": ("google_ads", "bench-routing-google-0003"),
    "referral": ("referral", "bench-routing-referral-004"),
    "whatsapp": ("whatsapp", "bench-routing-whatsapp-005"),
    "fair": ("fair", "bench-routing-fair-stand-06"),
}
TIMINGS = ["this week", "asap", "next week", "this month", "next month", "6 months",
           "just looking", None]
STRATEGIES = list(StrategyName)
UNCOVERED_REGION = "Hakkari / Yüksekova"  # nobody's territory


def territory_names() -> list[str]:
    """Every city and "city / district", as agents write their territories."""
    names = list(CITIES)
    names += [f"{city} / {district}" for city, districts in CITIES.items()
              for district in districts]
    return names


def agent_dicts(rng: random.Random, today: date) -> list[dict[str, Any]]:
    """500 agents with varied teams, territories, specialties, tiers, weights and limits."""
    territories = territory_names()
    agents: list[dict[str, Any]] = []
    for n in range(N_AGENTS):
        agent: dict[str, Any] = {
            "telegram_id": AGENT_BASE_ID + n, "name": f"Agent{n + 1:03d}",
            "team": TEAMS[n % len(TEAMS)],
            "territories": rng.sample(territories, rng.randint(1, 3)),
            "specialties": rng.sample(PRODUCTS, rng.randint(1, 3)),
            "languages": ["tr"] + (["en"] if rng.random() < 0.4 else []),
            "weight": rng.choice([0.5, 1.0, 1.0, 1.0, 1.5, 2.0, 3.0]),
        }
        if rng.random() < 0.8:
            agent["tier"] = rng.choice(["A", "B", "B", "C"])
        if rng.random() < 0.6:
            agent["capacity"] = rng.randint(10, 60)
        if rng.random() < 0.2:  # some keep working hours, a few in another zone
            days = ["mon", "tue", "wed", "thu", "fri", "sat"][: rng.randint(5, 6)]
            agent["hours"] = {"days": days, "start": "08:00",
                              "end": rng.choice(["18:00", "20:00", "23:00"])}
            if rng.random() < 0.3:
                agent["timezone"] = rng.choice(["Europe/Berlin", "Europe/London", "Asia/Dubai"])
        if rng.random() < 0.1:  # new starters ramp up
            agent["start_date"] = (today - timedelta(days=rng.randint(1, 80))).isoformat()
        if rng.random() < 0.02:
            agent["away_until"] = (today + timedelta(days=rng.randint(1, 10))).isoformat()
        if rng.random() < 0.02:
            agent["away"] = True
        agents.append(agent)
    return agents


def random_when(rng: random.Random) -> dict[str, Any]:
    """One to three conditions: product, region prefix, budget, tags; temperature, source."""
    # At least one condition on what the lead is about; temperature and source only narrow.
    kinds = rng.sample(["product", "region", "budget", "tags"], rng.randint(1, 2))
    kinds += rng.sample(["temperature", "source"], rng.randint(0, 1))
    when: dict[str, Any] = {}
    for kind in kinds:
        if kind == "product":
            when["product"] = rng.sample(PRODUCTS, rng.randint(1, 2))
        elif kind == "region":
            city = rng.choice(list(CITIES))
            when["region"] = ([city] if rng.random() < 0.5
                              else [f"{city} / {d}" for d in rng.sample(CITIES[city], 2)])
        elif kind == "budget":
            low = rng.choice([0, 500_000, 1_000_000, 2_000_000, 5_000_000])
            when["budget"] = {"min": low} if rng.random() < 0.5 else {"min": low,
                                                                        "max": low * 3 + 500_000}
        elif kind == "temperature":
            when["temperature"] = rng.sample(["hot", "warm", "cold"], rng.randint(1, 2))
        elif kind == "tags":
            when["tags"] = rng.sample(TAGS, rng.randint(1, 2))
        else:
            when["source"] = rng.sample(list(SOURCES), rng.randint(1, 2))
    return when


def random_pool(rng: random.Random, territories: list[str]) -> dict[str, Any]:
    """Pools by team, specialty, territory, `$region`, `$product` and tier, alone or combined."""
    shape = rng.randrange(8)
    if shape == 0:
        return {"teams": rng.sample(TEAMS, rng.randint(1, 3))}
    if shape == 1:
        return {"specialties": ["$product"]}
    if shape == 2:
        return {"territories": ["$region"]}
    if shape == 3:
        return {"specialties": ["$product"], "territories": ["$region"]}
    if shape == 4:
        return {"tiers": rng.sample(["A", "B", "C"], rng.randint(1, 2)),
                "territories": ["$region"]}
    if shape == 5:
        return {"teams": rng.sample(TEAMS, 2), "specialties": rng.sample(PRODUCTS, 2)}
    if shape == 6:
        return {"territories": rng.sample(territories, 3), "tiers": ["A", "B"]}
    return {"teams": [rng.choice(TEAMS)], "specialties": ["$product"]}


def rule_dicts(rng: random.Random, *, claim: bool = True,
               claim_groups: bool = False) -> list[dict[str, Any]]:
    """100 rules: conditions, pools, all five strategies, fallbacks to later rules, a default."""
    territories = territory_names()
    names = [f"r{i:02d}" for i in range(N_RULES - 1)] + ["default"]
    rules: list[dict[str, Any]] = []
    for i in range(N_RULES - 1):
        roll = rng.random()
        if roll < 0.6:
            fallback = names[i + 1]
        elif roll < 0.85:
            fallback = names[rng.randint(i + 1, N_RULES - 1)]
        elif roll < 0.97:
            fallback = "managers"
        else:
            fallback = "nurture"
        rule: dict[str, Any] = {
            "name": names[i], "when": random_when(rng), "pool": random_pool(rng, territories),
            "strategy": STRATEGIES[i % len(STRATEGIES)].value, "fallback": fallback}
        if not claim and rule["strategy"] == "claim":
            rule["strategy"] = "round_robin"  # --no-claim: no fan-out of one lead to a pool
        if claim_groups and rule["strategy"] == "claim":
            rule["claim_chat"] = GROUP_BASE - i  # takes no random number: same policy
        if rule["strategy"] == "tiers" and rng.random() < 0.5:
            rule["tier_split"] = {"A": 50, "B": 30, "C": 20}
        rules.append(rule)
    rules.append({"name": "default", "strategy": "least_loaded", "fallback": "managers"})
    return rules


def office_dict(today: date, *, claim: bool = True,
                claim_groups: bool = False) -> dict[str, Any]:
    """The whole office as the YAML config would hold it."""
    rng = random.Random(SEED)
    agents = agent_dicts(rng, today)
    agents.append({"telegram_id": MANAGER_ID, "name": "Boss", "role": "manager"})
    return {
        "name": "Bench Big Realty", "timezone": "Europe/Istanbul", "default_region": "TR",
        "agents": agents,
        "sources": [{"name": name, "token": token, "channel": channel,
                     "requests_per_minute": UNLIMITED}
                    for name, (channel, token) in SOURCES.items()],
        "sla": {temp: {"accept_within": "30m", "offers_before_managers": 3}
                for temp in ("hot", "warm", "cold")},
        "routing": {"rules": rule_dicts(rng, claim=claim, claim_groups=claim_groups)},
    }



def roster_of(config: OfficeConfig) -> list[Agent]:
    """The stored roster as leadrelay builds it (sync_roster), every chat linked."""
    return [Agent(p.telegram_id, p.name, role=p.role, active=p.active, away=p.away,
                  language=p.language, position=n, chat_id=p.telegram_id, profile=p.profile)
            for n, p in enumerate(config.agents)]


def situation_of(roster: list[Agent], now: datetime, config: OfficeConfig,
                 rng: random.Random) -> Situation:
    """Realistic load: open leads, recent offers, some missed SLAs, tier history."""
    stats: dict[int, AgentStats] = {}
    for agent in roster:
        if agent.role is Role.MANAGER:
            continue
        cap = agent.profile.capacity or 40
        misses = []
        if rng.random() < 0.15:
            misses = sorted(now - timedelta(hours=rng.uniform(1, 24 * 12))
                            for _ in range(rng.randint(1, 3)))
        reviewed = rng.randint(0, 80)
        stats[agent.telegram_id] = AgentStats(
            open_leads=rng.randint(0, cap), misses=misses,
            last_offered_at=now - timedelta(minutes=rng.uniform(1, 600)),
            reviewed_leads=reviewed, reviewed_won=int(reviewed * rng.uniform(0.05, 0.45)))
    return Situation(roster, stats, {}, now, config.zone)


def region_of(rng: random.Random) -> str | None:
    """A lead's region as forms send it: a city, a district, sometimes a street; or none."""
    roll = rng.random()
    if roll < 0.05:
        return None
    if roll < 0.08:
        return UNCOVERED_REGION
    city = rng.choice(list(CITIES))
    if roll < 0.25:
        return city
    district = rng.choice(CITIES[city])
    if roll < 0.7:
        return f"{city} / {district}"
    return f"{city} / {district} / {rng.choice(STREETS)}"


def random_lead(rng: random.Random, now: datetime, n: int) -> Lead:
    """A lead with random product, region, budget, temperature, tags and source."""
    temperature = rng.choice(list(Temperature))
    score = {Temperature.HOT: rng.randint(70, 100), Temperature.WARM: rng.randint(40, 69),
             Temperature.COLD: rng.randint(0, 39)}[temperature]
    budget_min = rng.choice([None, 300_000, 800_000, 1_500_000, 3_000_000, 8_000_000])
    budget_max = None if budget_min is None or rng.random() < 0.3 else budget_min * 2
    product = rng.choice(PRODUCTS) if rng.random() < 0.93 else rng.choice([None, "yacht"])
    return Lead(contact_id=n + 1, source=rng.choice(list(SOURCES)), received_at=now,
                score=score, temperature=temperature, name="Deniz Kaya",
                phone=f"+90532{n:07d}", product=product, region=region_of(rng),
                budget_min=budget_min, budget_max=budget_max,
                tags=rng.sample(TAGS, rng.choice([0, 0, 1, 1, 2])),
                returning=rng.random() < 0.05, id=n + 1)


def lead_payload(rng: random.Random, phone: str) -> dict[str, Any]:
    """A varied web lead: product, region, budget, timing, tags."""
    budget_min = rng.choice([None, 300_000, 800_000, 1_500_000, 3_000_000, 8_000_000])
    payload: dict[str, Any] = {"phone": phone, "name": "Deniz Kaya",
                               "product": rng.choice(PRODUCTS), "region": region_of(rng),
                               "timing": rng.choice(TIMINGS)}
    if budget_min is not None:
        payload["budget_min"] = budget_min
        if rng.random() < 0.7:
            payload["budget_max"] = budget_min * 2
    tags = rng.sample(TAGS, rng.choice([0, 0, 1, 1, 2]))
    if tags:
        payload["tags"] = tags
    return {k: v for k, v in payload.items() if v is not None}
