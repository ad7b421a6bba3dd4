"""The engine over providers the test scripts: timestamps, retries, failures, cancel."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from chat_tui.conversation import MessageStatus, Turn
from chat_tui.engine import ReplyRun, RetryPolicy, RunState
from chat_tui.metrics import format_duration
from chat_tui.providers.base import (
    ChatMessage,
    ChatRequest,
    FailureKind,
    ProviderError,
    TextDelta,
    Usage,
    WireTimes,
    announce_request_sent,
    wire_times,
)
from chat_tui.reply_record import reply_footer
from tests.app.scripted import ScriptedProvider

REQUEST = ChatRequest(model="m", messages=(ChatMessage("user", "hi"),))


def fake_clock(step: float = 0.01):
    counter = itertools.count()
    return lambda: next(counter) * step


async def test_stream_is_stamped_and_measured() -> None:
    run = ReplyRun(
        ScriptedProvider(["a", "b", "c"], usage=Usage(4, 3)), REQUEST, clock=fake_clock()
    )
    await run.run()
    assert run.state is RunState.COMPLETE
    assert run.text.text == "abc"
    assert len(run.arrivals) == 3
    m = run.snapshot()
    assert m.output_tokens == 3 and not m.tokens_estimated
    assert m.ttft_s == pytest.approx(0.01)


class OverTheWire(ScriptedProvider):
    """Says when its request went out and when bytes came in, with client work either side
    (each reading of the fake clock is a tick of 10 ms)."""

    def __init__(self, clock) -> None:
        super().__init__([])
        self.clock = clock

    async def stream(self, request):  # type: ignore[override]
        times = wire_times.get()
        assert times is not None
        for _ in range(3):  # building the request
            self.clock()
        announce_request_sent()
        times.bytes_read()
        for _ in range(5):  # decoding the event
            self.clock()
        yield TextDelta("a")


async def test_ttft_runs_from_request_out_to_bytes_in_not_around_the_sdk() -> None:
    clock = fake_clock()
    run = ReplyRun(OverTheWire(clock), REQUEST, clock=clock)
    await run.run()
    assert run.wire is not None and run.wire.sent_at is not None
    assert run.t_send == run.wire.sent_at
    assert run.arrivals == [run.wire.read_at]
    assert run.snapshot().ttft_s == pytest.approx(0.01)


def test_a_new_connection_counts_from_connecting_and_a_request_asked_again_from_itself():
    clock = fake_clock()
    heard: list[float] = []
    times = WireTimes(clock, heard.append)
    times.connecting()  # reads the clock: 0.00
    times.connecting()  # another address tried: still from the first
    assert heard == []
    times.handshaking()  # TLS: the client waits from here, timed from connecting
    times.request_sent()
    assert times.sent_at == 0.0 and heard == [0.0, 0.0]
    times.request_sent()  # the same connection, a request asked again: reads 0.01
    assert times.sent_at == pytest.approx(0.01) and heard[-1] == times.sent_at


async def test_first_content_is_announced_once_with_that_token_already_buffered() -> None:
    run = ReplyRun(ScriptedProvider(["a", "b", "c"]), REQUEST)
    seen: list[tuple[str, int]] = []
    run.on_first_content = lambda: seen.append((run.text.text, len(run.arrivals)))
    await run.run()
    assert seen == [("a", 1)]


async def test_missing_usage_is_estimated() -> None:
    run = ReplyRun(ScriptedProvider(["word " * 40]), REQUEST)
    await run.run()
    count, estimated = run.output_tokens()
    assert estimated and count == 50


class FlakyThenOk(ScriptedProvider):
    def __init__(self, failures: list[ProviderError]) -> None:
        super().__init__(["ok"])
        self.failures = failures

    async def stream(self, request):  # type: ignore[override]
        if self.failures:
            self.requests.append(request)
            raise self.failures.pop(0)
        async for event in super().stream(request):
            yield event


async def test_retryable_failure_before_content_is_retried_with_retry_after() -> None:
    provider = FlakyThenOk([ProviderError(FailureKind.RATE_LIMITED, "slow down", retry_after=0.01)])
    run = ReplyRun(provider, REQUEST, retry_policy=RetryPolicy(max_retries=2))
    await run.run()
    assert run.state is RunState.COMPLETE and run.retries == 1
    assert len(provider.requests) == 2


async def test_the_wait_through_retries_is_told_apart_from_the_answered_requests_figures() -> None:
    failures = [ProviderError(FailureKind.RATE_LIMITED, "slow down", retry_after=0.05)] * 2
    run = ReplyRun(FlakyThenOk(failures), REQUEST, retry_policy=RetryPolicy(max_retries=3))
    await run.run()
    metrics = run.snapshot()
    assert metrics.retries == 2
    assert metrics.waited_s is not None and metrics.waited_s >= 0.1  # two waits of 0.05 s
    assert metrics.total_s is not None and metrics.total_s < metrics.waited_s  # answered only
    turn = Turn("assistant", "ok", status=MessageStatus.COMPLETE, metrics=metrics)
    # The total the user waited, with the part the retries took.
    whole = format_duration(metrics.total_s + metrics.waited_s)
    waited = format_duration(metrics.waited_s)
    assert f"total {whole} ({waited} waiting, 2 retries)" in reply_footer(turn)


async def test_auth_failure_is_not_retried() -> None:
    provider = FlakyThenOk([ProviderError(FailureKind.AUTH, "Set OPENAI_API_KEY")])
    run = ReplyRun(provider, REQUEST, retry_policy=RetryPolicy(max_retries=3))
    await run.run()
    assert run.state is RunState.FAILED and run.error and run.error.kind is FailureKind.AUTH
    assert len(provider.requests) == 1


async def test_mid_stream_failure_keeps_partial_and_is_never_replayed() -> None:
    error = ProviderError(FailureKind.SERVER_ERROR, "boom")
    provider = ScriptedProvider(["part", error])
    run = ReplyRun(provider, REQUEST, retry_policy=RetryPolicy(max_retries=3))
    await run.run()
    assert run.state is RunState.FAILED
    assert run.text.text == "part"
    assert len(provider.requests) == 1


async def test_cancel_during_retry_wait_stops_waiting() -> None:
    provider = FlakyThenOk([ProviderError(FailureKind.OVERLOADED, "busy", retry_after=60)])
    run = ReplyRun(provider, REQUEST, retry_policy=RetryPolicy(max_retries=1))
    task = asyncio.create_task(run.run())
    while run.state is not RunState.RETRY_WAIT:
        await asyncio.sleep(0)
    assert run.retry is not None and run.retry.attempt == 2
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert run.state is RunState.CANCELLED


async def test_between_attempts_all_the_time_so_far_is_the_wait() -> None:
    """While it waits to retry, and when stopped there, the time is the retries' wait: not the
    failed request's 'elapsed' or 'total' (each reading of the fake clock is a 10 ms tick)."""
    provider = FlakyThenOk([ProviderError(FailureKind.OVERLOADED, "busy", retry_after=60)])
    run = ReplyRun(provider, REQUEST, retry_policy=RetryPolicy(max_retries=1), clock=fake_clock())
    task = asyncio.create_task(run.run())
    while run.state is not RunState.RETRY_WAIT:
        await asyncio.sleep(0)
    assert run.elapsed() == 0.0
    waiting = run.snapshot()
    assert waiting.retries == 1 and waiting.waited_s is not None and waiting.waited_s > 0
    assert run.snapshot().waited_s > waiting.waited_s  # still growing
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    stopped = run.snapshot()
    assert stopped.total_s == 0.0 and stopped.ttft_s is None
    assert stopped.waited_s == pytest.approx(run.t_end - run.t_first_attempt)


class RateLimitedOverTheWire(OverTheWire):
    """The first request is built (3 ticks), goes out, and is refused; the next is answered."""

    def __init__(self, clock) -> None:
        super().__init__(clock)
        self.refused = False

    async def stream(self, request):  # type: ignore[override]
        if not self.refused:
            self.refused = True
            for _ in range(3):
                self.clock()
            self.first_sent_at = self.clock()
            announce_request_sent()
            raise ProviderError(FailureKind.RATE_LIMITED, "slow down", retry_after=0)
        async for event in super().stream(request):
            yield event


async def test_the_wait_runs_from_the_first_request_out_not_from_building_it() -> None:
    """The client's work before the first request went out (a first connection, an SDK's
    import) is not the retries' wait: it counts from the wire, as TTFT does."""
    clock = fake_clock()
    provider = RateLimitedOverTheWire(clock)
    run = ReplyRun(provider, REQUEST, retry_policy=RetryPolicy(max_retries=1), clock=clock)
    await run.run()
    assert run.state is RunState.COMPLETE and run.retries == 1
    assert run.t_first_attempt == pytest.approx(provider.first_sent_at + 0.01)
    waited = run.snapshot().waited_s
    assert waited == pytest.approx(run.t_send - run.t_first_attempt)


def test_backoff_grows_with_jitter_and_honours_retry_after() -> None:
    import random

    policy = RetryPolicy(base_delay_s=1, max_delay_s=8)
    rng = random.Random(1)
    delays = [policy.delay(n, None, rng) for n in range(1, 6)]
    assert 0.5 <= delays[0] <= 1 and 4 <= delays[3] <= 8 and delays[4] <= 8
    assert policy.delay(1, 7.0, rng) == 7.0
    assert policy.delay(1, 10_000, rng) == policy.max_retry_after_s


def test_live_snapshots_agree_with_a_fresh_computation() -> None:
    import random

    from chat_tui import metrics

    run = ReplyRun(ScriptedProvider([]), REQUEST)
    run.t_send = 0.0
    rng = random.Random(3)
    now = 0.2
    for _ in range(50):
        for _ in range(rng.randint(0, 40)):
            now += rng.uniform(0.001, 0.05)
            run.arrivals.append(now)
        live = run.snapshot()
        fresh = metrics.compute(0.0, list(run.arrivals), None, output_tokens=0)
        assert live.itl_p50_s == fresh.itl_p50_s and live.itl_p95_s == fresh.itl_p95_s
        assert live.itl_mean_s == pytest.approx(fresh.itl_mean_s)
