"""The ctrl+o model picker: what it lists, and that a switch reaches the provider."""

from __future__ import annotations

from textual.widgets import OptionList

from chat_tui.screens.model_picker import ModelPicker
from tests.app.conftest import screen_text, type_and_send, wait_until
from tests.fakeserver import FakeProviderServer, Scenario

from .conftest import app_with, notes


def option_ids(picker: ModelPicker) -> list[str]:
    return [o.id for o in picker.query_one(OptionList).options if o.id]


def enabled_ids(picker: ModelPicker) -> list[str]:
    return [o.id for o in picker.query_one(OptionList).options if o.id and not o.disabled]


async def test_switch_sends_the_next_request_to_the_picked_model(
    no_keys, fake_server: FakeProviderServer
) -> None:
    no_keys.setenv("OPENAI_API_KEY", "sk-secret-value")
    no_keys.setenv("OPENAI_BASE_URL", fake_server.openai_base_url)
    fake_server.script(Scenario.text(["Listed", " model", " here"]))
    app = app_with()
    async with app.run_test(size=(110, 36)) as pilot:
        await pilot.press("ctrl+o")
        await wait_until(pilot, lambda: isinstance(app.screen, ModelPicker))
        picker = app.screen
        assert isinstance(picker, ModelPicker)
        # Known models at once; the server's own list ("fake-model") merged when it answers.
        assert "openai/gpt-4o-mini" in option_ids(picker)
        await wait_until(pilot, lambda: "openai/fake-model" in option_ids(picker))
        # No key: listed with what to set, and not choosable. The key itself is never shown.
        assert "anthropic/claude-sonnet-5-5" in option_ids(picker)
        assert "anthropic/claude-sonnet-5-5" not in enabled_ids(picker)
        text = screen_text(app)
        assert "set ANTHROPIC_API_KEY to use" in text
        assert "key from $OPENAI_API_KEY" in text
        assert "sk-secret-value" not in text

        await pilot.press(*"fakemod", "enter")
        await wait_until(pilot, lambda: app.session.target.model == "fake-model")
        assert not isinstance(app.screen, ModelPicker)
        assert "OpenAI · fake-model" in app.chat.status_bar.text
        assert app.session.title_model == "gpt-4o-mini"  # titles: OpenAI's small model
        assert app.state.provider == "openai" and app.state.model == "fake-model"

        await type_and_send(pilot, "hello")
        await wait_until(
            pilot, lambda: app.chat.pending is None and len(app.session.conversation.turns) == 2
        )
        # The reply's request (the background title goes to the small model).
        requests = fake_server.generation_requests
        request = next(r for r in requests if "short title" not in str(r.body))
        assert request.path == "/v1/responses"  # OpenAI's default
        assert request.model == "fake-model"
        reply = app.session.conversation.turns[-1]
        assert (reply.provider, reply.model, reply.text) == (
            "openai",
            "fake-model",
            "Listed model here",
        )
        assert "Next request: OpenAI · fake-model" in notes(app)


async def test_filter_is_fuzzy_and_escape_keeps_the_model(no_keys) -> None:
    app = app_with()
    async with app.run_test(size=(110, 36)) as pilot:
        await pilot.press("ctrl+o")
        await wait_until(pilot, lambda: isinstance(app.screen, ModelPicker))
        picker = app.screen
        assert isinstance(picker, ModelPicker)
        await pilot.press(*"simfast")
        await wait_until(pilot, lambda: enabled_ids(picker) == ["simulated/simulated-fast"])
        await pilot.press("escape")
        await pilot.pause()
        assert app.session.target.model == "simulated-hosted"


async def test_filter_words_may_be_separated_by_spaces(no_keys) -> None:
    """People type "claude sonnet" or "gpt 4o mini": a space stands for any separator."""
    app = app_with()
    async with app.run_test(size=(110, 36)) as pilot:
        await pilot.press("ctrl+o")
        await wait_until(pilot, lambda: isinstance(app.screen, ModelPicker))
        picker = app.screen
        assert isinstance(picker, ModelPicker)
        await pilot.press(*"claude sonnet")
        await wait_until(pilot, lambda: "anthropic/claude-sonnet-5-5" in option_ids(picker))
        assert "simulated/simulated-hosted" not in option_ids(picker)
        for _ in "claude sonnet":
            await pilot.press("backspace")
        await pilot.press(*"gpt 4o mini")
        await wait_until(pilot, lambda: option_ids(picker)[:1] == ["openai/gpt-4o-mini"])


async def test_switching_between_simulated_models_changes_the_request(no_keys) -> None:
    app = app_with()
    async with app.run_test(size=(110, 36)) as pilot:
        await pilot.press("ctrl+o")
        await wait_until(pilot, lambda: isinstance(app.screen, ModelPicker))
        await pilot.press(*"simulated-fast", "enter")
        await wait_until(pilot, lambda: app.session.target.model == "simulated-fast")
        await type_and_send(pilot, "hi")
        await wait_until(
            pilot, lambda: app.chat.pending is None and len(app.session.conversation.turns) == 2
        )
        assert app.session.conversation.turns[-1].model == "simulated-fast"
        assert "simulated-fast" in app.chat.status_bar.text
