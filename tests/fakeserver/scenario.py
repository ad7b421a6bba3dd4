"""What the fake server does for one generation request: the reply and any fault in it."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

DEFAULT_TOKENS: tuple[str, ...] = ("Hello", ",", " world", "!")


class Fault(enum.StrEnum):
    """Something going wrong after `Scenario.fault_after` deltas have been sent."""

    DROP_FIN = "drop_fin"  # close the socket cleanly mid-body (FIN)
    DROP_RST = "drop_rst"  # reset the connection (SO_LINGER 0, RST)
    NO_FINISH = "no_finish"  # end the body cleanly but send no finish/usage/[DONE]
    ERROR_EVENT = "error_event"  # the provider's own error event mid-stream
    STALL = "stall"  # no bytes for `stall_s`, then carry on
    MALFORMED = "malformed"  # an SSE data line that is not JSON, then carry on


class Finish(enum.StrEnum):
    """Provider-neutral finish; each format maps it to its own word."""

    STOP = "stop"
    LENGTH = "length"
    CONTENT_FILTER = "content_filter"


@dataclass(frozen=True, slots=True)
class Scenario:
    """One scripted reply. Build with the class methods for the common cases.

    Delays are in seconds: `ttft_s` before the first delta (headers go out at once, like real
    servers), `delay_s` between deltas. Reasoning deltas come first, then text deltas; each
    token is one delta (one SSE event).
    """

    tokens: Sequence[str] = DEFAULT_TOKENS
    reasoning: Sequence[str] = ()
    ttft_s: float = 0.0
    delay_s: float = 0.0
    finish: Finish = Finish.STOP
    usage: bool = True  # OpenAI/Gemini: include token usage (Anthropic always has it)
    input_tokens: int = 11
    cached_tokens: int = 0  # of input_tokens, read from the prompt cache (reported if > 0)
    output_tokens: int | None = None  # default: number of deltas
    fault: Fault | None = None
    fault_after: int = 0  # deltas sent before the fault
    stall_s: float = 0.0
    error_type: str | None = None  # for ERROR_EVENT and HTTP errors: provider's error type
    error_message: str = "scripted failure"
    # The error (HTTP error body, mid-stream error event) ends with the API key the request
    # carried, as a server that echoes it back does ("Incorrect API key provided: sk-...").
    echo_key: bool = False
    # HTTP error instead of a reply (status != 200).
    status: int = 200
    retry_after: float | None = None  # Retry-After header, seconds
    split_utf8: bool = False  # write each event in two TCP chunks, splitting a UTF-8 sequence
    # Answer a streaming request with the whole JSON reply, as gateways that cannot stream a
    # route do (LiteLLM's mock mode for Anthropic Messages).
    json_for_stream: bool = False
    failed_event: bool = False  # Responses: ERROR_EVENT sends `response.failed`, not `error`
    json_body: Mapping[str, Any] | None = None  # a whole reply's body, in place of the format's
    paced: bool = False  # send delta i at `i * delay_s` after the first (a steady rate)

    # ---- constructors for the common cases ------------------------------------------------

    @classmethod
    def text(
        cls, tokens: Sequence[str] = DEFAULT_TOKENS, *, tokens_per_s: float | None = None, **kw
    ) -> Scenario:
        delay = kw.pop("delay_s", 0.0)
        if tokens_per_s:
            delay = 1 / tokens_per_s
        return cls(tokens=tuple(tokens), delay_s=delay, **kw)

    @classmethod
    def reasoning_then_text(
        cls, reasoning: Sequence[str], tokens: Sequence[str] = DEFAULT_TOKENS, **kw
    ) -> Scenario:
        return cls(tokens=tuple(tokens), reasoning=tuple(reasoning), **kw)

    @classmethod
    def drop(cls, after: int = 2, *, rst: bool = False, **kw) -> Scenario:
        return cls(fault=Fault.DROP_RST if rst else Fault.DROP_FIN, fault_after=after, **kw)

    @classmethod
    def no_finish(cls, **kw) -> Scenario:
        return cls(fault=Fault.NO_FINISH, fault_after=len(kw.get("tokens", DEFAULT_TOKENS)), **kw)

    @classmethod
    def error_event(
        cls, after: int = 2, error_type: str | None = None, message: str = "Overloaded", **kw
    ) -> Scenario:
        """Mid-stream error event; `error_type` None picks the format's overloaded type."""
        return cls(
            fault=Fault.ERROR_EVENT,
            fault_after=after,
            error_type=error_type,
            error_message=message,
            **kw,
        )

    @classmethod
    def stall(cls, seconds: float, after: int = 1, **kw) -> Scenario:
        return cls(fault=Fault.STALL, fault_after=after, stall_s=seconds, **kw)

    @classmethod
    def malformed(cls, after: int = 1, **kw) -> Scenario:
        return cls(fault=Fault.MALFORMED, fault_after=after, **kw)

    @classmethod
    def http_error(
        cls,
        status: int,
        *,
        retry_after: float | None = None,
        message: str | None = None,
        error_type: str | None = None,
        echo_key: bool = False,
    ) -> Scenario:
        return cls(
            status=status,
            retry_after=retry_after,
            error_message=message or f"scripted HTTP {status}",
            error_type=error_type,
            echo_key=echo_key,
        )

    @classmethod
    def big_delta(cls, size: int = 200_000) -> Scenario:
        return cls(tokens=("start ", "x" * size, " end"))

    @classmethod
    def emoji_split(cls) -> Scenario:
        return cls(
            tokens=("caf\u00e9 ", "\U0001f600", " na\u00efve ", "\u65e5\u672c"), split_utf8=True
        )

    @classmethod
    def json_instead_of_stream(cls, **kw) -> Scenario:
        return cls(json_for_stream=True, **kw)

    def with_(self, **changes) -> Scenario:
        return replace(self, **changes)

    # ---- derived ----------------------------------------------------------------------------

    @property
    def deltas(self) -> list[tuple[str, str]]:
        """("reasoning" | "text", piece) in sending order."""
        return [("reasoning", r) for r in self.reasoning] + [("text", t) for t in self.tokens]

    @property
    def full_text(self) -> str:
        return "".join(self.tokens)

    @property
    def full_reasoning(self) -> str:
        return "".join(self.reasoning)

    @property
    def completion_tokens(self) -> int:
        return self.output_tokens if self.output_tokens is not None else len(self.deltas)

    def text_before_fault(self) -> str:
        """The text the client should have received before the fault (text deltas only)."""
        sent = self.deltas[: self.fault_after] if self.fault else self.deltas
        return "".join(piece for kind, piece in sent if kind == "text")
