"""What the OpenAI, Anthropic and Gemini adapters share: who they talk to, the key and the
timeouts, one SDK client per event loop, the context their error messages need, and the httpx
hooks that tell the engine when a request went out and when its reply's bytes came in."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any, Generic, TypeVar

import httpx2

from chat_tui.providers.base import ChatRequest, WireTimes, announce_request_sent, wire_times
from chat_tui.providers.errors import ErrorContext

# httpcore's trace events. Connecting is the network's time, so TTFT counts from it; the
# client only waits once the request's last byte is written or a TLS handshake (one round trip
# or more) is under way. Not from the TCP connect: to a local server it takes 0.1 ms, and the
# UI's work done "while waiting" would then delay the request itself.
_CONNECTING = frozenset(
    {"connection.connect_tcp.started", "connection.connect_unix_socket.started"}
)
_SENT = frozenset({"http11.send_request_body.complete", "http2.send_request_body.complete"})


async def _trace(event: str, _info: dict[str, Any]) -> None:
    if event in _SENT:
        announce_request_sent()
    elif (times := wire_times.get()) is not None:
        if event in _CONNECTING:
            times.connecting()
        elif event == "connection.start_tls.started":
            times.handshaking()


async def _traced(request: httpx2.Request) -> None:
    # httpcore's documented `trace` request extension: called around each step of a request.
    request.extensions = {**request.extensions, "trace": _trace}


class _StampedStream(httpx2.AsyncByteStream):
    """A response body that stamps each read, before the SDK decodes what it brought."""

    def __init__(self, inner: httpx2.AsyncByteStream, times: WireTimes) -> None:
        self._inner = inner
        self._times = times

    async def __aiter__(self) -> AsyncIterator[bytes]:
        chunks = self._inner.__aiter__()
        try:
            async for chunk in chunks:
                self._times.bytes_read()
                yield chunk
        finally:  # closed early (a cancel): close the inner reader too, as httpx does
            if isinstance(chunks, AsyncGenerator):
                await chunks.aclose()

    async def aclose(self) -> None:
        await self._inner.aclose()


async def _stamp_reads(response: httpx2.Response) -> None:
    times = wire_times.get()
    if times is not None:
        response.stream = _StampedStream(response.stream, times)


# Passed as `event_hooks=` to each SDK's httpx client (see providers.base.WireTimes).
EVENT_HOOKS: dict[str, list[Any]] = {"request": [_traced], "response": [_stamp_reads]}

Client = TypeVar("Client")


class SdkAdapter(Generic[Client]):
    def __init__(
        self,
        *,
        name: str,
        label: str,
        base_url: str | None,
        api_key: str | None,
        key_source: str,
        connect_timeout_s: float,
        idle_timeout_s: float,
    ) -> None:
        self.name = name
        self.label = label
        self.base_url = base_url
        self._api_key = api_key
        self._key_source = key_source
        self._connect_timeout_s = connect_timeout_s
        self._idle_timeout_s = idle_timeout_s
        self._client: Client | None = None
        self._client_loop: asyncio.AbstractEventLoop | None = None

    def _make_client(self) -> Client:
        raise NotImplementedError

    def prepare_client(self, loop: asyncio.AbstractEventLoop) -> None:
        """Make the client for `loop` now, from any thread: making one imports httpcore and
        loads the CA bundle (20-70 ms), and it binds to no loop before its first request."""
        self._client = self._make_client()
        self._client_loop = loop

    def _client_for_loop(self) -> Client:
        # An async client belongs to the loop it was made on: make it lazily, per loop.
        loop = asyncio.get_running_loop()
        if self._client is None or self._client_loop is not loop:
            self._client = self._make_client()
            self._client_loop = loop
        return self._client

    def _context(self, request: ChatRequest | None = None, **extra: Any) -> ErrorContext:
        return ErrorContext(
            label=self.label,
            key_source=self._key_source,
            base_url=self.base_url,
            model=request.model if request else None,
            connect_timeout_s=self._connect_timeout_s,
            idle_timeout_s=self._idle_timeout_s,
            secret=self._api_key,
            **extra,
        )
