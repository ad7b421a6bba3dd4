"""A provider for screenshots: fixed text, reasoning and figures, on a clock it moves itself.

Every figure on screen comes from the session's clock; here that clock stands still except
when the provider moves it (a fixed step per event), so TTFT, ITL, rate and total are the same
on every run, however busy the machine is.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field

from chat_tui.providers.base import (
    ChatRequest,
    Finish,
    FinishReason,
    ProviderError,
    ReasoningDelta,
    Reply,
    StreamEvent,
    TextDelta,
    Usage,
    announce_request_sent,
)

FIRST_TOKEN_S = 0.42
BETWEEN_TOKENS_S = 0.02


@dataclass
class StillClock:
    """Stands still until moved: a run's timestamps are the provider's steps."""

    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class ScreenshotProvider:
    """Streams `reasoning` then `text` in word-sized pieces, then `usage`; stops before
    the text when `hold` is set until it is (the screen mid-reply), or fails with `error`
    after `text`."""

    clock: StillClock
    text: Sequence[str]
    reasoning: Sequence[str] = ()
    usage: Usage = field(default_factory=lambda: Usage(input_tokens=812, output_tokens=164))
    hold: asyncio.Event | None = None
    hold_after: int = 0  # text pieces sent before the hold
    error: ProviderError | None = None
    name: str = "screenshot"
    label: str = "Screenshot"
    requests: list[ChatRequest] = field(default_factory=list)

    def _tick(self, first: bool) -> None:
        self.clock.now += FIRST_TOKEN_S if first else BETWEEN_TOKENS_S

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        self.requests.append(request)
        announce_request_sent()
        first = True
        for piece in self.reasoning:
            self._tick(first)
            first = False
            yield ReasoningDelta(piece)
        for index, piece in enumerate(self.text):
            if self.hold is not None and index == self.hold_after:
                await self.hold.wait()
            self._tick(first)
            first = False
            yield TextDelta(piece)
        if self.error is not None:
            raise self.error
        yield self.usage
        yield Finish(FinishReason.STOP, "stop")

    async def complete(self, request: ChatRequest) -> Reply:
        self.requests.append(request)
        announce_request_sent()
        if self.hold is not None:
            await self.hold.wait()
        self._tick(True)
        if self.error is not None:
            raise self.error
        finish = Finish(FinishReason.STOP, "stop")
        return Reply("".join(self.text), "".join(self.reasoning), self.usage, finish)

    async def aclose(self) -> None:
        return None

    async def list_models(self) -> list[str]:
        return []
