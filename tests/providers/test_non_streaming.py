"""Non-streaming means non-streaming on the wire, on every path; a server that answers a
streaming request with one JSON body gets its reply used, or a message that says what it did.

The toggle exists to compare the two request kinds as the provider serves them: gateways and
proxies treat them differently, so a "non-streaming" request that streams underneath (as the
Anthropic path once did) measures the wrong thing, and fails against servers that serve the
two kinds differently (LiteLLM's mock mode: "AssertionError").
"""

from __future__ import annotations

import pytest

from chat_tui.providers.base import FailureKind, Finish, FinishReason, Provider, Usage
from tests.fakeserver import FakeProviderServer, Scenario
from tests.providers.conftest import build, collect, request_for

# The paths whose SDK would take a whole JSON body in place of a stream (Gemini's server
# always streams when asked).
JSON_FOR_STREAM_PATHS = ("openai", "openai-chat", "compatible", "anthropic")


async def test_complete_sends_a_non_streaming_request(
    fake_server: FakeProviderServer, provider: Provider, path: str
):
    reply = await provider.complete(request_for(path))

    record = fake_server.last
    assert reply.text == "Hello, world!"
    assert not record.streamed
    assert not record.body.get("stream")  # absent or false
    if path == "gemini":
        assert record.path.endswith(":generateContent")
    assert "text/event-stream" not in record.headers.get("accept", "")


async def test_a_large_output_limit_still_goes_non_streaming(
    fake_server: FakeProviderServer, provider: Provider, path: str
):
    """anthropic refuses non-streaming calls that could take over 10 minutes unless given a
    timeout; the explicit one from the config ([timeouts] whole_reply_s) lets them through."""
    reply = await provider.complete(request_for(path, max_output_tokens=64_000))
    assert reply.text == "Hello, world!"
    assert not fake_server.last.streamed


@pytest.mark.parametrize("path", JSON_FOR_STREAM_PATHS)
async def test_a_whole_json_reply_to_a_stream_request_is_used(
    fake_server: FakeProviderServer, path: str
):
    fake_server.script(
        Scenario.json_instead_of_stream(tokens=("Whole ", "reply"), reasoning=("thought",))
    )
    provider = build(fake_server, path)
    try:
        got = await collect(provider.stream(request_for(path)))
    finally:
        await provider.aclose()

    assert fake_server.last.body.get("stream") is True
    assert got.error is None
    assert got.text == "Whole reply"
    assert got.reasoning == "thought"
    assert Finish(FinishReason.STOP, got.of_type(Finish)[0].raw) in got.events
    assert any(u.input_tokens == 11 for u in got.of_type(Usage))


@pytest.mark.parametrize("path", JSON_FOR_STREAM_PATHS)
async def test_a_json_body_that_is_no_reply_says_what_the_server_did(
    fake_server: FakeProviderServer, path: str
):
    fake_server.script(Scenario.json_instead_of_stream(json_body={"status": "queued"}))
    provider = build(fake_server, path)
    try:
        got = await collect(provider.stream(request_for(path)))
    finally:
        await provider.aclose()

    assert got.error is not None and got.error.kind is FailureKind.BAD_RESPONSE
    assert "answered a streaming request with a whole JSON body" in got.error.message
    assert '"queued"' in got.error.message
    assert "Turn streaming off" in got.error.message
