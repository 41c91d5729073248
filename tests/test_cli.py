"""The `leadrelay` console script, run as a real process the way an operator runs it."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Mapping
from pathlib import Path

import aiohttp
import pytest
import yaml

from sandbox import BotApiSandbox
from tests.harness import offer_for, text_has
from tests.office import AYSE, CAN, HOT, MEHMET, SELIN, TOKEN, ZEYNEP, office_data

BOT_TOKEN = "123456789:" + "A" * 35
START_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0
OUR_SETTINGS = {"DATABASE_URL", "HTTP_HOST", "HTTP_PORT", "LEADRELAY_CONFIG", "SWEEP_SECONDS",
                "LOG_LEVEL", "LOG_FORMAT", "LOG_PII"}


def leadrelay_command() -> list[str]:
    """The installed console script of this venv, else the module behind it."""
    beside = Path(sys.executable).with_name("leadrelay")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("leadrelay")
    return [found] if found else [sys.executable, "-m", "leadrelay.cli"]


def clean_env(**settings: str) -> dict[str, str]:
    """This process's environment without any setting of ours, plus *settings*."""
    env = {name: value for name, value in os.environ.items()
           if not name.upper().startswith("TELEGRAM_") and name.upper() not in OUR_SETTINGS}
    env["PYTHONUNBUFFERED"] = "1"
    env.update(settings)
    return env


def run_cli(args: list[str], cwd: Path, env: Mapping[str, str],
            timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*leadrelay_command(), *args], cwd=cwd, env=dict(env),
                          capture_output=True, text=True, timeout=timeout, check=False)


def write_office(path: Path, data: object) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_office_file_written_for_these_tests_is_the_test_office(tmp_path: Path) -> None:
    from leadrelay.office import load_office
    from tests.office import office

    loaded = load_office(write_office(tmp_path / "leadrelay.yaml", office_data()))
    assert loaded.model_dump() == office().model_dump()


# --------------------------------------------------------------------------------------------
# Refusing to start
# --------------------------------------------------------------------------------------------


def test_run_without_a_bot_token_exits_2_with_one_line_naming_it_and_no_traceback(
    tmp_path: Path,
) -> None:
    result = run_cli(["run"], tmp_path, clean_env())
    assert result.returncode == 2
    assert result.stderr.splitlines() == ["leadrelay: setting TELEGRAM_BOT_TOKEN is not set"]
    assert result.stdout == ""


def test_migrate_without_a_bot_token_is_refused_the_same_way(tmp_path: Path) -> None:
    result = run_cli(["migrate"], tmp_path, clean_env())
    assert result.returncode == 2
    assert result.stderr.splitlines() == ["leadrelay: setting TELEGRAM_BOT_TOKEN is not set"]


def test_a_malformed_bot_token_is_named_but_not_printed(tmp_path: Path) -> None:
    token = "123456789:tooshort-secret"
    result = run_cli(["run"], tmp_path, clean_env(TELEGRAM_BOT_TOKEN=token))
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("leadrelay: setting TELEGRAM_BOT_TOKEN ")
    assert "tooshort-secret" not in result.stderr


def test_a_sync_database_url_is_named_before_anything_starts(tmp_path: Path) -> None:
    env = clean_env(TELEGRAM_BOT_TOKEN=BOT_TOKEN, DATABASE_URL=f"sqlite:///{tmp_path}/x.db")
    result = run_cli(["migrate"], tmp_path, env)
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("leadrelay: setting DATABASE_URL ")
    assert not (tmp_path / "x.db").exists()


def test_run_with_a_bad_office_config_exits_2_naming_the_file_and_the_key(
    tmp_path: Path,
) -> None:
    data = office_data()
    data["agents"][1]["telegram_id"] = -1002  # type: ignore[index]
    config = write_office(tmp_path / "office.yaml", data)
    env = clean_env(TELEGRAM_BOT_TOKEN=BOT_TOKEN, LEADRELAY_CONFIG=str(config),
                    DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'leadrelay.db'}")
    result = run_cli(["run"], tmp_path, env)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"{config}: agents[1].telegram_id: " in result.stderr
    assert "greater than 0" in result.stderr
    assert not (tmp_path / "leadrelay.db").exists(), "nothing is touched before the config"


def test_run_without_an_office_config_file_points_at_the_example(tmp_path: Path) -> None:
    env = clean_env(TELEGRAM_BOT_TOKEN=BOT_TOKEN)
    result = run_cli(["run"], tmp_path, env)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "leadrelay.yaml: file not found (copy leadrelay.example.yaml)" in result.stderr


def test_run_with_an_office_file_that_is_not_yaml_names_the_line(tmp_path: Path) -> None:
    config = tmp_path / "leadrelay.yaml"
    config.write_text("name: Broken\nagents: [\n", encoding="utf-8")
    result = run_cli(["run"], tmp_path, clean_env(TELEGRAM_BOT_TOKEN=BOT_TOKEN))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "leadrelay.yaml: line " in result.stderr
    assert "is not valid YAML" in result.stderr


def test_an_office_file_that_is_not_yaml_is_reported_without_the_source_token_on_its_line(
    tmp_path: Path,
) -> None:
    # YAML's error quotes the line it stopped at: here the one holding a source's token.
    token = "website-token-0123456789"
    config = tmp_path / "leadrelay.yaml"
    config.write_text(f"name: Broken\nsources:\n  - name: website\n    token: {token} : x\n",
                      encoding="utf-8")
    for command in (["run"], ["policy", "check"]):
        result = run_cli(command, tmp_path, clean_env(TELEGRAM_BOT_TOKEN=BOT_TOKEN))
        assert result.returncode == 2
        assert "leadrelay.yaml: line 4 is not valid YAML" in result.stderr
        assert token not in result.stderr


def test_an_unknown_command_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli(["serve"], tmp_path, clean_env(TELEGRAM_BOT_TOKEN=BOT_TOKEN))
    assert result.returncode == 2
    assert "usage: leadrelay" in result.stderr
    assert "Traceback" not in result.stderr


# --------------------------------------------------------------------------------------------
# migrate
# --------------------------------------------------------------------------------------------


def test_migrate_creates_the_tables_in_a_new_sqlite_file_and_can_run_again(
    tmp_path: Path,
) -> None:
    database = tmp_path / "data" / "leadrelay.db"
    database.parent.mkdir()
    env = clean_env(TELEGRAM_BOT_TOKEN=BOT_TOKEN, DATABASE_URL=f"sqlite+aiosqlite:///{database}")
    for _ in range(2):
        result = run_cli(["migrate"], tmp_path, env)
        assert result.returncode == 0, result.stderr
        assert "leadrelay: database is up to date" in result.stdout
        assert "Traceback" not in result.stderr
    with sqlite3.connect(database) as conn:
        tables = {name for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
    conn.close()
    assert {"leads", "offers", "agents", "alembic_version"} <= tables


def test_migrate_uses_the_default_database_in_the_working_directory(tmp_path: Path) -> None:
    result = run_cli(["migrate"], tmp_path, clean_env(TELEGRAM_BOT_TOKEN=BOT_TOKEN))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "leadrelay.db").is_file()


# --------------------------------------------------------------------------------------------
# run, against the Bot API sandbox
# --------------------------------------------------------------------------------------------


@pytest.fixture
async def sandbox() -> AsyncIterator[BotApiSandbox]:
    box = BotApiSandbox(token=BOT_TOKEN)
    await box.start()
    try:
        yield box
    finally:
        await box.stop()


class Running:
    """A `leadrelay run` process and where to reach it."""

    def __init__(self, process: asyncio.subprocess.Process, port: int, stderr: Path) -> None:
        self.process, self.port, self.stderr_path = process, port, stderr

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")


def run_env(tmp_path: Path, sandbox: BotApiSandbox, port: int) -> dict[str, str]:
    """What `leadrelay run` needs to serve the test office against *sandbox*."""
    config = write_office(tmp_path / "leadrelay.yaml", office_data())
    return clean_env(TELEGRAM_BOT_TOKEN=BOT_TOKEN, TELEGRAM_API_URL=sandbox.url,
                     DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'leadrelay.db'}",
                     HTTP_PORT=str(port), LEADRELAY_CONFIG=str(config), SWEEP_SECONDS="0.5")


async def start_leadrelay(tmp_path: Path, sandbox: BotApiSandbox, **settings: str) -> Running:
    port = free_port()
    env = {**run_env(tmp_path, sandbox, port), **settings}
    stderr = tmp_path / "stderr.log"
    with (tmp_path / "stdout.log").open("wb") as out, stderr.open("wb") as err:
        process = await asyncio.create_subprocess_exec(
            *leadrelay_command(), "run", cwd=tmp_path, env=env, stdout=out, stderr=err)
    running = Running(process, port, stderr)
    try:
        await wait_until_healthy(running)
    except BaseException:
        await stop_process(process)
        raise
    return running


async def wait_until_healthy(running: Running) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    url = f"http://127.0.0.1:{running.port}/healthz"
    timeout = aiohttp.ClientTimeout(total=2)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        while time.monotonic() < deadline:
            if running.process.returncode is not None:
                pytest.fail(f"leadrelay exited with {running.process.returncode}:\n"
                            f"{running.stderr}")
            try:
                async with session.get(url) as response:
                    if response.status == 200 and await response.json() == {"status": "ok"}:
                        return
            except (aiohttp.ClientError, TimeoutError):
                pass
            await asyncio.sleep(0.1)
    pytest.fail(f"leadrelay did not answer {url} within {START_TIMEOUT} s:\n{running.stderr}")


async def stop_process(process: asyncio.subprocess.Process) -> None:
    """Make sure the child is gone, whatever happened in the test."""
    if process.returncode is None:
        process.kill()
    await process.wait()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
@pytest.mark.slow
async def test_run_comes_up_against_the_bot_api_and_stops_cleanly_on_a_signal(
    tmp_path: Path, sandbox: BotApiSandbox, signum: signal.Signals,
) -> None:
    running = await start_leadrelay(tmp_path, sandbox)
    try:
        # It is really talking to Telegram: polling and answering /start.
        user = sandbox.user(SELIN, "Selin")
        await user.send("/start")
        welcome = await user.wait_for(lambda m: "Hi Selin" in m.text)
        assert "Test Realty" in welcome.text
        assert {"getMe", "getUpdates"} <= {call.method for call in sandbox.requests}

        running.process.send_signal(signum)
        started = time.monotonic()
        code = await asyncio.wait_for(running.process.wait(), timeout=STOP_TIMEOUT)
        took = time.monotonic() - started
    finally:
        await stop_process(running.process)
    stderr = running.stderr
    assert code == 0, stderr
    # About a second on an idle machine; a stop that waited out a long poll, a lease or a
    # hung task would take far longer than a busy machine makes it.
    assert took < 15, f"stopping took {took:.1f} s"
    assert "Traceback" not in stderr
    assert "KeyboardInterrupt" not in stderr
    assert "leadrelay is up" in stderr
    assert "leadrelay stopped" in stderr
    assert BOT_TOKEN not in stderr, "the token must not be logged"
    assert BOT_TOKEN.split(":")[1] not in stderr
    with sqlite3.connect(tmp_path / "leadrelay.db") as conn:
        roster = dict(conn.execute("SELECT telegram_id, chat_id FROM agents").fetchall())
    conn.close()
    assert set(roster) == {AYSE, MEHMET, ZEYNEP, CAN, SELIN}
    assert roster[SELIN] is not None, "pressing Start linked the chat, and it was committed"


@pytest.mark.slow
async def test_a_bot_token_telegram_rejects_at_start_is_reported_but_never_printed(
    tmp_path: Path, sandbox: BotApiSandbox,
) -> None:
    sandbox.fail_next("getMe", error_code=401, description="Unauthorized")
    process = await asyncio.create_subprocess_exec(
        *leadrelay_command(), "run", cwd=tmp_path, env=run_env(tmp_path, sandbox, free_port()),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        out, err = await asyncio.wait_for(process.communicate(), timeout=START_TIMEOUT)
    finally:
        await stop_process(process)
    stdout, stderr = out.decode(errors="replace"), err.decode(errors="replace")
    assert process.returncode != 0, stderr
    assert sandbox.calls("getMe"), "it asked Telegram, and Telegram refused the token"
    assert stderr.strip(), "the failure is reported"
    secret = BOT_TOKEN.split(":")[1]
    assert secret not in stderr
    assert secret not in stdout


@pytest.mark.parametrize("log_pii", ["false", "true"])
@pytest.mark.slow
async def test_at_debug_no_phone_email_name_or_message_of_a_lead_is_logged_unless_log_pii_is_set(
    tmp_path: Path, sandbox: BotApiSandbox, log_pii: str,
) -> None:
    email, message = "deniz.kaya@example.com", "please call after six, about the flat"
    running = await start_leadrelay(tmp_path, sandbox, LOG_LEVEL="DEBUG", LOG_PII=log_pii)
    try:
        agent = sandbox.user(AYSE, "Ayşe")
        await agent.send("/start")
        await agent.wait_for(text_has("Hi Ayşe"))
        async with aiohttp.ClientSession() as session, session.post(
                f"http://127.0.0.1:{running.port}/webhooks/leads",
                json={**HOT, "email": email, "message": message},
                headers={"Authorization": f"Bearer {TOKEN}"}) as response:
            assert response.status == 201, await response.text()
            lead_id = (await response.json())["lead_id"]
        offer = await agent.wait_for(offer_for(lead_id))
        await agent.press(offer, "✅ Accept")
        await agent.wait_for(text_has(f"Lead #{lead_id} is yours", "+90 532 123 45 67", email))
        running.process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(running.process.wait(), timeout=STOP_TIMEOUT) == 0
    finally:
        await stop_process(running.process)
    stderr = running.stderr
    assert " DEBUG " in stderr, "the libraries' debug lines are there"
    if log_pii == "true":
        assert "LOG_PII is on" in stderr, "the operator is told, at start"
        assert email in stderr, "LOG_PII=true shows what masking would hide"
        return
    for personal in (email, "Deniz Kaya", message):
        assert personal not in stderr
    assert "5321234567" not in re.sub(r"[\s().-]", "", stderr)
