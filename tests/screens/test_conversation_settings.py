"""The f2 conversation settings screen: validation, saving with the conversation, and the
requests that follow using the settings."""

from __future__ import annotations

from pathlib import Path

from chat_tui.app import ChatApp
from chat_tui.conversation import ConversationSettings
from chat_tui.engine import RetryPolicy
from chat_tui.providers.base import ChatRequest
from chat_tui.providers.catalog import Target
from chat_tui.providers.request_options import ANY, request_options_for
from chat_tui.screens.conversation_settings import (
    ConversationSettingsScreen,
    parse_settings_form,
)
from chat_tui.session import ChatSession
from chat_tui.store import TranscriptStore
from tests.app.conftest import type_and_send, wait_until
from tests.app.scripted import ScriptedProvider


def parse(temperature="", max_tokens="", effort=None, budget="", kind=None, system=""):
    return parse_settings_form(
        system, temperature, max_tokens, effort, budget, request_options_for(kind) or ANY
    )


def test_the_form_is_checked_with_plain_messages() -> None:
    assert parse("0.7", "1,024", "high", kind="openai") == (
        ConversationSettings(temperature=0.7, max_output_tokens=1024, reasoning_effort="high"),
        [],
    )
    assert parse() == (ConversationSettings(), [])
    assert parse(system="  ") == (ConversationSettings(), [])
    assert parse("hot")[1] == ["Temperature: 'hot' is not a number."]
    assert parse("3")[1] == ["Temperature: use a number from 0 to 2 (got 3)."]
    assert parse(max_tokens="-5")[1] == ["Max output tokens: '-5' is not a whole number."]
    assert parse(max_tokens="0")[1] == [
        "Max output tokens: use a whole number from 1 to 1,000,000."
    ]
    assert parse(budget="500", kind="anthropic")[1] == [
        "Reasoning budget: use a whole number from 1,024 to 1,000,000."
    ]
    assert parse(effort="low", budget="2000", kind="gemini")[1] == [
        "Reasoning: choose an effort or a budget, not both."
    ]
    # The Messages API takes no temperature (anthropic 2.14): none is offered or kept.
    assert parse("0.5", effort="low", kind="anthropic") == (
        ConversationSettings(reasoning_effort="low"),
        [],
    )
    assert not request_options_for("anthropic").temperature
    # A knob the provider does not take is dropped, not sent.
    assert parse(budget="2000", kind="openai") == (ConversationSettings(), [])
    assert parse(effort="high", kind="simulated") == (ConversationSettings(), [])


def app_on_store(tmp_path: Path, provider: ScriptedProvider) -> tuple[ChatApp, TranscriptStore]:
    store = TranscriptStore.open(tmp_path / "transcripts.sqlite3")
    session = ChatSession(
        provider,
        Target("scripted", "Scripted", "m1"),  # not a registry name: every knob is offered
        retry_policy=RetryPolicy(max_retries=0),
        store=store,
    )
    app = ChatApp(session)
    app.animation_level = "none"
    return app, store


def request_for(provider: ScriptedProvider, prompt: str) -> ChatRequest:
    """The chat request whose last message is `prompt` (title requests are skipped)."""
    return next(r for r in reversed(provider.requests) if r.messages[-1].text == prompt)


async def send(pilot, app: ChatApp, text: str) -> None:
    turns = len(app.session.conversation.turns)
    await type_and_send(pilot, text)
    await wait_until(
        pilot,
        lambda: app.chat.pending is None and len(app.session.conversation.turns) == turns + 2,
    )


async def test_settings_are_saved_with_the_conversation_and_used_by_requests(
    tmp_path: Path,
) -> None:
    provider = ScriptedProvider(["ok"])
    app, store = app_on_store(tmp_path, provider)
    async with app.run_test(size=(100, 40)) as pilot:
        await send(pilot, app, "first")
        conversation_id = app.session.conversation.id
        assert conversation_id is not None

        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(app.screen, ConversationSettingsScreen))
        await pilot.press(*"Be brief.", "tab", *"0.3", "tab", *"256", "ctrl+s")
        await wait_until(pilot, lambda: not isinstance(app.screen, ConversationSettingsScreen))

        expected = ConversationSettings("Be brief.", 0.3, 256)
        assert app.session.conversation.settings == expected
        assert store.load_conversation(conversation_id).settings == expected

        await send(pilot, app, "second")
        request = request_for(provider, "second")
        assert (request.system, request.temperature, request.max_output_tokens) == (
            "Be brief.",
            0.3,
            256,
        )

        await pilot.press("ctrl+n")  # a new conversation inherits the settings
        await send(pilot, app, "third")
        assert request_for(provider, "third").system == "Be brief."
        new_id = app.session.conversation.id
        assert new_id is not None and new_id != conversation_id
        assert store.load_conversation(new_id).settings == expected
    store.close()


async def test_invalid_values_keep_the_screen_open_with_the_reason(tmp_path: Path) -> None:
    provider = ScriptedProvider(["ok"])
    app, store = app_on_store(tmp_path, provider)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(app.screen, ConversationSettingsScreen))
        await pilot.press("tab", *"hot", "ctrl+s")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ConversationSettingsScreen)
        assert "Temperature: 'hot' is not a number." in screen.problems_text
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, ConversationSettingsScreen))
        assert app.session.conversation.settings == ConversationSettings()
    store.close()
