"""`leadrelay policy check` and `policy try`, as an operator runs them."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import yaml

from core.lifecycle.roster_import import sync_roster
from core.roster import link_chat
from leadrelay.bootstrap import bootstrap, sql_uow_factory
from leadrelay.clock import SystemClock
from leadrelay.office import load_office
from storage.db import create_engine
from storage.migrate import upgrade

EXAMPLE = Path(__file__).resolve().parent.parent / "leadrelay.example.yaml"


def leadrelay(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("TELEGRAM_", "DATABASE_", "LEADRELAY_"))}
    return subprocess.run([sys.executable, "-m", "leadrelay.cli", *args], cwd=cwd,
                          env={**clean, **env}, capture_output=True, text=True, timeout=60,
                          check=False)


def test_policy_check_lists_the_rules_of_a_valid_config(tmp_path: Path) -> None:
    result = leadrelay("policy", "check", "--config", str(EXAMPLE), cwd=tmp_path, env={})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert any(line.split()[:2] == ["1", "land"] for line in lines)
    assert any(line.split()[:2] == ["5", "default"] for line in lines)
    assert "Policy OK" in result.stdout


def test_policy_check_shows_the_b2b_matrix_and_the_named_accounts(tmp_path: Path) -> None:
    b2b = EXAMPLE.parent / "examples" / "b2b.yaml"
    result = leadrelay("policy", "check", "--config", str(b2b), cwd=tmp_path, env={})
    assert result.returncode == 0, result.stderr
    lines = [line.split() for line in result.stdout.splitlines()]
    assert ["high", "strong", "→", "senior-now", "weak", "→", "sdr-first"] in lines
    assert ["low", "strong", "→", "nurture", "weak", "→", "disqualify"] in lines
    assert ["Contoso", "→", "Elif", "(e-mail", "contoso.com)"] in lines
    assert any(line[:3] == ["4", "senior-now", "(only"] for line in lines)


def test_policy_check_says_how_new_agents_ramp_up_by_days(tmp_path: Path) -> None:
    result = leadrelay("policy", "check", "--config", str(EXAMPLE), cwd=tmp_path, env={})
    assert result.returncode == 0, result.stderr
    assert ("new agents (with a start date) get 1 lead in 3 for their first 30 days, then "
            "1 lead in 2 for their first 60 days.") in result.stdout


def test_policy_check_says_how_new_agents_ramp_up_by_leads_received(tmp_path: Path) -> None:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["routing"]["ramp"] = [{"leads": 25, "every": 2}, {"leads": 10, "every": 3}]
    path = tmp_path / "office.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = leadrelay("policy", "check", "--config", str(path), cwd=tmp_path, env={})
    assert result.returncode == 0, result.stderr
    assert ("new agents (with a start date) get 1 lead in 3 until they have received 10 "
            "leads, then 1 lead in 2 until they have received 25 leads.") in result.stdout


def test_policy_check_refuses_a_ramp_mixing_days_and_leads(tmp_path: Path) -> None:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["routing"]["ramp"] = [{"days": 30, "every": 3}, {"leads": 25, "every": 2}]
    path = tmp_path / "office.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = leadrelay("policy", "check", "--config", str(path), cwd=tmp_path, env={})
    assert result.returncode == 2
    assert (f"{path}: routing.ramp: ramp steps are measured either all in `days` or all in "
            "`leads`, not both") in result.stderr


def test_policy_check_refuses_a_matrix_cell_naming_no_rule(tmp_path: Path) -> None:
    data = yaml.safe_load((EXAMPLE.parent / "examples" / "b2b.yaml").read_text("utf-8"))
    data["routing"]["rules"][2]["matrix"]["medium"]["weak"] = "nurtur"
    path = tmp_path / "office.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = leadrelay("policy", "check", "--config", str(path), cwd=tmp_path, env={})
    assert result.returncode == 2
    assert f"{path}: routing: rule 'inbound''s matrix sends leads to 'nurtur'" in result.stderr


def test_policy_check_refuses_a_fallback_circle_naming_file_and_key(tmp_path: Path) -> None:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["routing"]["rules"][0]["fallback"] = "luxury"
    data["routing"]["rules"][1]["fallback"] = "land"
    path = tmp_path / "office.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = leadrelay("policy", "check", "--config", str(path), cwd=tmp_path, env={})
    assert result.returncode == 2
    assert f"{path}: routing: rule 'land' falls back in a circle: land → luxury → land" \
        in result.stderr
    assert "Traceback" not in result.stderr


async def test_policy_try_names_the_agent_and_changes_nothing(tmp_path: Path) -> None:
    database = tmp_path / "office.db"
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    for person in data["agents"]:
        person.pop("hours", None)  # the answer must not depend on the hour the test runs
    office_file = tmp_path / "office.yaml"
    office_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    config = load_office(office_file)
    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    await upgrade(engine)
    relay = bootstrap(config=config, clock=SystemClock(), uow_factory=sql_uow_factory(engine))
    await relay.run(sync_roster)
    for person in config.agents:
        await relay.run(link_chat, telegram_id=person.telegram_id, chat_id=person.telegram_id)
    await engine.dispose()
    lead = tmp_path / "lead.json"
    lead.write_text(json.dumps({"source": "website", "phone": "0532 111 22 33",
                                "product": "land", "region": "Bursa", "timing": "this month"}),
                    encoding="utf-8")

    def snapshot() -> list[tuple[object, ...]]:
        with sqlite3.connect(database) as conn:
            return conn.execute("SELECT (SELECT count(*) FROM leads), (SELECT count(*) FROM "
                                "offers), (SELECT count(*) FROM rotations)").fetchall()

    before = snapshot()
    result = leadrelay("policy", "try", str(lead), "--config", str(office_file), cwd=tmp_path,
                       env={"DATABASE_URL": f"sqlite+aiosqlite:///{database}"})
    assert result.returncode == 0, result.stderr
    assert "rule “land” — product land" in result.stdout
    assert "→ Zeynep: next in the rotation." in result.stdout
    assert "dry run" in result.stdout
    assert snapshot() == before


def test_policy_try_names_the_bad_field_of_the_lead_file(tmp_path: Path) -> None:
    lead = tmp_path / "lead.json"
    lead.write_text(json.dumps({"source": "website", "name": "no contact"}), encoding="utf-8")
    result = leadrelay("policy", "try", str(lead), "--config", str(EXAMPLE), cwd=tmp_path,
                       env={"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"})
    assert result.returncode == 2
    assert result.stderr.strip() == f"leadrelay: {lead}: phone: phone or email is required"
