"""What the OpenAI, Anthropic and Gemini adapters share: who they talk to, the key and the
timeouts, one SDK client per event loop, the context their error messages need, and the httpx
hooks that tell the engine when a request went out and when its reply's bytes came in."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterator
from typing import Any, Generic, TypeVar

import httpx2

from chat_tui.attachments import kind_names
from chat_tui.providers.base import (
    ChatRequest,
    FailureKind,
    ProviderError,
    ReasoningDelta,
    Reply,
    StreamEvent,
    TextDelta,
    WireTimes,
    announce_request_sent,
    wire_times,
)
from chat_tui.providers.errors import ErrorContext, clip
from chat_tui.providers.proxies import direct_mounts, proxy_for
from chat_tui.providers.request_options import RequestOptions

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


def is_whole_json_reply(response: httpx2.Response) -> bool:
    """A streaming request answered with one JSON body instead of server-sent events: what
    gateways that cannot stream a route do (LiteLLM's mock mode for Anthropic Messages)."""
    return response.headers.get("content-type", "").startswith("application/json")


async def parse_whole_json_reply(
    response: httpx2.Response, ctx: ErrorContext, parse: Callable[[Any], Parsed]
) -> Parsed:
    """The reply in a whole JSON body sent for a streaming request, or a message that says
    that is what the server did."""
    body = await response.aread()
    try:
        return parse(json.loads(body))
    except ValueError as exc:  # not JSON, or not a reply (pydantic's errors are ValueErrors)
        sent = clip(body.decode(errors="replace"))
        raise ProviderError(
            FailureKind.BAD_RESPONSE,
            f"{ctx.label} answered a streaming request with a whole JSON body instead of a "
            f"stream, and it is not a reply chat-tui can read ({sent}). Turn streaming off "
            "for this provider: a non-streaming request expects exactly that.",
        ) from exc


def reply_events(reply: Reply) -> Iterator[StreamEvent]:
    """A whole reply as the events a stream of it would have brought."""
    if reply.reasoning:
        yield ReasoningDelta(reply.reasoning)
    if reply.text:
        yield TextDelta(reply.text)
    yield reply.usage
    if reply.finish is not None:
        yield reply.finish


def refuse_unsupported_attachments(
    request: ChatRequest, options: RequestOptions, label: str
) -> None:
    """Raise a BAD_REQUEST failure naming the files of a kind `options` does not take."""
    refused = [a for a in request.attachments if a.kind not in options.attachments]
    if not refused:
        return
    names = ", ".join(a.name for a in refused)
    api = f" through {options.api_name}" if options.api_name else ""
    raise ProviderError(
        FailureKind.BAD_REQUEST,
        f"{label}{api} cannot take {names}: it takes {kind_names(options.attachments)}. "
        f"{options.attachment_hint}".rstrip(),
    )


def http_client_options(base_url: str | None) -> dict[str, Any]:
    """Keyword arguments for each SDK's httpx client: the wire-time hooks, and a direct route
    to a server on loopback even when a proxy is set (see providers.proxies)."""
    options: dict[str, Any] = {"event_hooks": EVENT_HOOKS}
    if (mounts := direct_mounts(base_url)) is not None:
        options["mounts"] = mounts
    return options


Client = TypeVar("Client")
Parsed = TypeVar("Parsed")


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
        whole_reply_timeout_s: float = 600.0,
    ) -> None:
        self.name = name
        self.label = label
        self.base_url = base_url
        self._api_key = api_key
        self._key_source = key_source
        self._connect_timeout_s = connect_timeout_s
        self._idle_timeout_s = idle_timeout_s
        # A whole (non-streaming) reply comes in one piece after the generation: the idle
        # timeout (a stall detector between bytes) would cut long ones, so wait at least this.
        self._whole_reply_timeout_s = max(idle_timeout_s, whole_reply_timeout_s)
        # Read once, as the client reads the environment: named in connection errors.
        self._proxy = proxy_for(base_url)
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

    def _whole_reply_timeout(self) -> httpx2.Timeout:
        """The explicit timeout of every non-streaming request (from the config)."""
        return httpx2.Timeout(self._whole_reply_timeout_s, connect=self._connect_timeout_s)

    def _context(self, request: ChatRequest | None = None, **extra: Any) -> ErrorContext:
        attachments = tuple(a.label for a in request.attachments) if request else ()
        return ErrorContext(
            label=self.label,
            key_source=self._key_source,
            base_url=self.base_url,
            model=request.model if request else None,
            connect_timeout_s=self._connect_timeout_s,
            idle_timeout_s=self._idle_timeout_s,
            secret=self._api_key,
            proxy=self._proxy,
            attachments=attachments,
            **extra,
        )

    def _check_attachments(self, request: ChatRequest, options: RequestOptions) -> None:
        """Refuse, before sending, a file the API has no part for (a PDF on Chat
        Completions), with a message that says what it takes."""
        refuse_unsupported_attachments(request, options, self.label)
