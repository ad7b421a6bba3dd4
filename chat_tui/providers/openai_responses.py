"""OpenAI through the Responses API (`client.responses.create`): the `openai` provider's
default. OpenAI-compatible servers keep Chat Completions unless a profile says
`api = "responses"`.

The client, the models list, the key handling and the wire-time hooks are the Chat
Completions adapter's (one OpenAI client either way); only the request and its events differ.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any, ClassVar

import openai
from openai import AsyncStream
from openai.types.responses import Response

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
from chat_tui.providers.openai_chat import REQUEST_OPTIONS, OpenAIChatProvider
from chat_tui.providers.request_options import RESPONSES, OpenAIApi, RequestOptions
from chat_tui.providers.sdk_adapter import (
    is_whole_json_reply,
    parse_whole_json_reply,
    reply_events,
)

_INCOMPLETE = {
    "max_output_tokens": FinishReason.LENGTH,
    "content_filter": FinishReason.CONTENT_FILTER,
}
# Reasoning summaries come in parts; a blank line between parts keeps them apart on screen.
_PART_BREAK = "\n\n"
_RESPONSES = "/responses"


class OpenAIResponsesProvider(OpenAIChatProvider):
    """One OpenAI target through /responses. SDK retries are off: the engine retries."""

    api: ClassVar[OpenAIApi] = "responses"
    request_options: ClassVar[RequestOptions] = RESPONSES

    def _context(self, request: ChatRequest | None = None, **extra: Any) -> ErrorContext:
        return super()._context(request, responses_api=True, **extra)

    def _params(self, request: ChatRequest) -> dict[str, Any]:
        self._check_attachments(request, self.request_options)
        params: dict[str, Any] = {
            "model": request.model,
            "input": [_input_item(m) for m in request.messages],
            # chat-tui resends the history itself: nothing needs keeping on OpenAI's side.
            "store": False,
        }
        if request.system:
            params["instructions"] = request.system
        if request.temperature is not None:
            params["temperature"] = request.temperature
        if request.max_output_tokens:
            params["max_output_tokens"] = request.max_output_tokens
        if request.reasoning_effort:
            # "auto": the model's reasoning summary streams into the reasoning block.
            params["reasoning"] = {"effort": request.reasoning_effort, "summary": "auto"}
        return params

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        try:
            events = await self._post_stream(request)
            # `async with` closes the HTTP response on cancel or aclose: the server sees it.
            async with events:
                if is_whole_json_reply(events.response):  # a server that does not stream
                    response = await parse_whole_json_reply(
                        events.response, self._context(request), Response.model_validate
                    )
                    for event in reply_events(_reply(response)):
                        yield event
                    return
                async for event in events:
                    for item in _stream_events(event, events.response):
                        yield item
        except Exception as exc:
            raise to_provider_error(exc, self._context(request)) from exc

    async def _post_stream(self, request: ChatRequest) -> AsyncStream[Any]:
        # What `responses.create(stream=True)` sends (same path, same bearer auth), through
        # the client's public `post()`: each event as the JSON object it arrived as (the SDK
        # hands `object` through as is; its SSE parsing is unchanged). Building the typed
        # event cost about as much as Chat Completions' typed chunks did (see
        # OpenAIChatProvider._post_stream): 1.6 of the app's 3.2 CPU-s for 20,000 tokens.
        return await self._client_for_loop().post(
            _RESPONSES,
            body=self._params(request) | {"stream": True},
            cast_to=Response,
            options=REQUEST_OPTIONS,
            stream=True,
            stream_cls=AsyncStream[object],
        )

    async def complete(self, request: ChatRequest) -> Reply:
        try:
            response = await self._client_for_loop().responses.create(
                **self._params(request), timeout=self._whole_reply_timeout()
            )
            if response.status == "failed":
                raise _failure(response.error, None)
        except Exception as exc:
            raise to_provider_error(exc, self._context(request)) from exc
        return _reply(response)


def _input_item(message: ChatMessage) -> dict[str, Any]:
    """One message of `input`: its text, or (with attached files) `input_text`,
    `input_image` and `input_file` parts."""
    if not message.attachments:
        return {"role": message.role, "content": message.text}
    parts: list[dict[str, Any]] = []
    if message.text:
        parts.append({"type": "input_text", "text": message.text})
    for attachment in message.attachments:
        match attachment.kind:
            case "image":
                parts.append(
                    {"type": "input_image", "image_url": attachment.data_url, "detail": "auto"}
                )
            case "pdf":
                parts.append(
                    {
                        "type": "input_file",
                        "filename": attachment.name,
                        "file_data": attachment.data_url,
                    }
                )
            case _:
                parts.append({"type": "input_text", "text": text_part(attachment)})
    return {"role": message.role, "content": parts}


def _stream_events(event: Any, http_response: Any) -> Iterator[StreamEvent]:
    """The events in one streamed event, a JSON object (see `_post_stream`)."""
    if not isinstance(event, dict):
        return
    match event.get("type"):
        case "response.output_text.delta":
            if isinstance(delta := event.get("delta"), str) and delta:
                yield TextDelta(delta)
        case "response.reasoning_summary_text.delta":
            if isinstance(delta := event.get("delta"), str) and delta:
                yield ReasoningDelta(delta)
        case "response.reasoning_summary_part.added":
            if isinstance(index := event.get("summary_index"), int) and index > 0:
                yield ReasoningDelta(_PART_BREAK)
        case "response.completed" | "response.incomplete":
            response = _field(event, "response")
            yield _usage(response)
            yield _finish(response)
        case "response.failed":
            raise _failure(_field(_field(event, "response"), "error"), http_response)
        case "error":
            # A failure mid-stream comes as an event, not an exception: raise it as the SDK
            # raises other API errors, so the one error map words it like every other path.
            code, message = _field(event, "code"), _field(event, "message") or ""
            body = {"code": code, "message": message, "type": code}
            raise openai.APIError(message, http_response.request, body=body)


def _field(item: Any, name: str, default: Any = None) -> Any:
    """`name` of a streamed JSON object or of the SDK's typed `Response` (a whole reply):
    one reading of usage, finish and failure for both."""
    value = item.get(name) if isinstance(item, dict) else getattr(item, name, None)
    return default if value is None else value


def _failure(error: Any, http_response: Any) -> openai.APIError:
    code = _field(error, "code") or "server_error"
    message = _field(error, "message") or "The response failed."
    request = http_response.request if http_response is not None else None
    return openai.APIError(message, request, body={"code": code, "message": message})


def _reply(response: Response) -> Reply:
    reasoning = _PART_BREAK.join(
        summary.text
        for item in response.output
        if item.type == "reasoning"
        for summary in item.summary or ()
    )
    return Reply(
        text=response.output_text,
        reasoning=reasoning,
        usage=_usage(response),
        finish=_finish(response),
    )


def _usage(response: Any) -> Usage:
    usage = _field(response, "usage")
    if usage is None:
        return Usage()
    return Usage(
        input_tokens=_field(usage, "input_tokens"),
        output_tokens=_field(usage, "output_tokens"),
        reasoning_tokens=_field(_field(usage, "output_tokens_details"), "reasoning_tokens"),
        cache_read_tokens=_field(_field(usage, "input_tokens_details"), "cached_tokens"),
    )


def _finish(response: Any) -> Finish:
    status = _field(response, "status")
    if status == "incomplete":
        reason = _field(_field(response, "incomplete_details"), "reason") or "incomplete"
        return Finish(_INCOMPLETE.get(reason, FinishReason.OTHER), reason)
    output = _field(response, "output", ())
    if isinstance(output, list | tuple) and any(
        _field(item, "type") == "function_call" for item in output
    ):
        return Finish(FinishReason.TOOL_CALLS, "function_call")
    return Finish(FinishReason.STOP, status or "completed")
