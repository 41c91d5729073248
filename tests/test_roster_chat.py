"""The roster in chat, end to end through the sandbox in both languages: /agents lists the
team, a manager edits a profile from its buttons and a typed answer, the edits survive a
/reload and a restart (the roster is the database's once edited in chat), and /settings
changes an agent's language for every later message and their command menu."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.i18n import t_raw
from core.config import OfficeConfig
from core.roster import roster
from sandbox import BotApiSandbox, SandboxMessage
from tests.harness import BOT_TOKEN, RunningOffice, running_office, text_has
from tests.office import AYSE, MEHMET, SELIN, office_data

pytestmark = pytest.mark.slow  # a whole leadrelay runs: see README, Tests

WORDS = {
    "en": {"team": "The team", "tier": "🏅 Tier", "capacity": "📦 Capacity",
           "set_tier": "Tier: A, set by a manager until", "cap": "Capacity: 7",
           "ask": "How many open leads may Mehmet hold", "saved": "Capacity saved for Mehmet",
           "line": "Mehmet · 🟢 active", "reloaded": "Config reloaded",
           "other": "Türkçe", "switched": "Bundan sonra size Türkçe", "help": "Komutlarınız",
           "other_lang": "tr"},
    "tr": {"team": "Ekip", "tier": "🏅 Seviye", "capacity": "📦 Kapasite",
           "set_tier": "Seviye: A, bir yönetici", "cap": "Kapasite: 7",
           "ask": "Mehmet en fazla kaç açık talep", "saved": "Mehmet için kapasite kaydedildi",
           "line": "Mehmet · 🟢 aktif", "reloaded": "yeniden",
           "other": "English", "switched": "in English from now on",
           "help": "Your commands", "other_lang": "en"},
}


def write(path: Path, data: object) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


async def open_profile(running: RunningOffice, lang: str) -> SandboxMessage:
    """Selin sends /agents and opens Mehmet's profile from its button."""
    selin = running[SELIN]
    before = len(selin.messages)
    await selin.send("/agents")
    listing = await selin.wait_for(lambda m: m.message_id > (
        selin.messages[before - 1].message_id if before else 0) and WORDS[lang]["team"] in m.text)
    assert WORDS[lang]["line"] in listing.text
    await selin.press(listing, "Mehmet")
    return await selin.wait_for(lambda m: m.message_id == listing.message_id
                                and "Mehmet — " in m.text)


@pytest.mark.parametrize("lang", ["en", "tr"])
async def test_a_profile_edited_from_buttons_and_a_typed_answer_survives_reload_and_restart(
    tmp_path: Path, lang: str,
) -> None:
    words = WORDS[lang]
    data = {**office_data(), "language": lang}
    path = write(tmp_path / "office.yaml", data)
    database = f"sqlite+aiosqlite:///{tmp_path / 'office.db'}"
    config = OfficeConfig.model_validate(data)
    async with BotApiSandbox(token=BOT_TOKEN) as sandbox:
        async with running_office(config, database, sandbox=sandbox,
                                  config_path=path) as running:
            await running.start_chats(SELIN, MEHMET, AYSE)
            selin = running[SELIN]
            profile = await open_profile(running, lang)
            await selin.press(profile, words["tier"])
            await selin.wait_for(lambda m: m.message_id == profile.message_id
                                 and "A" in m.button_texts())
            await selin.press(profile, "A")
            await selin.wait_for(lambda m: m.message_id == profile.message_id
                                 and words["set_tier"] in m.text)
            await selin.press(profile, words["capacity"])
            question = await selin.wait_for(text_has(words["ask"]))
            assert question.force_reply
            await selin.reply(question, "7")
            await selin.wait_for(text_has(words["saved"]))
            await selin.wait_for(lambda m: m.message_id == profile.message_id
                                 and words["cap"] in m.text)
            await selin.send("/reload")
            await selin.wait_for(text_has(words["reloaded"]))
            again = await open_profile(running, lang)
            assert words["cap"] in again.text
            assert words["set_tier"] in again.text
        async with running_office(config, database, sandbox=sandbox,
                                  config_path=path) as restarted:
            after = await open_profile(restarted, lang)
            assert words["cap"] in after.text
            assert words["set_tier"] in after.text


@pytest.mark.parametrize("lang", ["en", "tr"])
async def test_settings_changes_an_agents_language_for_what_follows_and_their_menu(
    tmp_path: Path, lang: str,
) -> None:
    words = WORDS[lang]
    config = OfficeConfig.model_validate({**office_data(), "language": lang})
    database = f"sqlite+aiosqlite:///{tmp_path / 'office.db'}"
    async with running_office(config, database) as running:
        await running.start_chats(AYSE)
        ayse = running[AYSE]
        await ayse.send("/settings")
        settings = await ayse.wait_for(lambda m: bool(m.buttons) and words["other"] in
                                       m.button_texts())
        answer = await ayse.press(settings, words["other"])
        assert words["switched"] in (answer.text or "")
        await ayse.wait_for(lambda m: m.message_id == settings.message_id and m.edits > 0)
        await ayse.send("/help")
        await ayse.wait_for(text_has(words["help"]))
        menu = running.sandbox.commands({"type": "chat", "chat_id": AYSE})
        assert "settings" in [c["command"] for c in menu]
        assert "agents" not in [c["command"] for c in menu]
        described = {c["command"]: c["description"] for c in menu}
        assert described["help"] == t_raw(words["other_lang"], "command.help")
        assert described["help"] != t_raw(lang, "command.help")


AWAY_WORDS = {
    "en": {"away": "🌴 Away…", "days": "3 days", "told": "Mehmet is away until the end of",
           "status": "🌴 away until", "back": "✅ Back now", "back_told": "Mehmet",
           "deactivate": "🚪 Deactivate", "confirm": "🚪 Yes, deactivate",
           "done": "Mehmet is no longer on the team"},
    "tr": {"away": "🌴 İzin…", "days": "3 gün", "told": "Mehmet,", "status": "🌴",
           "back": "✅ Şimdi dönsün", "back_told": "Mehmet",
           "deactivate": "🚪 Ekipten çıkar", "confirm": "🚪 Evet, çıkar",
           "done": "Mehmet artık ekipte değil"},
}


@pytest.mark.parametrize("lang", ["en", "tr"])
async def test_a_manager_sets_someone_away_back_and_off_the_team_from_their_profile(
    tmp_path: Path, lang: str,
) -> None:
    words = AWAY_WORDS[lang]
    data = {**office_data(), "language": lang}
    path = write(tmp_path / "office.yaml", data)
    database = f"sqlite+aiosqlite:///{tmp_path / 'office.db'}"
    async with running_office(OfficeConfig.model_validate(data), database,
                              config_path=path) as running:
        await running.start_chats(SELIN, MEHMET, AYSE)
        selin = running[SELIN]
        profile = await open_profile(running, lang)
        await selin.press(profile, words["away"])
        await selin.wait_for(lambda m: m.message_id == profile.message_id
                             and words["days"] in m.button_texts())
        await selin.press(profile, words["days"])
        await selin.wait_for(lambda m: m.message_id > profile.message_id
                             and words["told"] in m.text)
        shown = await selin.wait_for(lambda m: m.message_id == profile.message_id
                                     and words["away"] in m.button_texts()
                                     and words["status"] in m.text)
        assert "Mehmet — " in shown.text
        away = [a for a in await running.runtime.app.run(roster) if a.telegram_id == MEHMET]
        assert away[0].profile.away_until is not None
        await selin.press(profile, words["away"])
        await selin.wait_for(lambda m: m.message_id == profile.message_id
                             and words["back"] in m.button_texts())
        await selin.press(profile, words["back"])
        await selin.wait_for(lambda m: m.message_id == profile.message_id
                             and words["deactivate"] in m.button_texts() and "🟢" in m.text)
        await selin.press(profile, words["deactivate"])
        await selin.wait_for(lambda m: m.message_id == profile.message_id
                             and words["confirm"] in m.button_texts())
        await selin.press(profile, words["confirm"])
        await selin.wait_for(lambda m: m.message_id == profile.message_id
                             and words["done"] in m.text)
        people = {a.telegram_id: a for a in await running.runtime.app.run(roster)}
        assert not people[MEHMET].active
