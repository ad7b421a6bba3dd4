"""Each provider path over real HTTP: text, usage, finish, history, reasoning, cancel."""

from __future__ import annotations

import asyncio
import contextlib
import time

from chat_tui.providers.base import (
    ChatMessage,
    ChatRequest,
    Finish,
    FinishReason,
    Provider,
    Usage,
    WireTimes,
    wire_times,
)
from tests.fakeserver import FakeProviderServer, Scenario
from tests.fakeserver import Finish as ServerFinish
from tests.providers.conftest import MODELS, OPENAI_PATHS, build, collect, request_for

DISCONNECT_WITHIN_S = 0.5


async def test_stream_text_usage_and_finish(fake_server: FakeProviderServer, provider: Provider):
    fake_server.script(Scenario.text(["Hel", "lo ", "there"], input_tokens=7))

    got = await collect(provider.stream(request_for_provider(provider)))

    assert got.error is None
    assert got.text == "Hello there"
    usage = merged_usage(got.of_type(Usage))
    assert usage.input_tokens == 7
    assert usage.output_tokens == 3
    assert got.of_type(Finish) == [Finish(FinishReason.STOP, got.of_type(Finish)[0].raw)]
    assert fake_server.last.streamed
    assert len(fake_server.last.delta_sent_at) == 3


async def test_the_adapter_stamps_its_request_out_and_each_read(
    fake_server: FakeProviderServer, provider: Provider
):
    request = request_for_provider(provider)
    await collect(provider.stream(request))  # from here on the connection is open
    seen: list[str] = []
    times = WireTimes(time.perf_counter, lambda _at: seen.append("request out"))
    read_before: list[float | None] = []
    stamping = wire_times.set(times)
    try:
        async for event in provider.stream(request):
            seen.append(type(event).__name__)
            read_before.append(times.read_at)
            await asyncio.sleep(0.002)  # a read stamped now would stand out below
    finally:
        wire_times.reset(stamping)
    assert seen[0] == "request out" and seen.count("request out") == 1, seen
    # Each event carries the stamp of the read that brought its bytes, taken before the SDK
    # decoded them: the stamp is in place when the event arrives, and before the request
    # went out there was nothing to read.
    assert times.sent_at is not None
    assert all(stamp is not None and stamp > times.sent_at for stamp in read_before)
    assert time.perf_counter() - read_before[-1] >= 0.002


async def test_a_whole_reply_is_stamped_when_its_last_byte_is_read(
    fake_server: FakeProviderServer, provider: Provider
):
    request = request_for_provider(provider)
    times = WireTimes(time.perf_counter, lambda _at: None)
    stamping = wire_times.set(times)
    try:
        reply = await provider.complete(request)
        returned_at = time.perf_counter()
    finally:
        wire_times.reset(stamping)
    assert reply.text
    assert times.sent_at is not None and times.read_at is not None
    assert times.sent_at < times.read_at <= returned_at


async def test_stream_maps_length_and_content_filter(
    fake_server: FakeProviderServer, provider: Provider
):
    fake_server.script(
        Scenario(finish=ServerFinish.LENGTH), Scenario(finish=ServerFinish.CONTENT_FILTER)
    )
    request = request_for_provider(provider)
    first = await collect(provider.stream(request))
    second = await collect(provider.stream(request))
    assert [f.reason for f in first.of_type(Finish)] == [FinishReason.LENGTH]
    assert [f.reason for f in second.of_type(Finish)] == [FinishReason.CONTENT_FILTER]


async def test_stream_without_usage_still_finishes(
    fake_server: FakeProviderServer, provider: Provider, path: str
):
    fake_server.script(Scenario(usage=False))
    got = await collect(provider.stream(request_for_provider(provider)))
    assert got.error is None
    assert got.text == "Hello, world!"
    if path != "anthropic":  # Anthropic always reports usage
        assert merged_usage(got.of_type(Usage)).output_tokens is None


async def test_complete_returns_the_whole_reply(
    fake_server: FakeProviderServer, provider: Provider
):
    fake_server.script(Scenario.reasoning_then_text(["thinking..."], ["The ", "answer"]))

    reply = await provider.complete(request_for_provider(provider))

    assert reply.text == "The answer"
    assert reply.reasoning == "thinking..."
    assert reply.usage.input_tokens == 11
    assert reply.usage.output_tokens == 3
    assert reply.finish is not None and reply.finish.reason is FinishReason.STOP


async def test_reasoning_deltas_come_first(fake_server: FakeProviderServer, provider: Provider):
    fake_server.script(Scenario.reasoning_then_text(["Let me ", "think."], ["Done."]))
    got = await collect(provider.stream(request_for_provider(provider)))
    assert got.reasoning == "Let me think."
    assert got.text == "Done."
    kinds = [type(e).__name__ for e in got.events if type(e).__name__.endswith("Delta")]
    assert kinds == ["ReasoningDelta", "ReasoningDelta", "TextDelta"]


async def test_history_is_resent_in_the_providers_format(
    fake_server: FakeProviderServer, provider: Provider, path: str
):
    request = ChatRequest(
        model=MODELS[path],
        system="Be brief.",
        messages=(
            ChatMessage("user", "first question"),
            ChatMessage("assistant", "first answer"),
            ChatMessage("user", "second question"),
        ),
    )
    await collect(provider.stream(request))
    body = fake_server.last.body
    turns = [("user", "first question"), ("assistant", "first answer"), ("user", "second question")]
    if path in ("openai-chat", "compatible"):
        sent = [(m["role"], m["content"]) for m in body["messages"]]
        assert sent == [("system", "Be brief."), *turns]
        assert body["stream_options"] == {"include_usage": True}
    elif path == "openai":  # Responses
        assert body["instructions"] == "Be brief."
        assert [(m["role"], m["content"]) for m in body["input"]] == turns
        assert body["store"] is False  # the history is resent, nothing kept at OpenAI
    elif path == "anthropic":
        assert body["system"] == "Be brief."
        assert [(m["role"], m["content"]) for m in body["messages"]] == turns
        assert body["max_tokens"] == 8192
    else:
        assert body["systemInstruction"]["parts"] == [{"text": "Be brief."}]
        sent = [(c["role"], c["parts"][0]["text"]) for c in body["contents"]]
        assert sent == [("model" if r == "assistant" else r, t) for r, t in turns]
    assert "first answer" in str(body) and "reasoning" not in str(body).lower()


async def test_list_models(fake_server: FakeProviderServer, provider: Provider, path: str):
    server_side = "openai" if path in OPENAI_PATHS else path
    assert await provider.list_models() == sorted(fake_server.model_ids[server_side])


async def test_utf8_split_across_chunks(fake_server: FakeProviderServer, provider: Provider):
    scenario = Scenario.emoji_split()
    fake_server.script(scenario)
    got = await collect(provider.stream(request_for_provider(provider)))
    assert got.error is None
    assert got.text == scenario.full_text


async def test_one_200_kb_delta(fake_server: FakeProviderServer, provider: Provider):
    scenario = Scenario.big_delta(200_000)
    fake_server.script(scenario)
    got = await collect(provider.stream(request_for_provider(provider)))
    assert got.text == scenario.full_text


async def test_stream_ending_without_finish_yields_no_finish(
    fake_server: FakeProviderServer, provider: Provider
):
    fake_server.script(Scenario.no_finish())
    got = await collect(provider.stream(request_for_provider(provider)))
    assert got.error is None
    assert got.text == "Hello, world!"
    assert got.of_type(Finish) == []


async def test_cancelling_the_consumer_disconnects(
    fake_server: FakeProviderServer, provider: Provider
):
    fake_server.script(Scenario.text(["tok "] * 200, delay_s=0.02))
    first_delta = asyncio.Event()

    async def consume() -> None:
        async for _event in provider.stream(request_for_provider(provider)):
            first_delta.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(first_delta.wait(), 5)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    record = fake_server.last
    assert await record.await_finished(DISCONNECT_WITHIN_S)
    assert record.disconnected and not record.completed
    assert len(record.delta_sent_at) < 200


async def test_closing_the_generator_disconnects(
    fake_server: FakeProviderServer, provider: Provider
):
    fake_server.script(Scenario.text(["tok "] * 200, delay_s=0.02))
    events = provider.stream(request_for_provider(provider))
    await anext(events)
    await events.aclose()
    record = fake_server.last
    assert await record.await_finished(DISCONNECT_WITHIN_S)
    assert record.disconnected


async def test_cancelling_a_non_streaming_call_disconnects(
    fake_server: FakeProviderServer, provider: Provider
):
    fake_server.script(Scenario(ttft_s=30))
    task = asyncio.create_task(provider.complete(request_for_provider(provider)))
    await asyncio.to_thread(fake_server.wait_for_requests, 1)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    record = fake_server.last
    assert await record.await_finished(DISCONNECT_WITHIN_S)
    assert record.disconnected


# ---- helpers --------------------------------------------------------------------------------


def request_for_provider(provider: Provider) -> ChatRequest:
    path = {"local": "compatible"}.get(provider.name, provider.name)
    return request_for(path)


def merged_usage(usages: list[Usage]) -> Usage:
    merged = Usage()
    for usage in usages:
        merged = Usage(
            input_tokens=usage.input_tokens
            if usage.input_tokens is not None
            else merged.input_tokens,
            output_tokens=usage.output_tokens
            if usage.output_tokens is not None
            else merged.output_tokens,
            reasoning_tokens=usage.reasoning_tokens
            if usage.reasoning_tokens is not None
            else merged.reasoning_tokens,
        )
    return merged


async def test_gemini_stays_on_httpx2_when_aiohttp_is_importable(
    fake_server: FakeProviderServer, monkeypatch
):
    # google-genai switches to aiohttp whenever it can import it; the adapter pins httpx2.
    # Pretend aiohttp is there: had the pin failed, the SDK would reach for aiohttp and fail.
    from google.genai import _api_client

    monkeypatch.setattr(_api_client, "has_aiohttp", True)
    provider = build(fake_server, "gemini")
    got = await collect(provider.stream(request_for("gemini")))
    reply = await provider.complete(request_for("gemini"))
    await provider.aclose()
    assert got.error is None and got.text == reply.text == "Hello, world!"
