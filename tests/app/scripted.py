"""A provider whose stream the test drives step by step (no sleeps, no timing luck)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

from chat_tui.providers.base import (
    ChatRequest,
    Finish,
    FinishReason,
    ProviderError,
    Reply,
    StreamEvent,
    TextDelta,
    Usage,
    announce_request_sent,
)

Step = str | asyncio.Event | ProviderError


class ScriptedProvider:
    """Yields the given steps: a string is a text delta, an Event is waited for, a
    ProviderError is raised. Records every request it gets."""

    name = "scripted"
    label = "Scripted"

    def __init__(self, steps: Sequence[Step], *, usage: Usage | None = None) -> None:
        self.steps = list(steps)
        self.usage = usage
        self.requests: list[ChatRequest] = []
        self.yielded = 0
        self.closed = asyncio.Event()

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        self.requests.append(request)
        announce_request_sent()  # as a real adapter does once its request is written
        try:
            for step in self.steps:
                if isinstance(step, asyncio.Event):
                    await step.wait()
                elif isinstance(step, ProviderError):
                    raise step
                else:
                    self.yielded += 1
                    yield TextDelta(step)
            if self.usage:
                yield self.usage
            yield Finish(FinishReason.STOP, "stop")
        finally:
            self.closed.set()

    async def complete(self, request: ChatRequest) -> Reply:
        self.requests.append(request)
        announce_request_sent()
        text = ""
        for step in self.steps:
            if isinstance(step, asyncio.Event):
                await step.wait()
            elif isinstance(step, ProviderError):
                raise step
            else:
                text += step
        return Reply(text=text, usage=self.usage or Usage(), finish=Finish(FinishReason.STOP))

    async def list_models(self) -> list[str]:
        return ["scripted-model"]

    async def aclose(self) -> None:
        return None

    @property
    def full_text(self) -> str:
        return "".join(s for s in self.steps if isinstance(s, str))
