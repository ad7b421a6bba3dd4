""" "Use preset" in the app: from the command palette and from the settings screen (F2); the
preset's settings are used by the next request, saved with the conversation with its name, and
the name is shown with the conversation."""

from __future__ import annotations

from pathlib import Path

from textual.command import CommandPalette
from textual.widgets import OptionList

from chat_tui.app import ChatApp
from chat_tui.config import PresetSettings, Settings
from chat_tui.conversation import ConversationSettings
from chat_tui.engine import RetryPolicy
from chat_tui.providers.catalog import Target
from chat_tui.screens.conversation_settings import ConversationSettingsScreen
from chat_tui.screens.dialogs import ChoiceDialog
from chat_tui.session import ChatSession
from chat_tui.store import TranscriptStore
from tests.app.conftest import wait_until
from tests.app.scripted import ScriptedProvider
from tests.screens.test_conversation_settings import request_for, send

PRESETS = {
    "terse": PresetSettings("terse", system="Be terse.", temperature=0.3, max_tokens=99),
    "offline": PresetSettings(
        "offline", system="Pretend.", provider="simulated", model="simulated-fast", reasoning="high"
    ),
}


def app_with_presets(tmp_path: Path, provider: ScriptedProvider) -> tuple[ChatApp, TranscriptStore]:
    store = TranscriptStore.open(tmp_path / "transcripts.sqlite3")
    session = ChatSession(
        provider,
        Target("scripted", "Scripted", "m1"),  # not a registry name: every knob is taken
        retry_policy=RetryPolicy(max_retries=0),
        store=store,
    )
    settings = Settings(presets=PRESETS, simulated_ttft_ms=0, simulated_tokens_per_s=5000)
    app = ChatApp(session, settings=settings)
    app.animation_level = "none"
    return app, store


async def choose(pilot, app: ChatApp, name: str) -> None:
    await wait_until(pilot, lambda: isinstance(app.screen, ChoiceDialog))
    options = app.screen.query_one(OptionList)
    index = next(
        i for i in range(options.option_count) if options.get_option_at_index(i).id == name
    )
    options.highlighted = index
    await pilot.press("enter")
    await wait_until(pilot, lambda: app.session.conversation.settings.preset == name)


async def test_use_preset_from_the_palette_applies_saves_and_shows_it(tmp_path: Path) -> None:
    provider = ScriptedProvider(["ok"])
    app, store = app_with_presets(tmp_path, provider)
    async with app.run_test(size=(100, 40)) as pilot:
        await send(pilot, app, "first")
        conversation_id = app.session.conversation.id
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"Use preset")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await choose(pilot, app, "terse")

        expected = ConversationSettings("Be terse.", 0.3, 99, preset="terse")
        assert app.session.conversation.settings == expected
        assert store.load_conversation(conversation_id).settings == expected
        assert "preset: terse" in app.chat.sub_title
        assert app.chat.prompt.border_subtitle == "preset: terse"  # shown under the prompt
        await send(pilot, app, "second")
        request = request_for(provider, "second")
        assert (request.system, request.temperature, request.max_output_tokens) == (
            "Be terse.",
            0.3,
            99,
        )
    store.close()


async def test_use_preset_from_the_settings_screen_switches_its_model(tmp_path: Path) -> None:
    app, store = app_with_presets(tmp_path, ScriptedProvider(["ok"]))
    async with app.run_test(size=(100, 40)) as pilot:
        await send(pilot, app, "first")
        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(app.screen, ConversationSettingsScreen))
        await pilot.click("#use-preset")
        await choose(pilot, app, "offline")
        await wait_until(pilot, lambda: app.session.target.provider == "simulated")
        assert app.session.target.model == "simulated-fast"
        # The simulated model takes no reasoning: left out, and said so.
        assert app.session.conversation.settings.reasoning_effort is None
        assert any("Left out: reasoning" in str(n.message) for n in app._notifications)
        saved = store.load_conversation(app.session.conversation.id)
        assert (saved.settings.preset, saved.settings.system_prompt) == ("offline", "Pretend.")
        await send(pilot, app, "second")
        assert app.session.conversation.turns[-1].model == "simulated-fast"
    store.close()
