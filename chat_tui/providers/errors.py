"""The one place that turns SDK and transport exceptions into `ProviderError`s.

Adapters wrap their calls in `except Exception as exc: raise to_provider_error(exc, ctx)`.
`asyncio.CancelledError` is a BaseException and never passes through here.

SDK classes are looked up in `sys.modules` rather than imported, so mapping an OpenAI error
does not import the Anthropic or Gemini SDK.
"""

from __future__ import annotations

import email.utils
import json
import re
import ssl
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx2

from chat_tui.config import setting_key
from chat_tui.providers.base import FailureKind, ProviderError

_DETAIL_LIMIT = 240
_CONTEXT_WORDS = re.compile(
    r"context.length|context.window|request_too_large|prompt is too long|too many tokens|"
    r"maximum context|exceeds the maximum number of tokens|input token count",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class ErrorContext:
    """What the messages need to be specific: who we talked to and where the key came from."""

    label: str  # "OpenAI", "Ollama (local)"
    key_source: str  # "OPENAI_API_KEY", "profile 'work' (api_key_command)", "no key needed"
    base_url: str | None = None
    model: str | None = None
    connect_timeout_s: float | None = None
    idle_timeout_s: float | None = None
    openai_compatible: bool = False  # a 404 may mean the base URL lacks /v1
    responses_api: bool = False  # a 404 may mean the server has no /responses
    proxy: str | None = (
        None  # the proxy requests go through, e.g. "http://p:3128 (from HTTPS_PROXY)"
    )
    # The attached files the request carried ("photo.png (1.2 MB)"): a 400 then names them.
    attachments: tuple[str, ...] = ()
    # The key in use: a server that echoes it in an error body must not get it shown or saved.
    secret: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class _StatusFailure:
    status: int | None  # None: an error event in a stream
    error_type: str  # provider's own word ("overloaded_error", "RESOURCE_EXHAUSTED"), lower-case
    detail: str
    retry_after: float | None


def to_provider_error(exc: BaseException, ctx: ErrorContext) -> ProviderError:
    error = _map(exc, ctx)
    if ctx.secret and len(ctx.secret) >= 8 and ctx.secret in error.message:
        error.message = error.message.replace(ctx.secret, "[key hidden]")
        error.args = (error.message,)
    return error


def _map(exc: BaseException, ctx: ErrorContext) -> ProviderError:
    if isinstance(exc, ProviderError):
        return exc
    failure = _status_failure(exc)
    if failure is not None:
        return _from_status(failure, ctx)
    transport = _find_transport_error(exc)
    if transport is not None:
        return _from_transport(transport, ctx)
    if _is_bad_response(exc):
        return ProviderError(
            FailureKind.BAD_RESPONSE,
            f"{ctx.label} sent a reply chat-tui could not read ({_detail(exc)}).",
        )
    if _is_sdk_connection_error(exc):
        return ProviderError(
            FailureKind.CONNECTION_LOST, f"The connection to {ctx.label} failed: {_detail(exc)}"
        )
    return ProviderError(
        FailureKind.BAD_RESPONSE,
        f"Unexpected error from {ctx.label}: {type(exc).__name__}: {_detail(exc)}",
    )


# ---- HTTP status and error events ------------------------------------------------------------


def _status_failure(exc: BaseException) -> _StatusFailure | None:
    """Status, error type and detail from any SDK's API error (None if it is not one)."""
    if (openai := sys.modules.get("openai")) is not None and isinstance(exc, openai.APIError):
        if isinstance(exc, openai.APIConnectionError | openai.APIResponseValidationError):
            return None
        status = exc.status_code if isinstance(exc, openai.APIStatusError) else None
        headers = exc.response.headers if isinstance(exc, openai.APIStatusError) else {}
        error_type = exc.code or exc.type or ""
        # The SDK's message is "Error code: 401 - {whole body}"; the body's own is clearer.
        body_message = exc.body.get("message") if isinstance(exc.body, dict) else None
        if not (isinstance(body_message, str) and body_message):
            body_message = _event_stream_error(exc.body)
        detail = body_message or exc.message
        return _StatusFailure(status, error_type.lower(), detail, parse_retry_after(headers))
    anthropic = sys.modules.get("anthropic")
    if anthropic is not None and isinstance(exc, anthropic.APIStatusError):
        # A mid-stream error event arrives with the stream's own status, 200.
        status = None if exc.status_code == 200 else exc.status_code
        detail = exc.api_message or exc.message
        retry = parse_retry_after(exc.response.headers)
        return _StatusFailure(status, (exc.type or "").lower(), detail, retry)
    genai_errors = sys.modules.get("google.genai.errors")
    if genai_errors is not None and isinstance(exc, genai_errors.APIError):
        headers = getattr(exc.response, "headers", None) or {}
        retry = parse_retry_after(headers) or _gemini_retry_delay(exc.details)
        detail = exc.message or str(exc)
        return _StatusFailure(exc.code or None, (exc.status or "").lower(), detail, retry)
    return None


def _from_status(failure: _StatusFailure, ctx: ErrorContext) -> ProviderError:
    status, kind_word, detail = failure.status, failure.error_type, clip(failure.detail)
    if detail and detail[-1] not in ".!?)":
        detail += "."
    code = f" ({status})" if status else ""
    where = f" at {ctx.base_url}" if ctx.base_url else ""

    def error(kind: FailureKind, message: str) -> ProviderError:
        return ProviderError(kind, message, status=status, retry_after=failure.retry_after)

    if status == 529 or "overloaded" in kind_word or "overloaded" in detail.lower():
        return error(FailureKind.OVERLOADED, f"{ctx.label} is overloaded right now{code}.")
    if kind_word == "insufficient_quota":
        return error(
            FailureKind.AUTH,
            f"{ctx.label} says the account is out of quota{code}: {detail} "
            f"Check billing for the key in {ctx.key_source}.",
        )
    if status == 401 or kind_word in {"authentication_error", "unauthenticated", "invalid_api_key"}:
        return error(
            FailureKind.AUTH,
            f"{ctx.label} rejected the API key{code}: {detail} Check {ctx.key_source}.",
        )
    if "api key not valid" in detail.lower() or "api_key_invalid" in detail.lower():
        return error(
            FailureKind.AUTH, f"{ctx.label} rejected the API key: {detail} Check {ctx.key_source}."
        )
    if status == 403 or kind_word in {"permission_error", "permission_denied"}:
        return error(
            FailureKind.AUTH,
            f"{ctx.label} refused access{code}: {detail} "
            f"Check that the key in {ctx.key_source} may use this model.",
        )
    if status == 413 or _CONTEXT_WORDS.search(f"{kind_word} {detail}"):
        model = f" for {ctx.model}" if ctx.model else ""
        return error(
            FailureKind.CONTEXT_TOO_LONG,
            f"The conversation is too long{model}: start a new conversation, or pick a model "
            f"with a larger context window. ({detail})",
        )
    if status == 429 or kind_word in {
        "rate_limit_error",
        "rate_limit_exceeded",
        "resource_exhausted",
    }:
        # The server's wait travels as `retry_after`, not as words: "retry after 1 s" read
        # after the retries is long past (the give-up note says when to try again).
        return error(FailureKind.RATE_LIMITED, f"{ctx.label} rate limit reached{code}.")
    if status == 404 and ctx.openai_compatible and not _has_version_segment(ctx.base_url):
        suggestion = (ctx.base_url or "").rstrip("/") + "/v1"
        return error(
            FailureKind.CONFIG,
            f"{ctx.label} answered 404 Not Found{where}. OpenAI-compatible servers usually "
            f"need the base URL to end in /v1: try {suggestion}",
        )
    if status == 404 and ctx.responses_api and kind_word != "model_not_found":
        return error(
            FailureKind.CONFIG,
            f"{ctx.label} answered 404 Not Found for /responses{where}: this server may not "
            'offer the Responses API. Set api = "chat" for it (under [providers.openai], or '
            "in its profile) to use Chat Completions.",
        )
    if status == 404 or kind_word in {"not_found_error", "not_found", "model_not_found"}:
        return error(
            FailureKind.MODEL_NOT_FOUND,
            f"Model '{ctx.model}' was not found{where}: {detail} Pick another model.",
        )
    if status == 408 or kind_word in {"timeout_error", "deadline_exceeded"}:
        return error(FailureKind.TIMEOUT, f"{ctx.label} timed out{code}: {detail}")
    if status in (400, 422) or kind_word in {"invalid_request_error", "invalid_argument"}:
        if ctx.attachments:
            return error(FailureKind.BAD_REQUEST, _refused_attachments(ctx, code, detail))
        return error(FailureKind.BAD_REQUEST, f"{ctx.label} refused the request{code}: {detail}")
    if status is None or status >= 500:
        hint = ""
        if ctx.responses_api and "stream" in detail.lower():
            # A gateway that serves /responses whole but cannot stream it (LiteLLM's mock mode).
            hint = ' It may not stream the Responses API: turn streaming off, or set api = "chat".'
        return error(
            FailureKind.SERVER_ERROR, f"{ctx.label} had a server error{code}: {detail}{hint}"
        )
    return error(FailureKind.BAD_REQUEST, f"{ctx.label} refused the request{code}: {detail}")


def _refused_attachments(ctx: ErrorContext, code: str, detail: str) -> str:
    """A 400 for a request with attached files: most often the model takes no such file (no
    vision, no documents), so say so and name them."""
    model = f" {ctx.model}" if ctx.model else " the model"
    return (
        f"{ctx.label} refused the request with attachments ({', '.join(ctx.attachments)})"
        f"{code}: {detail} The model{model.rstrip()} may not take this kind of file: remove "
        "the attachment, or pick a model that does (one with vision for images)."
    )


def _event_stream_error(body: object) -> str | None:
    """The message of an error sent as a server-sent event in an error response's body (LiteLLM
    answers a streaming Responses request it cannot serve so: a 500 whose body is
    `data: {"error": {"message": ...}}`); None if there is none."""
    if not isinstance(body, str):
        return None
    for line in body.splitlines():
        if not line.startswith("data:"):
            continue
        try:
            data = json.loads(line.removeprefix("data:"))
        except ValueError:
            continue
        error = data.get("error") if isinstance(data, dict) else None
        message = error.get("message") if isinstance(error, dict) else None
        if isinstance(message, str) and message:
            return message
    return None


def _has_version_segment(base_url: str | None) -> bool:
    path = urlsplit(base_url or "").path
    return any(re.fullmatch(r"v\d+\w*", segment) for segment in path.split("/"))


def parse_retry_after(headers: Mapping[str, str] | Any) -> float | None:
    """Seconds to wait from `retry-after-ms` or `retry-after` (seconds or an HTTP date)."""
    try:
        milliseconds = headers.get("retry-after-ms")
        if milliseconds is not None:
            return max(float(milliseconds) / 1000, 0.0)
        value = headers.get("retry-after")
    except (AttributeError, TypeError, ValueError):
        return None
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(moment.timestamp() - time.time(), 0.0)


def _gemini_retry_delay(details: Any) -> float | None:
    """Gemini puts the wait in the body: error.details[] RetryInfo {"retryDelay": "37s"}."""
    error = details.get("error", details) if isinstance(details, dict) else None
    for item in (error or {}).get("details", []) or []:
        delay = item.get("retryDelay") if isinstance(item, dict) else None
        if isinstance(delay, str) and delay.endswith("s"):
            try:
                return float(delay[:-1])
            except ValueError:
                return None
    return None


# ---- transport ------------------------------------------------------------------------------


def _find_transport_error(exc: BaseException) -> BaseException | None:
    """The httpx2 (or socket-level) error at the root of `exc`, following causes."""
    seen: BaseException | None = exc
    for _ in range(6):
        if seen is None:
            return None
        if isinstance(seen, httpx2.TransportError | ssl.SSLError | ConnectionError):
            return seen
        if type(seen).__name__ == "EndOfStream":  # anyio: the peer closed the stream
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _from_transport(exc: BaseException, ctx: ErrorContext) -> ProviderError:
    host = urlsplit(ctx.base_url).netloc if ctx.base_url else ctx.label
    stalled = isinstance(exc, httpx2.TimeoutException) and not isinstance(
        exc, httpx2.ConnectTimeout
    )
    if ctx.proxy is not None and not (stalled or isinstance(exc, ssl.SSLError)):
        return _through_proxy(exc, ctx, host)
    if isinstance(exc, httpx2.ConnectTimeout):
        wait = f" within {ctx.connect_timeout_s:g} s" if ctx.connect_timeout_s else ""
        return ProviderError(
            FailureKind.CONNECTION_FAILED,
            f"Could not connect to {ctx.label} ({host}){wait}. Check the network and base URL.",
        )
    if isinstance(exc, httpx2.ConnectError | ConnectionRefusedError):
        return ProviderError(
            FailureKind.CONNECTION_FAILED,
            f"Could not connect to {ctx.label} ({host}): {_detail(exc)}. Is the server "
            "running, and is the base URL right?",
        )
    if isinstance(exc, httpx2.UnsupportedProtocol | httpx2.InvalidURL):
        return ProviderError(
            FailureKind.CONFIG, f"The base URL for {ctx.label} is not usable: {_detail(exc)}"
        )
    if isinstance(exc, httpx2.TimeoutException):
        wait = f" for {ctx.idle_timeout_s:g} s" if ctx.idle_timeout_s else ""
        return ProviderError(
            FailureKind.TIMEOUT,
            f"{ctx.label} sent nothing{wait}: the reply stalled. Try again, or raise "
            f"{setting_key('idle_timeout_s')} in the config file.",
        )
    return ProviderError(
        FailureKind.CONNECTION_LOST,
        f"The connection to {ctx.label} was lost mid-reply ({_detail(exc)}).",
    )


def _through_proxy(exc: BaseException, ctx: ErrorContext, host: str) -> ProviderError:
    """A transport failure on the way through a proxy: name the proxy, not the provider."""
    go_direct = f"Check the proxy, or add {urlsplit(ctx.base_url or '').hostname} to NO_PROXY."
    if isinstance(exc, httpx2.ProxyError):  # the proxy answered, and refused
        return ProviderError(
            FailureKind.CONNECTION_FAILED,
            f"The proxy {ctx.proxy} refused the connection to {ctx.label} ({host}): "
            f"{_detail(exc)}. {go_direct}",
        )
    if isinstance(exc, httpx2.ConnectError | httpx2.ConnectTimeout | ConnectionRefusedError):
        return ProviderError(
            FailureKind.CONNECTION_FAILED,
            f"Could not connect to the proxy {ctx.proxy} on the way to {ctx.label}: "
            f"{_detail(exc)}. Is the proxy running? {go_direct}",
        )
    return ProviderError(
        FailureKind.CONNECTION_LOST,
        f"The connection to {ctx.label} through the proxy {ctx.proxy} was lost "
        f"({_detail(exc)}). {go_direct}",
    )


def _is_sdk_connection_error(exc: BaseException) -> bool:
    for name in ("openai", "anthropic"):
        module = sys.modules.get(name)
        if module is not None and isinstance(exc, module.APIConnectionError):
            return True
    return False


def _is_bad_response(exc: BaseException) -> bool:
    if isinstance(exc, json.JSONDecodeError | UnicodeDecodeError):
        return True
    if (genai_errors := sys.modules.get("google.genai.errors")) is not None and isinstance(
        exc, genai_errors.UnknownApiResponseError
    ):
        return True
    if (pydantic := sys.modules.get("pydantic")) is not None and isinstance(
        exc, pydantic.ValidationError
    ):
        return True
    return any(
        (module := sys.modules.get(name)) is not None
        and isinstance(exc, module.APIResponseValidationError)
        for name in ("openai", "anthropic")
    )


def _detail(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return clip(text)


def clip(text: str) -> str:
    """`text` on one line, cut to a length fit for a message."""
    text = " ".join(str(text).split())
    return text if len(text) <= _DETAIL_LIMIT else text[: _DETAIL_LIMIT - 1] + "…"
