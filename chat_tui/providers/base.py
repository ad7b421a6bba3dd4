"""The provider interface: what the rest of the app knows about talking to a model.

Adapters turn each SDK's stream into the small set of typed events below and map every SDK
failure to one `ProviderError` with a `FailureKind`. Nothing outside `chat_tui.providers`
imports an SDK.
"""

from __future__ import annotations

import enum
from collections.abc import AsyncIterator, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

from chat_tui.attachments import Attachment

Role = Literal["user", "assistant"]


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """One earlier turn sent as context. Reasoning text is never part of it; a user turn's
    attached files are (they are resent with the history)."""

    role: Role
    text: str
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True, slots=True)
class ChatRequest:
    """Everything a provider needs for one reply."""

    model: str
    messages: tuple[ChatMessage, ...]
    system: str | None = None
    temperature: float | None = None
    max_output_tokens: int | None = None
    # "low" / "medium" / "high" for providers with an effort knob; a token budget for the others.
    reasoning_effort: str | None = None
    reasoning_budget: int | None = None

    @property
    def attachments(self) -> tuple[Attachment, ...]:
        """Every file attached anywhere in the messages sent."""
        return tuple(a for message in self.messages for a in message.attachments)


# ---- stream events -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TextDelta:
    text: str


@dataclass(frozen=True, slots=True)
class ReasoningDelta:
    text: str


@dataclass(frozen=True, slots=True)
class Usage:
    """Token counts as the provider reported them (None where it did not).

    Input includes the prompt-cache reads and writes, and output the reasoning: the parts are
    counted again separately because they are priced differently."""

    input_tokens: int | None = None
    output_tokens: int | None = None
    reasoning_tokens: int | None = None
    cache_read_tokens: int | None = None
    cache_write_tokens: int | None = None


class FinishReason(enum.StrEnum):
    STOP = "stop"
    LENGTH = "length"  # stopped at the output token limit
    CONTENT_FILTER = "content_filter"  # safety / content filtering
    TOOL_CALLS = "tool_calls"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Finish:
    reason: FinishReason
    raw: str | None = None  # the provider's own word for it, for the record


StreamEvent = TextDelta | ReasoningDelta | Usage | Finish


@dataclass(frozen=True, slots=True)
class Reply:
    """A whole reply, from a non-streaming call."""

    text: str
    reasoning: str = ""
    usage: Usage = field(default_factory=Usage)
    finish: Finish | None = None


# ---- failures -------------------------------------------------------------------------------


class FailureKind(enum.StrEnum):
    AUTH = "auth"
    RATE_LIMITED = "rate_limited"
    OVERLOADED = "overloaded"
    SERVER_ERROR = "server_error"
    CONNECTION_LOST = "connection_lost"
    CONNECTION_FAILED = "connection_failed"  # never connected: refused, DNS
    TIMEOUT = "timeout"
    BAD_RESPONSE = "bad_response"  # malformed stream, unexpected shape
    CONTEXT_TOO_LONG = "context_too_long"
    MODEL_NOT_FOUND = "model_not_found"
    BAD_REQUEST = "bad_request"
    CONFIG = "config"  # no key, bad base URL, missing package

    @property
    def retryable(self) -> bool:
        """Worth retrying automatically, when nothing of the reply has arrived yet."""
        return self in _RETRYABLE


_RETRYABLE = frozenset({FailureKind.RATE_LIMITED, FailureKind.OVERLOADED, FailureKind.SERVER_ERROR})


class ProviderError(Exception):
    """A failure talking to a provider, with a message fit to show the user."""

    def __init__(
        self,
        kind: FailureKind,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.status = status
        self.retry_after = retry_after

    def __repr__(self) -> str:
        return f"ProviderError({self.kind.value!r}, {self.message!r}, status={self.status})"


# ---- the protocol ---------------------------------------------------------------------------


@runtime_checkable
class Provider(Protocol):
    """One configured provider (or OpenAI-compatible profile).

    `stream()` must close its HTTP response when the iterating task is cancelled or the
    generator is closed, so the server stops generating. Adapters do not retry: the engine
    owns the single retry policy (SDK retries are turned off).

    A provider may also carry `price_source` (a `chat_tui.pricing.PriceSource`): where its
    replies' prices come from. Without one, its replies show no cost.
    """

    name: str  # "openai", "anthropic", "gemini", "simulated" or a profile name
    label: str  # shown to the user, e.g. "OpenAI" or "Ollama (local)"

    def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]: ...

    async def complete(self, request: ChatRequest) -> Reply: ...

    async def list_models(self) -> list[str]: ...

    async def aclose(self) -> None: ...


# ---- when the request went out and the reply came in ---------------------------------------


class WireTimes:
    """When one attempt's request went out, and when its reply's latest bytes were read, as
    the HTTP layer saw it.

    Stamps taken around the SDK call would also count the SDK's own work: building the request
    before anything is sent (1-3 ms) and decoding each event after its bytes have arrived
    (about 1 ms for the first). That is the client's time, not the provider's, and it differs
    from one SDK to the next, so TTFT and ITL are measured between these moments instead.
    Set for the task running a request by whoever runs it (the engine); an adapter with no
    network under it only says when it starts (`announce_request_sent`).
    """

    __slots__ = ("_clock", "_connecting_at", "_on_sent", "read_at", "sent_at")

    def __init__(self, clock: Callable[[], float], on_sent: Callable[[float], None]) -> None:
        self._clock = clock
        self._on_sent = on_sent  # called with sent_at whenever the client starts to wait
        self.sent_at: float | None = None
        self.read_at: float | None = None
        self._connecting_at: float | None = None

    def connecting(self) -> None:
        """A connection opens for the next request: its round trips are the network's time,
        so they count."""
        if self._connecting_at is None:
            self._connecting_at = self._clock()

    def handshaking(self) -> None:
        """A TLS handshake is under way: the client waits on the network from here."""
        self._on_sent(self._connecting_at if self._connecting_at is not None else self._clock())

    def request_sent(self) -> None:
        """The request's last byte is written. If an adapter sends another request (asking
        again in another form), the reply is timed from the last one."""
        at = self._connecting_at if self._connecting_at is not None else self._clock()
        self._connecting_at = None
        self.sent_at = at
        self._on_sent(at)

    def bytes_read(self) -> None:
        self.read_at = self._clock()


wire_times: ContextVar[WireTimes | None] = ContextVar("chat_tui_wire_times", default=None)


def announce_request_sent() -> None:
    """Called by an adapter once its request is out: the engine then counts TTFT from here,
    and the UI does its own work while the server is working rather than between the
    request's first bytes and its last."""
    times = wire_times.get()
    if times is not None:
        times.request_sent()
