"""Real SDK adapters pointed at the fake provider server, one per provider path."""

from __future__ import annotations

from chat_tui.config import ProfileSettings, Settings
from chat_tui.providers.base import Provider
from chat_tui.providers.registry import create_provider

# "openai" speaks the Responses API (its default), "openai-chat" Chat Completions.
PATHS = ("openai", "openai-chat", "compatible", "anthropic", "gemini")
FAKE_KEY = "bench-key"


def provider_for(path: str, url: str) -> Provider:
    """The provider the app would build for `path`, talking to the server at `url`."""
    if path == "compatible":  # a profile with no key, as for a local server
        profile = ProfileSettings(
            name="bench-compatible", base_url=f"{url}/v1", default_model="bench-model"
        )
        return create_provider("bench-compatible", Settings(profiles={profile.name: profile}), {})
    settings = Settings()
    if path == "openai-chat":
        path, settings = "openai", Settings(provider_apis={"openai": "chat"})
    environ = {
        "OPENAI_API_KEY": FAKE_KEY,
        "OPENAI_BASE_URL": f"{url}/v1",
        "ANTHROPIC_API_KEY": FAKE_KEY,
        "ANTHROPIC_BASE_URL": url,
        "GEMINI_API_KEY": FAKE_KEY,
        "GOOGLE_GEMINI_BASE_URL": url,
    }
    return create_provider(path, settings, environ)
