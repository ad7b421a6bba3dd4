"""Every failure, from every provider path, arrives as one ProviderError with the right kind."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import pytest

from chat_tui.config import parse_settings
from chat_tui.providers.base import (
    FailureKind,
    Provider,
    ProviderError,
    WireTimes,
    wire_times,
)
from chat_tui.providers.errors import ErrorContext, parse_retry_after, to_provider_error
from tests.fakeserver import FakeProviderServer, Scenario
from tests.providers.conftest import (
    KEY_HINTS,
    OPENAI_PATHS,
    PATHS,
    build,
    collect,
    request_for,
)

MID_STREAM = [
    pytest.param(Scenario.drop(after=2), FailureKind.CONNECTION_LOST, id="drop-fin"),
    pytest.param(Scenario.drop(after=2, rst=True), FailureKind.CONNECTION_LOST, id="drop-rst"),
    pytest.param(Scenario.error_event(after=2), FailureKind.OVERLOADED, id="overloaded-event"),
    pytest.param(Scenario.malformed(after=2), FailureKind.BAD_RESPONSE, id="malformed-line"),
]
HTTP = [
    pytest.param(Scenario.http_error(401), FailureKind.AUTH, id="401"),
    pytest.param(Scenario.http_error(403), FailureKind.AUTH, id="403"),
    pytest.param(Scenario.http_error(404), FailureKind.MODEL_NOT_FOUND, id="404"),
    pytest.param(Scenario.http_error(429, retry_after=3), FailureKind.RATE_LIMITED, id="429"),
    pytest.param(Scenario.http_error(500), FailureKind.SERVER_ERROR, id="500"),
    pytest.param(Scenario.http_error(503), FailureKind.SERVER_ERROR, id="503"),
    pytest.param(Scenario.http_error(529), FailureKind.OVERLOADED, id="529"),
    pytest.param(
        Scenario.http_error(400, message="prompt is too long: 250000 tokens > 200000 maximum"),
        FailureKind.CONTEXT_TOO_LONG,
        id="400-context",
    ),
    pytest.param(Scenario.http_error(400), FailureKind.BAD_REQUEST, id="400"),
]


@pytest.mark.parametrize(("scenario", "kind"), MID_STREAM)
async def test_mid_stream_failures_keep_the_partial_text(
    fake_server: FakeProviderServer, provider: Provider, path: str, scenario, kind
):
    fake_server.script(scenario)
    got = await collect(provider.stream(request_for(path)))
    assert got.error is not None, got.events
    assert got.error.kind is kind, got.error
    assert got.text == scenario.text_before_fault() == "Hello,"


async def test_server_error_event_mid_stream(
    fake_server: FakeProviderServer, provider: Provider, path: str
):
    error_type = {"anthropic": "api_error", "gemini": "INTERNAL"}.get(path, "server_error")
    fake_server.script(Scenario.error_event(after=1, error_type=error_type, message="boom"))
    got = await collect(provider.stream(request_for(path)))
    assert got.error is not None and got.error.kind is FailureKind.SERVER_ERROR
    assert "boom" in got.error.message
    assert got.text == "Hello"


@pytest.mark.parametrize(("scenario", "kind"), HTTP)
async def test_http_errors(
    fake_server: FakeProviderServer, provider: Provider, path: str, scenario, kind
):
    fake_server.script(scenario, scenario)
    streamed = await collect(provider.stream(request_for(path)))
    with pytest.raises(ProviderError) as whole:
        await provider.complete(request_for(path))
    for error in (streamed.error, whole.value):
        assert error is not None and error.kind is kind, error
        assert error.status == scenario.status
        if scenario.status == 401:
            assert KEY_HINTS[path] in error.message
        if scenario.status == 429:
            assert error.retry_after == 3
    assert streamed.events == []


async def test_stall_is_a_timeout(fake_server: FakeProviderServer, path: str):
    provider = build(fake_server, path, idle_timeout_s=0.3)
    fake_server.script(Scenario.stall(30, after=1))
    got = await collect(provider.stream(request_for(path)))
    await provider.aclose()
    assert got.error is not None and got.error.kind is FailureKind.TIMEOUT, got.error
    assert got.text == "Hello"
    assert await fake_server.last.await_finished(1)
    assert fake_server.last.disconnected  # the client hung up; the server stops generating
    # The setting the message names is one the config file accepts.
    assert "raise [timeouts] idle_s in the config" in got.error.message
    assert parse_settings({"timeouts": {"idle_s": 300}}, Path("c.toml")).problems == []


async def test_nothing_listening_is_a_connection_failure(fake_server: FakeProviderServer, path):
    with socket.socket() as sock:  # a port that was free a moment ago
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    base = f"http://127.0.0.1:{port}" + ("/v1" if path in OPENAI_PATHS else "")
    provider = build(fake_server, path, base_url=base)
    got = await collect(provider.stream(request_for(path)))
    await provider.aclose()
    assert got.error is not None and got.error.kind is FailureKind.CONNECTION_FAILED, got.error


async def test_404_without_v1_suggests_adding_it(fake_server: FakeProviderServer):
    provider = build(fake_server, "compatible", base_url=fake_server.url)
    got = await collect(provider.stream(request_for("compatible")))
    await provider.aclose()
    assert got.error is not None and got.error.kind is FailureKind.CONFIG
    assert f"{fake_server.url}/v1" in got.error.message
    assert fake_server.requests[-1].path == "/chat/completions"


async def test_list_models_failure_is_a_provider_error(
    fake_server: FakeProviderServer, provider: Provider
):
    fake_server.models_error = Scenario.http_error(401)
    with pytest.raises(ProviderError) as caught:
        await provider.list_models()
    assert caught.value.kind is FailureKind.AUTH


async def test_compatible_server_without_key_gets_a_placeholder(fake_server: FakeProviderServer):
    provider = build(fake_server, "compatible")
    got = await collect(provider.stream(request_for("compatible")))
    await provider.aclose()
    assert got.error is None
    assert fake_server.last.headers["authorization"] == "<redacted>"  # sent, and never recorded


async def test_a_server_refusing_stream_options_is_asked_again_without_it(
    fake_server: FakeProviderServer,
):
    fake_server.refused_fields = {"stream_options"}
    fake_server.default_scenario = Scenario.text(["still ", "streams"], usage=False)
    provider = build(fake_server, "compatible")
    times = WireTimes(time.monotonic, lambda _at: None)  # the fake server's clock
    stamping = wire_times.set(times)
    try:
        first = await collect(provider.stream(request_for("compatible")))
    finally:
        wire_times.reset(stamping)
    second = await collect(provider.stream(request_for("compatible")))
    await provider.aclose()
    assert first.error is None and first.text == second.text == "still streams"
    sent = [r.body for r in fake_server.requests]
    assert [("stream_options" in body) for body in sent] == [True, False, False]
    # The reply is timed from the request that was answered, not from the one refused.
    refused = fake_server.requests[0]
    assert times.sent_at is not None and times.sent_at > refused.t_received


async def test_other_bad_requests_are_not_retried(fake_server: FakeProviderServer):
    fake_server.script(Scenario.http_error(400, message="max_tokens is too large"))
    provider = build(fake_server, "compatible")
    got = await collect(provider.stream(request_for("compatible")))
    await provider.aclose()
    assert got.error is not None and "max_tokens is too large" in got.error.message
    assert len(fake_server.requests) == 1


@pytest.mark.parametrize("path", PATHS)
async def test_a_proxy_from_the_environment_is_used(
    fake_server: FakeProviderServer, monkeypatch: pytest.MonkeyPatch, path: str
):
    # The fake server stands in for the proxy: it answers a request for any host.
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "HTTPS_PROXY", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", fake_server.url)
    unreachable = "http://provider.invalid" + ("/v1" if path in OPENAI_PATHS else "")
    provider = build(fake_server, path, base_url=unreachable)
    got = await collect(provider.stream(request_for(path)))
    await provider.aclose()
    assert got.error is None and got.text, got.error
    assert fake_server.last.headers["host"] == "provider.invalid"


# ---- the mapping itself ---------------------------------------------------------------------

CTX = ErrorContext(label="Test", key_source="TEST_KEY", base_url="http://h/v1")


def test_raw_json_error_is_a_bad_response():
    try:
        json.loads("{oops")
    except json.JSONDecodeError as exc:
        assert to_provider_error(exc, CTX).kind is FailureKind.BAD_RESPONSE


def test_unknown_exception_still_becomes_a_provider_error():
    error = to_provider_error(RuntimeError("weird"), CTX)
    assert error.kind is FailureKind.BAD_RESPONSE and "weird" in error.message


def test_provider_errors_pass_through():
    original = ProviderError(FailureKind.AUTH, "x")
    assert to_provider_error(original, CTX) is original


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"retry-after": "7"}, 7.0),
        ({"retry-after-ms": "1500"}, 1.5),
        ({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0.0),  # in the past
        ({"retry-after": "soon"}, None),
        ({}, None),
    ],
)
def test_parse_retry_after(headers, seconds):
    assert parse_retry_after(headers) == seconds


@pytest.mark.parametrize("path_name", PATHS)
async def test_non_streaming_waits_past_the_idle_timeout(
    fake_server: FakeProviderServer, path_name: str
):
    # A whole reply comes in one piece after generation, so the idle (stall) timeout must not
    # cut it: non-streaming requests wait up to [timeouts] whole_reply_s.
    provider = build(fake_server, path_name, idle_timeout_s=0.2)
    fake_server.script(Scenario(ttft_s=0.5))
    reply = await provider.complete(request_for(path_name))
    await provider.aclose()
    assert reply.text == "Hello, world!"
