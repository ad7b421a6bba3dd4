"""Build each of the four provider paths through the registry, pointed at the fake server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest

from chat_tui.config import ProfileSettings, Settings
from chat_tui.providers.base import (
    ChatMessage,
    ChatRequest,
    Provider,
    ProviderError,
    ReasoningDelta,
    StreamEvent,
    TextDelta,
)
from chat_tui.providers.registry import create_provider
from tests.fakeserver import FakeProviderServer

# "openai" is OpenAI through the Responses API (its default); "openai-chat" the same provider
# set to Chat Completions (`[providers.openai] api = "chat"`).
PATHS = ("openai", "openai-chat", "compatible", "anthropic", "gemini")
OPENAI_PATHS = ("openai", "openai-chat", "compatible")  # base URLs end in /v1
MODELS = {
    "openai": "gpt-4o-mini",
    "openai-chat": "gpt-4o-mini",
    "compatible": "fake-model",
    "anthropic": "claude-sonnet-5-5",
    "gemini": "gemini-2.5-flash",
}
# What a 401 message must point the user at, per path.
KEY_HINTS = {
    "openai": "OPENAI_API_KEY",
    "openai-chat": "OPENAI_API_KEY",
    "compatible": "profile 'local'",
    "anthropic": "ANTHROPIC_API_KEY",
    "gemini": "GEMINI_API_KEY",
}


def build(
    server: FakeProviderServer,
    path: str,
    *,
    idle_timeout_s: float = 5.0,
    base_url: str | None = None,
) -> Provider:
    """The provider for `path`, built as the app builds it: via the registry."""
    timeouts = {"connect_timeout_s": 2.0, "idle_timeout_s": idle_timeout_s}
    if path == "compatible":  # an OpenAI-compatible profile with no key at all
        profile = ProfileSettings(
            name="local", base_url=base_url or server.openai_base_url, default_model="fake-model"
        )
        return create_provider("local", Settings(profiles={"local": profile}, **timeouts), {})
    settings = Settings(**timeouts)
    if path == "openai-chat":
        path, settings = "openai", Settings(provider_apis={"openai": "chat"}, **timeouts)
    environ = {
        "openai": {"OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": base_url or ""},
        "anthropic": {"ANTHROPIC_API_KEY": "sk-ant-test", "ANTHROPIC_BASE_URL": base_url or ""},
        "gemini": {"GEMINI_API_KEY": "gm-test", "GOOGLE_GEMINI_BASE_URL": base_url or ""},
    }[path]
    defaults = {"openai": server.openai_base_url, "anthropic": server.url, "gemini": server.url}
    environ = {k: (v or defaults[path]) for k, v in environ.items()}
    return create_provider(path, settings, environ)


def request_for(path: str, text: str = "hi", **kw) -> ChatRequest:
    return ChatRequest(model=MODELS[path], messages=(ChatMessage("user", text),), **kw)


@dataclass
class Collected:
    events: list[StreamEvent]
    error: ProviderError | None

    @property
    def text(self) -> str:
        return "".join(e.text for e in self.events if isinstance(e, TextDelta))

    @property
    def reasoning(self) -> str:
        return "".join(e.text for e in self.events if isinstance(e, ReasoningDelta))

    def of_type(self, kind: type) -> list:
        return [e for e in self.events if isinstance(e, kind)]


async def collect(stream: AsyncIterator[StreamEvent]) -> Collected:
    """All events until the end or a ProviderError (kept, with the events before it)."""
    events: list[StreamEvent] = []
    try:
        async for event in stream:
            events.append(event)
    except ProviderError as error:
        return Collected(events, error)
    return Collected(events, None)


@pytest.fixture(params=PATHS)
def path(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
async def provider(fake_server: FakeProviderServer, path: str) -> AsyncIterator[Provider]:
    built = build(fake_server, path)
    yield built
    await built.aclose()


ProviderFactory = Callable[..., Provider]
