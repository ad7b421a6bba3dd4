"""The three providers' wire formats: SSE events, JSON replies, error bodies, model lists.

Each `*Stream` object is made per request and may keep state (Anthropic's content blocks).
Methods return ready-to-send SSE bytes.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from tests.fakeserver.scenario import Finish, Scenario


def sse(data: Any, event: str | None = None) -> bytes:
    payload = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {payload}\n\n".encode()


MALFORMED_DATA = "{this is not json"


class WireFormat:
    """Base: what every provider format offers the server."""

    provider: ClassVar[str]
    finish_words: ClassVar[dict[Finish, str]]
    overloaded_type: ClassVar[str]

    def __init__(self, scenario: Scenario, model: str, body: dict[str, Any]) -> None:
        self.scenario = scenario
        self.model = model
        self.body = body

    def start(self) -> bytes:
        return b""

    def malformed(self) -> bytes:
        return f"data: {MALFORMED_DATA}\n\n".encode()

    def delta(self, kind: str, piece: str) -> bytes:
        raise NotImplementedError

    def finish(self) -> bytes:
        raise NotImplementedError

    def error_event(self) -> bytes:
        raise NotImplementedError

    def json_reply(self) -> dict[str, Any]:
        raise NotImplementedError

    @classmethod
    def error_body(cls, status: int, error_type: str | None, message: str) -> dict[str, Any]:
        raise NotImplementedError

    @classmethod
    def models_body(cls, ids: list[str]) -> dict[str, Any]:
        raise NotImplementedError


# ---- OpenAI Chat Completions ----------------------------------------------------------------

_OPENAI_TYPES = {
    400: "invalid_request_error",
    401: "invalid_request_error",
    403: "permission_denied",
    404: "invalid_request_error",
    429: "rate_limit_exceeded",
    500: "server_error",
    503: "server_error",
    529: "overloaded",
}


class OpenAIFormat(WireFormat):
    provider = "openai"
    finish_words: ClassVar = {
        Finish.STOP: "stop",
        Finish.LENGTH: "length",
        Finish.CONTENT_FILTER: "content_filter",
    }
    overloaded_type = "server_error"

    def _chunk(self, delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {
            "id": "chatcmpl-fake",
            "object": "chat.completion.chunk",
            "created": 0,
            "model": self.model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }

    def start(self) -> bytes:
        # Real servers open with an empty, role-only delta.
        return sse(self._chunk({"role": "assistant", "content": ""}))

    def delta(self, kind: str, piece: str) -> bytes:
        key = "reasoning_content" if kind == "reasoning" else "content"
        return sse(self._chunk({key: piece}))

    def _usage(self) -> dict[str, Any]:
        s = self.scenario
        return {
            "prompt_tokens": s.input_tokens,
            "completion_tokens": s.completion_tokens,
            "total_tokens": s.input_tokens + s.completion_tokens,
            "completion_tokens_details": {"reasoning_tokens": len(s.reasoning)},
        } | (
            {"prompt_tokens_details": {"cached_tokens": s.cached_tokens}} if s.cached_tokens else {}
        )

    def finish(self) -> bytes:
        out = sse(self._chunk({}, self.finish_words[self.scenario.finish]))
        wants_usage = (self.body.get("stream_options") or {}).get("include_usage")
        if wants_usage and self.scenario.usage:
            usage_chunk = self._chunk({}) | {"choices": [], "usage": self._usage()}
            out += sse(usage_chunk)
        return out + sse("[DONE]")

    def error_event(self) -> bytes:
        error_type = self.scenario.error_type or self.overloaded_type
        return sse({"error": {"message": self.scenario.error_message, "type": error_type}})

    def json_reply(self) -> dict[str, Any]:
        s = self.scenario
        message: dict[str, Any] = {"role": "assistant", "content": s.full_text}
        if s.reasoning:
            message["reasoning_content"] = s.full_reasoning
        reply: dict[str, Any] = {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": 0,
            "model": self.model,
            "choices": [
                {"index": 0, "message": message, "finish_reason": self.finish_words[s.finish]}
            ],
        }
        if s.usage:
            reply["usage"] = self._usage()
        return reply

    @classmethod
    def error_body(cls, status: int, error_type: str | None, message: str) -> dict[str, Any]:
        code = "model_not_found" if status == 404 else None
        kind = error_type or _OPENAI_TYPES.get(status, "server_error")
        return {"error": {"message": message, "type": kind, "param": None, "code": code}}

    @classmethod
    def models_body(cls, ids: list[str]) -> dict[str, Any]:
        data = [{"id": i, "object": "model", "created": 0, "owned_by": "fake"} for i in ids]
        return {"object": "list", "data": data}


# ---- Anthropic Messages ---------------------------------------------------------------------

_ANTHROPIC_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    503: "api_error",
    529: "overloaded_error",
}


class AnthropicFormat(WireFormat):
    provider = "anthropic"
    finish_words: ClassVar = {
        Finish.STOP: "end_turn",
        Finish.LENGTH: "max_tokens",
        Finish.CONTENT_FILTER: "refusal",
    }
    overloaded_type = "overloaded_error"

    def __init__(self, scenario: Scenario, model: str, body: dict[str, Any]) -> None:
        super().__init__(scenario, model, body)
        self._block_index = -1
        self._block_kind: str | None = None

    def _message(self, content: list[dict[str, Any]], stop: str | None) -> dict[str, Any]:
        return {
            "id": "msg_fake",
            "type": "message",
            "role": "assistant",
            "model": self.model,
            "content": content,
            "stop_reason": stop,
            "stop_sequence": None,
            "usage": self._start_usage(),
        }

    def _start_usage(self) -> dict[str, Any]:
        # Anthropic counts cache reads apart from `input_tokens` (the uncached rest).
        s = self.scenario
        usage = {"input_tokens": s.input_tokens - s.cached_tokens, "output_tokens": 1}
        return usage | ({"cache_read_input_tokens": s.cached_tokens} if s.cached_tokens else {})

    def start(self) -> bytes:
        return sse({"type": "message_start", "message": self._message([], None)}, "message_start")

    def malformed(self) -> bytes:
        # The SDK skips data without an event name, so name it as a real event would be.
        return f"event: content_block_delta\ndata: {MALFORMED_DATA}\n\n".encode()

    def _close_block(self) -> bytes:
        if self._block_kind is None:
            return b""
        out = b""
        if self._block_kind == "thinking":
            delta = {"type": "signature_delta", "signature": "fake-signature"}
            out += self._event("content_block_delta", delta=delta)
        self._block_kind = None
        return out + self._event("content_block_stop")

    def _event(self, name: str, **fields: Any) -> bytes:
        return sse({"type": name, "index": self._block_index, **fields}, name)

    def delta(self, kind: str, piece: str) -> bytes:
        block = "thinking" if kind == "reasoning" else "text"
        out = b""
        if block != self._block_kind:
            out += self._close_block()
            self._block_index += 1
            self._block_kind = block
            start = {"type": "thinking", "thinking": "", "signature": ""}
            if block == "text":
                start = {"type": "text", "text": ""}
            out += self._event("content_block_start", content_block=start)
            out += sse({"type": "ping"}, "ping")
        if block == "thinking":
            delta = {"type": "thinking_delta", "thinking": piece}
        else:
            delta = {"type": "text_delta", "text": piece}
        return out + self._event("content_block_delta", delta=delta)

    def finish(self) -> bytes:
        delta = {"stop_reason": self.finish_words[self.scenario.finish], "stop_sequence": None}
        usage = {"output_tokens": self.scenario.completion_tokens}
        return (
            self._close_block()
            + sse({"type": "message_delta", "delta": delta, "usage": usage}, "message_delta")
            + sse({"type": "message_stop"}, "message_stop")
        )

    def error_event(self) -> bytes:
        error_type = self.scenario.error_type or self.overloaded_type
        error = {"type": error_type, "message": self.scenario.error_message}
        return sse({"type": "error", "error": error}, "error")

    def json_reply(self) -> dict[str, Any]:
        s = self.scenario
        content: list[dict[str, Any]] = []
        if s.reasoning:
            thinking = {"type": "thinking", "thinking": s.full_reasoning, "signature": "fake"}
            content.append(thinking)
        content.append({"type": "text", "text": s.full_text})
        reply = self._message(content, self.finish_words[s.finish])
        reply["usage"]["output_tokens"] = s.completion_tokens
        return reply

    @classmethod
    def error_body(cls, status: int, error_type: str | None, message: str) -> dict[str, Any]:
        kind = error_type or _ANTHROPIC_TYPES.get(status, "api_error")
        return {"type": "error", "error": {"type": kind, "message": message}}

    @classmethod
    def models_body(cls, ids: list[str]) -> dict[str, Any]:
        data = [
            {"type": "model", "id": i, "display_name": i, "created_at": "2025-01-01T00:00:00Z"}
            for i in ids
        ]
        first, last = (ids[0], ids[-1]) if ids else (None, None)
        return {"data": data, "has_more": False, "first_id": first, "last_id": last}


# ---- Gemini generateContent -----------------------------------------------------------------

_GEMINI_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
    529: "UNAVAILABLE",
}


class GeminiFormat(WireFormat):
    provider = "gemini"
    finish_words: ClassVar = {
        Finish.STOP: "STOP",
        Finish.LENGTH: "MAX_TOKENS",
        Finish.CONTENT_FILTER: "SAFETY",
    }
    overloaded_type = "UNAVAILABLE"

    def _response(self, parts: list[dict[str, Any]], finish: str | None) -> dict[str, Any]:
        candidate: dict[str, Any] = {"content": {"parts": parts, "role": "model"}, "index": 0}
        if finish:
            candidate["finishReason"] = finish
        return {"candidates": [candidate], "modelVersion": self.model, "responseId": "fake"}

    def _usage(self) -> dict[str, Any]:
        s = self.scenario
        visible = s.completion_tokens - len(s.reasoning)
        return {
            "promptTokenCount": s.input_tokens,
            "candidatesTokenCount": visible,
            "thoughtsTokenCount": len(s.reasoning),
            "totalTokenCount": s.input_tokens + s.completion_tokens,
        } | ({"cachedContentTokenCount": s.cached_tokens} if s.cached_tokens else {})

    def delta(self, kind: str, piece: str) -> bytes:
        part: dict[str, Any] = {"text": piece}
        if kind == "reasoning":
            part["thought"] = True
        return sse(self._response([part], None))

    def finish(self) -> bytes:
        last = self._response([{"text": ""}], self.finish_words[self.scenario.finish])
        if self.scenario.usage:
            last["usageMetadata"] = self._usage()
        return sse(last)

    def error_event(self) -> bytes:
        status = self.scenario.error_type or self.overloaded_type
        code = 503 if status == "UNAVAILABLE" else 500
        return sse(
            {"error": {"code": code, "message": self.scenario.error_message, "status": status}}
        )

    def json_reply(self) -> dict[str, Any]:
        s = self.scenario
        parts: list[dict[str, Any]] = []
        if s.reasoning:
            parts.append({"text": s.full_reasoning, "thought": True})
        parts.append({"text": s.full_text})
        reply = self._response(parts, self.finish_words[s.finish])
        if s.usage:
            reply["usageMetadata"] = self._usage()
        return reply

    @classmethod
    def error_body(cls, status: int, error_type: str | None, message: str) -> dict[str, Any]:
        kind = error_type or _GEMINI_STATUS.get(status, "INTERNAL")
        return {"error": {"code": status, "message": message, "status": kind}}

    @classmethod
    def models_body(cls, ids: list[str]) -> dict[str, Any]:
        models = [
            {
                "name": f"models/{i}",
                "displayName": i,
                "supportedActions": ["generateContent", "countTokens"],
            }
            for i in ids
        ]
        return {"models": models}


# ---- OpenAI Responses -----------------------------------------------------------------------


class ResponsesFormat(WireFormat):
    """`POST /v1/responses`: named SSE events, each with its type and a sequence number, as
    the real API sends them (output items opened and closed around their deltas)."""

    provider = "openai"
    finish_words: ClassVar = {
        Finish.STOP: "completed",
        Finish.LENGTH: "max_output_tokens",
        Finish.CONTENT_FILTER: "content_filter",
    }
    overloaded_type = "server_error"

    def __init__(self, scenario: Scenario, model: str, body: dict[str, Any]) -> None:
        super().__init__(scenario, model, body)
        self._sequence = 0
        self._output_index = -1
        self._item_kind: str | None = None
        self._item_text = ""

    def _event(self, name: str, **fields: Any) -> bytes:
        data = {"type": name, **fields, "sequence_number": self._sequence}
        self._sequence += 1
        return sse(data, name)

    def _item_id(self) -> str:
        prefix = "rs" if self._item_kind == "reasoning" else "msg"
        return f"{prefix}_fake{self._output_index}"

    def _response(self, status: str, output: list[dict[str, Any]]) -> dict[str, Any]:
        s = self.scenario
        finish = self.finish_words[s.finish]
        incomplete = status == "incomplete"
        response: dict[str, Any] = {
            "id": "resp_fake",
            "object": "response",
            "created_at": 0,
            "model": self.model,
            "status": status,
            "output": output,
            "error": None,
            "incomplete_details": {"reason": finish} if incomplete else None,
            "instructions": self.body.get("instructions"),
            "parallel_tool_calls": True,
            "tool_choice": "auto",
            "tools": [],
            "usage": None,
        }
        if status in ("completed", "incomplete") and s.usage:
            response["usage"] = {
                "input_tokens": s.input_tokens,
                "input_tokens_details": {"cached_tokens": s.cached_tokens, "cache_write_tokens": 0},
                "output_tokens": s.completion_tokens,
                "output_tokens_details": {"reasoning_tokens": len(s.reasoning)},
                "total_tokens": s.input_tokens + s.completion_tokens,
            }
        return response

    def _final_status(self) -> str:
        return "completed" if self.scenario.finish is Finish.STOP else "incomplete"

    def _item(self, kind: str, text: str, *, done: bool) -> dict[str, Any]:
        status = "completed" if done else "in_progress"
        if kind == "reasoning":
            summary = [{"type": "summary_text", "text": text}] if done else []
            return {"id": self._item_id(), "type": "reasoning", "summary": summary}
        content = [{"type": "output_text", "text": text, "annotations": []}] if done else []
        return {
            "id": self._item_id(),
            "type": "message",
            "role": "assistant",
            "status": status,
            "content": content,
        }

    def start(self) -> bytes:
        response = self._response("in_progress", [])
        return self._event("response.created", response=response) + self._event(
            "response.in_progress", response=response
        )

    def malformed(self) -> bytes:
        return f"event: response.output_text.delta\ndata: {MALFORMED_DATA}\n\n".encode()

    def _open(self, kind: str) -> bytes:
        self._output_index += 1
        self._item_kind, self._item_text = kind, ""
        where = {"item_id": self._item_id(), "output_index": self._output_index}
        out = self._event(
            "response.output_item.added",
            output_index=self._output_index,
            item=self._item(kind, "", done=False),
        )
        if kind == "reasoning":
            part = {"type": "summary_text", "text": ""}
            return out + self._event(
                "response.reasoning_summary_part.added", **where, summary_index=0, part=part
            )
        part = {"type": "output_text", "text": "", "annotations": []}
        return out + self._event("response.content_part.added", **where, content_index=0, part=part)

    def _close(self) -> bytes:
        kind, text = self._item_kind, self._item_text
        if kind is None:
            return b""
        where = {"item_id": self._item_id(), "output_index": self._output_index}
        if kind == "reasoning":
            part = {"type": "summary_text", "text": text}
            out = self._event(
                "response.reasoning_summary_text.done", **where, summary_index=0, text=text
            ) + self._event(
                "response.reasoning_summary_part.done", **where, summary_index=0, part=part
            )
        else:
            part = {"type": "output_text", "text": text, "annotations": []}
            out = self._event(
                "response.output_text.done", **where, content_index=0, text=text, logprobs=[]
            ) + self._event("response.content_part.done", **where, content_index=0, part=part)
        out += self._event(
            "response.output_item.done",
            output_index=self._output_index,
            item=self._item(kind, text, done=True),
        )
        self._item_kind = None
        return out

    def delta(self, kind: str, piece: str) -> bytes:
        out = b""
        if kind != self._item_kind:
            out += self._close() + self._open(kind)
        self._item_text += piece
        where = {"item_id": self._item_id(), "output_index": self._output_index}
        if kind == "reasoning":
            return out + self._event(
                "response.reasoning_summary_text.delta", **where, summary_index=0, delta=piece
            )
        return out + self._event(
            "response.output_text.delta", **where, content_index=0, delta=piece, logprobs=[]
        )

    def _output(self) -> list[dict[str, Any]]:
        s = self.scenario
        output = []
        if s.reasoning:
            self._output_index, self._item_kind = 0, "reasoning"
            output.append(self._item("reasoning", s.full_reasoning, done=True))
        self._output_index, self._item_kind = len(output), "text"
        output.append(self._item("text", s.full_text, done=True))
        return output

    def finish(self) -> bytes:
        out = self._close()
        status = self._final_status()
        name = "response.completed" if status == "completed" else "response.incomplete"
        return out + self._event(name, response=self._response(status, self._output()))

    def error_event(self) -> bytes:
        """The `error` event; with `failed_event` set, `response.failed` (a failed response)."""
        s = self.scenario
        code = s.error_type or self.overloaded_type
        if s.failed_event:
            failed = self._response("failed", []) | {
                "error": {"code": code, "message": s.error_message}
            }
            return self._event("response.failed", response=failed)
        return self._event("error", code=code, message=s.error_message, param=None)

    def json_reply(self) -> dict[str, Any]:
        return self._response(self._final_status(), self._output())

    @classmethod
    def error_body(cls, status: int, error_type: str | None, message: str) -> dict[str, Any]:
        return OpenAIFormat.error_body(status, error_type, message)

    @classmethod
    def models_body(cls, ids: list[str]) -> dict[str, Any]:
        return OpenAIFormat.models_body(ids)
