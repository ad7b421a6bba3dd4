"""A provider whose SDK is imported off the event loop.

Importing an SDK takes 0.35 s (openai, google-genai) to 1 s (anthropic) here. Done at start-up
it delays the first frame by that much; done at the first send, it delays the reply and
freezes the screen meanwhile. So the registry hands out this stand-in: it knows the provider's
name and label, and builds the real adapter (and its client for the event loop) in a thread,
started by `warm_up()` (the chat screen calls it once its first screen is up) or at the
latest by the first request, which then waits for it. The same thread loads the price table
when the provider has prices (see chat_tui.pricing), so pricing the first reply does not stall
the screen either.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Callable

from chat_tui import pricing
from chat_tui.providers.base import ChatRequest, Provider, Reply, StreamEvent


class LazyProvider:
    def __init__(
        self,
        name: str,
        label: str,
        build: Callable[[asyncio.AbstractEventLoop], Provider],
        price_source: pricing.PriceSource | None = None,
    ) -> None:
        self.name = name
        self.label = label
        self.price_source = price_source  # where its replies' prices come from (None: none)
        self._build = build
        # Set by the building thread: (adapter, None) or (None, what stopped it).
        self._outcome: tuple[Provider | None, BaseException | None] | None = None
        self._built: asyncio.Future[None] | None = None  # wakes the loop that started it

    def warm_up(self) -> None:
        """Start building the adapter now, in a thread (call it on the event loop)."""
        loop = asyncio.get_running_loop()
        if self._outcome is not None or (
            self._built is not None and self._built.get_loop() is loop
        ):
            return
        built: asyncio.Future[None] = loop.create_future()
        self._built = built

        def build() -> None:
            if self.price_source is not None:
                with contextlib.suppress(Exception):  # no price table: replies show no cost
                    pricing.warm_up()
            try:
                self._outcome = (self._build(loop), None)
            except BaseException as error:  # raised to whoever awaits the provider
                self._outcome = (None, error)
            with contextlib.suppress(RuntimeError):  # that loop has closed since
                loop.call_soon_threadsafe(_wake, built)

        # A daemon thread: quitting while an SDK is still importing must not wait for it.
        threading.Thread(target=build, name=f"chat-tui-build-{self.name}", daemon=True).start()

    async def provider(self) -> Provider:
        """The real adapter, once built."""
        if self._outcome is None:
            self.warm_up()
            if self._outcome is None:
                assert self._built is not None
                # shield: a cancelled request must not cancel the wait of the others
                await asyncio.shield(self._built)
        assert self._outcome is not None
        provider, error = self._outcome
        if error is not None:
            raise error
        assert provider is not None
        return provider

    def _built_provider(self) -> Provider | None:
        return self._outcome[0] if self._outcome is not None else None

    def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        provider = self._built_provider()
        if provider is not None:
            return provider.stream(request)
        return self._stream_once_built(request)

    async def _stream_once_built(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        provider = await self.provider()
        async with contextlib.aclosing(provider.stream(request)) as events:
            async for event in events:
                yield event

    async def complete(self, request: ChatRequest) -> Reply:
        return await (await self.provider()).complete(request)

    async def list_models(self) -> list[str]:
        return await (await self.provider()).list_models()

    async def aclose(self) -> None:
        provider = self._built_provider()
        if provider is not None:
            await provider.aclose()


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def warm_up(provider: Provider) -> None:
    """Start importing `provider`'s SDK in the background, if it has one still to import."""
    if isinstance(provider, LazyProvider):
        provider.warm_up()
