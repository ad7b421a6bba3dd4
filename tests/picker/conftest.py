"""Helpers for the model picker, favourites, help, copy, keymap and theme tests."""

from __future__ import annotations

import pytest

from chat_tui.app import ChatApp
from chat_tui.config import Settings
from chat_tui.engine import RetryPolicy
from chat_tui.providers.base import Provider
from chat_tui.providers.catalog import Target
from chat_tui.providers.simulated import SimulatedProvider
from chat_tui.session import ChatSession

KEY_VARIABLES = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_BASE_URL",
    "GOOGLE_API_KEY",
    "GEMINI_API_KEY",
    "GOOGLE_GEMINI_BASE_URL",
    "OPENROUTER_API_KEY",
)


@pytest.fixture
def no_keys(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No provider key or base URL in the environment (the picker reads os.environ)."""
    for name in KEY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def fast_simulated() -> SimulatedProvider:
    return SimulatedProvider(ttft_s=0, tokens_per_s=5000)


def app_with(
    provider: Provider | None = None,
    *,
    settings: Settings | None = None,
    target: Target | None = None,
) -> ChatApp:
    settings = settings or quick_settings()
    session = ChatSession(
        provider or fast_simulated(),
        target or Target("simulated", "Simulated (offline)", "simulated-hosted"),
        retry_policy=RetryPolicy(max_retries=0),
    )
    app = ChatApp(session, settings=settings)
    app.animation_level = "none"
    return app


def notes(app: ChatApp) -> list[str]:
    return [n.message for n in app._notifications]


def quick_settings(**changes: object) -> Settings:
    """Settings whose simulated models answer at once (switching builds them from these)."""
    values: dict[str, object] = {
        "flush_interval_ms": 50,
        "simulated_ttft_ms": 0,
        "simulated_tokens_per_s": 5000.0,
    }
    return Settings(**(values | changes))  # type: ignore[arg-type]
