"""Gemini over the `google.genai` async client (`client.aio.models`).

Transport: google-genai's async client silently switches to aiohttp whenever aiohttp can be
imported (textual-dev pulls it in), and its aiohttp path sleeps 1-10 s and retries on
connection errors by itself. So the same install could behave differently for a developer and
a user. We pin httpx2 by passing our own `httpx2.AsyncClient` (`HttpOptions.
httpx_async_client`), which makes the SDK's `_use_aiohttp()` false. That client's hooks
also set the timeouts (connect, and per-read idle) and record the responses it opens, so a
stream can be closed for sure: the SDK has no close handle, and closing its generator does
not close the HTTP response.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator, Iterator
from contextvars import ContextVar
from typing import Any, ClassVar

import httpx2
from google import genai
from google.genai import types

from chat_tui.attachments import text_part
from chat_tui.providers.base import (
    ChatMessage,
    ChatRequest,
    Finish,
    FinishReason,
    ReasoningDelta,
    Reply,
    StreamEvent,
    TextDelta,
    Usage,
)
from chat_tui.providers.errors import to_provider_error
from chat_tui.providers.proxies import direct_mounts
from chat_tui.providers.request_options import GEMINI, RequestOptions
from chat_tui.providers.sdk_adapter import EVENT_HOOKS, SdkAdapter

_FILTERED = {
    "SAFETY",
    "RECITATION",
    "BLOCKLIST",
    "PROHIBITED_CONTENT",
    "SPII",
    "IMAGE_SAFETY",
    "IMAGE_PROHIBITED_CONTENT",
    "IMAGE_RECITATION",
    "MODEL_ARMOR",
}
_NOT_A_FINISH = {"FINISH_REASON_UNSPECIFIED", "CONTINUATION"}
# Models that think (and so accept a thinking config); others may refuse one.
_THINKING_MODEL = re.compile(r"gemini-(2\.5|[3-9])|thinking", re.IGNORECASE)
_THINKING_LEVELS = {"minimal", "low", "medium", "high"}

# The responses opened by the stream running in this context (see _event_hooks).
_opened_responses: ContextVar[list[httpx2.Response] | None] = ContextVar(
    "chat_tui_gemini_opened_responses", default=None
)


def _event_hooks(
    *, connect_timeout_s: float, idle_timeout_s: float, whole_reply_timeout_s: float
) -> dict[str, list[Any]]:
    """Hooks of the httpx client the SDK is pinned to: our timeouts on every request, and the
    responses a stream opened remembered (hooks, not a transport of our own, so the default
    transport still honours HTTPS_PROXY and the other proxy variables)."""
    # The SDK passes its own (single, millisecond) timeout, or none: replace it so the connect
    # timeout and the per-read idle timeout differ, as for the other providers.
    stream_timeouts = {
        "connect": connect_timeout_s,
        "read": idle_timeout_s,
        "write": idle_timeout_s,
        "pool": connect_timeout_s,
    }
    # A whole (non-streaming) reply arrives in one piece after generation: allow longer.
    whole_timeouts = stream_timeouts | {"read": whole_reply_timeout_s}

    async def apply_timeouts(request: httpx2.Request) -> None:
        streaming = request.url.path.endswith(":streamGenerateContent")
        timeouts = stream_timeouts if streaming else whole_timeouts
        request.extensions = {**request.extensions, "timeout": timeouts}

    async def remember(response: httpx2.Response) -> None:
        opened = _opened_responses.get()
        if opened is not None:
            opened.append(response)

    return {
        "request": [apply_timeouts, *EVENT_HOOKS["request"]],
        "response": [remember, *EVENT_HOOKS["response"]],
    }


class GeminiProvider(SdkAdapter[genai.Client]):
    """Gemini through the Developer API. No retries (google-genai has none by default)."""

    request_options: ClassVar[RequestOptions] = GEMINI

    _http: httpx2.AsyncClient | None = None  # the client the SDK is pinned to

    def _make_client(self) -> genai.Client:
        hooks = _event_hooks(
            connect_timeout_s=self._connect_timeout_s,
            idle_timeout_s=self._idle_timeout_s,
            whole_reply_timeout_s=self._whole_reply_timeout_s,
        )
        mounts = direct_mounts(self.base_url)  # a server on loopback: never through a proxy
        self._http = httpx2.AsyncClient(event_hooks=hooks, mounts=mounts)
        options = types.HttpOptions(base_url=self.base_url, httpx_async_client=self._http)
        # vertexai=False: ignore GOOGLE_GENAI_USE_VERTEXAI, this is the Developer API.
        return genai.Client(vertexai=False, api_key=self._api_key, http_options=options)

    def _sdk(self) -> genai.client.AsyncClient:
        return self._client_for_loop().aio

    def _arguments(self, request: ChatRequest) -> dict[str, Any]:
        """Keyword arguments of `generate_content(_stream)` for `request`.

        The SDK converts every message field by field before sending: 0.15-0.3 ms a message,
        so 30 ms of TTFT in a 200-message conversation. The history is plain text already, so
        it travels in the wire format through the documented `HttpOptions.extra_body` (merged
        into the request body last), and the SDK converts only the last message, which that
        `contents` then replaces.
        """
        self._check_attachments(request, self.request_options)
        contents = [
            {"role": "model" if m.role == "assistant" else "user", "parts": _parts(m)}
            for m in request.messages
        ]
        config = types.GenerateContentConfig(
            system_instruction=request.system or None,
            temperature=request.temperature,
            max_output_tokens=_output_limit(request),
            thinking_config=self._thinking(request),
            http_options=types.HttpOptions(extra_body={"contents": contents}),
        )
        # The SDK is given the last message's text only: `extra_body` replaces what it makes
        # of it, and converting the attached files would re-encode their base64 for nothing.
        last = [
            {"role": content["role"], "parts": [{"text": request.messages[-1].text}]}
            for content in contents[-1:]
        ]
        return {"model": request.model, "contents": last, "config": config}

    @staticmethod
    def _thinking(request: ChatRequest) -> types.ThinkingConfig | None:
        wants_reasoning = request.reasoning_budget or request.reasoning_effort
        if not (wants_reasoning or _THINKING_MODEL.search(request.model)):
            return None
        thinking = types.ThinkingConfig(include_thoughts=True)
        if request.reasoning_budget:
            thinking.thinking_budget = request.reasoning_budget
        elif (request.reasoning_effort or "").lower() in _THINKING_LEVELS:
            thinking.thinking_level = types.ThinkingLevel(request.reasoning_effort.upper())
        return thinking

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        opened: list[httpx2.Response] = []
        _opened_responses.set(opened)
        try:
            chunks = await self._sdk().models.generate_content_stream(**self._arguments(request))
            async for chunk in chunks:
                for event in _chunk_events(chunk):
                    yield event
        except Exception as exc:
            raise to_provider_error(exc, self._context(request)) from exc
        finally:
            _opened_responses.set(None)
            for response in opened:  # closes the connection if the body was not read to the end
                with contextlib.suppress(httpx2.HTTPError, OSError):
                    await response.aclose()

    async def complete(self, request: ChatRequest) -> Reply:
        try:
            response = await self._sdk().models.generate_content(**self._arguments(request))
        except Exception as exc:
            raise to_provider_error(exc, self._context(request)) from exc
        text: list[str] = []
        reasoning: list[str] = []
        finish: Finish | None = None
        usage = Usage()
        for event in _chunk_events(response):
            match event:
                case TextDelta():
                    text.append(event.text)
                case ReasoningDelta():
                    reasoning.append(event.text)
                case Finish():
                    finish = event
                case Usage():
                    usage = event
        return Reply(text="".join(text), reasoning="".join(reasoning), usage=usage, finish=finish)

    async def list_models(self) -> list[str]:
        try:
            pager = await self._sdk().models.list()
            names = [
                (model.name or "").removeprefix("models/")
                async for model in pager
                if not model.supported_actions or "generateContent" in model.supported_actions
            ]
        except Exception as exc:
            raise to_provider_error(exc, self._context()) from exc
        return sorted(name for name in names if name)

    async def aclose(self) -> None:
        if self._client is not None:
            client, self._client = self._client, None
            await client.aio.aclose()
        if self._http is not None:
            http, self._http = self._http, None
            await http.aclose()


def _parts(message: ChatMessage) -> list[dict[str, Any]]:
    """A message's parts in the wire format: its text, then each image or PDF as
    `inline_data` (base64) and each text file as a text part."""
    parts: list[dict[str, Any]] = []
    if message.text or not message.attachments:
        parts.append({"text": message.text})
    for attachment in message.attachments:
        if attachment.kind == "text":
            parts.append({"text": text_part(attachment)})
        else:
            parts.append(
                {"inline_data": {"mime_type": attachment.media_type, "data": attachment.base64}}
            )
    return parts


def _chunk_events(chunk: types.GenerateContentResponse) -> Iterator[StreamEvent]:
    candidate = chunk.candidates[0] if chunk.candidates else None
    if candidate is not None and candidate.content and candidate.content.parts:
        for part in candidate.content.parts:
            if part.text:
                yield ReasoningDelta(part.text) if part.thought else TextDelta(part.text)
    if (usage := chunk.usage_metadata) is not None:
        thoughts = usage.thoughts_token_count
        visible = usage.candidates_token_count
        output = None if visible is None and thoughts is None else (visible or 0) + (thoughts or 0)
        yield Usage(
            input_tokens=usage.prompt_token_count,
            output_tokens=output,
            reasoning_tokens=thoughts,
            cache_read_tokens=usage.cached_content_token_count,
        )
    if candidate is not None and candidate.finish_reason:
        raw = _word(candidate.finish_reason)
        if raw not in _NOT_A_FINISH:
            yield Finish(_finish_reason(raw), raw)
    elif chunk.prompt_feedback is not None and chunk.prompt_feedback.block_reason:
        # The prompt itself was blocked: no candidates at all.
        yield Finish(FinishReason.CONTENT_FILTER, _word(chunk.prompt_feedback.block_reason))


def _word(value: Any) -> str:
    return str(getattr(value, "value", value))


def _finish_reason(raw: str) -> FinishReason:
    if raw == "STOP":
        return FinishReason.STOP
    if raw == "MAX_TOKENS":
        return FinishReason.LENGTH
    if raw in _FILTERED:
        return FinishReason.CONTENT_FILTER
    return FinishReason.OTHER


def _output_limit(request: ChatRequest) -> int | None:
    """Gemini counts thinking against `maxOutputTokens`: with a thinking budget, the limit the
    user set for the answer gets the budget on top (as Anthropic's max_tokens does), so a
    budget larger than the limit cannot leave the reply empty."""
    limit = request.max_output_tokens
    if limit is not None and request.reasoning_budget:
        return limit + request.reasoning_budget
    return limit
