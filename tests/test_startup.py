"""Starting `leadrelay run`: what stops it says so in one line; Telegram not answering does
not stop it."""

from __future__ import annotations

import asyncio
import secrets
import socket
import time
from pathlib import Path

import aiohttp
import pytest

from core.lifecycle.roster_import import sync_roster
from core.roster import link_chat
from leadrelay.bootstrap import bootstrap, sql_uow_factory
from leadrelay.clock import SystemClock
from sandbox import BotApiSandbox
from storage.db import create_engine
from storage.migrate import upgrade
from tests.conftest import POSTGRES_SERVER
from tests.harness import offer_for
from tests.office import AYSE, HOT, MEHMET, SELIN, TOKEN, ZEYNEP, office, office_data
from tests.test_cli import (
    BOT_TOKEN,
    clean_env,
    free_port,
    leadrelay_command,
    run_cli,
    write_office,
)

pytestmark = pytest.mark.slow  # leadrelay runs as a process: see README, Tests


def office_file(tmp_path: Path, **changes: object) -> Path:
    return write_office(tmp_path / "leadrelay.yaml", {**office_data(), **changes})


def refused(tmp_path: Path, **settings: str) -> str:
    """Run `leadrelay run` with *settings*; the one line it stopped with."""
    env = clean_env(TELEGRAM_BOT_TOKEN=BOT_TOKEN, LEADRELAY_CONFIG=str(office_file(tmp_path)),
                    HTTP_PORT=str(free_port()), **settings)
    result = run_cli(["run"], tmp_path, env)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    [line] = [line for line in result.stderr.splitlines() if line.startswith("leadrelay: ")]
    assert line == result.stderr.strip().splitlines()[-1], "the last word is the reason"
    assert BOT_TOKEN.split(":")[1] not in result.stderr
    return line


def test_a_database_that_does_not_answer_is_named_with_what_to_do(tmp_path: Path) -> None:
    line = refused(tmp_path, DATABASE_URL=f"postgresql+asyncpg://postgres:s3cret@127.0.0.1:"
                   f"{free_port()}/leads")
    assert "cannot reach the database" in line
    assert "is PostgreSQL running" in line
    assert "s3cret" not in line


def test_a_sqlite_file_in_a_missing_folder_is_named_with_what_to_do(tmp_path: Path) -> None:
    line = refused(tmp_path, DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/data/leads.db")
    assert f"the folder {tmp_path}/data does not exist" in line


@pytest.fixture
def postgres_server() -> str:
    return POSTGRES_SERVER


def test_a_postgresql_database_that_does_not_exist_says_to_create_it(
    tmp_path: Path, postgres_server: str,
) -> None:
    name = f"leadrelay_missing_{secrets.token_hex(4)}"  # never created, so nothing to drop
    url = postgres_server.rsplit("/", 1)[0] + f"/{name}"
    line = refused(tmp_path, DATABASE_URL=url)
    assert f"the database {name!r} does not exist" in line
    assert f"createdb {name}" in line


def test_a_postgresql_role_that_does_not_exist_is_named(
    tmp_path: Path, postgres_server: str,
) -> None:
    role = f"leadrelay_nobody_{secrets.token_hex(4)}"
    url = postgres_server.replace("//postgres@", f"//{role}@", 1)
    line = refused(tmp_path, DATABASE_URL=url)
    assert f"no role {role!r}" in line


def test_a_port_already_in_use_is_named_and_telegram_is_never_polled(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = clean_env(TELEGRAM_BOT_TOKEN=BOT_TOKEN, HTTP_PORT=str(port),
                        LEADRELAY_CONFIG=str(office_file(tmp_path)),
                        TELEGRAM_API_URL=f"http://127.0.0.1:{free_port()}",
                        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'leads.db'}")
        result = run_cli(["run"], tmp_path, env)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == (
        f"leadrelay: port {port} on 127.0.0.1 is already in use; stop what listens there or "
        "set HTTP_PORT to a free port")
    assert "Traceback" not in result.stderr
    assert "Telegram" not in result.stderr, "it stopped before reaching for Telegram"


def test_the_examples_published_source_tokens_are_refused_naming_the_file_and_source(
    tmp_path: Path,
) -> None:
    sources = [{"name": "website", "token": "website-token-0123456789"},
               {"name": "ads", "token": "change-me-meta-0123456789abc"}]
    config = office_file(tmp_path, sources=sources)
    env = clean_env(TELEGRAM_BOT_TOKEN=BOT_TOKEN, LEADRELAY_CONFIG=str(config),
                    DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'leads.db'}")
    result = run_cli(["run"], tmp_path, env)
    assert result.returncode == 2
    assert f"{config}: sources[1].token: source 'ads' still has the example's published " \
           "token" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "leads.db").exists(), "refused before touching anything"


async def test_a_bot_token_telegram_refuses_stops_start_up_in_one_masked_line(
    tmp_path: Path,
) -> None:
    async with BotApiSandbox(token=BOT_TOKEN) as sandbox:
        sandbox.fail_next("getMe", error_code=401, description="Unauthorized")
        result = await asyncio.to_thread(
            refused, tmp_path, TELEGRAM_API_URL=sandbox.url,
            DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'leads.db'}")
    assert result == ("leadrelay: Telegram refused the bot token 123456789:<redacted>; copy "
                      "the token of your bot from @BotFather into TELEGRAM_BOT_TOKEN")


@pytest.mark.slow
async def test_while_telegram_does_not_answer_leads_are_taken_and_sent_once_it_does(
    tmp_path: Path,
) -> None:
    database = f"sqlite+aiosqlite:///{tmp_path / 'leads.db'}"
    engine = create_engine(database)
    await upgrade(engine)
    app = bootstrap(config=office(), clock=SystemClock(), uow_factory=sql_uow_factory(engine))
    await app.run(sync_roster)
    for person in (AYSE, MEHMET, ZEYNEP, SELIN):  # they pressed Start in an earlier run
        await app.run(link_chat, telegram_id=person, chat_id=person)
    await engine.dispose()
    api_port, http_port = free_port(), free_port()
    env = clean_env(TELEGRAM_BOT_TOKEN=BOT_TOKEN, DATABASE_URL=database,
                    TELEGRAM_API_URL=f"http://127.0.0.1:{api_port}", HTTP_PORT=str(http_port),
                    LEADRELAY_CONFIG=str(office_file(tmp_path)), SWEEP_SECONDS="0.5")
    stderr = tmp_path / "stderr.log"
    with stderr.open("wb") as sink:
        process = await asyncio.create_subprocess_exec(
            *leadrelay_command(), "run", cwd=tmp_path, env=env, stdout=sink, stderr=sink)
    try:
        async with aiohttp.ClientSession() as http:
            lead_id = await post_when_up(http, http_port)
        assert "Telegram's Bot API does not answer" in stderr.read_text(encoding="utf-8")
        sandbox = BotApiSandbox(token=BOT_TOKEN)
        for person, name in ((AYSE, "Ayşe"), (MEHMET, "Mehmet"), (ZEYNEP, "Zeynep"),
                             (SELIN, "Selin")):
            sandbox.user(person, name).started = True  # they pressed Start long ago
        await sandbox.start(port=api_port)  # Telegram answers again
        try:
            ayse = sandbox.user(AYSE, "Ayşe")
            offer = await ayse.wait_for(offer_for(lead_id), timeout=60)
            # Only a bot that takes updates again answers her press.
            answer = await ayse.press(offer, "✅ Accept", timeout=90)
            assert answer.text is not None
            assert "yours" in answer.text
            await ayse.wait_for(lambda m: f"Lead #{lead_id} is yours" in m.text)
            process.terminate()
            await asyncio.wait_for(process.wait(), 30)
        finally:
            await sandbox.stop()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    log = stderr.read_text(encoding="utf-8")
    assert "Traceback" not in log
    assert "Telegram's Bot API answers again" in log


async def post_when_up(http: aiohttp.ClientSession, port: int) -> int:
    """Post a lead as soon as intake answers; the lead's id."""
    deadline = time.monotonic() + 60
    while True:
        try:
            async with http.post(f"http://127.0.0.1:{port}/webhooks/leads", json=HOT,
                                 headers={"Authorization": f"Bearer {TOKEN}"}) as reply:
                assert reply.status == 201, await reply.text()
                return int((await reply.json())["lead_id"])
        except aiohttp.ClientConnectionError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.1)


def test_help_names_every_command_and_version_says_which_release(tmp_path: Path) -> None:
    shown = run_cli(["--help"], tmp_path, clean_env())
    assert shown.returncode == 0
    for command in ("run", "migrate", "demo", "policy", "backup", "contact"):
        assert f"    {command} " in shown.stdout, command
    version = run_cli(["--version"], tmp_path, clean_env())
    assert version.returncode == 0
    assert version.stdout.strip().startswith("leadrelay 0.")
