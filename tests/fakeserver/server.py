"""The fake provider server: a real HTTP server on 127.0.0.1 in its own thread and event loop.

Running in its own thread keeps the server's timing independent of the client's event loop
(a busy client loop does not delay the server's sends), and lets sync and async tests and
benchmark scripts use it alike.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from tests.fakeserver.formats import (
    AnthropicFormat,
    GeminiFormat,
    OpenAIFormat,
    ResponsesFormat,
    WireFormat,
)
from tests.fakeserver.scenario import Fault, Scenario
from tests.fakeserver.wire import HttpRequest, ResponseWriter, read_request, split_inside_utf8

SECRET_HEADERS = frozenset({"authorization", "x-api-key", "x-goog-api-key", "api-key", "cookie"})
REDACTED = "<redacted>"
DEFAULT_MODELS = {
    "openai": ["gpt-4o-mini", "gpt-4o", "fake-model"],
    "anthropic": ["claude-sonnet-5-5", "claude-haiku-5-5"],
    "gemini": ["gemini-2.5-flash", "gemini-2.5-pro"],
}
_GEMINI_CALL = re.compile(r"^/v1[a-z0-9]*/models/([^/:]+):(generateContent|streamGenerateContent)$")
_MODELS_LIST = re.compile(r"^/v1[a-z0-9]*/models$")
clock = time.monotonic  # the clock of every server timestamp (same as the engine's)


@dataclass(slots=True)
class RecordedRequest:
    """One request as the server saw it. Secrets in headers and the query are redacted."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any  # parsed JSON, or None
    provider: str | None = None  # "openai" / "anthropic" / "gemini" for known routes
    model: str | None = None
    streamed: bool = False
    scenario: Scenario | None = None
    t_received: float = field(default_factory=clock)  # the request's last byte was read
    t_headers_sent: float | None = None
    delta_sent_at: list[float] = field(default_factory=list)  # server send time of each delta
    t_end: float | None = None  # the whole response was sent
    completed: bool = False
    disconnected: bool = False  # the client went away before the response was complete
    t_disconnect: float | None = None
    finished: threading.Event = field(default_factory=threading.Event)  # completed or cut

    def wait_finished(self, timeout: float) -> bool:
        return self.finished.wait(timeout)

    async def await_finished(self, timeout: float) -> bool:
        """Wait (without blocking the event loop) until the response completed or was cut."""
        return await asyncio.to_thread(self.finished.wait, timeout)


class FakeProviderServer:
    """See the package docstring for the scenario API."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self.default_scenario = Scenario()
        self.model_ids: dict[str, list[str]] = {k: list(v) for k, v in DEFAULT_MODELS.items()}
        self.models_error: Scenario | None = None  # an HTTP error for the models endpoints
        # Chat Completions body fields answered with a 400, as strict or older
        # OpenAI-compatible servers do (e.g. "stream_options"); no scenario is used up.
        self.refused_fields: set[str] = set()
        self.serves_responses = True  # False: /v1/responses is a 404, as on most local servers
        self._queue: deque[Scenario] = deque()
        self._by_model: dict[str, Scenario] = {}
        self._records: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._new_request = threading.Condition(self._lock)
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._ready = threading.Event()
        self._connections: set[asyncio.Task[None]] = set()

    # ---- lifecycle ----------------------------------------------------------------------------

    @classmethod
    @contextlib.contextmanager
    def running(cls, host: str = "127.0.0.1", port: int = 0) -> Iterator[FakeProviderServer]:
        server = cls(host, port)
        server.start()
        try:
            yield server
        finally:
            server.stop()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="fake-provider", daemon=True)
        self._thread.start()
        if not self._ready.wait(5):
            raise RuntimeError("fake provider server did not start")

    def stop(self) -> None:
        if self._loop is not None and self._stopping is not None:
            self._loop.call_soon_threadsafe(self._stopping.set)
        if self._thread is not None:
            self._thread.join(5)

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        try:
            self._loop.run_until_complete(self._serve())
        finally:
            self._loop.close()

    async def _serve(self) -> None:
        self._stopping = asyncio.Event()
        server = await asyncio.start_server(self._handle, self.host, self.port)
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        await self._stopping.wait()
        server.close()
        for task in list(self._connections):
            task.cancel()
        await asyncio.gather(*self._connections, return_exceptions=True)
        await server.wait_closed()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def openai_base_url(self) -> str:
        return f"{self.url}/v1"

    # ---- scripting ----------------------------------------------------------------------------

    def script(self, *scenarios: Scenario) -> None:
        """Queue scenarios: each generation request takes the next one."""
        with self._lock:
            self._queue.extend(scenarios)

    def on_model(self, model: str, scenario: Scenario) -> None:
        """Use `scenario` for every request for `model` when nothing is queued."""
        self._by_model[model] = scenario

    def _next_scenario(self, model: str | None) -> Scenario:
        with self._lock:
            if self._queue:
                return self._queue.popleft()
        if model is not None and model in self._by_model:
            return self._by_model[model]
        return self.default_scenario

    # ---- records ------------------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._records)

    @property
    def generation_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.scenario is not None]

    @property
    def last(self) -> RecordedRequest:
        return self.generation_requests[-1]

    def wait_for_requests(self, count: int, timeout: float = 5.0) -> list[RecordedRequest]:
        with self._new_request:
            self._new_request.wait_for(lambda: len(self._records) >= count, timeout)
            return list(self._records)

    def _record(self, request: HttpRequest) -> RecordedRequest:
        headers = {k: (REDACTED if k in SECRET_HEADERS else v) for k, v in request.headers.items()}
        query = {k: (REDACTED if k == "key" else v) for k, v in request.query.items()}
        record = RecordedRequest(
            request.method,
            request.path,
            query,
            headers,
            request.json(),
            t_received=request.received_at,  # the server's TTFT excludes its own parsing
        )
        with self._new_request:
            self._records.append(record)
            self._new_request.notify_all()
        return record

    # ---- connections --------------------------------------------------------------------------

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        sock: socket.socket | None = writer.get_extra_info("socket")
        if sock is not None:  # each delta its own TCP segment, as from a real server
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            while (request := await read_request(reader)) is not None:
                record = self._record(request)
                try:
                    keep_alive = await self._respond(
                        request, record, reader, ResponseWriter(writer)
                    )
                finally:
                    record.finished.set()
                if not keep_alive:
                    break
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            self._connections.discard(task)
            writer.close()

    async def _respond(
        self,
        request: HttpRequest,
        record: RecordedRequest,
        reader: asyncio.StreamReader,
        out: ResponseWriter,
    ) -> bool:
        body = request.json() or {}
        fmt_cls: type[WireFormat] | None = None
        model = body.get("model") if isinstance(body, dict) else None
        stream = bool(body.get("stream")) if isinstance(body, dict) else False
        if request.method == "GET" and _MODELS_LIST.match(request.path):
            return await self._models(request, record, out)
        if request.method == "POST" and request.path == "/v1/chat/completions":
            fmt_cls = OpenAIFormat
        elif request.method == "POST" and request.path == "/v1/responses" and self.serves_responses:
            fmt_cls = ResponsesFormat
        elif request.method == "POST" and request.path == "/v1/messages":
            fmt_cls = AnthropicFormat
        elif request.method == "POST" and (call := _GEMINI_CALL.match(request.path)):
            fmt_cls = GeminiFormat
            model, stream = call.group(1), call.group(2) == "streamGenerateContent"
        if fmt_cls is None:
            # What e.g. Ollama answers for a path it does not know (a base URL without /v1).
            await out.send_body(404, b"404 page not found", "text/plain")
            return True
        refused = sorted(self.refused_fields & set(body)) if fmt_cls is OpenAIFormat else []
        if refused:
            message = f"Unrecognized request argument supplied: {refused[0]}"
            refusal = Scenario(status=400, error_message=message)
            return await self._http_error(fmt_cls, refusal, record, out)
        scenario = _with_echoed_key(self._next_scenario(model), request)
        record.provider, record.model, record.streamed = fmt_cls.provider, model, stream
        record.scenario = scenario
        fmt = fmt_cls(scenario, model or "", body if isinstance(body, dict) else {})
        if scenario.status != 200:
            return await self._http_error(fmt_cls, scenario, record, out)
        streams = stream and not scenario.json_for_stream
        produce = self._stream(fmt, record, out) if streams else self._whole(fmt, record, out)
        return await self._watching_disconnect(produce, record, reader)

    async def _watching_disconnect(
        self, produce: Any, record: RecordedRequest, reader: Any
    ) -> bool:
        """Run the producer while watching the socket: EOF mid-response is a disconnect."""

        async def watch() -> float:
            with contextlib.suppress(ConnectionError):
                await reader.read(1)  # HTTP/1.1 clients send nothing while awaiting a reply
            return clock()

        producer = asyncio.create_task(produce)
        watcher = asyncio.create_task(watch())
        try:
            done, _ = await asyncio.wait({producer, watcher}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            # Both must have really stopped before the next request is read from `reader`.
            for task in (watcher, producer):
                task.cancel()
            await asyncio.wait({watcher, producer})
        if producer in done:
            error = producer.exception()
            if error is None:
                return bool(producer.result())
            if not isinstance(error, ConnectionError):
                raise error
        record.disconnected = True
        record.t_disconnect = watcher.result() if watcher in done else clock()
        return False

    async def _http_error(
        self,
        fmt_cls: type[WireFormat],
        scenario: Scenario,
        record: RecordedRequest,
        out: ResponseWriter,
    ) -> bool:
        extra = {}
        if scenario.retry_after is not None:
            extra["retry-after"] = f"{scenario.retry_after:g}"
        body = fmt_cls.error_body(scenario.status, scenario.error_type, scenario.error_message)
        record.t_headers_sent = clock()
        await out.send_json(scenario.status, body, extra)
        record.t_end, record.completed = clock(), True
        return True

    async def _models(self, request: HttpRequest, record: RecordedRequest, out: Any) -> bool:
        if "anthropic-version" in request.headers:
            fmt_cls: type[WireFormat] = AnthropicFormat
        elif "x-goog-api-key" in request.headers or "key" in request.query:
            fmt_cls = GeminiFormat
        else:
            fmt_cls = OpenAIFormat
        record.provider = fmt_cls.provider
        if self.models_error is not None:
            failure = _with_echoed_key(self.models_error, request)
            return await self._http_error(fmt_cls, failure, record, out)
        await out.send_json(200, fmt_cls.models_body(self.model_ids[fmt_cls.provider]))
        record.completed = True
        return True

    async def _whole(self, fmt: WireFormat, record: RecordedRequest, out: ResponseWriter) -> bool:
        """Non-streaming: wait as long as generating would take, then send one JSON reply."""
        s = fmt.scenario
        await asyncio.sleep(s.ttft_s + s.delay_s * len(s.deltas))
        if s.fault is Fault.STALL:
            await asyncio.sleep(s.stall_s)
        if s.fault in (Fault.DROP_FIN, Fault.DROP_RST):
            out.close_rst() if s.fault is Fault.DROP_RST else out.close_fin()
            return False
        record.t_headers_sent = clock()
        if s.fault is Fault.MALFORMED:
            await out.send_body(200, b'{"this is not json', "application/json")
        elif s.fault is Fault.ERROR_EVENT:
            error = fmt.error_body(500, s.error_type or fmt.overloaded_type, s.error_message)
            await out.send_json(500, error)
        else:
            await out.send_json(200, s.json_body or fmt.json_reply())
        record.t_end, record.completed = clock(), True
        return True

    async def _stream(self, fmt: WireFormat, record: RecordedRequest, out: ResponseWriter) -> bool:
        s = fmt.scenario
        await out.start_chunked()
        record.t_headers_sent = clock()
        await self._send(out, fmt.start(), s)
        if s.ttft_s:
            await asyncio.sleep(s.ttft_s)
        deltas = s.deltas
        first_at = clock()
        for index, (kind, piece) in enumerate(deltas):
            if index == s.fault_after and (ended := await self._fault(fmt, out)) is not None:
                return ended
            if index and s.delay_s and s.paced:
                # On a schedule: a sleep per delta overshoots (by ~0.1 ms here), which at
                # thousands of deltas a second would be a much slower stream.
                await asyncio.sleep(max(0.0, first_at + index * s.delay_s - clock()))
            elif index and s.delay_s:
                await asyncio.sleep(s.delay_s)
            data = fmt.delta(kind, piece)
            record.delta_sent_at.append(clock())
            await self._send(out, data, s)
        if s.fault_after >= len(deltas) and (ended := await self._fault(fmt, out)) is not None:
            return ended
        await self._send(out, fmt.finish(), s)
        await out.end_chunked()
        record.t_end, record.completed = clock(), True
        return True

    async def _fault(self, fmt: WireFormat, out: ResponseWriter) -> bool | None:
        """Act out the scenario's fault; a bool ends the response (keep-alive?), None goes on."""
        s = fmt.scenario
        match s.fault:
            case Fault.DROP_FIN:
                out.close_fin()
                return False
            case Fault.DROP_RST:
                out.close_rst()
                return False
            case Fault.NO_FINISH:
                await out.end_chunked()
                return True
            case Fault.ERROR_EVENT:
                await out.send_chunk(fmt.error_event())
                await out.end_chunked()
                return True
            case Fault.STALL:
                await asyncio.sleep(s.stall_s)
            case Fault.MALFORMED:
                await out.send_chunk(fmt.malformed())
        return None

    async def _send(self, out: ResponseWriter, data: bytes, scenario: Scenario) -> None:
        if not scenario.split_utf8 or len(data) < 2:
            await out.send_chunk(data)
            return
        cut = split_inside_utf8(data)
        await out.send_chunk(data[:cut])
        await asyncio.sleep(0.005)  # let the first half arrive as its own read
        await out.send_chunk(data[cut:])


def sent_key(request: HttpRequest) -> str:
    """The API key a request carried, in whichever header or query its provider uses."""
    authorization = request.headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        return authorization[len("bearer ") :]
    for header in ("x-api-key", "x-goog-api-key", "api-key"):
        if request.headers.get(header):
            return request.headers[header]
    return request.query.get("key", "")


def _with_echoed_key(scenario: Scenario, request: HttpRequest) -> Scenario:
    if not scenario.echo_key:
        return scenario
    return scenario.with_(error_message=f"{scenario.error_message}: {sent_key(request)}")
