"""Every request option the app can set, sent through the installed SDK on each provider path,
checked as it arrived at the server.

anthropic 2.14 dropped `temperature` from `messages.create()`, and the app passed one: a
TypeError before any request left, on every request. Only sending each option through the
real SDK catches drift like that, so each option travels here on every path, both streaming
and not. The SDK ranges in pyproject.toml admit only versions these tests passed on.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from chat_tui.providers.base import ChatMessage, ChatRequest, Provider
from chat_tui.providers.request_options import request_options_for
from tests.fakeserver import FakeProviderServer
from tests.providers.conftest import MODELS, collect

SYSTEM = "Answer in one line."
TEMPERATURE = 0.3
MAX_TOKENS = 500
BUDGET = 2000


def every_option(path: str, reasoning: str) -> ChatRequest:
    """All options the settings screen can set, with no reasoning knob, an effort or a budget
    (the two exclude each other)."""
    return ChatRequest(
        model=MODELS[path],
        messages=(ChatMessage("user", "hi"),),
        system=SYSTEM,
        temperature=TEMPERATURE,
        max_output_tokens=MAX_TOKENS,
        reasoning_effort="high" if reasoning == "effort" else None,
        reasoning_budget=BUDGET if reasoning == "budget" else None,
    )


async def send(provider: Provider, request: ChatRequest, *, streaming: bool) -> None:
    if streaming:
        got = await collect(provider.stream(request))
        assert got.error is None, got.error
        assert got.text == "Hello, world!"
    else:
        reply = await provider.complete(request)
        assert reply.text == "Hello, world!"


def expected_body(path: str, reasoning: str) -> dict[str, Any]:
    """The fields each API's body must carry for `every_option` (others are not checked)."""
    if path == "openai":  # Responses
        body = {
            "instructions": SYSTEM,
            "input": [{"role": "user", "content": "hi"}],
            "temperature": TEMPERATURE,
            "max_output_tokens": MAX_TOKENS,
        }
        if reasoning == "effort":  # no budget here either
            body["reasoning"] = {"effort": "high", "summary": "auto"}
        return body
    if path in ("openai-chat", "compatible"):
        limit_key = "max_tokens" if path == "compatible" else "max_completion_tokens"
        body: dict[str, Any] = {
            "messages": [{"role": "system", "content": SYSTEM}, {"role": "user", "content": "hi"}],
            "temperature": TEMPERATURE,
            limit_key: MAX_TOKENS,
        }
        if reasoning == "effort":  # Chat Completions has no budget: it is not sent
            body["reasoning_effort"] = "high"
        return body
    if path == "anthropic":
        if reasoning == "none":
            return {"system": SYSTEM, "max_tokens": MAX_TOKENS}
        if (
            reasoning == "budget"
        ):  # budget_tokens must stay below max_tokens: room is made for the answer
            thinking = {"thinking": {"type": "enabled", "budget_tokens": BUDGET}}
            return {"system": SYSTEM, "max_tokens": BUDGET + 1024, **thinking}
        return {
            "system": SYSTEM,
            "max_tokens": MAX_TOKENS,
            "thinking": {"type": "adaptive", "display": "summarized"},
            "output_config": {"effort": "high"},
        }
    thinking = {
        "none": {},  # a thinking model shows its thoughts even with no knob set
        "effort": {"thinkingLevel": "HIGH"},
        "budget": {"thinkingBudget": BUDGET},
    }[reasoning]
    return {
        "systemInstruction": {"parts": [{"text": SYSTEM}], "role": "user"},
        "generationConfig": {
            "temperature": TEMPERATURE,
            # Thinking counts against Gemini's output limit: a budget comes on top of it.
            "maxOutputTokens": MAX_TOKENS + (BUDGET if reasoning == "budget" else 0),
            "thinkingConfig": {"includeThoughts": True, **thinking},
        },
    }


def camel_case_keys(value: Any) -> Any:
    """The Gemini API reads JSON field names in either spelling (proto3 JSON): compare one."""
    if isinstance(value, dict):
        return {
            re.sub(r"_([a-z])", lambda m: m[1].upper(), k): camel_case_keys(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [camel_case_keys(item) for item in value]
    return value


@pytest.mark.parametrize("streaming", [True, False], ids=["streaming", "whole"])
@pytest.mark.parametrize("reasoning", ["none", "effort", "budget"])
async def test_every_option_arrives_on_the_wire(
    fake_server: FakeProviderServer, provider: Provider, path: str, streaming: bool, reasoning: str
):
    await send(provider, every_option(path, reasoning), streaming=streaming)

    body = fake_server.last.body
    if path == "gemini":  # google-genai sends thinkingConfig's keys in snake_case
        body = camel_case_keys(body)
    for key, value in expected_body(path, reasoning).items():
        assert body.get(key) == value, (key, body)
    if path == "anthropic":  # the Messages API takes no sampling options any more
        assert not {"temperature", "top_p", "top_k"} & set(body)


async def test_each_adapter_declares_what_it_takes(provider: Provider, path: str):
    """The settings screen reads the declarations without importing an SDK: they must be
    the adapters' own."""
    adapter = await provider.provider()  # type: ignore[attr-defined]  # a LazyProvider
    kind = {"compatible": "openai-compatible", "openai-chat": "openai"}.get(path, path)
    declared = type(adapter).request_options
    api = {"openai": "responses", "openai-chat": "chat", "compatible": "chat"}.get(path)
    assert getattr(adapter, "api", None) == api
    assert declared is request_options_for(kind, api)
    if path == "anthropic":
        assert not type(adapter).request_options.temperature
