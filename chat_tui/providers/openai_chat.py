"""OpenAI Chat Completions over `openai.AsyncOpenAI`: OpenAI itself and OpenAI-compatible
servers (Ollama, vLLM, LM Studio, OpenRouter) reached through a base URL.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any, ClassVar

import httpx2
import openai
from openai import AsyncStream
from openai.types.chat import ChatCompletion

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
from chat_tui.providers.errors import ErrorContext, to_provider_error
from chat_tui.providers.request_options import CHAT_COMPLETIONS, OpenAIApi, RequestOptions
from chat_tui.providers.sdk_adapter import (
    SdkAdapter,
    http_client_options,
    is_whole_json_reply,
    parse_whole_json_reply,
    reply_events,
)

# Servers that need no key still make the SDK want one; this never leaves for a real key.
NO_KEY_PLACEHOLDER = "no-key-needed"

_FINISH = {
    "stop": FinishReason.STOP,
    "length": FinishReason.LENGTH,
    "content_filter": FinishReason.CONTENT_FILTER,
    "tool_calls": FinishReason.TOOL_CALLS,
    "function_call": FinishReason.TOOL_CALLS,
}
# `chat.completions.create()` re-walks every message against the SDK's typed dicts before
# sending: 0.15 ms a message here, so 30 ms of TTFT in a 200-message conversation. The body
# is plain JSON already, so it goes through the client's public `post()` as `create()` would
# send it (same path, same bearer auth), without that walk.
_CHAT_COMPLETIONS = "/chat/completions"
REQUEST_OPTIONS: dict[str, Any] = {"security": {"bearer_auth": True}}
# Compatible servers name the reasoning field differently (DeepSeek/vLLM vs OpenRouter/Ollama).
_REASONING_FIELDS = ("reasoning_content", "reasoning")


class OpenAIChatProvider(SdkAdapter[openai.AsyncOpenAI]):
    """One OpenAI or OpenAI-compatible target. SDK retries are off: the engine retries."""

    api: ClassVar[OpenAIApi] = "chat"
    request_options: ClassVar[RequestOptions] = CHAT_COMPLETIONS

    def __init__(self, *, compatible: bool = False, **connection: Any) -> None:
        super().__init__(**connection)  # see SdkAdapter.__init__
        self._compatible = compatible  # an OpenAI-compatible server, not OpenAI itself
        self._usage_option = True  # send stream_options.include_usage (see _open_stream)

    def _make_client(self) -> openai.AsyncOpenAI:
        return openai.AsyncOpenAI(
            api_key=self._api_key or NO_KEY_PLACEHOLDER,
            base_url=self.base_url,
            max_retries=0,
            timeout=httpx2.Timeout(self._idle_timeout_s, connect=self._connect_timeout_s),
            http_client=openai.DefaultAsyncHttpxClient(**http_client_options(self.base_url)),
        )

    def _context(self, request: ChatRequest | None = None, **extra: Any) -> ErrorContext:
        return super()._context(request, openai_compatible=self._compatible, **extra)

    def _body(self, request: ChatRequest, *, stream: bool) -> dict[str, Any]:
        self._check_attachments(request, self.request_options)
        messages: list[dict[str, Any]] = []
        if request.system:
            messages.append({"role": "system", "content": request.system})
        messages.extend({"role": m.role, "content": _content(m)} for m in request.messages)
        body: dict[str, Any] = {"model": request.model, "messages": messages}
        if request.temperature is not None:
            body["temperature"] = request.temperature
        if request.max_output_tokens:
            # OpenAI's reasoning models refuse max_tokens; older compatible servers know only it.
            key = "max_tokens" if self._compatible else "max_completion_tokens"
            body[key] = request.max_output_tokens
        if request.reasoning_effort:
            body["reasoning_effort"] = request.reasoning_effort
        if stream:
            body["stream"] = True
            if self._usage_option:
                body["stream_options"] = {"include_usage": True}
        return body

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        try:
            chunks = await self._open_stream(request)
            # `async with` closes the HTTP response on cancel or aclose: the server sees it.
            async with chunks:
                if is_whole_json_reply(chunks.response):  # a server that does not stream
                    completion = await parse_whole_json_reply(
                        chunks.response, self._context(request), ChatCompletion.model_validate
                    )
                    for event in reply_events(_reply(completion)):
                        yield event
                    return
                async for chunk in chunks:
                    for event in _chunk_events(chunk):
                        yield event
        except Exception as exc:
            raise to_provider_error(exc, self._context(request)) from exc

    async def _open_stream(self, request: ChatRequest) -> AsyncStream[Any]:
        try:
            return await self._post_stream(request)
        except openai.APIStatusError as exc:
            if not (self._usage_option and _refuses_usage_option(exc)):
                raise
        # Strict or older compatible servers refuse `stream_options`: ask again without it
        # (token counts are then estimated), and from now on never send it to this server.
        self._usage_option = False
        return await self._post_stream(request)

    async def _post_stream(self, request: ChatRequest) -> AsyncStream[Any]:
        return await self._client_for_loop().post(
            _CHAT_COMPLETIONS,
            body=self._body(request, stream=True),
            cast_to=ChatCompletion,
            options=REQUEST_OPTIONS,
            stream=True,
            # Each chunk as the JSON object it arrived as (the SDK hands `object` through as
            # is; its SSE parsing and error events are unchanged). Building the typed
            # `ChatCompletionChunk` cost 0.1 ms a chunk here, 1.9 CPU-s for 20,000 tokens
            # against 0.4 s without: half a core at 5,000 tokens/s.
            stream_cls=AsyncStream[object],
        )

    async def complete(self, request: ChatRequest) -> Reply:
        try:
            completion = await self._client_for_loop().post(
                _CHAT_COMPLETIONS,
                body=self._body(request, stream=False),
                cast_to=ChatCompletion,
                options=REQUEST_OPTIONS | {"timeout": self._whole_reply_timeout()},
            )
        except Exception as exc:
            raise to_provider_error(exc, self._context(request)) from exc
        return _reply(completion)

    async def list_models(self) -> list[str]:
        try:
            page = await self._client_for_loop().models.list()
            return sorted([model.id async for model in page])
        except Exception as exc:
            raise to_provider_error(exc, self._context()) from exc

    async def aclose(self) -> None:
        if self._client is not None:
            client, self._client = self._client, None
            await client.close()


def _content(message: ChatMessage) -> str | list[dict[str, Any]]:
    """A message's content: its text, or (with attached files) a list of parts: the text,
    then each image as a data URL and each text file as a text part."""
    if not message.attachments:
        return message.text
    parts: list[dict[str, Any]] = []
    if message.text:
        parts.append({"type": "text", "text": message.text})
    for attachment in message.attachments:
        if attachment.kind == "image":
            parts.append({"type": "image_url", "image_url": {"url": attachment.data_url}})
        else:  # text (PDFs were refused before: see _body)
            parts.append({"type": "text", "text": text_part(attachment)})
    return parts


def _reply(completion: ChatCompletion) -> Reply:
    usage = _usage(completion.usage) if completion.usage else Usage()
    if not completion.choices:
        return Reply(text="", usage=usage)
    choice = completion.choices[0]
    return Reply(
        text=choice.message.content or "",
        reasoning=_reasoning_of(choice.message) or "",
        usage=usage,
        finish=_finish(choice.finish_reason),
    )


def _chunk_events(chunk: Any) -> Iterator[StreamEvent]:
    """The events in one streamed chunk, a JSON object (see `_post_stream`)."""
    if not isinstance(chunk, dict):
        return
    # The usage chunk (stream_options.include_usage) has `choices == []`.
    choices = chunk.get("choices")
    choice = choices[0] if isinstance(choices, list) and choices else None
    if isinstance(choice, dict):
        delta = choice.get("delta")
        if isinstance(delta, dict):
            if reasoning := _reasoning_in(delta):
                yield ReasoningDelta(reasoning)
            content = delta.get("content")
            if isinstance(content, str) and content:  # the first is often role-only
                yield TextDelta(content)
    if isinstance(usage := chunk.get("usage"), dict):
        details = usage.get("completion_tokens_details")
        yield Usage(
            input_tokens=usage.get("prompt_tokens"),
            output_tokens=usage.get("completion_tokens"),
            reasoning_tokens=details.get("reasoning_tokens") if isinstance(details, dict) else None,
        )
    if isinstance(choice, dict) and (finish := _finish(choice.get("finish_reason"))):
        yield finish


def _refuses_usage_option(exc: openai.APIStatusError) -> bool:
    """A 400/422 that names `stream_options`: the server does not know the option."""
    return exc.status_code in (400, 422) and "stream_options" in f"{exc.message} {exc.body}"


def _reasoning_of(message: Any) -> str | None:
    """Reasoning text some servers add; not in the SDK's types, so read the extra fields."""
    return _reasoning_in(getattr(message, "model_extra", None) or {})


def _reasoning_in(fields: dict[str, Any]) -> str | None:
    for field in _REASONING_FIELDS:
        value = fields.get(field)
        if isinstance(value, str) and value:
            return value
    return None


def _usage(usage: Any) -> Usage:
    details = getattr(usage, "completion_tokens_details", None)
    prompt_details = getattr(usage, "prompt_tokens_details", None)
    return Usage(
        input_tokens=usage.prompt_tokens,
        output_tokens=usage.completion_tokens,
        reasoning_tokens=getattr(details, "reasoning_tokens", None),
        cache_read_tokens=getattr(prompt_details, "cached_tokens", None),
    )


def _finish(raw: str | None) -> Finish | None:
    if not raw:
        return None
    return Finish(_FINISH.get(raw, FinishReason.OTHER), raw)
