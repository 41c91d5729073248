"""B2B routing: the intent × fit matrix, deal-size bands, named accounts, disqualified leads,
and a nurtured contact coming back."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from bot.render import Renderer
from core.app import App
from core.clock import ManualClock
from core.config import RoutingPolicy
from core.lead_input import validate_lead
from core.model import LeadStatus
from core.queries import explain_lead, waiting_leads
from core.roster import roster_from_config
from core.routing import decide
from leadrelay.bootstrap import bootstrap, sql_uow_factory
from leadrelay.office import load_office
from storage.db import create_engine
from storage.migrate import upgrade
from tests.fakes import FakeDatabase, fake_uow_factory
from tests.office import HOT, SELIN, TOKEN, ZEYNEP, office
from tests.test_routing import (
    ADA,
    BORA,
    CEM,
    DENIZ,
    NOW,
    ZONE,
    lead,
    linked,
    person,
    routed_office,
    situation,
    team,
)

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "b2b.yaml"

MATRIX_RULES: list[dict[str, Any]] = [
    {"name": "inbound", "when": {"source": ["website"]}, "matrix": {
        "high": {"strong": "senior", "weak": "sdr"},
        "medium": {"strong": "sdr", "weak": "nurture"},
        "low": {"strong": "managers", "weak": "disqualify"}}},
    {"name": "senior", "target_only": True, "pool": {"agents": ["Ada"]}, "fallback": "sdr"},
    {"name": "sdr", "target_only": True, "pool": {"agents": ["Bora", "Cem"]}},
    {"name": "default", "pool": {"agents": ["Deniz"]}},
]


def matrix_policy(**extra: Any) -> RoutingPolicy:
    return RoutingPolicy.model_validate({"rules": MATRIX_RULES, **extra})


# --- the matrix -------------------------------------------------------------------------


@pytest.mark.parametrize(("intent", "fit", "outcome", "rule", "agent"), [
    ("demo_request", "strong", "offer", "senior", ADA),
    ("pricing", "weak", "offer", "sdr", BORA),
    ("webinar", "strong", "offer", "sdr", BORA),
    ("downloads", "weak", "nurture", "inbound", None),
    ("newsletter", "strong", "managers", "inbound", None),
    ("download", "weak", "disqualified", "inbound", None),
])
def test_intent_and_fit_pick_the_matrix_cell(intent: str, fit: str, outcome: str, rule: str,
                                             agent: int | None) -> None:
    decision = decide(matrix_policy(), lead(intent=intent, fit=fit),
                      situation(team(ADA, BORA, CEM, DENIZ)))
    assert (decision.outcome, decision.rule, decision.agent_id) == (outcome, rule, agent)
    assert decision.matrix is not None
    assert decision.matrix["rule"] == "inbound"


def test_a_lead_that_does_not_say_its_intent_or_fit_counts_as_low_and_weak() -> None:
    decision = decide(matrix_policy(), lead(), situation(team(ADA, BORA, CEM, DENIZ)))
    assert decision.outcome == "disqualified"
    assert decision.matrix == {"rule": "inbound", "intent": "low", "fit": "weak",
                               "intent_given": False, "fit_given": False,
                               "target": "disqualify"}


def test_a_matrix_target_falls_back_like_any_rule() -> None:
    roster = [person(ADA, 0, away=True), person(BORA, 1), person(CEM, 2), person(DENIZ, 3)]
    decision = decide(matrix_policy(), lead(intent="demo_request", fit="strong"),
                      situation(roster))
    assert [step.rule for step in decision.steps] == ["senior", "sdr"]
    assert decision.agent_id == BORA


def test_a_target_only_rule_never_takes_a_lead_by_its_own_conditions() -> None:
    rules = RoutingPolicy.model_validate({"rules": [
        {"name": "vip", "when": {"tags": ["vip"]}, "pool": {"agents": ["Ada"]},
         "fallback": "backstop"},
        {"name": "backstop", "target_only": True, "when": {"tags": ["vip"]},
         "pool": {"agents": ["Bora"]}},
        {"name": "default", "pool": {"agents": ["Cem"]}}]})
    roster = [person(ADA, 0, away=True), person(BORA, 1), person(CEM, 2)]
    assert decide(rules, lead(tags=["vip"]), situation(roster)).agent_id == BORA
    assert decide(rules, lead(tags=["other"]), situation(roster)).agent_id == CEM


def test_the_rotation_of_a_matrix_target_is_its_own() -> None:
    where = situation(team(ADA, BORA, CEM, DENIZ))
    picks = [decide(matrix_policy(), lead(intent="pricing", fit="weak"), where).agent_id
             for _ in range(4)]
    assert picks == [BORA, CEM, BORA, CEM]


@pytest.mark.parametrize(("change", "problem"), [
    ({"matrix": {"high": {"strong": "nowhere", "weak": "sdr"},
                 "medium": {"strong": "sdr", "weak": "sdr"},
                 "low": {"strong": "sdr", "weak": "sdr"}}}, "not a rule"),
    ({"matrix": {"high": {"strong": "inbound", "weak": "sdr"},
                 "medium": {"strong": "sdr", "weak": "sdr"},
                 "low": {"strong": "sdr", "weak": "sdr"}}}, "matrix of its own"),
    ({"matrix": {"high": {"strong": "sdr", "weak": "sdr"}}}, "medium"),
])
def test_a_matrix_that_leads_nowhere_or_loops_is_refused(change: dict[str, Any],
                                                         problem: str) -> None:
    rules = [{**MATRIX_RULES[0], **change}, *MATRIX_RULES[1:]]
    with pytest.raises(ValidationError, match=problem):
        RoutingPolicy.model_validate({"rules": rules})


def test_a_target_only_rule_nothing_sends_leads_to_is_refused() -> None:
    with pytest.raises(ValidationError, match="no fallback or matrix sends leads to it"):
        RoutingPolicy.model_validate({"rules": [
            {"name": "orphan", "target_only": True}, {"name": "default"}]})


def test_the_default_rule_cannot_be_target_only() -> None:
    with pytest.raises(ValidationError, match="must have no `when`, matrix or target_only"):
        RoutingPolicy.model_validate({"rules": [
            {"name": "a", "when": {"tags": ["x"]}, "fallback": "default"},
            {"name": "default", "target_only": True}]})


# --- deal-size bands --------------------------------------------------------------------


def test_deal_size_bands_send_small_mid_and_large_deals_to_their_pools() -> None:
    rules = RoutingPolicy.model_validate({"rules": [
        {"name": "large", "when": {"budget": {"min": 50_000}}, "pool": {"tiers": ["A"]}},
        {"name": "small", "when": {"budget": {"max": 9_999}}, "pool": {"teams": ["junior"]}},
        {"name": "mid", "pool": {"teams": ["mid"], "specialties": ["$product"]}}]})
    roster = [person(ADA, 0, tier="A", team="senior"), person(BORA, 1, team="junior"),
              person(CEM, 2, team="mid", specialties=["retail"]),
              person(DENIZ, 3, team="mid", specialties=["logistics"])]
    where = situation(roster)
    assert decide(rules, lead(budget_max=120_000), where).agent_id == ADA
    assert decide(rules, lead(budget_max=5_000), where).agent_id == BORA
    assert decide(rules, lead(budget_max=20_000, product="Logistics"), where).agent_id == DENIZ
    assert decide(rules, lead(budget_max=20_000, product="retail"), where).agent_id == CEM


# --- named accounts ---------------------------------------------------------------------


def account_policy() -> RoutingPolicy:
    return RoutingPolicy.model_validate({
        "rules": [{"name": "default", "pool": {"agents": ["Cem", "Deniz"]}}],
        "accounts": [{"name": "Çelik Yapı A.Ş.", "owner": "Ada", "domains": ["celikyapi.com"]},
                     {"name": "Acme", "owner": BORA}]})


@pytest.mark.parametrize("fields", [
    {"company": "CELIK YAPI A.Ş."}, {"email": "buyer@celikyapi.com"},
    {"company": "someone else", "email": "x@celikyapi.com"},
], ids=["company, folded", "e-mail domain", "domain beats another company name"])
def test_a_named_account_goes_to_its_owner_outside_the_rules_pool(
        fields: dict[str, Any]) -> None:
    decision = decide(account_policy(), lead(**fields), situation(team(ADA, BORA, CEM, DENIZ)))
    assert (decision.agent_id, decision.strategy, decision.reason) == (
        ADA, "account", "named_account")
    assert decision.detail == {"account": "Çelik Yapı A.Ş."}


def test_an_unavailable_account_owner_gives_way_to_their_backup() -> None:
    roster = [person(ADA, 0, away=True, backup=BORA), person(BORA, 1), person(CEM, 2),
              person(DENIZ, 3)]
    decision = decide(account_policy(), lead(company="Çelik Yapı"), situation(roster))
    assert decision.agent_id == CEM, "a different company name is not the account"
    decision = decide(account_policy(), lead(company="Çelik Yapı A.Ş."), situation(roster))
    assert (decision.agent_id, decision.reason) == (BORA, "account_backup")
    assert [(s.agent_id, s.reason) for s in decision.steps[0].skipped] == [(ADA, "away")]


def test_when_owner_and_backup_are_both_out_the_rules_decide_and_say_why() -> None:
    roster = [person(ADA, 0, away=True, backup=BORA), person(BORA, 1, chat=False),
              person(CEM, 2), person(DENIZ, 3)]
    decision = decide(account_policy(), lead(company="Çelik Yapı A.Ş."), situation(roster))
    assert (decision.agent_id, decision.reason) == (CEM, "rotation")
    assert {s.agent_id: s.reason for s in decision.steps[0].skipped} == {
        ADA: "away", BORA: "no_chat"}


def test_a_returning_contacts_current_owner_comes_before_the_account_owner() -> None:
    decision = decide(account_policy(), lead(company="Acme", returning=True),
                      situation(team(ADA, BORA, CEM, DENIZ)), prefer=DENIZ)
    assert (decision.agent_id, decision.reason) == (DENIZ, "current_owner")


def test_an_account_owned_by_someone_not_on_the_roster_is_refused() -> None:
    with pytest.raises(ValidationError, match="account 'Acme' is owned by 'Nobody'"):
        office(routing={"accounts": [{"name": "Acme", "owner": "Nobody"}]})


def test_an_account_domain_must_look_like_a_domain() -> None:
    with pytest.raises(ValidationError, match="not an e-mail domain"):
        office(routing={"accounts": [{"name": "Acme", "owner": "Ayşe",
                                      "domains": ["sales@acme.com"]}]})


# --- intake -----------------------------------------------------------------------------


def test_intent_and_fit_are_read_from_the_lead_and_checked() -> None:
    data = validate_lead({"email": "a@b.co", "company": " Acme ", "intent": "Demo request",
                          "fit": "STRONG"}, default_region="TR")
    assert (data.company, data.intent, data.fit) == ("Acme", "demo_request", "strong")
    kept = validate_lead({"email": "a@b.co", "intent": "bought", "fit": "great"},
                         default_region="TR")
    assert (kept.intent, kept.fit) == (None, None)
    assert kept.flags == {"intent": "unreadable", "fit": "unreadable"}
    assert kept.extras == {"intent": "bought", "fit": "great"}


# --- through the services ---------------------------------------------------------------


B2B_RULES: list[dict[str, Any]] = [
    {"name": "inbound", "when": {"product": ["software"]}, "matrix": {
        "high": {"strong": "closers", "weak": "closers"},
        "medium": {"strong": "closers", "weak": "nurture"},
        "low": {"strong": "nurture", "weak": "disqualify"}}},
    {"name": "closers", "target_only": True, "pool": {"agents": ["Zeynep"]}},
    {"name": "land", "when": {"product": ["land"]}, "route_to": "nurture"},
    {"name": "default"},
]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def db() -> FakeDatabase:
    return FakeDatabase()


@pytest.fixture
async def relay(clock: ManualClock, db: FakeDatabase) -> App:
    tokens = (f"tok{i}" for i in itertools.count())
    return await linked(bootstrap(config=routed_office(B2B_RULES), clock=clock,
                                  uow_factory=fake_uow_factory(db),
                                  token_factory=lambda: next(tokens)))


async def test_a_disqualified_lead_is_closed_without_an_offer_or_an_alarm(
    relay: App, db: FakeDatabase
) -> None:
    lead_id = (await relay.receive_lead(source_token=TOKEN, payload={
        **HOT, "product": "software", "intent": "newsletter"})).lead_id
    stored = db.leads[lead_id]
    assert (stored.status, stored.owner_id, stored.closed_at) == (
        LeadStatus.DISQUALIFIED, None, NOW)
    assert not [o for o in db.offers.values() if o.lead_id == lead_id]
    assert not db.outbox
    assert [e.kind for e in db.events if e.lead_id == lead_id] == [
        "received", "routed", "disqualified"]
    assert not await relay.run(waiting_leads, manager_id=SELIN)


async def test_a_matrix_decision_reaches_the_agent_and_why_tells_the_story(
    relay: App, db: FakeDatabase, clock: ManualClock
) -> None:
    lead_id = (await relay.receive_lead(source_token=TOKEN, payload={
        **HOT, "product": "software", "intent": "pricing", "company": "Acme"})).lead_id
    [offer] = [o for o in db.offers.values() if o.lead_id == lead_id]
    assert offer.agent_id == ZEYNEP
    renderer = Renderer(zone=ZONE, office="Test Realty", clock=clock)
    offer_text = renderer.outgoing("offer", {**db.outbox[0].params, "lang": "en"}).text
    assert "Company: Acme" in offer_text
    assert "looked at pricing" in offer_text
    explanation = await relay.run(explain_lead, person_id=SELIN, lead_id=lead_id)
    text = renderer.why("en", explanation)
    assert "rule “inbound”" in text
    assert "B2B matrix: high intent × weak fit (not given) → rule “closers”" in text
    assert "→ Zeynep: next in the rotation." in text
    turkish = renderer.why("tr", explanation)
    assert "B2B matrisi: yüksek niyet × zayıf uyum (belirtilmedi) → “closers” kuralı" in turkish


async def test_a_nurtured_contact_who_writes_again_is_routed_and_leaves_nurture(
    relay: App, db: FakeDatabase
) -> None:
    parked = (await relay.receive_lead(source_token=TOKEN,
                                       payload={**HOT, "product": "land"})).lead_id
    assert db.leads[parked].status is LeadStatus.NURTURE
    back = (await relay.receive_lead(source_token=TOKEN, payload={
        **HOT, "product": "residential", "external_id": "second"})).lead_id
    assert db.leads[back].returning
    assert db.leads[back].status is LeadStatus.OFFERED
    assert db.leads[parked].status is LeadStatus.REVIVED
    assert [w.lead.id for w in await relay.run(waiting_leads, manager_id=SELIN)] == [back]
    revived = [(e.lead_id, e.kind, e.data) for e in db.events if e.kind.startswith("reviv")]
    assert revived == [(parked, "revived", {"by": back}), (back, "revives", {"lead_id": parked})]


async def test_a_stranger_does_not_revive_someone_elses_nurtured_lead(
    relay: App, db: FakeDatabase
) -> None:
    parked = (await relay.receive_lead(source_token=TOKEN,
                                       payload={**HOT, "product": "land"})).lead_id
    await relay.receive_lead(source_token=TOKEN, payload={**HOT, "phone": "+905559998877"})
    assert db.leads[parked].status is LeadStatus.NURTURE


async def test_a_nurtured_contact_comes_back_on_a_real_database(
    database_url: str, clock: ManualClock
) -> None:
    engine = create_engine(database_url)
    try:
        await upgrade(engine)
        app = await linked(bootstrap(config=routed_office(B2B_RULES), clock=clock,
                                     uow_factory=sql_uow_factory(engine)))
        parked = (await app.receive_lead(source_token=TOKEN,
                                         payload={**HOT, "product": "land"})).lead_id
        back = (await app.receive_lead(source_token=TOKEN, payload={
            **HOT, "email": "deniz@example.com", "product": "software",
            "company": "Acme", "intent": "demo_request", "fit": "strong"})).lead_id
        waiting = await app.run(waiting_leads, manager_id=SELIN)
        assert [(w.lead.id, w.holder) for w in waiting] == [(back, "Zeynep")]
        assert (waiting[0].lead.company, waiting[0].lead.intent, waiting[0].lead.fit) == (
            "Acme", "demo_request", "strong")
        explanation = await app.run(explain_lead, person_id=SELIN, lead_id=parked)
        assert explanation.lead.status is LeadStatus.REVIVED
    finally:
        await engine.dispose()


# --- the shipped example ----------------------------------------------------------------


def test_the_b2b_example_loads_and_routes_as_its_comments_say() -> None:
    config = load_office(EXAMPLE)
    policy = config.routing
    people = {a.name: a.telegram_id for a in config.agents}
    roster = roster_from_config(config, [])
    for agent in roster:
        agent.chat_id = agent.telegram_id
    where = situation(roster)

    def to(**fields: Any) -> tuple[str, int | None]:
        decision = decide(policy, lead(**fields), where)
        return decision.outcome, decision.agent_id

    assert to(budget_max=80_000) == ("offer", people["Elif"])
    assert to(budget_max=5_000)[1] in (people["Derya"], people["Emre"])
    assert to(intent="demo_request", fit="strong")[1] in (people["Elif"], people["Kerem"])
    assert to(intent="pricing", fit="weak")[1] in (people["Sena"], people["Onur"])
    assert to(intent="newsletter") == ("disqualified", None)
    assert to(company="Fabrikam", intent="newsletter") == ("disqualified", None), \
        "the policy's verdict comes before the account"
    assert to(email="cto@fabrikam.io", intent="demo_request", fit="strong") == (
        "offer", people["Kerem"])
    assert to(source="partner", product="enterprise") == ("offer", people["Elif"])

