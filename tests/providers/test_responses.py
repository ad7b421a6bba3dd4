"""OpenAI through the Responses API: what only this path has (the generic behaviour, from
text and usage to cancelling, runs on it in test_streaming / test_errors as path "openai").
"""

from __future__ import annotations

import pytest

from chat_tui.config import ProfileSettings, Settings
from chat_tui.providers.base import (
    FailureKind,
    Finish,
    FinishReason,
    ProviderError,
    ReasoningDelta,
    TextDelta,
    Usage,
)
from chat_tui.providers.openai_responses import _stream_events
from chat_tui.providers.registry import create_provider
from tests.fakeserver import FakeProviderServer, Scenario
from tests.fakeserver import Finish as ServerFinish
from tests.providers.conftest import build, collect, request_for


async def test_reasoning_summary_and_usage(fake_server: FakeProviderServer):
    fake_server.script(Scenario.reasoning_then_text(["Weighing ", "it."], ["Yes."], input_tokens=9))
    provider = build(fake_server, "openai")
    try:
        got = await collect(provider.stream(request_for("openai", reasoning_effort="low")))
    finally:
        await provider.aclose()
    assert got.error is None
    assert got.reasoning == "Weighing it." and got.text == "Yes."
    usage = got.of_type(Usage)[-1]
    assert (usage.input_tokens, usage.output_tokens, usage.reasoning_tokens) == (9, 3, 2)
    assert got.of_type(Finish) == [Finish(FinishReason.STOP, "completed")]
    assert fake_server.last.path == "/v1/responses"
    assert fake_server.last.body["reasoning"] == {"effort": "low", "summary": "auto"}


async def test_streamed_usage_counts_prompt_cache_reads(fake_server: FakeProviderServer):
    # Events are read as their JSON objects: usage's nested details too.
    fake_server.script(Scenario.text(["Hi."], input_tokens=12, cached_tokens=5))
    provider = build(fake_server, "openai")
    try:
        got = await collect(provider.stream(request_for("openai")))
    finally:
        await provider.aclose()
    usage = got.of_type(Usage)[-1]
    assert (usage.input_tokens, usage.cache_read_tokens, usage.output_tokens) == (12, 5, 1)


def test_events_read_as_json_objects_take_what_they_find():
    """What a stream's JSON objects become: a second summary part is set apart, and shapes
    a server may send (no delta, a non-object, an unknown type) yield nothing."""
    events = [
        {"type": "response.reasoning_summary_part.added", "summary_index": 0},
        {"type": "response.reasoning_summary_text.delta", "delta": "One."},
        {"type": "response.reasoning_summary_part.added", "summary_index": 1},
        {"type": "response.reasoning_summary_text.delta", "delta": "Two."},
        {"type": "response.output_text.delta"},
        {"type": "response.output_text.delta", "delta": None},
        ["not", "an", "object"],
        {"type": "response.something_new", "delta": "?"},
        {"type": "response.output_text.delta", "delta": "Yes."},
        {
            "type": "response.completed",
            "response": {"status": "completed", "output": [{"type": "function_call"}]},
        },
    ]
    got = [item for event in events for item in _stream_events(event, None)]
    assert got == [
        ReasoningDelta("One."),
        ReasoningDelta("\n\n"),
        ReasoningDelta("Two."),
        TextDelta("Yes."),
        Usage(),
        Finish(FinishReason.TOOL_CALLS, "function_call"),
    ]


async def test_an_incomplete_response_says_why(fake_server: FakeProviderServer):
    fake_server.script(Scenario(finish=ServerFinish.LENGTH))
    provider = build(fake_server, "openai")
    try:
        got = await collect(provider.stream(request_for("openai")))
        fake_server.script(Scenario(finish=ServerFinish.LENGTH))
        reply = await provider.complete(request_for("openai"))
    finally:
        await provider.aclose()
    assert got.of_type(Finish) == [Finish(FinishReason.LENGTH, "max_output_tokens")]
    assert reply.finish == Finish(FinishReason.LENGTH, "max_output_tokens")
    assert reply.text == "Hello, world!"


@pytest.mark.parametrize("failed_event", [False, True], ids=["error", "response.failed"])
@pytest.mark.parametrize(
    ("code", "kind"),
    [("server_error", FailureKind.SERVER_ERROR), ("rate_limit_exceeded", FailureKind.RATE_LIMITED)],
)
async def test_a_failure_event_goes_through_the_one_error_map(
    fake_server: FakeProviderServer, failed_event: bool, code: str, kind: FailureKind
):
    fake_server.script(
        Scenario.error_event(after=2, error_type=code, message="boom", failed_event=failed_event)
    )
    provider = build(fake_server, "openai")
    try:
        got = await collect(provider.stream(request_for("openai")))
    finally:
        await provider.aclose()
    assert got.error is not None and got.error.kind is kind, got.error
    assert got.text == "Hello,"  # the partial reply is kept
    if kind is FailureKind.SERVER_ERROR:
        assert "boom" in got.error.message


async def test_a_404_on_responses_suggests_chat_completions(fake_server: FakeProviderServer):
    fake_server.serves_responses = False  # as most servers behind OPENAI_BASE_URL
    provider = build(fake_server, "openai")
    try:
        got = await collect(provider.stream(request_for("openai")))
        with pytest.raises(ProviderError) as whole:
            await provider.complete(request_for("openai"))
    finally:
        await provider.aclose()
    for error in (got.error, whole.value):
        assert error is not None and error.kind is FailureKind.CONFIG, error
        assert 'api = "chat"' in error.message and "/responses" in error.message


async def test_an_unknown_model_is_still_an_unknown_model(fake_server: FakeProviderServer):
    fake_server.script(Scenario.http_error(404))  # OpenAI's body says model_not_found
    provider = build(fake_server, "openai")
    try:
        got = await collect(provider.stream(request_for("openai")))
    finally:
        await provider.aclose()
    assert got.error is not None and got.error.kind is FailureKind.MODEL_NOT_FOUND


async def test_api_chooses_the_path_per_provider_and_profile(fake_server: FakeProviderServer):
    environ = {"OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": fake_server.openai_base_url}
    profiles = {
        "local": ProfileSettings(name="local", base_url=fake_server.openai_base_url),
        "gateway": ProfileSettings(
            name="gateway", base_url=fake_server.openai_base_url, api="responses"
        ),
    }
    expected = [
        ("openai", Settings(), "/v1/responses"),
        ("openai", Settings(provider_apis={"openai": "chat"}), "/v1/chat/completions"),
        ("local", Settings(profiles=profiles), "/v1/chat/completions"),
        ("gateway", Settings(profiles=profiles), "/v1/responses"),
    ]
    for name, settings, route in expected:
        provider = create_provider(name, settings, environ)
        try:
            reply = await provider.complete(request_for("openai"))
        finally:
            await provider.aclose()
        assert reply.text == "Hello, world!"
        assert fake_server.last.path == route, name
