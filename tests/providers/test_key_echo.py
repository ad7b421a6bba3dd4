"""A server that echoes the key in its error body must not get it shown or saved."""

from __future__ import annotations

import pytest

from chat_tui.config import Settings
from chat_tui.providers import registry
from chat_tui.providers.base import ChatMessage, ChatRequest, FailureKind, ProviderError
from tests.fakeserver import FakeProviderServer, Scenario

KEY = "sk-test-ECHOED-KEY-42"


@pytest.mark.parametrize("name", ["openai", "anthropic", "gemini"])
async def test_an_echoed_key_is_hidden_from_the_error_message(
    name: str, fake_server: FakeProviderServer
) -> None:
    environ = {
        "OPENAI_API_KEY": KEY,
        "OPENAI_BASE_URL": fake_server.openai_base_url,
        "ANTHROPIC_API_KEY": KEY,
        "ANTHROPIC_BASE_URL": fake_server.url,
        "GEMINI_API_KEY": KEY,
        "GOOGLE_GEMINI_BASE_URL": fake_server.url,
    }
    fake_server.script(Scenario.http_error(401, message=f"Incorrect API key provided: {KEY}"))
    provider = registry.create_provider(name, Settings(), environ)
    request = ChatRequest(model="m", messages=(ChatMessage("user", "hi"),))
    with pytest.raises(ProviderError) as caught:
        async for _ in provider.stream(request):
            pass
    assert caught.value.kind is FailureKind.AUTH
    assert KEY not in caught.value.message and KEY not in str(caught.value)
    assert "Incorrect API key provided: [key hidden]" in caught.value.message
    await provider.aclose()
