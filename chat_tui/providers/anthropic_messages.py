"""Anthropic Messages over `anthropic.AsyncAnthropic`, streaming with `messages.stream()`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any, ClassVar

import anthropic
import httpx2

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
from chat_tui.providers.request_options import (
    ANTHROPIC_MESSAGES,
    ANTHROPIC_MIN_THINKING_BUDGET,
    RequestOptions,
)
from chat_tui.providers.sdk_adapter import (
    SdkAdapter,
    http_client_options,
    is_whole_json_reply,
    parse_whole_json_reply,
    reply_events,
)

# Anthropic requires max_tokens; this is used when neither the request nor the config sets one.
DEFAULT_MAX_TOKENS = 8192

_FINISH = {
    "end_turn": FinishReason.STOP,
    "stop_sequence": FinishReason.STOP,
    "max_tokens": FinishReason.LENGTH,
    "model_context_window_exceeded": FinishReason.LENGTH,
    "refusal": FinishReason.CONTENT_FILTER,
    "tool_use": FinishReason.TOOL_CALLS,
}


class AnthropicMessagesProvider(SdkAdapter[anthropic.AsyncAnthropic]):
    """Claude through the Messages API. SDK retries are off: the engine retries."""

    request_options: ClassVar[RequestOptions] = ANTHROPIC_MESSAGES

    def _make_client(self) -> anthropic.AsyncAnthropic:
        return anthropic.AsyncAnthropic(
            api_key=self._api_key,
            base_url=self.base_url,
            max_retries=0,
            timeout=httpx2.Timeout(self._idle_timeout_s, connect=self._connect_timeout_s),
            http_client=anthropic.DefaultAsyncHttpxClient(**http_client_options(self.base_url)),
        )

    def _params(self, request: ChatRequest) -> dict[str, Any]:
        self._check_attachments(request, self.request_options)
        max_tokens = request.max_output_tokens or DEFAULT_MAX_TOKENS
        params: dict[str, Any] = {
            "model": request.model,
            "messages": [{"role": m.role, "content": _content(m)} for m in request.messages],
        }
        if request.system:
            params["system"] = request.system
        if request.reasoning_budget:
            budget = max(request.reasoning_budget, ANTHROPIC_MIN_THINKING_BUDGET)
            # budget_tokens must be below max_tokens: keep room for the visible answer.
            max_tokens = max(max_tokens, budget + ANTHROPIC_MIN_THINKING_BUDGET)
            params["thinking"] = {"type": "enabled", "budget_tokens": budget}
        elif request.reasoning_effort:
            # Current models decide their own budget ("adaptive") and take an effort level.
            params["thinking"] = {"type": "adaptive", "display": "summarized"}
            params["output_config"] = {"effort": request.reasoning_effort}
        # No temperature: the Messages API no longer takes one (see request_options), so a
        # conversation saved with one earlier is sent without it rather than refused.
        params["max_tokens"] = max_tokens
        return params

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        try:
            # The raw events, not `messages.stream()`: that helper also rebuilds the whole
            # message after every event (a third more CPU per token here).
            events = await self._client_for_loop().messages.create(
                **self._params(request), stream=True
            )
            # Leaving the `async with` (finish, cancel, aclose) closes the HTTP response.
            async with events:
                if is_whole_json_reply(events.response):
                    # A gateway that does not stream (LiteLLM's mock mode) answers with the
                    # whole message as JSON: use the reply it sent.
                    message = await parse_whole_json_reply(
                        events.response,
                        self._context(request),
                        anthropic.types.Message.model_validate,
                    )
                    for event in reply_events(_reply(message)):
                        yield event
                    return
                async for event in events:
                    match event.type:
                        case "content_block_delta":
                            delta = event.delta
                            if delta.type == "text_delta" and delta.text:
                                yield TextDelta(delta.text)
                            elif delta.type == "thinking_delta" and delta.thinking:
                                yield ReasoningDelta(delta.thinking)
                        case "message_start":
                            yield _input_usage(event.message.usage)
                        case "message_delta":
                            yield Usage(output_tokens=event.usage.output_tokens)
                            if event.delta.stop_reason:
                                yield _finish(event.delta.stop_reason)
        except Exception as exc:
            raise to_provider_error(exc, self._context(request)) from exc

    async def complete(self, request: ChatRequest) -> Reply:
        # A real non-streaming request, as the toggle promises (gateways treat the two kinds
        # differently). The explicit timeout also lifts the SDK's refusal of non-streaming
        # calls whose max_tokens could take over 10 minutes.
        try:
            message = await self._client_for_loop().messages.create(
                **self._params(request), timeout=self._whole_reply_timeout()
            )
        except Exception as exc:
            raise to_provider_error(exc, self._context(request)) from exc
        return _reply(message)

    async def list_models(self) -> list[str]:
        try:
            return sorted([model.id async for model in self._client_for_loop().models.list()])
        except Exception as exc:
            raise to_provider_error(exc, self._context()) from exc

    async def aclose(self) -> None:
        if self._client is not None:
            client, self._client = self._client, None
            await client.close()


def _content(message: ChatMessage) -> str | list[dict[str, Any]]:
    """A message's content: its text, or (with attached files) base64 `image` and
    `document` blocks first (Anthropic's advice: files before the question), then text."""
    if not message.attachments:
        return message.text
    blocks: list[dict[str, Any]] = []
    for attachment in message.attachments:
        source = {"type": "base64", "media_type": attachment.media_type, "data": attachment.base64}
        match attachment.kind:
            case "image":
                blocks.append({"type": "image", "source": source})
            case "pdf":
                blocks.append({"type": "document", "source": source, "title": attachment.name})
            case _:
                blocks.append({"type": "text", "text": text_part(attachment)})
    if message.text:
        blocks.append({"type": "text", "text": message.text})
    return blocks


def _reply(message: anthropic.types.Message) -> Reply:
    text = "".join(block.text for block in message.content if block.type == "text")
    reasoning = "".join(block.thinking for block in message.content if block.type == "thinking")
    usage = _input_usage(message.usage)
    return Reply(
        text=text,
        reasoning=reasoning,
        usage=replace(usage, output_tokens=message.usage.output_tokens),
        finish=_finish(message.stop_reason) if message.stop_reason else None,
    )


def _input_usage(usage: Any) -> Usage:
    """Input tokens, counting prompt-cache reads and writes (they are input too)."""
    written = getattr(usage, "cache_creation_input_tokens", None)
    read = getattr(usage, "cache_read_input_tokens", None)
    total = (usage.input_tokens or 0) + (written or 0) + (read or 0)
    return Usage(input_tokens=total, cache_read_tokens=read, cache_write_tokens=written)


def _finish(raw: str) -> Finish:
    return Finish(_FINISH.get(raw, FinishReason.OTHER), raw)
