"""Runs one reply: calls the provider, timestamps every arrival, buffers text, retries.

The engine knows no widgets. A `ReplyRun` is driven by one coroutine (`run()`, run in a Textual
worker); the renderer reads its buffers and `snapshot()` on its own cadence. The reading loop
only appends and stamps, so rendering never slows the reader and cancellation lands inside the
provider's read (which closes the HTTP stream).
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import random
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, fields, replace

from chat_tui import metrics
from chat_tui.buffer import DeltaBuffer
from chat_tui.metrics import ReplyMetrics
from chat_tui.providers.base import (
    ChatRequest,
    FailureKind,
    Finish,
    Provider,
    ProviderError,
    ReasoningDelta,
    StreamEvent,
    TextDelta,
    Usage,
    WireTimes,
    wire_times,
)

Clock = Callable[[], float]

_USAGE_FIELDS = tuple(field.name for field in fields(Usage))


class RunState(enum.StrEnum):
    WAITING = "waiting"  # request sent, nothing received yet
    RETRY_WAIT = "retry_wait"  # backing off before the next attempt
    RECEIVING = "receiving"
    COMPLETE = "complete"
    CANCELLED = "cancelled"
    FAILED = "failed"

    @property
    def finished(self) -> bool:
        return self in (RunState.COMPLETE, RunState.CANCELLED, RunState.FAILED)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """The one retry policy: SDK retries are off, so what the user sees is all there is."""

    max_retries: int = 3
    base_delay_s: float = 1.0
    max_delay_s: float = 30.0
    max_retry_after_s: float = 120.0

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        """Seconds to wait before retry number `attempt` (1-based)."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_retry_after_s)
        ceiling = min(self.base_delay_s * 2 ** (attempt - 1), self.max_delay_s)
        return ceiling / 2 + rng.uniform(0, ceiling / 2)  # "equal jitter"


@dataclass(frozen=True, slots=True)
class RetryWait:
    attempt: int  # the attempt about to be made (2 = first retry)
    max_attempts: int
    resume_at: float  # on the run's clock
    reason: ProviderError


class ReplyRun:
    """One request and everything that arrives for it."""

    def __init__(
        self,
        provider: Provider,
        request: ChatRequest,
        *,
        streaming: bool = True,
        retry_policy: RetryPolicy | None = None,
        clock: Clock = time.perf_counter,
        rng: random.Random | None = None,
    ) -> None:
        self.provider = provider
        self.request = request
        self.streaming = streaming
        self.retry_policy = retry_policy or RetryPolicy()
        self.clock = clock
        self._rng = rng or random.Random()
        self.text = DeltaBuffer()
        self.reasoning = DeltaBuffer()
        self.state = RunState.WAITING
        # When the request went out (see providers.base.WireTimes; until the provider says,
        # when this attempt started).
        self.t_send: float | None = None
        self.t_end: float | None = None
        # When the first request went out, once it has failed: with retries, the wait before
        # the answered request is told apart from the figures, which are the answered one's.
        self.t_first_attempt: float | None = None
        self.arrivals: list[float] = []  # one stamp per content delta (text or reasoning)
        self._gaps: list[float] = []  # inter-token latencies, sorted (see _sorted_gaps)
        self.usage = Usage()
        self.finish: Finish | None = None
        self.error: ProviderError | None = None
        self.retry: RetryWait | None = None
        self.retries = 0
        # Called once, from the reader, when the first text or reasoning arrives: a renderer
        # shows that at once instead of at its next tick (up to a whole flush interval later).
        self.on_first_content: Callable[[], None] | None = None
        # Called once, from inside the request, when the provider says it is out (see
        # providers.base.announce_request_sent): a UI does its own work after that.
        self.on_request_sent: Callable[[], None] | None = None
        self._request_out = False
        self.wire: WireTimes | None = None  # the current attempt's

    @property
    def has_content(self) -> bool:
        return bool(self.arrivals)

    async def run(self) -> None:
        """Drive the request to an end state. Re-raises CancelledError after recording it."""
        try:
            await self._run_with_retries()
        except asyncio.CancelledError:
            self.t_end = self.clock()
            if self.state is RunState.RETRY_WAIT:
                # Stopped between attempts: no request was out, all of it was the retries' wait.
                self.t_send = self.t_end
            self.state = RunState.CANCELLED
            self.retry = None
            raise

    async def _run_with_retries(self) -> None:
        policy = self.retry_policy
        for attempt in range(1, policy.max_retries + 2):
            try:
                await self._attempt()
            except ProviderError as error:
                last_attempt = attempt > policy.max_retries
                if self.has_content or last_attempt or not error.kind.retryable:
                    self._fail(error)
                    return
                await self._wait_before_retry(attempt + 1, error)
            except Exception as error:  # an adapter bug must not take the app down
                self._fail(
                    ProviderError(
                        FailureKind.BAD_RESPONSE,
                        f"Unexpected error reading the reply: {type(error).__name__}: {error}",
                    )
                )
                return
            else:
                # Non-streaming: the reply arrived whole, so TTFT is exactly the total time.
                streamed = self.streaming or not self.arrivals
                self.t_end = self.clock() if streamed else self.arrivals[-1]
                self.state = RunState.COMPLETE
                return

    async def _attempt(self) -> None:
        self.state = RunState.WAITING
        self.t_send = self.clock()
        self.wire = WireTimes(self.clock, self._request_sent)
        stamping = wire_times.set(self.wire)
        try:
            if self.streaming:
                # aclosing: however the loop ends, the HTTP response is closed at once.
                async with contextlib.aclosing(self.provider.stream(self.request)) as events:
                    await self._read(events)
            else:
                reply = await self.provider.complete(self.request)
                self.arrivals.append(self._arrival())
                self.reasoning.write(reply.reasoning)
                self.text.write(reply.text)
                self._merge_usage(reply.usage)
                self.finish = reply.finish
        finally:
            wire_times.reset(stamping)

    def _request_sent(self, at: float) -> None:
        self.t_send = at  # the latest request's, if an adapter asked again
        if not self._request_out:
            self._request_out = True
            if self.on_request_sent is not None:
                self.on_request_sent()

    async def _read(self, events: AsyncIterator[StreamEvent]) -> None:
        async for event in events:
            # Keep this body tiny: cancellation must land inside the provider's read.
            if isinstance(event, TextDelta):
                if event.text:
                    self.arrivals.append(self._arrival())
                    self.text.write(event.text)
                    if self.state is not RunState.RECEIVING:
                        self._first_content()
            elif isinstance(event, ReasoningDelta):
                if event.text:
                    self.arrivals.append(self._arrival())
                    self.reasoning.write(event.text)
                    if self.state is not RunState.RECEIVING:
                        self._first_content()
            elif isinstance(event, Usage):
                self._merge_usage(event)
            elif isinstance(event, Finish):
                self.finish = event

    def _arrival(self) -> float:
        # When the bytes carrying this event were read; now, if no network was read.
        read_at = self.wire.read_at if self.wire is not None else None
        return self.clock() if read_at is None else read_at

    def _first_content(self) -> None:
        self.state = RunState.RECEIVING
        if self.on_first_content is not None:
            self.on_first_content()

    async def _wait_before_retry(self, next_attempt: int, error: ProviderError) -> None:
        if self.t_first_attempt is None:
            # When the first request went out (its wire time, as TTFT's start): the time
            # before that (a first connection, the SDK's import) is not the retries'.
            self.t_first_attempt = self.t_send
        self.retries += 1
        delay = self.retry_policy.delay(next_attempt - 1, error.retry_after, self._rng)
        self.retry = RetryWait(
            attempt=next_attempt,
            max_attempts=self.retry_policy.max_retries + 1,
            resume_at=self.clock() + delay,
            reason=error,
        )
        self.state = RunState.RETRY_WAIT
        await asyncio.sleep(delay)
        self.retry = None

    def _fail(self, error: ProviderError) -> None:
        self.t_end = self.clock()
        self.error = error
        self.state = RunState.FAILED
        self.retry = None

    def _merge_usage(self, usage: Usage) -> None:
        """Each count the provider reports replaces the one before; unreported ones stay."""
        self.usage = Usage(
            **{
                name: value
                if (value := getattr(usage, name)) is not None
                else getattr(self.usage, name)
                for name in _USAGE_FIELDS
            }
        )

    def output_tokens(self) -> tuple[int, bool]:
        """(count, estimated): the provider's count when reported, else an estimate."""
        if self.usage.output_tokens is not None:
            return self.usage.output_tokens, False
        return metrics.estimate_tokens(self.text.text) + metrics.estimate_tokens(
            self.reasoning.text
        ), True

    def snapshot(self) -> ReplyMetrics:
        """Metrics so far (final once the run has finished)."""
        if self.t_send is None:
            return ReplyMetrics(streaming=self.streaming)
        count, estimated = self.output_tokens()
        computed = metrics.compute(
            self.t_send,
            self.arrivals,
            self.t_end,
            output_tokens=count,
            input_tokens=self.usage.input_tokens,
            reasoning_tokens=self.usage.reasoning_tokens,
            cache_read_tokens=self.usage.cache_read_tokens,
            cache_write_tokens=self.usage.cache_write_tokens,
            tokens_estimated=estimated,
            streaming=self.streaming,
            sorted_gaps=self._sorted_gaps(),
        )
        if not self.retries or self.t_first_attempt is None:
            return computed
        # Between attempts the wait is still growing (and `elapsed` is 0).
        waited_until = self.clock() if self.state is RunState.RETRY_WAIT else self.t_send
        return replace(computed, retries=self.retries, waited_s=waited_until - self.t_first_attempt)

    def _sorted_gaps(self) -> list[float]:
        """The inter-token latencies so far, sorted, extended with only the new ones: the
        status bar asks ten times a second, and a long reply has tens of thousands."""
        gaps, arrivals = self._gaps, self.arrivals
        if len(gaps) < len(arrivals) - 1:
            gaps.extend(arrivals[i + 1] - arrivals[i] for i in range(len(gaps), len(arrivals) - 1))
            gaps.sort()  # Timsort merges the sorted run with the new tail in linear time
        return gaps

    def elapsed(self) -> float:
        """Since the current request went out (0 between attempts: see `snapshot`'s wait)."""
        if self.t_send is None or self.state is RunState.RETRY_WAIT:
            return 0.0
        return (self.t_end if self.t_end is not None else self.clock()) - self.t_send
