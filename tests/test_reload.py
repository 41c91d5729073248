"""Reloading the office config without a restart: /reload for managers, SIGHUP for operators."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path

import aiohttp
import pytest
import yaml

from core.config import OfficeConfig
from sandbox import BotApiSandbox
from tests.harness import BOT_TOKEN, offer_for, running_office, text_has
from tests.office import AYSE, HOT, MEHMET, SELIN, ZEYNEP, office_data

pytestmark = pytest.mark.slow  # a whole leadrelay runs: see README, Tests


def write(path: Path, data: object) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


async def test_a_manager_reloads_the_config_and_the_new_roster_applies_at_once(
    tmp_path: Path,
) -> None:
    data = office_data()
    path = write(tmp_path / "office.yaml", data)
    database = f"sqlite+aiosqlite:///{tmp_path / 'office.db'}"
    async with running_office(OfficeConfig.model_validate(data), database,
                              config_path=path) as running:
        await running.start_chats(AYSE, MEHMET, ZEYNEP, SELIN)
        agents = data["agents"]
        assert isinstance(agents, list)
        agents[0]["away"] = True  # Ayşe goes on vacation
        write(path, data)
        await running[SELIN].send("/reload")
        await running[SELIN].wait_for(text_has("Config reloaded: 1 rules, 5 people."))
        lead_id = await running.post_lead(HOT)
        await running[MEHMET].wait_for(offer_for(lead_id))
        assert not [m for m in running[AYSE].messages if f"#{lead_id}" in m.text]


async def test_a_bad_file_keeps_the_running_config_and_says_what_is_wrong(tmp_path: Path) -> None:
    data = office_data()
    path = write(tmp_path / "office.yaml", data)
    database = f"sqlite+aiosqlite:///{tmp_path / 'office.db'}"
    async with running_office(OfficeConfig.model_validate(data), database,
                              config_path=path) as running:
        await running.start_chats(AYSE, MEHMET, SELIN)
        path.write_text("name: Broken\nagents: {oops", encoding="utf-8")
        await running[SELIN].send("/reload")
        reply = await running[SELIN].wait_for(text_has("has a problem"))
        assert "is not valid YAML" in reply.text
        await running[AYSE].send("/reload")
        await running[AYSE].wait_for(text_has("Only managers can do that."))
        lead_id = await running.post_lead(HOT)
        await running[AYSE].wait_for(offer_for(lead_id))


async def test_sighup_reloads_a_running_process_and_a_bad_file_is_refused(
    tmp_path: Path,
) -> None:
    data = office_data()
    path = write(tmp_path / "office.yaml", data)
    async with BotApiSandbox(token=BOT_TOKEN) as sandbox, aiohttp.ClientSession() as http:
        port = _free_port()
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("TELEGRAM_", "DATABASE_", "LEADRELAY_", "HTTP_"))}
        env.update(TELEGRAM_BOT_TOKEN=BOT_TOKEN, TELEGRAM_API_URL=sandbox.url,
                   DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'office.db'}",
                   HTTP_PORT=str(port), LEADRELAY_CONFIG=str(path))
        log = tmp_path / "leadrelay.log"
        with log.open("w") as sink:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "leadrelay.cli", "run", cwd=tmp_path, env=env,
                stdout=sink, stderr=sink)
        try:
            await _wait_until_up(http, port)
            data["routing"] = {"rules": [{"name": "everyone"}]}
            write(path, data)
            process.send_signal(signal.SIGHUP)
            await _wait_for_log(log, "office config reloaded: 1 rules, 5 people")
            path.write_text("name: Broken\n", encoding="utf-8")
            process.send_signal(signal.SIGHUP)
            await _wait_for_log(log, "office config not reloaded, the running one stays")
            assert f"{path}: agents: Field required" in await _read(log)
            async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                assert response.status == 200
        finally:
            process.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(process.wait(), 10) == 0


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _wait_until_up(http: aiohttp.ClientSession, port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise TimeoutError("leadrelay did not come up")


async def _wait_for_log(log: Path, text: str) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if text in await _read(log):
            return
        await asyncio.sleep(0.1)
    raise TimeoutError(f"{text!r} not in the log:\n{await _read(log)}")


async def _read(log: Path) -> str:
    return await asyncio.to_thread(log.read_text, encoding="utf-8")
